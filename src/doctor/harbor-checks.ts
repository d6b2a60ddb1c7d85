/**
 * Judgements of the Harbor-level reads (harbor-probe.ts): ping, clock, credentials, version, health,
 * auth mode, read-only mode and the robot name prefix. Each is pure: the same answers give the same
 * result, so every branch is testable without a server.
 */
import {DEFAULT_ROBOT_PREFIX, MINIMUM_HARBOR, parseHarborVersion} from '../client/server-info.js'
import {FOLLOWED_HARBOR_VERSION} from '../emulator/options.js'
import type {GroupType} from '../kinds/oidc-group.js'
import type {ConfigurationsBody, Fetched, HealthBody, Identity, PingOutcome, SystemInfoBody} from './harbor-probe.js'
import {messageOf, statusOfError} from './harbor-probe.js'
import {type CheckResult, fail, pass, skip, warn} from './result.js'
import {formatMs} from './target.js'
import type {EndpointUsage} from './usage.js'

/** Clock differences above this are a warning (robot expiry and registry tokens are computed from Harbor's clock). */
export const CLOCK_SKEW_WARNING_MS = 30_000

/** `/ping` must answer `Pong`; a 404 means the url is not Harbor's base address. */
export function judgePing(ping: PingOutcome, url: string): CheckResult {
  const ms = formatMs(ping.receivedAt - ping.sentAt)
  if (ping.ok) {
    const text = typeof ping.body === 'string' ? ping.body.trim() : ''
    if (text === 'Pong') return pass('ping', `GET /api/v2.0/ping answered Pong in ${ms}`)
    return fail(
      'ping',
      `GET /api/v2.0/ping answered, but not with Harbor's "Pong"`,
      `check that the url (${url}) is Harbor's base address, without /api/v2.0 or a UI path`,
    )
  }
  const status = statusOfError(ping.error)
  if (status === 404) {
    return fail(
      'ping',
      `there is no Harbor API under ${url}/api/v2.0 (GET /api/v2.0/ping answered 404)`,
      "set the url to Harbor's base address (https://harbor.example.com), without /api/v2.0 or a UI path",
    )
  }
  let hint = "check that the url points at Harbor and that Harbor's core service is running"
  if (status === undefined) {
    hint =
      "the port accepted the connection but no proper answer came: check that Harbor's core service is running and the log of the proxy in front of it"
  } else if (status >= 500) {
    hint = "Harbor or the proxy in front of it is failing: check Harbor's core and proxy logs"
  }
  return fail('ping', messageOf(ping.error), hint)
}

/**
 * Harbor's clock minus this machine's from the `Date` header (whole seconds, so ±0.5 s plus half the
 * round trip is noise), or from `/systeminfo` `current_time` when there is no header.
 */
export function clockSkew(
  date: string | undefined,
  sentAt: number,
  receivedAt: number,
): {skewMs: number; uncertaintyMs: number} | undefined {
  const server = date === undefined ? Number.NaN : Date.parse(date)
  if (Number.isNaN(server)) return undefined
  const local = (sentAt + receivedAt) / 2
  // The header truncates to the second: the server's time was somewhere in [server, server + 1 s).
  return {skewMs: server + 500 - local, uncertaintyMs: 500 + (receivedAt - sentAt) / 2}
}

/** Warns when Harbor's clock is off by more than CLOCK_SKEW_WARNING_MS beyond the measurement's noise. */
export function judgeClock(skew: {skewMs: number; uncertaintyMs: number} | undefined): CheckResult {
  if (skew === undefined) return skip('clock', 'Harbor sent no Date header to compare clocks with')
  const beyond = Math.abs(skew.skewMs) - skew.uncertaintyMs
  const seconds = Math.round(Math.abs(skew.skewMs) / 1000)
  if (beyond <= CLOCK_SKEW_WARNING_MS) {
    return pass(
      'clock',
      `Harbor's clock agrees with this machine's (within ${Math.max(1, Math.ceil((Math.abs(skew.skewMs) + skew.uncertaintyMs) / 1000))} s)`,
    )
  }
  return warn(
    'clock',
    `Harbor's clock is ${seconds} s ${skew.skewMs > 0 ? 'ahead of' : 'behind'} this machine's`,
    "run NTP (chrony, systemd-timesyncd) on Harbor's hosts and on this machine: robot expiry and registry tokens are computed from Harbor's clock",
  )
}

/** Facts about the endpoint the credential checks need. */
export interface CredentialContext {
  username: string
  /** `endpoint "primary" (main.hcl:3:1)`. */
  where: string
  authMode?: string
}

