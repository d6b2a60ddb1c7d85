/**
 * The benchmark's Harbors: N emulators in one child process (forked by `startEmulatorProcess`), so
 * their CPU is not counted as hrep's and, on a 2-core machine, hrep keeps a core of its own. Each
 * emulator adds the given latency to every request. The parent drives them over IPC: request
 * counters, a census of the objects they hold, and the child's CPU time.
 */
import {type ChildProcess, fork} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {type EmulatorHandle, startEmulator} from '../../src/emulator/index.js'

/** What one emulator holds, as the lower bounds need it. */
export interface Census {
  projects: number
  quotas: number
  systemRobots: number
  projectRobots: number
  groups: number
  /** Members listed per project (its creator included), one entry per project. */
  membersPerProject: number[]
}

/** Requests one emulator answered since its counters were last reset. */
export interface RequestCounts {
  total: number
  /** By `METHOD /template`. */
  byRoute: Record<string, number>
}

type Command =
  | {type: 'start'; endpoints: number; latencyMs: number}
  | {type: 'counts'}
  | {type: 'reset-counts'}
  | {type: 'census'}
  | {type: 'cpu'}

/** The parent's handle on the emulator process. */
export interface EmulatorProcess {
  urls: string[]
  username: string
  password: string
  counts(): Promise<RequestCounts[]>
  resetCounts(): Promise<void>
  census(): Promise<Census[]>
  /** CPU time the emulator process used so far, in ms. */
  cpuMs(): Promise<number>
  stop(): Promise<void>
}

/** Forks the emulator process and starts `endpoints` emulators in it. */
export async function startEmulatorProcess(endpoints: number, latencyMs: number): Promise<EmulatorProcess> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {execArgv: process.execArgv, stdio: 'inherit'})
  let queue: Promise<unknown> = Promise.resolve()
  const call = <T>(command: Command): Promise<T> => {
    // One command at a time, so every answer belongs to the command before it.
    const run = queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          const onExit = (code: number | null) => reject(new Error(`the emulator process exited (${code})`))
          child.once('exit', onExit)
          child.once('message', (message: {ok: boolean; value?: T; error?: string}) => {
            child.off('exit', onExit)
            if (message.ok) resolve(message.value as T)
            else reject(new Error(message.error))
          })
          child.send(command)
        }),
    )
    queue = run.catch(() => {})
    return run
  }
  const started = await call<{urls: string[]; username: string; password: string}>({type: 'start', endpoints, latencyMs})
  return {
    ...started,
    counts: () => call({type: 'counts'}),
    resetCounts: () => call({type: 'reset-counts'}),
    census: () => call({type: 'census'}),
    cpuMs: () => call({type: 'cpu'}),
    stop: () => stopChild(child),
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

function census(handle: EmulatorHandle): Census {
  const dump = handle.dump()
  const robots = dump.robots ?? []
  return {
    projects: dump.projects?.length ?? 0,
    quotas: (dump.projects ?? []).filter((project) => project.storageLimit !== undefined).length,
    systemRobots: robots.filter((robot) => robot.level !== 'project').length,
    projectRobots: robots.filter((robot) => robot.level === 'project').length,
    groups: dump.groups?.length ?? 0,
    // The dump leaves out the creator's membership, which the list shows.
    membersPerProject: (dump.projects ?? []).map((project) => (project.members?.length ?? 0) + 1),
  }
}

async function serve(): Promise<void> {
  const emulators: EmulatorHandle[] = []
  const answer = async (command: Command): Promise<unknown> => {
    switch (command.type) {
      case 'start':
        for (let i = 0; i < command.endpoints; i++) {
          emulators.push(await startEmulator({latencyMs: command.latencyMs, specCheck: false, requestLogLimit: 100}))
        }
        return {urls: emulators.map((e) => e.url), username: emulators[0]!.username, password: emulators[0]!.password}
      case 'counts':
        return emulators.map((emulator) => {
          const byRoute: Record<string, number> = {}
          let total = 0
          for (const [route, counters] of Object.entries(emulator.stats())) {
            byRoute[route] = counters.requests
            total += counters.requests
          }
          return {total, byRoute}
        })
      case 'reset-counts':
        for (const emulator of emulators) emulator.faults.resetCounters()
        return undefined
      case 'census':
        return emulators.map(census)
      case 'cpu': {
        const used = process.cpuUsage()
        return (used.user + used.system) / 1000
      }
    }
  }
  process.on('message', (command: Command) => {
    answer(command).then(
      (value) => process.send!({ok: true, value}),
      (error: Error) => process.send!({ok: false, error: error.message}),
    )
  })
  process.on('SIGTERM', () => {
    Promise.all(emulators.map((emulator) => emulator.stop())).finally(() => process.exit(0))
  })
  process.on('disconnect', () => process.exit(0))
}

if (process.argv[2] === '--serve') await serve()
