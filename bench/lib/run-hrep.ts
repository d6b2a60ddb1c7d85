/**
 * Runs the built hrep CLI as a child process, as a user would (`node bin/run.js apply ...`), and
 * measures it: wall time from spawn to exit, and, from a tiny preload module that reports
 * `process.resourceUsage()` when the process exits, its peak RSS and CPU time. stdout and stderr go
 * to files (a plan of 50,000 changes is long), which the caller may read.
 */
import {spawn} from 'node:child_process'
import {existsSync, openSync, readFileSync, closeSync, writeFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import type {BuiltCli} from './build.js'

/** What one run of hrep cost. */
export interface HrepRun {
  args: string[]
  code: number | null
  wallMs: number
  /** Peak resident set size of the hrep process, in MB (10^6 bytes). */
  peakRssMb: number
  /** User + system CPU time of the hrep process, in ms. */
  cpuMs: number
  stdoutFile: string
  stderrFile: string
}

const USAGE_MODULE = `import {writeFileSync} from 'node:fs'
const out = process.env.HREP_BENCH_USAGE
if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    writeFileSync(out, JSON.stringify({maxRssKb: usage.maxRSS, userUs: usage.userCPUTime, systemUs: usage.systemCPUTime}))
  })
}
`

/** Runs `hrep ...args` in `dir`; `name` names the output files (`<dir>/<name>.stdout`). */
export async function runHrep(
  cli: BuiltCli,
  dir: string,
  name: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<HrepRun> {
  const preload = join(cli.root, 'bench-usage.mjs')
  if (!existsSync(preload)) writeFileSync(preload, USAGE_MODULE)
  const usageFile = join(dir, `${name}.usage.json`)
  rmSync(usageFile, {force: true})
  const stdoutFile = join(dir, `${name}.stdout`)
  const stderrFile = join(dir, `${name}.stderr`)
  const out = openSync(stdoutFile, 'w')
  const err = openSync(stderrFile, 'w')
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', pathToFileURL(preload).href, cli.runJs, ...args], {
    cwd: dir,
    env: {...process.env, ...env, HREP_BENCH_USAGE: usageFile, NO_COLOR: '1', CI: '1'},
    stdio: ['ignore', out, err],
  })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (exitCode) => resolve(exitCode))
  })
  const wallMs = performance.now() - started
  closeSync(out)
  closeSync(err)
  const usage = existsSync(usageFile)
    ? (JSON.parse(readFileSync(usageFile, 'utf8')) as {maxRssKb: number; userUs: number; systemUs: number})
    : {maxRssKb: 0, userUs: 0, systemUs: 0}
  return {
    args,
    code,
    wallMs,
    peakRssMb: (usage.maxRssKb * 1024) / 1e6,
    cpuMs: (usage.userUs + usage.systemUs) / 1000,
    stdoutFile,
    stderrFile,
  }
}

/** The last lines of a run's output, for an error message. */
export function tail(run: HrepRun, lines = 15): string {
  const text = `${readFileSync(run.stdoutFile, 'utf8')}\n${readFileSync(run.stderrFile, 'utf8')}`
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}
