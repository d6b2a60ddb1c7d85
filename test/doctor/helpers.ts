/**
 * Doctor in-process: a configuration made from HCL text (endpoints pointing at emulators, TLS proxies or
 * nowhere), run through `runDoctor`, and lookups of one check's result. The client's waits (the 2 s
 * login-lockout retry, backoff) are shortened so failing cases stay fast.
 */
import {createServer as createHttpServer, type IncomingMessage, request as httpRequest} from 'node:http'
import {type AddressInfo, createServer} from 'node:net'
import {loadConfigFromSources} from '../../src/config/load.js'
import type {LoadedConfig} from '../../src/config/model.js'
import {type DoctorOptions, runDoctor} from '../../src/doctor/index.js'
import {type EmulatorHandle, type EmulatorOptions, startEmulator} from '../../src/emulator/index.js'
import type {CheckName, CheckResult, DoctorReport, EndpointReport} from '../../src/doctor/result.js'
import {type Clock, sleep} from '../../src/reliability/clock.js'

/** A clock that waits at most 5 ms, so a 401's lockout retry costs nothing. */
export const quickClock: Clock = {now: () => performance.now(), sleep: (ms, signal) => sleep(Math.min(ms, 5), signal)}

export interface EndpointSpec {
  name?: string
  url: string
  username?: string
  password?: string
  /** Further attributes of the endpoint block, as HCL lines. */
  extra?: string
}

/** An endpoint block. */
export function endpointBlock(spec: EndpointSpec): string {
  return [
    `endpoint "${spec.name ?? 'primary'}" {`,
    `  url      = "${spec.url}"`,
    `  username = "${spec.username ?? 'admin'}"`,
    `  password = "${spec.password ?? 'Harbor12345'}"`,
    ...(spec.extra ? [spec.extra] : []),
    '}',
  ].join('\n')
}

/** A loaded configuration of `endpoints` plus `resources` (HCL). */
export function configOf(endpoints: EndpointSpec[], resources = ''): LoadedConfig {
  const text = `${endpoints.map(endpointBlock).join('\n\n')}\n\n${resources}\n`
  return loadConfigFromSources({'main.hcl': text}, {env: {}})
}

/** Runs doctor with the quick clock. */
export function doctor(config: LoadedConfig, options: DoctorOptions = {}): Promise<DoctorReport> {
  return runDoctor(config, {...options, client: {clock: quickClock, ...options.client}})
}

/** The result of check `name` on the report's endpoint called `endpoint` (default the first). */
export function check(report: DoctorReport | EndpointReport, name: CheckName, endpoint?: string): CheckResult {
  const endpointReport =
    'checks' in report
      ? report
      : (report.endpoints.find((e) => endpoint === undefined || e.endpoint === endpoint) ?? report.endpoints[0])
  const result = endpointReport?.checks.find((c) => c.name === name)
  if (!result) throw new Error(`no ${name} check in the report`)
  return result
}

/** The status of every check, by name, for one-line assertions. */
export function statuses(report: DoctorReport | EndpointReport): Record<string, string> {
  const endpointReport = 'checks' in report ? report : report.endpoints[0]!
  return Object.fromEntries(endpointReport.checks.map((c) => [c.name, c.status]))
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/**
 * An HTTP proxy on 127.0.0.1 in front of the server on `port`: `route` sees each request first and
 * calls `forward` when (and if) it should go through.
 */
export async function startProxy(
  port: number,
  route: (request: IncomingMessage, forward: () => void) => void = (_, forward) => forward(),
): Promise<{url: string; close(): Promise<void>}> {
  const proxy = createHttpServer((request, response) =>
    route(request, () => {
      const upstream = httpRequest(
        {host: '127.0.0.1', port, path: request.url, method: request.method, headers: request.headers},
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        },
      )
      request.pipe(upstream)
    }),
  )
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  }
}

const started: EmulatorHandle[] = []

/** An emulator without Harbor's login lock unless `options` sets one; `stopHarbors` stops it. */
export async function harbor(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const emulator = await startEmulator({loginLockMs: 0, ...options})
  started.push(emulator)
  return emulator
}

/** Stops every emulator `harbor` started (each test file's afterEach). */
export async function stopHarbors(): Promise<void> {
  await Promise.all(started.splice(0).map((emulator) => emulator.stop()))
}
