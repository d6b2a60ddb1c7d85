/**
 * The pure parts of doctor: what each judgement makes of Harbor's answers (clock skew, versions, auth
 * modes and group types, robot prefixes), what the configuration asks of an endpoint, and the human
 * rendering. Cases an emulator cannot easily produce (a skewed clock, an odd robot name) live here.
 */
import {describe, expect, it} from 'vitest'
import {colors} from '../../src/cli/color.js'
import {
  CLOCK_SKEW_WARNING_MS,
  clockSkew,
  judgeAuthMode,
  judgeClock,
  judgeRobotPrefix,
  judgeVersion,
} from '../../src/doctor/harbor-checks.js'
import type {Fetched, Identity, SystemInfoBody} from '../../src/doctor/harbor-probe.js'
import {doctorReport, type EndpointReport, renderEndpoint, renderSummary} from '../../src/doctor/index.js'
import {targetOf} from '../../src/doctor/target.js'
import {checkTls} from '../../src/doctor/tls.js'
import {type EndpointUsage, endpointUsage} from '../../src/doctor/usage.js'
import {configOf} from './helpers.js'

const admin: Identity = {kind: 'user', username: 'admin', sysadmin: true}
const robot: Identity = {kind: 'robot'}
const info = (body: SystemInfoBody): Fetched<SystemInfoBody> => ({ok: true, body, headers: {}})

function usage(groupTypes: EndpointUsage['groupTypes'], declared = true): EndpointUsage {
  return {
    declared,
    reads: new Set(),
    writes: new Set(),
    systemRobots: false,
    projectRobots: false,
    storageLimit: false,
    groupTypes,
    userMembers: false,
  }
}

describe('clock', () => {
  const sentAt = Date.parse('2026-03-01T12:00:00.000Z')
  it('measures the skew from the Date header, allowing for its whole seconds and the round trip', () => {
    const skew = clockSkew('Sun, 01 Mar 2026 12:00:45 GMT', sentAt, sentAt + 200)
    expect(skew).toEqual({skewMs: 45_400, uncertaintyMs: 600})
    expect(judgeClock(skew)).toMatchObject({status: 'warn', detail: "Harbor's clock is 45 s ahead of this machine's"})
    expect(judgeClock(clockSkew('Sun, 01 Mar 2026 11:59:00 GMT', sentAt, sentAt + 10))).toMatchObject({
      status: 'warn',
      detail: "Harbor's clock is 60 s behind this machine's",
    })
  })

  it('passes a skew within the tolerance, and skips without a Date header', () => {
    const within = clockSkew(new Date(sentAt + CLOCK_SKEW_WARNING_MS - 2_000).toUTCString(), sentAt, sentAt + 20)
    expect(judgeClock(within).status).toBe('pass')
    expect(judgeClock(clockSkew(undefined, sentAt, sentAt)).status).toBe('skip')
    expect(judgeClock(clockSkew('not a date', sentAt, sentAt)).status).toBe('skip')
  })
})

describe('version', () => {
  it.each([
    ['v2.3.0-abc', 'pass'],
    ['v2.15.2-e7a1c0de', 'pass'],
    ['v2.15.3', 'warn'],
    ['v3.0.0', 'warn'],
    ['v2.2.4-1234', 'fail'],
    ['v1.10.0', 'fail'],
    ['dev', 'fail'],
  ])('%s → %s', (version, status) => {
    expect(judgeVersion(info({harbor_version: version}), admin).status).toBe(status)
  })

  it('fails when Harbor hides the version from a credential that logged in, and skips without a login', () => {
    expect(judgeVersion(info({auth_mode: 'db_auth'}), robot)).toMatchObject({status: 'fail'})
    expect(judgeVersion(info({}), {kind: 'rejected', error: new Error('401')}).status).toBe('skip')
  })
})

describe('auth mode and groups', () => {
  const judge = (mode: string, types: ('oidc' | 'ldap' | 'http')[]) =>
    judgeAuthMode(info({auth_mode: mode}), usage(new Set(types)), 'endpoint "x"')

  it.each([
    ['oidc_auth', ['oidc'], 'pass'],
    ['oidc_auth', ['ldap'], 'fail'],
    ['db_auth', [], 'pass'],
    ['db_auth', ['oidc'], 'warn'],
    ['db_auth', ['http'], 'warn'],
    ['uaa_auth', ['oidc'], 'warn'],
    ['ldap_auth', ['ldap'], 'pass'],
    ['ldap_auth', ['ldap', 'oidc'], 'fail'],
    ['http_auth', ['http'], 'pass'],
    ['http_auth', ['oidc'], 'fail'],
  ] as const)('%s with %j groups → %s', (mode, types, status) => {
    expect(judge(mode, [...types]).status).toBe(status)
  })

  it('says which groups become invisible, and skips when the mode is unknown', () => {
    expect(judge('http_auth', ['oidc']).detail).toContain(
      'the OIDC groups the configuration manages would be invisible to every plan',
    )
    // LDAP groups need ldap_auth first of all: that is said before anything else.
    expect(judge('http_auth', ['oidc', 'ldap']).detail).toBe(
      'http_auth: Harbor creates LDAP groups only in ldap_auth mode, and the configuration manages LDAP groups here',
    )
    expect(judgeAuthMode(info({}), usage(new Set()), 'x').status).toBe('skip')
  })
})

