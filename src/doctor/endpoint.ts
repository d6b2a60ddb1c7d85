/**
 * All checks of one endpoint, in order, each as far as the ones before it allow: no TCP without DNS,
 * no HTTP without a trusted TLS connection, no version without credentials. A check that cannot run
 * is reported as skipped with the reason, so the first failure is the one to fix.
 */
import pLimit from 'p-limit'
import {type ClientOptions, createClient} from '../client/harbor-client.js'
import type {HarborClient} from '../client/types.js'
import type {EndpointConfig, LoadedConfig} from '../config/model.js'
import type {KindContext} from '../kinds/kind.js'
import {type EventSink, nullSink} from '../model/events.js'
import {LOCKOUT_RETRY_DELAY_MS, systemClock} from '../reliability/index.js'
import {
  clockSkew,
  judgeAuthMode,
  judgeClock,
  judgeCredentials,
  judgeHealth,
  judgePing,
  judgeReadOnly,
  judgeRobotPrefix,
  judgeVersion,
  loggedIn,
} from './harbor-checks.js'
import {AnonymousReader} from './anonymous.js'
import {
  fetchConfigurations,
  fetchHealth,
  fetchIdentity,
  fetchPing,
  fetchPublicSystemInfo,
  fetchSystemInfo,
  messageOf,
} from './harbor-probe.js'
import {checkDns, checkTcp} from './network.js'
import {checkPermissions} from './permissions.js'
import {
  CHECK_NAMES,
  type CheckName,
  type CheckResult,
  type EndpointFacts,
  type EndpointReport,
  fail,
  skip,
  worstStatus,
} from './result.js'
import {endpointRef, targetOf} from './target.js'
import {checkTls} from './tls.js'
import {endpointUsage} from './usage.js'
import {runWriteTest} from './write-test.js'

/** How long DNS, TCP and TLS may take at most (less when the endpoint's connect_timeout is shorter). */
export const NETWORK_TIMEOUT_MS = 5_000

/** Doctor's own ceilings on the endpoint's reliability settings: a preflight reports trouble, it does not wait it out. */
export const DOCTOR_LIMITS = {attempts: 2, timeoutMs: 10_000, deadlineMs: 30_000} as const

/** How to check an endpoint; every field is optional. */
export interface EndpointCheckOptions {
  /** Run the create-read-delete round trip. */
  writeTest?: boolean
  /** Stops the checks (Ctrl-C); the write test still cleans up after it. */
  signal?: AbortSignal
  /** Name of the write test's objects (tests); default a fresh random one. */
  writeTestName?: string
  /** Receives the client's events (retries, warnings); default: nowhere. */
  events?: EventSink
  /** Passed to the client (tests: a clock without the 2 s lockout wait). */
  client?: Omit<ClientOptions, 'events'>
}

/** The endpoint's settings with doctor's ceilings on retries and timeouts. */
function doctorEndpoint(endpoint: EndpointConfig): EndpointConfig {
  const r = endpoint.reliability
  return {
    ...endpoint,
    reliability: {
      ...r,
      timeoutMs: Math.min(r.timeoutMs, DOCTOR_LIMITS.timeoutMs),
      connectTimeoutMs: Math.min(r.connectTimeoutMs, NETWORK_TIMEOUT_MS),
      deadlineMs: Math.min(r.deadlineMs, DOCTOR_LIMITS.deadlineMs),
      retry: {...r.retry, attempts: Math.min(r.retry.attempts, DOCTOR_LIMITS.attempts)},
    },
  }
}

/** Runs every check on `endpoint`; never throws for anything the endpoint does. */
export async function checkEndpoint(
  config: LoadedConfig,
  endpoint: EndpointConfig,
  options: EndpointCheckOptions = {},
): Promise<EndpointReport> {
  const results = new Map<CheckName, CheckResult>()
  const facts: EndpointFacts = {}
  const put = (result: CheckResult) => results.set(result.name, result)
  const report = (): EndpointReport => {
    // Anything not reached is skipped with the reason of the first failure that stopped it.
    const checks = CHECK_NAMES.map((name) => results.get(name) ?? skip(name, stopped))
    return {endpoint: endpoint.name, url: endpoint.url, status: worstStatus(checks), checks, facts}
  }
  let stopped = 'not reached'
  const stop = (why: string): EndpointReport => {
    stopped = why
    return report()
  }

  const where = endpointRef(endpoint)
  const target = targetOf(endpoint.url)
  if (target === undefined) {
    put(fail('dns', `url ${JSON.stringify(endpoint.url)} is not an http(s) URL`, `set the url of ${where} to https://<host>`))
    return stop('skipped: the url is not usable')
  }
  const timeout = Math.min(NETWORK_TIMEOUT_MS, endpoint.reliability.connectTimeoutMs)
  const dns = await checkDns(target, where, timeout)
  put(dns.result)
  if (dns.addresses.length > 0) facts.addresses = dns.addresses
  if (dns.result.status === 'fail') return stop('skipped: the host name does not resolve')
  const tcp = await checkTcp(target, where, timeout)
  put(tcp)
  if (tcp.status === 'fail') return stop('skipped: no TCP connection')
  const tls = await checkTls(target, endpoint, where, timeout)
  put(tls.result)
  if (tls.certificate) facts.certificate = tls.certificate
  if (tls.result.status === 'fail') return stop('skipped: no TLS connection hrep would trust')
  if (options.signal?.aborted) return stop('skipped: interrupted')

  let client: HarborClient
  const settings = doctorEndpoint(endpoint)
  try {
    client = createClient(settings, {...options.client, events: options.events ?? nullSink})
  } catch (error) {
    put(fail('ping', messageOf(error), `fix the endpoint block ${where}`))
    return stop('skipped: the client cannot be created')
  }
  const reader = new AnonymousReader(endpoint, settings.reliability.timeoutMs)
  let why: string | undefined
  try {
    why = await harborChecks(config, endpoint, {client, reader}, {put, facts, where, options})
  } catch (error) {
    // A bug (or an answer no check expected): keep what was learnt and name it on the next check.
    const next = CHECK_NAMES.find((name) => !results.has(name)) ?? 'write_test'
    put(
      fail(
        next,
        `doctor failed unexpectedly: ${messageOf(error)}`,
        'this is a problem in hrep, not necessarily in your Harbor: please report it with this message and the Harbor version',
      ),
    )
    why = 'skipped: doctor failed unexpectedly'
  } finally {
    await Promise.all([client.close(), reader.close()])
  }
  return stop(options.signal?.aborted ? 'skipped: interrupted' : (why ?? 'skipped: an earlier check failed'))
}

