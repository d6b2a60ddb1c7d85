/**
 * `hrep sync` as a child process for the daemon tests: starts it with JSON logs, parses every stdout
 * line, waits for lines matching a predicate, and scrapes the listener it printed in its first line.
 */
import type {ChildProcess} from 'node:child_process'
import {spawnCli} from '../helpers/cli.js'

/** One JSON log line of the daemon. */
export type LogLine = {time: string; level: string; msg: string} & Record<string, unknown>

export interface SyncProcess {
  child: ChildProcess
  /** Every JSON line so far, in order. */
  lines: LogLine[]
  /** Every raw stdout and stderr line so far (JSON or not). */
  raw: string[]
  /** `http://HOST:PORT` from the first log line (when the daemon listens). */
  base: string | undefined
  /** Resolves with the first line (from index `from` on) matching `match`; rejects after `timeoutMs`. */
  waitFor(what: string, match: (line: LogLine) => boolean, options?: {timeoutMs?: number; from?: number}): Promise<LogLine>
  /** GET a path on the listener; the body parsed as JSON when it is JSON. */
  get(path: string): Promise<{status: number; text: string; json?: unknown}>
  /** Resolves when the process exits. */
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  /** SIGKILLs the process if it still runs (for afterEach). */
  kill(): void
}

/** Spawns `hrep sync --log-format json ...args`; waits for its start line unless `waitForStart` is false. */
export async function startSync(
  args: string[],
  options: {cwd: string; env?: Record<string, string>; waitForStart?: boolean},
): Promise<SyncProcess> {
  const child = spawnCli(['sync', '--log-format', 'json', ...args], {cwd: options.cwd, env: options.env})
  child.stdin!.end()
  const lines: LogLine[] = []
  const raw: string[] = []
  const waiters = new Set<() => void>()
  const collect = (stream: NodeJS.ReadableStream, json: boolean) => {
    let rest = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      rest += chunk
      const parts = rest.split('\n')
      rest = parts.pop()!
      for (const part of parts) {
        raw.push(part)
        if (!json) continue
        try {
          lines.push(JSON.parse(part) as LogLine)
        } catch {
          // Not a log line (an oclif warning, say): kept in `raw` only.
        }
      }
      for (const wake of waiters) wake()
    })
  }
  collect(child.stdout!, true)
  collect(child.stderr!, false)
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({code, signal})
      for (const wake of waiters) wake()
    })
  })
  let done = false
  void exited.then(() => {
    done = true
  })

  const waitFor: SyncProcess['waitFor'] = (what, match, {timeoutMs = 30_000, from = 0} = {}) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.slice(from).find(match)
        if (found) {
          finish()
          resolve(found)
        } else if (done) {
          finish()
          reject(new Error(`hrep sync exited before ${what}\n${raw.join('\n')}`))
        }
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`timed out waiting for ${what}\n${raw.join('\n')}`))
      }, timeoutMs)
      const finish = () => {
        clearTimeout(timer)
        waiters.delete(check)
      }
      waiters.add(check)
      check()
    })

  const started =
    options.waitForStart === false ? undefined : await waitFor('the first log line', (line) => line.msg === 'hrep sync started')
  const base = typeof started?.listen === 'string' ? `http://${started.listen}` : undefined
  return {
    child,
    lines,
    raw,
    base,
    waitFor,
    async get(path) {
      const response = await fetch(`${base}${path}`)
      const text = await response.text()
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      return {status: response.status, text, json}
    },
    exited,
    kill() {
      if (!done) child.kill('SIGKILL')
    },
  }
}

/** Values of the series of `name` whose labels include `labels`, in Prometheus text format. */
export function seriesValues(text: string, name: string, labels: Record<string, string> = {}): number[] {
  const values: number[] = []
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([key, value]) => have[key] === value)) values.push(Number(match[3]))
  }
  return values
}

/** The sum of the series of `name` matching `labels` (0 when there is none). */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  return seriesValues(text, name, labels).reduce((sum, value) => sum + value, 0)
}