/** Whether `/users/current` accepted the credentials, and as what (administrator, user, robot). */
export function judgeCredentials(identity: Identity, context: CredentialContext): CheckResult {
  const user = JSON.stringify(context.username)
  switch (identity.kind) {
    case 'user':
      return identity.sysadmin
        ? pass('credentials', `${JSON.stringify(identity.username)} is a system administrator`)
        : pass(
            'credentials',
            `${JSON.stringify(identity.username)} is a user without system administrator rights (see Permissions)`,
          )
    case 'robot':
      return pass('credentials', `${user} is a robot account (Harbor answers 412 on /users/current for robots)`)
    case 'rejected': {
      let hint = `check username and password of ${context.where}`
      if (context.authMode === 'oidc_auth' && !context.username.includes('$')) {
        hint =
          'in oidc_auth mode only the local admin and robot accounts can call the API with a password (an OIDC user\'s CLI secret works on a few paths only): use "admin" or a system robot account'
      } else if (context.username.includes('$')) {
        hint = `a robot logs in with its full name (with the instance's prefix, like robot$ci) and its secret: check both in ${context.where}, and that the robot is neither disabled nor expired`
      }
      return fail(
        'credentials',
        `Harbor rejected ${user} (401 on /users/current): the username or password is wrong, or the account is locked out`,
        `${hint}. Harbor locks a user for 1.5 s after each failed login`,
      )
    }
    case 'failed':
      return fail('credentials', messageOf(identity.error), "check Harbor's core log under the request id")
  }
}

/** Whether the credentials logged in: Harbor shows its version only to authenticated callers. */
export function loggedIn(identity: Identity): boolean {
  return identity.kind === 'user' || identity.kind === 'robot'
}

/** `v2.15.2` → [2, 15, 2]. */
function versionTuple(text: string): [number, number, number] | undefined {
  const version = parseHarborVersion(text)
  return version && [version.major, version.minor, version.patch]
}

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0)
    if (diff !== 0) return diff
  }
  return 0
}

/** Harbor's version against the oldest hrep supports and the one the emulator follows. */
export function judgeVersion(info: Fetched<SystemInfoBody>, identity: Identity): CheckResult {
  if (!loggedIn(identity))
    return skip('version', 'needs working credentials (Harbor shows its version only to logged-in callers)')
  if (!info.ok) return fail('version', messageOf(info.error), "check Harbor's core log under the request id")
  const text = info.body?.harbor_version
  if (typeof text !== 'string' || text === '') {
    return fail(
      'version',
      '/systeminfo has no harbor_version: Harbor treated the credentials as anonymous',
      'check the username and password; a robot account must be enabled and not expired',
    )
  }
  const version = versionTuple(text)
  if (version === undefined) {
    return fail(
      'version',
      `Harbor reports version ${JSON.stringify(text)}, which hrep cannot read`,
      'report this version string to the hrep maintainers',
    )
  }
  const minimum = [MINIMUM_HARBOR.major, MINIMUM_HARBOR.minor, 0]
  if (compareTuples(version, minimum) < 0) {
    return fail(
      'version',
      `Harbor ${text}: hrep needs Harbor ${MINIMUM_HARBOR.major}.${MINIMUM_HARBOR.minor} or newer`,
      `upgrade Harbor to ${MINIMUM_HARBOR.major}.${MINIMUM_HARBOR.minor} or later: older releases serve members, groups and quotas through a legacy API hrep does not speak`,
    )
  }
  const followed = versionTuple(FOLLOWED_HARBOR_VERSION)!
  if (compareTuples(version, followed) > 0) {
    return warn(
      'version',
      `Harbor ${text} is newer than ${FOLLOWED_HARBOR_VERSION}, the release hrep's emulator and tests follow`,
      'hrep should work, but newer releases may behave differently: run the conformance suite against a staging Harbor of this version and report any difference (docs/conformance.md)',
    )
  }
  return pass(
    'version',
    `Harbor ${text} (hrep needs ${MINIMUM_HARBOR.major}.${MINIMUM_HARBOR.minor} or newer and follows ${FOLLOWED_HARBOR_VERSION})`,
  )
}

/** Components whose failure breaks the API hrep uses; others (registry, trivy, jobservice) only warn. */
const API_COMPONENTS = new Set(['core', 'database', 'redis'])