interface HarborCheckContext {
  put: (result: CheckResult) => void
  facts: EndpointFacts
  where: string
  options: EndpointCheckOptions
}

/** From `/ping` on: the checks that go through the client. Returns why it stopped early, if it did. */
async function harborChecks(
  config: LoadedConfig,
  endpoint: EndpointConfig,
  {client, reader}: {client: HarborClient; reader: AnonymousReader},
  context: HarborCheckContext,
): Promise<string | undefined> {
  const {put, facts, where, options} = context
  const {signal} = options
  const ping = await fetchPing(reader, signal)
  const pingResult = judgePing(ping, endpoint.url)
  put(pingResult)
  if (pingResult.status === 'fail') return 'skipped: Harbor did not answer /api/v2.0/ping'
  const skew = clockSkew(ping.ok ? ping.headers.date : undefined, ping.sentAt, ping.receivedAt)
  put(judgeClock(skew))
  if (skew) facts.clock_skew_ms = Math.round(skew.skewMs)

  // Only /users/current (and its one lockout retry) carries the credentials until they are known to
  // work: with a wrong password every further request would be one more failed login.
  const [identity, health] = await Promise.all([fetchIdentity(client, signal), fetchHealth(reader, signal)])
  let systemInfo = loggedIn(identity) ? await fetchSystemInfo(client, signal) : await fetchPublicSystemInfo(reader, signal)
  if (loggedIn(identity) && systemInfo.ok && !systemInfo.body?.harbor_version) {
    // The credentials worked a moment ago, so this is Harbor's login lock (another client, or another
    // endpoint of this config, just failed to log in with this account): ask once more after it.
    await (options.client?.clock ?? systemClock).sleep(LOCKOUT_RETRY_DELAY_MS, signal)
    systemInfo = await fetchSystemInfo(client, signal)
  }
  const info = systemInfo.ok ? systemInfo.body : undefined
  if (info?.auth_mode) facts.auth_mode = info.auth_mode
  put(judgeCredentials(identity, {username: endpoint.username, where, authMode: info?.auth_mode}))
  if (identity.kind === 'user') {
    facts.user = identity.username
    facts.credential = identity.sysadmin ? 'admin' : 'user'
  } else if (identity.kind === 'robot') {
    facts.user = endpoint.username
    facts.credential = 'robot'
  }
  const version = judgeVersion(systemInfo, identity)
  put(version)
  if (loggedIn(identity) && typeof info?.harbor_version === 'string') facts.harbor_version = info.harbor_version
  put(judgeHealth(health))

  const usage = endpointUsage(config, endpoint.name)
  put(judgeAuthMode(systemInfo, usage, where))
  const readOnly = judgeReadOnly(systemInfo, identity, usage)
  put(readOnly)
  if (loggedIn(identity) && info?.read_only !== undefined) facts.read_only = info.read_only
  if (!loggedIn(identity)) return 'skipped: needs working credentials'

  const configurations = identity.kind === 'user' ? await fetchConfigurations(client, signal) : undefined
  const prefix = judgeRobotPrefix(identity, configurations, {
    configured: endpoint.robotPrefix,
    username: endpoint.username,
    where,
    robotsUsed: usage.reads.has('robot'),
  })
  put(prefix.result)
  if (prefix.prefix !== undefined) facts.robot_prefix = prefix.prefix
  if (version.status === 'fail') return 'skipped: hrep does not work with this Harbor version'

  put(
    await checkPermissions(client, {
      identity,
      username: endpoint.username,
      robotPrefix: prefix.prefix,
      systemInfo: info,
      usage,
      signal,
    }),
  )

  if (!options.writeTest) {
    put(skip('write_test', 'not run: add --write-test to create, read back and delete a temporary project (and robot and group)'))
    return undefined
  }
  if (readOnly.status === 'fail') {
    put(skip('write_test', 'not run: the instance is in read-only mode'))
    return undefined
  }
  if (prefix.result.status === 'fail' && usage.writes.has('robot')) {
    // hrep would not recognise its own test robot by name, and could not be sure to delete it.
    put(skip('write_test', 'not run: fix the robot prefix first'))
    return undefined
  }
  if (signal?.aborted) return 'skipped: interrupted'
  let ctx: KindContext
  try {
    ctx = {
      client,
      info: await client.info(signal),
      limit: pLimit(Math.max(1, endpoint.reliability.parallelism)),
      memo: new Map(),
      events: options.events ?? nullSink,
      signal,
    }
  } catch (error) {
    put(fail('write_test', `not run: ${messageOf(error)}`, 'fix the checks above first'))
    return undefined
  }
  put(
    await runWriteTest({
      ctx,
      usage,
      authMode: info?.auth_mode,
      robotPrefix: ctx.info.robotNamePrefix,
      name: options.writeTestName,
    }),
  )
  return undefined
}
