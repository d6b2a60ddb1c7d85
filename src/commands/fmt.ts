/**
 * `hrep fmt`: rewrites the `*.hcl` files of the configuration directory in the canonical layout
 * (docs/fmt.md). `--check` changes nothing and exits 3 when a file would change; `--diff` shows
 * the change as a unified diff. Every file is formatted in memory first: a syntax error anywhere
 * reports every diagnostic and touches no file. Files are replaced atomically.
 */
import {readFile, readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {Flags} from '@oclif/core'
import {createTwoFilesPatch} from 'diff'
import writeFileAtomic from 'write-file-atomic'
import {BaseCommand} from '../cli/base-command.js'
import type {Colors} from '../cli/color.js'
import {configFlag, noColorFlag} from '../cli/flags.js'
import {formatHcl} from '../config/hcl/index.js'
import {ConfigError, type Diagnostic, HrepError} from '../model/errors.js'

/** Exit status of `hrep fmt --check` when at least one file is not in the canonical layout. */
export const FMT_CHECK_EXIT_CODE = 3

/** A file of the configuration: its path (as shown to the user), its text, its formatted text. */
interface FormattedFile {
  path: string
  source: string
  formatted: string
}

/** The `*.hcl` files to format: every one in the directory (hidden ones skipped), or the one file given. */
async function hclFiles(target: string): Promise<string[]> {
  let isDirectory: boolean
  try {
    isDirectory = (await stat(target)).isDirectory()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new HrepError(
      'config_dir_missing',
      code === 'ENOENT'
        ? `${target} does not exist; -c/--config takes the directory that holds the *.hcl files`
        : `cannot read ${target}: ${code}`,
    )
  }
  if (!isDirectory) return [target]
  const names = (await readdir(target)).filter((name) => name.endsWith('.hcl') && !name.startsWith('.')).sort()
  return names.map((name) => join(target, name))
}

/** Formats every file in memory; throws one ConfigError with the diagnostics of every broken file. */
export async function formatFiles(paths: readonly string[]): Promise<FormattedFile[]> {
  const files: FormattedFile[] = []
  const diagnostics: Diagnostic[] = []
  const sources: Record<string, string> = {}
  for (const path of paths) {
    const source = await readFile(path, 'utf8')
    try {
      files.push({path, source, formatted: formatHcl(source, path)})
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      diagnostics.push(...error.diagnostics)
      Object.assign(sources, error.sources)
    }
  }
  if (diagnostics.length > 0) throw new ConfigError(diagnostics, sources)
  return files
}

/** A unified diff of one file's change, coloured when `c` colours. */
export function unifiedDiff(file: FormattedFile, c: Colors): string {
  const patch = createTwoFilesPatch(file.path, file.path, file.source, file.formatted, 'original', 'formatted', {context: 3})
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('====='))
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return c.bold(line)
      if (line.startsWith('+')) return c.green(line)
      if (line.startsWith('-')) return c.red(line)
      if (line.startsWith('@@')) return c.cyan(line)
      return line
    })
    .join('\n')
    .trimEnd()
}

export default class Fmt extends BaseCommand {
  static override summary = 'Rewrite the *.hcl configuration files in the canonical layout.'
  static override description =
    'Formats every *.hcl file of the configuration directory: two-space indent, aligned "=" in runs of ' +
    'attributes, one blank line between blocks, comments and heredocs kept. Prints the files it changed. ' +
    'With --check nothing is written and the exit status is 3 when a file would change. ' +
    'A syntax error in any file is reported (exit status 1) and no file is written.'
  static override examples = [
    '<%= config.bin %> fmt',
    '<%= config.bin %> fmt -c fixtures/demo --check',
    '<%= config.bin %> fmt --diff',
  ]
  static override flags = {
    config: configFlag,
    check: Flags.boolean({summary: `Change nothing; list the files that would change and exit ${FMT_CHECK_EXIT_CODE} if any.`}),
    diff: Flags.boolean({summary: 'Print a unified diff of the changes.'}),
    'no-color': noColorFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Fmt)
    const files = await formatFiles(await hclFiles(flags.config))
    const changed = files.filter((file) => file.formatted !== file.source)
    const c = this.colors(flags['no-color'])
    for (const file of changed) {
      if (flags.diff) this.out(unifiedDiff(file, c))
      else this.out(file.path)
      if (!flags.check) await writeFileAtomic(file.path, file.formatted)
    }
    if (flags.check && changed.length > 0) {
      this.err(
        `${changed.length} file${changed.length === 1 ? ' is' : 's are'} not in the canonical layout; run "hrep fmt" to fix ${changed.length === 1 ? 'it' : 'them'}.`,
      )
      process.exitCode = FMT_CHECK_EXIT_CODE
    }
  }
}