/** `/health`: API components unhealthy fail, other components warn. */
export function judgeHealth(health: Fetched<HealthBody>): CheckResult {
  if (!health.ok) {
    if (statusOfError(health.error) === 404) return skip('health', 'this Harbor has no /health endpoint')
    return warn('health', `cannot read /api/v2.0/health: ${messageOf(health.error)}`, "check Harbor's core log")
  }
  const components = Array.isArray(health.body?.components) ? health.body.components : []
  const unhealthy = components.filter((component) => component.status !== 'healthy')
  if (health.body?.status === 'healthy' || (unhealthy.length === 0 && components.length > 0)) {
    return pass('health', `healthy (${components.length} components)`)
  }
  const names = unhealthy.map((component) => `${component.name ?? '?'}${component.error ? ` (${component.error})` : ''}`)
  const broken = unhealthy.some((component) => API_COMPONENTS.has(component.name ?? ''))
  const detail = `Harbor reports ${unhealthy.length > 0 ? `unhealthy components: ${names.join(', ')}` : 'itself unhealthy'}`
  const hint = 'check those services (docker compose ps, or the pods of the Harbor release) and their logs'
  return broken ? fail('health', `${detail}; the API hrep uses depends on them`, hint) : warn('health', detail, hint)
}

const GROUP_TYPE_WORDS: Record<GroupType, string> = {oidc: 'OIDC', ldap: 'LDAP', http: 'auth-proxy (http)'}

function groupList(types: readonly GroupType[]): string {
  return types.map((type) => GROUP_TYPE_WORDS[type]).join(' and ')
}

/** What the instance's auth mode means for the groups the configuration manages there. */
export function judgeAuthMode(info: Fetched<SystemInfoBody>, usage: EndpointUsage, where: string): CheckResult {
  if (!info.ok) return skip('auth_mode', `cannot read /systeminfo: ${messageOf(info.error)}`)
  const mode = info.body?.auth_mode
  if (typeof mode !== 'string' || mode === '') return skip('auth_mode', '/systeminfo does not say the auth mode')
  const types = [...usage.groupTypes].sort()
  const has = (type: GroupType) => usage.groupTypes.has(type)
  const scope = usage.declared ? 'the configuration manages' : 'hrep would manage'
  const elsewhere = `leave groups off this endpoint (endpoints = [...] on the blocks) or change the group type`

  // LDAP groups are created only when the LDAP directory finds their DN (NOTES §3).
  if (has('ldap') && mode !== 'ldap_auth') {
    return fail(
      'auth_mode',
      `${mode}: Harbor creates LDAP groups only in ldap_auth mode, and ${scope} LDAP groups here`,
      `switch the instance to ldap_auth, or ${elsewhere}`,
    )
  }
  if (mode === 'ldap_auth' || mode === 'http_auth') {
    const own: GroupType = mode === 'ldap_auth' ? 'ldap' : 'http'
    const foreign = types.filter((type) => type !== own)
    if (foreign.length > 0) {
      return fail(
        'auth_mode',
        `${mode}: Harbor lists only ${GROUP_TYPE_WORDS[own]} groups, so the ${groupList(foreign)} groups ${scope} would be invisible to every plan, which would try to create them again`,
        `declare type = "${own}" groups on this endpoint, or ${elsewhere}`,
      )
    }
    return pass('auth_mode', `${mode}: ${GROUP_TYPE_WORDS[own]} groups are listed and managed normally`)
  }
  if (mode === 'oidc_auth') {
    return pass(
      'auth_mode',
      'oidc_auth: users log in through OIDC, and memberships of OIDC groups apply to the groups in their tokens',
    )
  }
  // db_auth and uaa_auth: groups of any type can be created, but nobody logs in as a member of one.
  if (types.length > 0) {
    return warn(
      'auth_mode',
      `${mode}: Harbor lets hrep create ${groupList(types)} groups, but nobody logs in through ${types.includes('oidc') ? 'OIDC' : 'them'} here, so group memberships grant no one access`,
      `fine for a staging copy; for real access, switch the instance to ${types.includes('http') ? 'http_auth' : 'oidc_auth'} (possible only while no user but admin exists), or manage user members on ${where}`,
    )
  }
  return pass('auth_mode', `${mode}: local users; the configuration manages no groups here`)
}

/** Read-only mode fails an endpoint the configuration writes to, and is fine for a mirror source. */
export function judgeReadOnly(info: Fetched<SystemInfoBody>, identity: Identity, usage: EndpointUsage): CheckResult {
  if (!loggedIn(identity))
    return skip('read_only', 'needs working credentials (Harbor shows read-only mode only to logged-in callers)')
  if (!info.ok) return skip('read_only', `cannot read /systeminfo: ${messageOf(info.error)}`)
  if (info.body?.read_only !== true) return pass('read_only', 'off: Harbor accepts changes')
  if (usage.writes.size === 0) return pass('read_only', 'on, but hrep only reads this endpoint (a mirror source)')
  return fail(
    'read_only',
    'the instance is in read-only mode: Harbor refuses every change (403 DENIED) until an administrator turns it off',
    'plan works, apply does not: turn it off under Configuration → System Settings → Repository Read Only (or PUT /api/v2.0/configurations {"read_only": false})',
  )
}

