/**
 * A test world of emulated Harbors and a config directory pointing at them: start N emulators on
 * ephemeral ports, write HCL into a temporary directory (endpoints already declared), run the real
 * CLI or the engine there, and tear everything down.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {type EmulatorHandle, type EmulatorOptions, startEmulator} from '../../src/emulator/index.js'
import {type CliOptions, type CliResult, runCli} from './cli.js'

export interface HarborWorld {
  /** Emulators by endpoint name. */
  harbors: Record<string, EmulatorHandle>
  /** The config directory (also the working directory of `run`). */
  dir: string
  /** Writes a config file into `dir`. */
  write(file: string, text: string): Promise<void>
  /** Runs `hrep ...args` in `dir` and collects its output. */
  run(args: string[], options?: CliOptions): Promise<CliResult>
  /** The state file as parsed JSON (undefined when absent). */
  state(): Promise<StateJson | undefined>
  close(): Promise<void>
}

export interface StateJson {
  lineage: string
  serial: number
  resources: Record<
    string,
    Record<string, {id: string; attrs: Record<string, unknown>; secret_fp?: string; secret_pending?: true}>
  >
}

/** Endpoint blocks for `harbors`, plus an `hrep` block writing generated secrets to secrets.json. */
export function endpointsHcl(harbors: Record<string, EmulatorHandle>, hrepBlock = ''): string {
  const endpoints = Object.entries(harbors)
    .map(
      ([name, harbor]) =>
        `endpoint "${name}" {\n  url      = "${harbor.url}"\n  username = "${harbor.username}"\n  password = "${harbor.password}"\n}\n`,
    )
    .join('\n')
  return `hrep {\n  secret_output = "secrets.json"\n${hrepBlock}}\n\n${endpoints}`
}

export async function startHarbors(names: string[] = ['primary', 'dr'], options: EmulatorOptions = {}): Promise<HarborWorld> {
  const harbors: Record<string, EmulatorHandle> = {}
  for (const name of names) harbors[name] = await startEmulator(options)
  const dir = await mkdtemp(join(tmpdir(), 'hrep-test-'))
  await writeFile(join(dir, 'endpoints.hcl'), endpointsHcl(harbors))
  return {
    harbors,
    dir,
    write: (file, text) => writeFile(join(dir, file), text),
    run: (args, options) => runCli(args, {cwd: dir, ...options}),
    async state() {
      try {
        return JSON.parse(await readFile(join(dir, 'hrep.state.json'), 'utf8')) as StateJson
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
    },
    async close() {
      await Promise.all(Object.values(harbors).map((harbor) => harbor.stop()))
      await rm(dir, {recursive: true, force: true})
    },
  }
}

/** Calls Harbor's API on an emulator as admin (for out-of-band changes in tests). */
export async function harborApi<T = unknown>(harbor: EmulatorHandle, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${harbor.url}/api/v2.0${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${harbor.username}:${harbor.password}`).toString('base64')}`,
      'content-type': 'application/json',
      'x-is-resource-name': 'true',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}
