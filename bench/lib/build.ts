/**
 * A runnable copy of the hrep CLI built from the working tree's `src/`, for the benchmark to run as
 * users do (`node bin/run.js ...`, compiled JavaScript, oclif manifest) without touching the shared
 * `dist/`. Each file goes through TypeScript's `transpileModule` (what `tsc` emits, minus the type
 * check), into a directory under the OS temp dir keyed by a hash of the sources, so an unchanged tree
 * is built once. `node_modules` is a symlink to the repository's.
 */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import ts from 'typescript'

/** A built CLI: `node <runJs> plan ...` runs it. */
export interface BuiltCli {
  root: string
  runJs: string
  /** Whether this call built it (false: an identical build was reused). */
  built: boolean
  ms: number
}

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...sourceFiles(path))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path)
  }
  return out.sort()
}

/**
 * Builds (or reuses) the CLI of the checkout at `repo`, with the packages of `modules` (by default its
 * own `node_modules`; a `git worktree` has none, so the bench passes its own). Throws when a file does
 * not transpile.
 */
export function buildCli(repo: string, modules = join(repo, 'node_modules')): BuiltCli {
  const started = performance.now()
  const files = sourceFiles(join(repo, 'src'))
  const hash = createHash('sha256')
  for (const file of [join(repo, 'package.json'), join(repo, 'bin/run.js'), ...files]) {
    hash.update(relative(repo, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  const root = join(tmpdir(), `hrep-bench-cli-${hash.digest('hex').slice(0, 16)}`)
  const runJs = join(root, 'bin/run.js')
  if (existsSync(join(root, '.complete'))) return {root, runJs, built: false, ms: performance.now() - started}

  rmSync(root, {recursive: true, force: true})
  mkdirSync(root, {recursive: true})
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    esModuleInterop: true,
    isolatedModules: true,
    sourceMap: false,
  }
  for (const file of files) {
    const out = join(root, 'dist', relative(join(repo, 'src'), file)).replace(/\.ts$/, '.js')
    const result = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: options,
      fileName: file,
      reportDiagnostics: true,
    })
    const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error)
    if (errors.length > 0) {
      throw new Error(`${relative(repo, file)}: ${ts.flattenDiagnosticMessageText(errors[0]!.messageText, '\n')}`)
    }
    mkdirSync(dirname(out), {recursive: true})
    writeFileSync(out, result.outputText)
  }
  cpSync(join(repo, 'package.json'), join(root, 'package.json'))
  mkdirSync(join(root, 'bin'))
  cpSync(join(repo, 'bin/run.js'), runJs)
  // The emulator command reads the spec extract at run time; keep the package's layout.
  mkdirSync(join(root, 'test/contract'), {recursive: true})
  cpSync(join(repo, 'test/contract/harbor-api.json'), join(root, 'test/contract/harbor-api.json'))
  symlinkSync(modules, join(root, 'node_modules'), 'dir')
  // The manifest users get from the package: without it oclif imports every command at start.
  execFileSync(process.execPath, [join(modules, 'oclif/bin/run.js'), 'manifest'], {cwd: root, stdio: 'ignore'})
  writeFileSync(join(root, '.complete'), '')
  return {root, runJs, built: true, ms: performance.now() - started}
}