/** What the robot-prefix check needs. */
export interface PrefixContext {
  /** `robot_prefix` in the endpoint block, if set. */
  configured?: string
  username: string
  where: string
  /** The configuration reads or writes robots on this endpoint. */
  robotsUsed: boolean
}

/**
 * The robot name prefix hrep will use against the one the instance has. A system administrator reads
 * it from `/configurations`; a robot credential's own name starts with it; anyone else cannot tell.
 */
export function judgeRobotPrefix(
  identity: Identity,
  configurations: Fetched<ConfigurationsBody> | undefined,
  context: PrefixContext,
): {result: CheckResult; prefix?: string} {
  if (!loggedIn(identity)) return {result: skip('robot_prefix', 'needs working credentials')}
  const {configured, where} = context
  const setIt = (prefix: string) => `set robot_prefix = ${JSON.stringify(prefix)} in ${where}`
  const value = configurations?.ok ? configurations.body?.robot_name_prefix?.value : undefined
  if (typeof value === 'string' && value.trim() !== '') {
    const instance = value
    if (configured === undefined)
      return {result: pass('robot_prefix', `${JSON.stringify(instance)} (read from /configurations)`), prefix: instance}
    if (configured === instance) {
      return {result: pass('robot_prefix', `${JSON.stringify(instance)} (robot_prefix matches the instance)`), prefix: instance}
    }
    return {
      result: fail(
        'robot_prefix',
        `robot_prefix = ${JSON.stringify(configured)}, but the instance's robot_name_prefix is ${JSON.stringify(instance)}: hrep would misread every robot name`,
        `remove robot_prefix from ${where}, or set it to ${JSON.stringify(instance)}`,
      ),
      prefix: configured,
    }
  }

  if (identity.kind === 'robot') {
    // A robot logs in as <prefix><name>, and a robot name never holds "$": everything up to the last "$" is the prefix.
    const dollar = context.username.lastIndexOf('$')
    const inferred = dollar >= 0 ? context.username.slice(0, dollar + 1) : undefined
    const note = 'a robot account cannot read /configurations'
    if (configured !== undefined) {
      if (!context.username.startsWith(configured)) {
        return {
          result: fail(
            'robot_prefix',
            `robot_prefix = ${JSON.stringify(configured)}, but this robot logs in as ${JSON.stringify(context.username)}, which does not start with it`,
            `${inferred === undefined ? `set robot_prefix in ${where} to the instance's robot name prefix` : setIt(inferred)} (${note})`,
          ),
          prefix: configured,
        }
      }
      return {
        result: pass('robot_prefix', `${JSON.stringify(configured)} (robot_prefix; this robot's own name agrees)`),
        prefix: configured,
      }
    }
    if (inferred === DEFAULT_ROBOT_PREFIX) {
      return {result: pass('robot_prefix', `${JSON.stringify(inferred)} (from this robot's own name; ${note})`), prefix: inferred}
    }
    if (inferred !== undefined) {
      return {
        result: fail(
          'robot_prefix',
          `this robot logs in as ${JSON.stringify(context.username)}, so the instance's prefix looks like ${JSON.stringify(inferred)}, but hrep would assume ${JSON.stringify(DEFAULT_ROBOT_PREFIX)} (${note})`,
          setIt(inferred),
        ),
        prefix: DEFAULT_ROBOT_PREFIX,
      }
    }
  }

  const why =
    configurations && !configurations.ok
      ? `cannot read /configurations (${statusOfError(configurations.error) ?? messageOf(configurations.error)})`
      : identity.kind === 'robot'
        ? 'a robot account cannot read /configurations'
        : '/configurations has no robot_name_prefix'
  if (!context.robotsUsed) {
    return {result: skip('robot_prefix', `${why}; not needed: the configuration manages no robots here`), prefix: configured}
  }
  if (configured !== undefined) {
    return {
      result: pass(
        'robot_prefix',
        `${JSON.stringify(configured)} (robot_prefix; ${why}, so it cannot be compared with the instance's)`,
      ),
      prefix: configured,
    }
  }
  return {
    result: warn(
      'robot_prefix',
      `${why}, so hrep assumes ${JSON.stringify(DEFAULT_ROBOT_PREFIX)}`,
      `if the instance uses another prefix (Configuration → System Settings → Robot Name Prefix), set robot_prefix in ${where}`,
    ),
    prefix: DEFAULT_ROBOT_PREFIX,
  }
}
