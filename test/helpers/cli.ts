/**
 * Runs the real `hrep` CLI as a child process. By default the built `bin/run.js` (what users run;
 * `npm test` builds first); with HREP_TEST_BIN=dev the sources through `bin/dev.js`, for working
 * on a command without rebuilding.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {fileURLToPath, pathToFileURL} from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  cwd?: string
  env?: Record<string, string | undefined>
  /** Written to stdin, which is then closed. */
  input?: string
  timeoutMs?: number
}

export function cliCommand(): string[] {
  return process.env.HREP_TEST_BIN === 'dev'
    ? ['--import', pathToFileURL(`${repoRoot}node_modules/tsx/dist/loader.mjs`).href, `${repoRoot}bin/dev.js`]
    : [`${repoRoot}bin/run.js`]
}

/** Starts the CLI and returns the child; for tests that signal or kill it mid-run. */
export function spawnCli(args: string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [...cliCommand(), ...args], {
    cwd: options.cwd ?? repoRoot,
    env: {...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env},
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

/** Runs the CLI to completion and collects its output. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options)
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  if (options.input !== undefined) child.stdin!.end(options.input)
  else child.stdin!.end()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`hrep ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`))
    }, options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr})
    })
  })
}
