/**
 * Emulator behaviours that the shared conformance scenarios cannot check against an arbitrary Harbor
 * (they need a second auth mode, a seed, or the handle): permission order, LDAP/HTTP group modes,
 * session cookies with CSRF tokens, OIDC password logins, robot permissions, creation restrictions,
 * the request log, health, and the spec check's bookkeeping.
 */
import {request} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
import {
  type EmulatorHandle,
  type EmulatorOptions,
  EXPECT_INVALID_HEADER,
  type SeedPermission,
  startEmulator,
  takeSuiteViolations,
} from '../../src/emulator/index.js'

let running: EmulatorHandle[] = []

async function emulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const handle = await startEmulator({loginLockMs: 0, ...options})
  running.push(handle)
  return handle
}

afterEach(async () => {
  await Promise.all(running.map((handle) => handle.stop()))
  running = []
})

interface Call {
  user?: string
  password?: string
  body?: unknown
  headers?: Record<string, string>
}

async function call(handle: EmulatorHandle, method: string, path: string, options: Call = {}) {
  const user = options.user ?? 'admin'
  const headers: Record<string, string> = {...(options.headers ?? {})}
  if (user !== '')
    headers.authorization = `Basic ${Buffer.from(`${user}:${options.password ?? 'Harbor12345'}`).toString('base64')}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const response = await request(`${handle.url}/api/v2.0${path}`, {
    method: method as 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  const text = await response.body.text()
  // biome-ignore lint/suspicious/noExplicitAny: tests read Harbor's JSON loosely
  let json: any
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return {status: response.statusCode, headers: response.headers, text, json}
}

const q = (raw: string) => `q=${encodeURIComponent(encodeURIComponent(raw))}`

describe('robot permissions', () => {
  const permissions: SeedPermission[] = [
    {kind: 'system', namespace: '/', access: ['project:list']},
    {kind: 'project', namespace: 'a', access: ['repository:pull']},
    {kind: 'project', namespace: 'b', access: ['repository:push']},
    {kind: 'project', namespace: '*', access: ['artifact:read']},
  ]
  const seed = {projects: [{name: 'a'}, {name: 'b'}], robots: [{name: 'many', secret: 'Many-Secret-1', permissions}]}

  async function orders(handle: EmulatorHandle, times: number): Promise<string[]> {
    const out: string[] = []
    for (let i = 0; i < times; i++) {
      const robot = await call(handle, 'GET', '/robots/1')
      out.push(robot.json.permissions.map((p: {namespace: string}) => p.namespace).join(','))
    }
    return out
  }

  it('come back in a random order that replays with the seed', async () => {
    const first = await orders(await emulator({seed, randomSeed: 3}), 12)
    expect(new Set(first).size).toBeGreaterThan(1)
    expect(new Set(first.map((order) => order.split(',').sort().join(',')))).toEqual(new Set(['*,/,a,b']))
    expect(await orders(await emulator({seed, randomSeed: 3}), 12)).toEqual(first)
  })

  it('limit what a robot may do: 403 with its name on system endpoints, project access per permission', async () => {
    const handle = await emulator({
      seed: {
        projects: [{name: 'a'}, {name: 'b'}],
        robots: [
          {
            name: 'reader',
            secret: 'Reader-Secret-1',
            permissions: [{kind: 'project', namespace: 'a', access: ['project:read', 'member:list']}],
          },
        ],
      },
    })
    const as = {user: 'robot$reader', password: 'Reader-Secret-1'}
    const config = await call(handle, 'GET', '/configurations', as)
    expect(config.json).toEqual({errors: [{code: 'FORBIDDEN', message: 'robot$reader'}]})
    expect((await call(handle, 'GET', '/projects/1/members', as)).status).toBe(200)
    expect((await call(handle, 'GET', '/projects/2/members', as)).json).toEqual({
      errors: [{code: 'FORBIDDEN', message: 'forbidden'}],
    })
    const listed = await call(handle, 'GET', '/projects', as)
    expect(listed.json.map((p: {name: string}) => p.name)).toEqual(['a'])
    // robot:update cannot be granted, so no robot can PUT a robot (validation still comes first).
    const self = (await call(handle, 'GET', '/robots/1')).json
    expect((await call(handle, 'PUT', '/robots/1', {...as, body: {}})).status).toBe(400)
    expect((await call(handle, 'PUT', '/robots/1', {...as, body: self})).status).toBe(403)
  })

  it('let a robot create robots only within its own permissions (2.12+)', async () => {
    const handle = await emulator({
      seed: {
        projects: [{name: 'a'}],
        robots: [
          {
            name: 'maker',
            secret: 'Maker-Secret-1',
            permissions: [
              {kind: 'system', namespace: '/', access: ['robot:create']},
              {kind: 'project', namespace: 'a', access: ['repository:pull']},
            ],
          },
        ],
      },
    })
    const as = {user: 'robot$maker', password: 'Maker-Secret-1'}
    const robot = (access: string) => ({
      name: `child-${access}`,
      level: 'system',
      duration: -1,
      permissions: [{kind: 'project', namespace: 'a', access: [{resource: 'repository', action: access}]}],
    })
    const allowed = await call(handle, 'POST', '/robots', {...as, body: robot('pull')})
    expect(allowed.status).toBe(201)
    const created = await call(handle, 'GET', `/robots/${allowed.json.id}`)
    expect(created.json).toMatchObject({creator_type: 'robot', creator_ref: 1})
    const denied = await call(handle, 'POST', '/robots', {...as, body: robot('push')})
    expect(denied.status).toBe(403)
    expect(denied.json.errors[0].code).toBe('DENIED')
  })

  it('q=Level=system given explicitly does not restrict to ProjectID 0 (code reading of ListRobot)', async () => {
    const handle = await emulator({
      seed: {
        projects: [{name: 'a'}],
        robots: [
          {name: 'sys', permissions: [{kind: 'project', namespace: '*', access: ['repository:pull']}]},
          {
            name: 'proj',
            level: 'project',
            project: 'a',
            permissions: [{kind: 'project', namespace: 'a', access: ['repository:pull']}],
          },
        ],
      },
    })
    const implicit = await call(handle, 'GET', '/robots')
    expect(implicit.json.map((r: {name: string}) => r.name)).toEqual(['robot$sys'])
    const explicit = await call(handle, 'GET', `/robots?${q('Level=system')}`)
    expect(explicit.json.map((r: {name: string}) => r.name)).toEqual(['robot$a+proj', 'robot$sys'])
  })
})

describe('user groups by auth mode', () => {
  it('creates LDAP groups only in ldap_auth mode, and lists only LDAP groups there', async () => {
    const db = await emulator()
    const refused = await call(db, 'POST', '/usergroups', {body: {group_name: 'l', group_type: 1, ldap_group_dn: 'cn=l,dc=x'}})
    expect(refused.json).toEqual({errors: [{code: 'BAD_REQUEST', message: 'LDAP Group DN is not found: DN:cn=l,dc=x'}]})
    const ldap = await emulator({authMode: 'ldap_auth', seed: {groups: [{name: 'oidc-one', type: 3}]}})
    expect(
      (await call(ldap, 'POST', '/usergroups', {body: {group_name: 'l', group_type: 1, ldap_group_dn: 'not a dn'}})).json
        .errors[0].message,
    ).toBe('invalid DN syntax')
    expect(
      (await call(ldap, 'POST', '/usergroups', {body: {group_name: 'l', group_type: 1, ldap_group_dn: 'cn=l, dc=x'}})).status,
    ).toBe(201)
    const listed = await call(ldap, 'GET', '/usergroups')
    expect(listed.json).toEqual([{id: 2, group_name: 'l', group_type: 1, ldap_group_dn: 'cn=l, dc=x'}])
    const byDn = await call(ldap, 'GET', `/usergroups?ldap_group_dn=${encodeURIComponent('cn=l, dc=x')}`)
    expect(byDn.json).toHaveLength(1)
  })

  it('lists only HTTP groups in http_auth mode and onboards members as HTTP groups', async () => {
    const handle = await emulator({
      authMode: 'http_auth',
      seed: {
        projects: [{name: 'p'}],
        groups: [
          {name: 'o', type: 3},
          {name: 'h', type: 2},
        ],
      },
    })
    expect((await call(handle, 'GET', '/usergroups')).json.map((g: {group_name: string}) => g.group_name)).toEqual(['h'])
    const member = await call(handle, 'POST', '/projects/p/members', {
      body: {role_id: 2, member_group: {group_name: 'new'}},
      headers: {'X-Is-Resource-Name': 'true'},
    })
    expect(member.status).toBe(201)
    expect(handle.groups()).toContainEqual({name: 'new', type: 2})
  })
})

describe('sessions, auth modes and restrictions', () => {
  it('sets a sid cookie when asked; a write with the cookie needs the CSRF token it handed out', async () => {
    const handle = await emulator({sessionCookies: true})
    const first = await call(handle, 'GET', '/systeminfo')
    const cookie = String(first.headers['set-cookie']).split(';')[0]!
    const token = String(first.headers['x-harbor-csrf-token'])
    expect(cookie).toMatch(/^sid=[0-9a-f]{32}$/)
    const without = await call(handle, 'POST', '/projects', {body: {project_name: 'c1'}, headers: {cookie}})
    expect(without.json).toEqual({errors: [{code: 'FORBIDDEN', message: 'CSRF token invalid'}]})
    const withToken = await call(handle, 'POST', '/projects', {
      body: {project_name: 'c1'},
      headers: {cookie, 'X-Harbor-CSRF-Token': token},
    })
    expect(withToken.status).toBe(201)
  })

  it('in oidc_auth mode only admin may use a password, and local users cannot be created', async () => {
    const handle = await emulator({authMode: 'oidc_auth', seed: {users: [{username: 'carol', password: 'Carol-Passw0rd'}]}})
    expect((await call(handle, 'GET', '/users/current', {user: 'carol', password: 'Carol-Passw0rd'})).status).toBe(401)
    expect((await call(handle, 'GET', '/users/current')).json.username).toBe('admin')
    const create = await call(handle, 'POST', '/users', {body: {username: 'dave', password: 'Dave-Passw0rd'}})
    expect(create.json).toEqual({
      errors: [{code: 'FORBIDDEN', message: 'creating local user is not allowed under auth mode oidc_auth'}],
    })
  })

  it('without a login lock, the right password right after a wrong one works', async () => {
    const handle = await emulator({loginLockMs: 0})
    expect((await call(handle, 'GET', '/users/current', {password: 'wrong'})).status).toBe(401)
    expect((await call(handle, 'GET', '/users/current')).status).toBe(200)
  })

  it('gives robot-created projects to the lowest-id admin, and honours project_creation_restriction', async () => {
    const handle = await emulator({
      seed: {
        users: [{username: 'erin', password: 'Erin-Passw0rd'}],
        robots: [
          {
            name: 'creator',
            secret: 'Creator-Secret-1',
            permissions: [{kind: 'system', namespace: '/', access: ['project:create']}],
          },
        ],
      },
    })
    const created = await call(handle, 'POST', '/projects', {
      user: 'robot$creator',
      password: 'Creator-Secret-1',
      body: {project_name: 'byrobot'},
    })
    expect(created.status).toBe(201)
    expect(handle.members('byrobot')).toEqual([{user: 'admin', role: 1}])
    handle.setConfig({project_creation_restriction: 'adminonly'})
    const refused = await call(handle, 'POST', '/projects', {
      user: 'erin',
      password: 'Erin-Passw0rd',
      body: {project_name: 'byerin'},
    })
    expect(refused.json).toEqual({errors: [{code: 'FORBIDDEN', message: 'Only system admin can create project'}]})
  })
})

describe('observability of the emulator', () => {
  it('logs every request with route, status, caller and request id', async () => {
    const handle = await emulator()
    await call(handle, 'GET', '/projects?page=1', {headers: {'X-Request-Id': 'req-1'}})
    await call(handle, 'GET', '/nope', {user: '', headers: {[EXPECT_INVALID_HEADER]: '1'}})
    expect(handle.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/api/v2.0/projects',
        query: 'page=1',
        status: 200,
        requestId: 'req-1',
        route: 'GET /projects',
        caller: 'admin',
      }),
      expect.objectContaining({method: 'GET', path: '/api/v2.0/nope', status: 404, route: 'GET /nope', caller: 'anonymous'}),
    ])
    handle.clearRequests()
    expect(handle.requests).toHaveLength(0)
  })

  it('reports unhealthy components in /health while still answering 200', async () => {
    const handle = await emulator()
    handle.setHealth('redis', false)
    const health = await call(handle, 'GET', '/health', {user: ''})
    expect(health.status).toBe(200)
    expect(health.json.status).toBe('unhealthy')
    expect(health.json.components).toContainEqual({name: 'redis', status: 'unhealthy', error: 'redis is not reachable'})
  })

  it('records requests that break the spec unless they are marked as expected', async () => {
    const handle = await emulator({
      specCheck: true,
      seed: {robots: [{name: 'r', permissions: [{kind: 'project', namespace: '*', access: ['repository:pull']}]}]},
    })
    const robot = (await call(handle, 'GET', '/robots/1')).json
    // Go ignores a null on a non-nullable field, so Harbor answers 200; the spec does not allow it.
    const put = await call(handle, 'PUT', '/robots/1', {body: {...robot, description: null}})
    expect(put.status).toBe(200)
    await call(handle, 'GET', '/projects?page_size=500', {headers: {[EXPECT_INVALID_HEADER]: '1'}})
    const violations = handle.specViolations()
    expect(violations).toEqual([expect.objectContaining({kind: 'request', operation: 'UpdateRobot', status: 0})])
    expect(violations[0]!.message).toContain('description')
    expect(takeSuiteViolations()).toHaveLength(1)
    handle.clearSpecViolations()
    expect(handle.specViolations()).toEqual([])
  })
})