describe('robot prefix', () => {
  const context = {username: 'robot$ci', where: 'endpoint "x" (main.hcl:1:1)', robotsUsed: true}

  it('infers the prefix from a robot credential that cannot read /configurations', () => {
    const custom = judgeRobotPrefix(robot, undefined, {...context, username: 'svc$ci'})
    expect(custom.result).toMatchObject({status: 'fail', hint: 'set robot_prefix = "svc$" in endpoint "x" (main.hcl:1:1)'})
    const configured = judgeRobotPrefix(robot, undefined, {...context, username: 'svc$ci', configured: 'svc$'})
    expect(configured).toMatchObject({result: {status: 'pass'}, prefix: 'svc$'})
    expect(judgeRobotPrefix(robot, undefined, {...context, configured: 'bot-'}).result.status).toBe('fail')
  })

  it('warns when nothing tells the prefix and robots are managed', () => {
    const user: Identity = {kind: 'user', username: 'bob', sysadmin: false}
    const forbidden: Fetched<never> = {ok: false, error: new Error('403')}
    expect(judgeRobotPrefix(user, forbidden, context)).toMatchObject({result: {status: 'warn'}, prefix: 'robot$'})
    expect(judgeRobotPrefix(user, forbidden, {...context, robotsUsed: false}).result.status).toBe('skip')
    expect(judgeRobotPrefix(robot, undefined, {...context, username: 'ci'}).result.status).toBe('warn')
  })
})

describe('what the configuration asks of an endpoint', () => {
  const config = configOf(
    [
      {name: 'a', url: 'https://a.example.com'},
      {name: 'b', url: 'https://b.example.com'},
      {name: 'c', url: 'https://c.example.com'},
    ],
    `
project "team" {
  name          = "team"
  storage_limit = "10GiB"
  endpoints     = [endpoint.a]
}
oidc_group "ops" {
  name      = "ops"
  type      = "http"
  endpoints = [endpoint.a]
}
replicate "mirror" {
  from          = endpoint.a
  to            = [endpoint.b]
  kinds         = ["project", "robot"]
  robot_secrets = "rotate"
}
`,
  )

  it('counts declared resources, mirror targets as writes, and a mirror source as reads (except rotated secrets)', () => {
    const a = endpointUsage(config, 'a')
    expect(a).toMatchObject({declared: true, storageLimit: true, systemRobots: false})
    expect([...a.reads].sort()).toEqual(['oidc_group', 'project', 'robot'])
    expect([...a.writes].sort()).toEqual(['oidc_group', 'project', 'robot'])
    expect([...a.groupTypes]).toEqual(['http'])
    const b = endpointUsage(config, 'b')
    expect([...b.writes].sort()).toEqual(['project', 'robot'])
    expect(b).toMatchObject({systemRobots: true, projectRobots: true})
  })

  it('judges an endpoint nothing names for every kind', () => {
    const c = endpointUsage(config, 'c')
    expect(c.declared).toBe(false)
    expect([...c.writes].sort()).toEqual(['oidc_group', 'project', 'project_member', 'robot'])
    expect([...c.groupTypes]).toEqual(['oidc'])
  })
})

describe('TLS without a handshake', () => {
  it('warns about plain http off this machine and skips it on loopback', async () => {
    const remote = await checkTls(targetOf('http://harbor.example.com')!, {insecure: false}, 'endpoint "x"', 1000)
    expect(remote.result).toMatchObject({
      status: 'warn',
      detail: 'plain http to harbor.example.com: the password crosses the network unencrypted',
    })
    expect((await checkTls(targetOf('http://localhost:8080')!, {insecure: false}, 'x', 1000)).result.status).toBe('skip')
  })

  it('reads ports and IPv6 hosts from the url', () => {
    expect(targetOf('https://[::1]:8443/')).toEqual({host: '::1', port: 8443, tls: true, ip: true, loopback: true})
    expect(targetOf('http://harbor.example.com')).toMatchObject({port: 80, tls: false, ip: false, loopback: false})
    expect(targetOf('ftp://x')).toBeUndefined()
  })
})

describe('rendering', () => {
  const report: EndpointReport = {
    endpoint: 'dr',
    url: 'https://dr.example.com',
    status: 'fail',
    facts: {},
    checks: [
      {name: 'dns', status: 'pass', detail: 'dr.example.com → 10.0.0.5 (2 ms)'},
      {name: 'tcp', status: 'fail', detail: 'no answer', hint: 'check the firewall'},
      {name: 'tls', status: 'skip', detail: 'skipped: no TCP connection'},
      {name: 'ping', status: 'skip', detail: 'skipped: no TCP connection'},
      {name: 'write_test', status: 'skip', detail: 'not run'},
    ],
  }

  it('prints a mark per check, the hint under a failure, and folds checks skipped for one reason', () => {
    expect(renderEndpoint(report, colors(false))).toEqual([
      'Endpoint dr https://dr.example.com  not ready',
      '  ✔ DNS           dr.example.com → 10.0.0.5 (2 ms)',
      '  ✖ TCP           no answer',
      '                  → check the firewall',
      '  – TLS, Ping: skipped: no TCP connection',
      '  – Write test    not run',
    ])
  })

  it('sums up the checks and says whether every endpoint is ready', () => {
    const summary = renderSummary(doctorReport([report]), colors(false))
    expect(summary).toEqual([
      'Checks: 1 passed, 0 warnings, 1 failed, 3 skipped.',
      '1 of 1 endpoint not ready: fix the ✖ lines above, then run hrep doctor again.',
    ])
    const ready = {
      ...report,
      status: 'warn' as const,
      checks: [{name: 'tls' as const, status: 'warn' as const, detail: 'x', hint: 'y'}],
    }
    expect(renderSummary(doctorReport([ready, ready]), colors(false))).toEqual([
      'Checks: 0 passed, 2 warnings, 0 failed, 0 skipped.',
      'All 2 endpoints are ready (see the warnings above).',
    ])
  })
})
