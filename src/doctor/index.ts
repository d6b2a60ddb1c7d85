/**
 * `hrep doctor`: the preflight an operator runs against real Harbors before the first plan. Checks
 * every selected endpoint concurrently and reports per endpoint in the configuration's order. Prints
 * nothing itself: the command renders the report (render.ts).
 */
import type {LoadedConfig} from '../config/model.js'
import {HrepError} from '../model/errors.js'
import {checkEndpoint, type EndpointCheckOptions} from './endpoint.js'
import {type DoctorReport, doctorReport, type EndpointReport} from './result.js'

export {checkEndpoint, DOCTOR_LIMITS, type EndpointCheckOptions, NETWORK_TIMEOUT_MS} from './endpoint.js'
export {renderEndpoint, renderSummary, STATUS_SYMBOLS} from './render.js'
export * from './result.js'
export {type EndpointUsage, endpointUsage} from './usage.js'
export {WRITE_TEST_PREFIX, writeTestName} from './write-test.js'

/** Options of `runDoctor`: which endpoints, and those of each endpoint's checks. */
export interface DoctorOptions extends EndpointCheckOptions {
  /** Only these endpoints (`--endpoint`); default every endpoint. Unknown names are an HrepError. */
  only?: readonly string[]
  /**
   * Called with each endpoint's report as soon as it and every endpoint before it in the
   * configuration are done, so output can stream in configuration order.
   */
  onEndpoint?: (report: EndpointReport) => void
}

/** Runs doctor on the configuration's endpoints; resolves with the whole report. */
export async function runDoctor(config: LoadedConfig, options: DoctorOptions = {}): Promise<DoctorReport> {
  const selected = selectEndpoints(config, options.only)
  const reports: (EndpointReport | undefined)[] = selected.map(() => undefined)
  let next = 0
  const flush = () => {
    while (next < reports.length && reports[next] !== undefined) {
      const report = reports[next++]!
      options.onEndpoint?.(report)
    }
  }
  // Endpoints that log in with the same account on the same Harbor go one after the other: a wrong
  // password on one locks the account briefly (Harbor's login lock) and would fail the other's checks.
  const accounts = new Map<string, Promise<void>>()
  await Promise.all(
    selected.map((endpoint, index) => {
      const account = `${new URL(endpoint.url).origin}\u0000${endpoint.username}`
      const turn = (accounts.get(account) ?? Promise.resolve()).then(async () => {
        reports[index] = await checkEndpoint(config, endpoint, options)
        flush()
      })
      accounts.set(account, turn)
      return turn
    }),
  )
  return doctorReport(reports as EndpointReport[])
}

function selectEndpoints(config: LoadedConfig, only: readonly string[] | undefined) {
  if (only === undefined || only.length === 0) return config.endpoints
  const known = new Set(config.endpoints.map((endpoint) => endpoint.name))
  const unknown = only.filter((name) => !known.has(name))
  if (unknown.length > 0) {
    throw new HrepError(
      'endpoint_unknown',
      `no endpoint named ${unknown.map((name) => JSON.stringify(name)).join(', ')} in the configuration; it declares ${[...known].join(', ')}`,
    )
  }
  const wanted = new Set(only)
  return config.endpoints.filter((endpoint) => wanted.has(endpoint.name))
}
