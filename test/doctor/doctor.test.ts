/**
 * `hrep doctor` against emulated Harbors over real HTTP on 127.0.0.1: a healthy instance, and each
 * failure an operator meets before the first plan (wrong password, old Harbor, a closed port, a name
 * that does not resolve, read-only mode, a robot credential, a wrong robot prefix, an auth mode that
 * hides the declared groups, a non-admin user, unhealthy components).
 */
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {sleep} from '../../src/reliability/index.js'
import {type EmulatorHandle, FOLLOWED_HARBOR_VERSION} from '../../src/emulator/index.js'
import {checkEndpoint} from '../../src/doctor/index.js'
import {
  check,
  closedPort,
  configOf,
  doctor,
  type EndpointSpec,
  harbor,
  quickClock,
  startProxy,
  statuses,
  stopHarbors,
} from './helpers.js'

const PROJECT = `
project "team" {
  name = "team"
}
`

const GROUPS = `
oidc_group "devs" {
  name = "platform-devs"
}
`

const ROBOT = `
robot "ci" {
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
`

afterEach(stopHarbors)

function at(emulator: EmulatorHandle, spec: Partial<EndpointSpec> = {}): EndpointSpec {
  return {url: emulator.url, ...spec}
}

describe('hrep doctor against an emulated Harbor', () => {
  it('passes every check of a healthy instance with an admin credential, and records what it learnt', async () => {
    const emulator = await harbor()
    const report = await doctor(configOf([at(emulator)], PROJECT + ROBOT))
    expect(report.ok).toBe(true)
    expect(statuses(report)).toEqual({
      dns: 'pass',
      tcp: 'pass',
      tls: 'skip',
      ping: 'pass',
      clock: 'pass',
      credentials: 'pass',
      version: 'pass',
      health: 'pass',
      auth_mode: 'pass',
      read_only: 'pass',
      robot_prefix: 'pass',
      permissions: 'pass',
      write_test: 'skip',
    })
    expect(check(report, 'credentials').detail).toBe('"admin" is a system administrator')
    expect(check(report, 'version').detail).toContain(`Harbor ${FOLLOWED_HARBOR_VERSION}-`)
    expect(check(report, 'auth_mode').detail).toBe('db_auth: local users; the configuration manages no groups here')
    expect(report.endpoints[0]!.facts).toMatchObject({
      addresses: ['127.0.0.1'],
      harbor_version: expect.stringMatching(/^v2\.15\.2-/),
      auth_mode: 'db_auth',
      user: 'admin',
      credential: 'admin',
      robot_prefix: 'robot$',
      read_only: false,
    })
    expect(Math.abs(report.endpoints[0]!.facts.clock_skew_ms!)).toBeLessThan(2_000)
    expect(report.summary).toEqual({pass: 11, warn: 0, fail: 0, skip: 2})
  })

  it('names wrong credentials, and skips what needs a login', async () => {
    const emulator = await harbor()
    const report = await doctor(configOf([at(emulator, {password: 'Wrong-Password-1'})]))
    expect(report.ok).toBe(false)
    const credentials = check(report, 'credentials')
    expect(credentials.status).toBe('fail')
    expect(credentials.detail).toBe(
      'Harbor rejected "admin" (401 on /users/current): the username or password is wrong, or the account is locked out',
    )
    expect(credentials.hint).toContain('check username and password of endpoint "primary" (main.hcl:1:1)')
    expect(check(report, 'version').status).toBe('skip')
    // The auth mode is public: it is still reported.
    expect(check(report, 'auth_mode').status).not.toBe('skip')
    expect(check(report, 'permissions')).toMatchObject({status: 'skip', detail: 'skipped: needs working credentials'})
    expect(JSON.stringify(report)).not.toContain('Wrong-Password-1')
  })

  it('sends a wrong password only as often as plan would: /users/current and its one lockout retry', async () => {
    const emulator = await harbor()
    // A recording HTTP proxy in front of Harbor: which requests carried credentials?
    const withCredentials: string[] = []
    const proxy = await startProxy(emulator.port, (request, forward) => {
      if (request.headers.authorization) withCredentials.push(`${request.method} ${request.url}`)
      forward()
    })
    try {
      const report = await doctor(configOf([{url: proxy.url, password: 'Wrong-Password-1'}], PROJECT + ROBOT + GROUPS), {
        writeTest: true,
      })
      expect(check(report, 'credentials').status).toBe('fail')
      expect(withCredentials).toEqual(['GET /api/v2.0/users/current', 'GET /api/v2.0/users/current'])
      // The public reads still tell what they can.
      expect(check(report, 'ping').status).toBe('pass')
      expect(check(report, 'auth_mode').status).toBe('warn')
    } finally {
      await proxy.close()
    }
  })

  it("rides out Harbor's login lock when another client's wrong password locks the account mid-check", async () => {
    const emulator = await harbor({loginLockMs: 400})
    // A proxy that, just before doctor's first logged-in /systeminfo, has someone fail to log in as admin.
    let interfered = false
    const proxy = await startProxy(emulator.port, (request, forward) => {
      if (interfered || request.url !== '/api/v2.0/systeminfo' || !request.headers.authorization) return forward()
      interfered = true
      const wrong = `Basic ${Buffer.from('admin:Wrong-Password-1').toString('base64')}`
      // Harbor holds a failing login as long as the lock lasts: forward while it is still held.
      fetch(`${emulator.url}/api/v2.0/users/current`, {headers: {authorization: wrong}}).catch(() => {})
      setTimeout(forward, 100)
    })
    try {
      // Real waits, shortened to just over the emulator's lock.
      const clock = {now: () => performance.now(), sleep: (ms: number, signal?: AbortSignal) => sleep(Math.min(ms, 500), signal)}
      const report = await doctor(configOf([{url: proxy.url}], PROJECT), {client: {clock}})
      expect(interfered).toBe(true)
      expect(statuses(report)).toMatchObject({credentials: 'pass', version: 'pass', permissions: 'pass'})
    } finally {
      await proxy.close()
    }
  })

  it('refuses Harbor older than 2.3', async () => {
    const emulator = await harbor({harborVersion: 'v2.2.0'})
    const report = await doctor(configOf([at(emulator)]))
    expect(report.ok).toBe(false)
    expect(check(report, 'version')).toMatchObject({
      status: 'fail',
      detail: 'Harbor v2.2.0: hrep needs Harbor 2.3 or newer',
    })
    expect(check(report, 'version').hint).toMatch(/^upgrade Harbor to 2\.3 or later/)
    expect(check(report, 'permissions').detail).toBe('skipped: hrep does not work with this Harbor version')
  })

  it('warns about a Harbor newer than the release the emulator follows', async () => {
    const emulator = await harbor({harborVersion: 'v2.16.0-0123abcd'})
    const report = await doctor(configOf([at(emulator)]))
    expect(report.ok).toBe(true)
    expect(check(report, 'version')).toMatchObject({status: 'warn'})
    expect(check(report, 'version').detail).toContain(`newer than ${FOLLOWED_HARBOR_VERSION}`)
  })

  it('fails fast on a closed port, and on a host name that does not resolve', async () => {
    const port = await closedPort()
    const report = await doctor(
      configOf([
        {name: 'closed', url: `http://127.0.0.1:${port}`},
        {name: 'nowhere', url: 'https://harbor.doctor-test.invalid'},
      ]),
    )
    expect(report.endpoints.map((e) => e.endpoint)).toEqual(['closed', 'nowhere'])
    const closed = report.endpoints[0]!
    expect(check(closed, 'tcp')).toMatchObject({
      status: 'fail',
      detail: `nothing accepts connections on 127.0.0.1:${port} (connection refused)`,
    })
    expect(check(closed, 'ping')).toMatchObject({status: 'skip', detail: 'skipped: no TCP connection'})
    const nowhere = report.endpoints[1]!
    expect(check(nowhere, 'dns').status).toBe('fail')
    expect(check(nowhere, 'dns').detail).toMatch(/^harbor\.doctor-test\.invalid does not resolve \(ENOTFOUND|EAI_AGAIN\)/)
    expect(check(nowhere, 'dns').hint).toContain('endpoint "nowhere" (main.hcl:')
    expect(check(nowhere, 'tcp').status).toBe('skip')
  })

  it('fails a Harbor that accepts connections but never answers, within the endpoint timeout', async () => {
    const emulator = await harbor({faults: [{match: 'GET /ping', hang: true}]})
    const report = await doctor(configOf([at(emulator, {extra: '  timeout = "300ms"'})]))
    const ping = check(report, 'ping')
    expect(ping.status).toBe('fail')
    expect(ping.detail).toBe('GET /api/v2.0/ping got no answer within 300 ms')
    expect(ping.hint).toContain('no proper answer came')
    expect(check(report, 'credentials').detail).toBe('skipped: Harbor did not answer /api/v2.0/ping')
  })

  it('fails a read-only instance the configuration writes to, and does not try the write test there', async () => {
    const emulator = await harbor({readOnly: true})
    const report = await doctor(configOf([at(emulator)], PROJECT), {writeTest: true})
    expect(check(report, 'read_only')).toMatchObject({status: 'fail'})
    expect(check(report, 'read_only').hint).toContain('"read_only": false')
    expect(check(report, 'write_test')).toMatchObject({status: 'skip', detail: 'not run: the instance is in read-only mode'})
    expect(emulator.projects()).toEqual([])
  })

  it('passes a read-only instance that is only a mirror source', async () => {
    const source = await harbor({readOnly: true})
    const target = await harbor()
    const config = configOf(
      [at(source, {name: 'source'}), at(target, {name: 'target'})],
      `replicate "all" {\n  from  = endpoint.source\n  to    = [endpoint.target]\n  kinds = ["project"]\n}\n`,
    )
    const report = await doctor(config)
    expect(check(report, 'read_only', 'source')).toMatchObject({
      status: 'pass',
      detail: 'on, but hrep only reads this endpoint (a mirror source)',
    })
  })

  it('recognises a robot credential: prefix from its name, and what robots can never do', async () => {
    const emulator = await harbor({
      seed: {
        robots: [
          {
            name: 'doctor',
            secret: 'Doctor-Secret-1',
            permissions: [
              {
                kind: 'system',
                namespace: '/',
                access: ['project:create', 'robot:list', 'robot:read', 'robot:create', 'robot:delete'],
              },
              {kind: 'project', namespace: '*', access: ['project:update', 'project:delete']},
            ],
          },
        ],
      },
    })
    const robot = at(emulator, {username: 'robot$doctor', password: 'Doctor-Secret-1'})
    const report = await doctor(configOf([robot], PROJECT + ROBOT + GROUPS))
    expect(check(report, 'credentials')).toMatchObject({status: 'pass'})
    expect(check(report, 'credentials').detail).toContain('"robot$doctor" is a robot account')
    expect(check(report, 'robot_prefix')).toMatchObject({status: 'pass'})
    expect(check(report, 'robot_prefix').detail).toContain("from this robot's own name")
    const permissions = check(report, 'permissions')
    expect(permissions.status).toBe('fail')
    expect(permissions.detail).toContain('can never update robots or set their secrets')
    expect(permissions.detail).toContain('missing user-group:list, user-group:read, user-group:create, user-group:delete')
    expect(permissions.detail).toContain('cannot read user groups (403)')
    expect(report.endpoints[0]!.facts.credential).toBe('robot')

    // The same robot for a configuration of projects only has every right it needs.
    const projectsOnly = await doctor(configOf([robot], PROJECT))
    expect(check(projectsOnly, 'permissions')).toMatchObject({status: 'pass'})
    expect(check(projectsOnly, 'permissions').detail).toBe(
      'robot account "robot$doctor" holds every permission the configuration needs here',
    )
  })

  it('says that Harbor before 2.12 cannot give a robot the rights groups and members need', async () => {
    const emulator = await harbor({
      harborVersion: 'v2.11.2-abcdef12',
      seed: {
        robots: [
          {name: 'old', secret: 'Old-Secret-1', permissions: [{kind: 'system', namespace: '/', access: ['project:create']}]},
        ],
      },
    })
    const report = await doctor(configOf([at(emulator, {username: 'robot$old', password: 'Old-Secret-1'})], GROUPS))
    expect(check(report, 'permissions')).toMatchObject({status: 'fail'})
    expect(check(report, 'permissions').detail).toContain(
      'Harbor v2.11.2-abcdef12 cannot grant robot accounts the rights oidc_group need (user-group and member rights came in 2.12)',
    )
  })

  it('warns when a robot credential cannot read its own permissions', async () => {
    const emulator = await harbor({
      seed: {
        robots: [
          {name: 'pull', secret: 'Pull-Secret-1', permissions: [{kind: 'project', namespace: '*', access: ['repository:pull']}]},
        ],
      },
    })
    const report = await doctor(configOf([at(emulator, {username: 'robot$pull', password: 'Pull-Secret-1'})], PROJECT))
    expect(check(report, 'permissions')).toMatchObject({status: 'warn'})
    expect(check(report, 'permissions').detail).toContain('may not list robots (robot:list)')
    expect(check(report, 'permissions').hint).toContain('--write-test')
  })

  it('fails a robot_prefix that differs from the instance', async () => {
    const emulator = await harbor({robotNamePrefix: 'svc-'})
    const wrong = await doctor(configOf([at(emulator, {extra: '  robot_prefix = "robot$"'})], ROBOT), {writeTest: true})
    expect(check(wrong, 'robot_prefix')).toMatchObject({status: 'fail'})
    // With the wrong prefix hrep would not recognise its own test robot: no round trip.
    expect(check(wrong, 'write_test')).toMatchObject({status: 'skip', detail: 'not run: fix the robot prefix first'})
    expect(emulator.dump().projects ?? []).toEqual([])
    expect(check(wrong, 'robot_prefix').hint).toBe(
      'remove robot_prefix from endpoint "primary" (main.hcl:1:1), or set it to "svc-"',
    )
    const right = await doctor(configOf([at(emulator)], ROBOT))
    expect(check(right, 'robot_prefix')).toMatchObject({status: 'pass', detail: '"svc-" (read from /configurations)'})
  })

  it('explains what the auth mode means for the declared groups', async () => {
    const ldap = await harbor({authMode: 'ldap_auth'})
    const hidden = await doctor(configOf([at(ldap)], GROUPS))
    expect(check(hidden, 'auth_mode')).toMatchObject({status: 'fail'})
    expect(check(hidden, 'auth_mode').detail).toContain('Harbor lists only LDAP groups')

    const oidc = await harbor({authMode: 'oidc_auth'})
    expect(check(await doctor(configOf([at(oidc)], GROUPS)), 'auth_mode').status).toBe('pass')

    const db = await harbor()
    const local = await doctor(configOf([at(db)], GROUPS))
    expect(check(local, 'auth_mode')).toMatchObject({status: 'warn'})
    expect(check(local, 'auth_mode').detail).toContain('nobody logs in through OIDC here')
    expect(local.ok).toBe(true)
  })

  it('lists what a user without administrator rights may not do', async () => {
    const emulator = await harbor({seed: {users: [{username: 'bob', password: 'Bob-Password-1'}]}})
    const report = await doctor(configOf([at(emulator, {username: 'bob', password: 'Bob-Password-1'})], PROJECT + GROUPS))
    expect(check(report, 'credentials').detail).toBe('"bob" is a user without system administrator rights (see Permissions)')
    const permissions = check(report, 'permissions')
    expect(permissions.status).toBe('fail')
    expect(permissions.detail).toContain('only system administrators may create and delete user groups')
    expect(permissions.detail).toContain('cannot read user groups (403)')
    // A user cannot read /configurations: with no robots declared that is no problem.
    expect(check(report, 'robot_prefix').status).toBe('skip')
  })

  it('fails when a component the API needs is unhealthy, and warns for the others', async () => {
    const emulator = await harbor()
    emulator.setHealth('trivy', false)
    expect(check(await doctor(configOf([at(emulator)])), 'health')).toMatchObject({status: 'warn'})
    emulator.setHealth('database', false)
    const broken = check(await doctor(configOf([at(emulator)])), 'health')
    expect(broken.status).toBe('fail')
    expect(broken.detail).toContain('database (database is not reachable)')
  })

  it('reports endpoints in configuration order as each is done, and checks only the selected ones', async () => {
    const slow = await harbor({latencyMs: 150})
    const fast = await harbor()
    const config = configOf([at(slow, {name: 'slow'}), at(fast, {name: 'fast'}), {name: 'other', url: fast.url}])
    const seen: string[] = []
    const report = await doctor(config, {only: ['fast', 'slow'], onEndpoint: (endpoint) => seen.push(endpoint.endpoint)})
    expect(seen).toEqual(['slow', 'fast'])
    expect(report.endpoints.map((e) => e.endpoint)).toEqual(['slow', 'fast'])
    await expect(doctor(config, {only: ['nope']})).rejects.toThrow(
      'no endpoint named "nope" in the configuration; it declares slow, fast, other',
    )
  })

  it('reports a server that is not Harbor at ping, and skips the rest', async () => {
    // Another web application on the port: it answers, but not Harbor's API.
    const server = createServer((_request, response) => {
      response.writeHead(404, {'content-type': 'text/html'})
      response.end('<html><body>Not Found</body></html>')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const config = configOf([{url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`}])
      const report = await checkEndpoint(config, config.endpoints[0]!, {client: {clock: quickClock}})
      expect(check(report, 'ping')).toMatchObject({status: 'fail'})
      expect(check(report, 'ping').detail).toContain('answered 404')
      expect(check(report, 'ping').hint).toContain("Harbor's base address")
      expect(check(report, 'credentials').detail).toBe('skipped: Harbor did not answer /api/v2.0/ping')
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
