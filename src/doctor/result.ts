/**
 * What `hrep doctor` reports: one result per check per endpoint, and the document `--json` prints
 * (documented in docs/doctor.md). Every check is a small function that returns a CheckResult; none
 * throws for a problem it can name, and no result ever carries a secret.
 */

/** How a check ended: `warn` still lets doctor exit 0, `fail` does not; `skip` means it could not run. */
export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'skip'] as const
/** One of CHECK_STATUSES. */
export type CheckStatus = (typeof CHECK_STATUSES)[number]

/** Every check, in the order doctor runs and reports them; the names are stable (they key the JSON). */
export const CHECK_NAMES = [
  'dns',
  'tcp',
  'tls',
  'ping',
  'clock',
  'credentials',
  'version',
  'health',
  'auth_mode',
  'read_only',
  'robot_prefix',
  'permissions',
  'write_test',
] as const
/** One of CHECK_NAMES. */
export type CheckName = (typeof CHECK_NAMES)[number]

/** The heading each check has in the human output. */
export const CHECK_TITLES: Record<CheckName, string> = {
  dns: 'DNS',
  tcp: 'TCP',
  tls: 'TLS',
  ping: 'Ping',
  clock: 'Clock',
  credentials: 'Credentials',
  version: 'Version',
  health: 'Health',
  auth_mode: 'Auth mode',
  read_only: 'Read-only',
  robot_prefix: 'Robot prefix',
  permissions: 'Permissions',
  write_test: 'Write test',
}

/** The outcome of one check on one endpoint. `hint` says what to do; it is set for every `warn` and `fail`. */
export interface CheckResult {
  name: CheckName
  status: CheckStatus
  /** What was found, in one sentence (a skip says why it did not run). */
  detail: string
  hint?: string
  /** `write_test` only: objects it created and could not delete, for the operator to delete by hand. */
  leftovers?: string[]
}

/** What doctor learnt about an endpoint, for `--json` consumers; every field is optional. */
export interface EndpointFacts {
  /** Addresses the host name resolved to. */
  addresses?: string[]
  /** The certificate the server presented (https only). */
  certificate?: CertificateFacts
  harbor_version?: string
  auth_mode?: string
  /** The user name Harbor reports for the credential. */
  user?: string
  /** What the credential is: a system administrator, another user, or a robot account. */
  credential?: 'admin' | 'user' | 'robot'
  /** The robot name prefix hrep will use. */
  robot_prefix?: string
  read_only?: boolean
  /** Harbor's clock minus this machine's, in milliseconds (positive: Harbor is ahead). */
  clock_skew_ms?: number
}

/** The leaf certificate as doctor saw it. */
export interface CertificateFacts {
  subject: string
  issuer: string
  /** DNS names and IP addresses the certificate is valid for. */
  names: string[]
  /** ISO time. */
  valid_to: string
  /** Whole days until the earliest expiry in the chain (negative: expired). */
  days_left: number
  /** TLS protocol negotiated (`TLSv1.3`). */
  protocol?: string
}

/** Every check of one endpoint, in CHECK_NAMES order. */
export interface EndpointReport {
  endpoint: string
  url: string
  /** The worst status of its checks (`skip` counts as `pass`). */
  status: Exclude<CheckStatus, 'skip'>
  checks: CheckResult[]
  facts: EndpointFacts
}

/** `format_version` of the `--json` document; raised only by an incompatible change. */
export const DOCTOR_FORMAT_VERSION = '1'

/** The whole `hrep doctor --json` document. */
export interface DoctorReport {
  format_version: string
  /** No check failed (warnings allowed): doctor exits 0. */
  ok: boolean
  summary: Record<CheckStatus, number>
  endpoints: EndpointReport[]
  /** Set when doctor could not check anything (the configuration does not load); `endpoints` is then empty. */
  error?: {code: string; message: string}
}

/** A passed check. */
export function pass(name: CheckName, detail: string): CheckResult {
  return {name, status: 'pass', detail}
}

/** A warning: hrep works, but the operator should read `hint`. */
export function warn(name: CheckName, detail: string, hint: string): CheckResult {
  return {name, status: 'warn', detail, hint}
}

/** A failure: fix it (see `hint`) before planning. */
export function fail(name: CheckName, detail: string, hint: string): CheckResult {
  return {name, status: 'fail', detail, hint}
}

/** A check that could not run; `detail` says why. */
export function skip(name: CheckName, detail: string): CheckResult {
  return {name, status: 'skip', detail}
}

const RANK: Record<CheckStatus, number> = {skip: 0, pass: 0, warn: 1, fail: 2}

/** The worst status among `checks` (`pass` when there are none or all were skipped). */
export function worstStatus(checks: readonly CheckResult[]): EndpointReport['status'] {
  let worst: EndpointReport['status'] = 'pass'
  for (const check of checks) if (RANK[check.status] > RANK[worst]) worst = check.status as EndpointReport['status']
  return worst
}

/** The document for a set of endpoint reports. */
export function doctorReport(endpoints: EndpointReport[]): DoctorReport {
  const summary: Record<CheckStatus, number> = {pass: 0, warn: 0, fail: 0, skip: 0}
  for (const endpoint of endpoints) for (const check of endpoint.checks) summary[check.status]++
  return {format_version: DOCTOR_FORMAT_VERSION, ok: summary.fail === 0, summary, endpoints}
}
