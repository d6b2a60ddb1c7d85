/**
 * System endpoints and switches (NOTES.md §1.1–1.2, §13–14, checklist §16.14–16.16): ping, health,
 * version, systeminfo, configurations (GET/PUT shapes, passwords, auth_mode lock, robot prefix),
 * CSRF with a session cookie, and read-only mode. Scenarios that change configuration restore it.
 */
import {check, expectError, expectStatus, type Scenario, show} from '../scenario.js'

export const systemScenarios: Scenario[] = [
  {
    name: 'ping-health-version',
    covers: '§14',
    expected: '/ping is text "Pong" without login, /health is 200 with a status, /api/version is {"version":"v2.0"}',
    async run({api, target}) {
      const anonymous = api.as()
      const ping = await anonymous.get('/ping')
      check(
        ping.status === 200 && ping.text === 'Pong' && (ping.headers['content-type'] ?? '').startsWith('text/plain'),
        '200 text/plain Pong',
        show(ping),
      )
      const health = await anonymous.get('/health')
      check(
        health.status === 200 && typeof health.json?.status === 'string' && Array.isArray(health.json.components),
        '200 {status, components}',
        show(health),
      )
      const version = await fetch(`${target.url.replace(/\/$/, '')}/api/version`)
      const body = await version.json()
      check(version.status === 200 && body.version === 'v2.0', '{"version":"v2.0"}', JSON.stringify(body))
      return `Pong; health ${health.json.status}; version ${body.version}`
    },
  },
  {
    name: 'systeminfo-by-caller',
    covers: '§14',
    expected:
      'anonymous /systeminfo has auth_mode but no harbor_version; logged in it has harbor_version vMAJOR.MINOR.PATCH-… and read_only',
    async run({api}) {
      const anonymous = (await api.as().get('/systeminfo')).json
      check(
        anonymous.harbor_version === undefined && typeof anonymous.auth_mode === 'string',
        'anonymous: no harbor_version',
        anonymous,
      )
      const admin = (await api.get('/systeminfo')).json
      check(
        /^v\d+\.\d+\.\d+/.test(admin.harbor_version) && typeof admin.read_only === 'boolean',
        'harbor_version and read_only',
        admin,
      )
      return `anonymous keys ${Object.keys(anonymous).join(',')}; version ${admin.harbor_version}`
    },
  },
  {
    name: 'configurations-shapes',
    covers: '§16.14',
    expected: 'GET /configurations is {key:{value,editable}} without password keys; PUT takes flat values and drops unknown keys',
    async run({api}) {
      const read = await api.get('/configurations')
      expectStatus(read, 200, 'GET /configurations')
      const prefix = read.json.robot_name_prefix
      check(typeof prefix?.value === 'string' && typeof prefix?.editable === 'boolean', '{value, editable}', prefix)
      check(
        read.json.ldap_search_password === undefined && read.json.oidc_client_secret === undefined,
        'no password keys',
        Object.keys(read.json),
      )
      const put = await api.put('/configurations', {robot_name_prefix: prefix.value, no_such_key: 'x'})
      expectStatus(put, 200, 'PUT flat values with an unknown key')
      return `robot_name_prefix ${JSON.stringify(prefix)}; unknown key ignored`
    },
  },
  {
    name: 'robot-prefix-follows-configuration',
    covers: '§2, §13',
    expected: 'robot names are shown with the current robot_name_prefix; a blank prefix is 400',
    async run({api, createRobot, name, cleanup, info}) {
      const robot = await createRobot({
        name: name('pfx'),
        level: 'system',
        duration: -1,
        permissions: [{kind: 'system', namespace: '/', access: [{resource: 'project', action: 'list'}]}],
      })
      const blank = await api.put('/configurations', {robot_name_prefix: '   '})
      expectError(blank, 400, 'BAD_REQUEST', 'a blank robot_name_prefix')
      cleanup(() => api.put('/configurations', {robot_name_prefix: info.robotPrefix}))
      expectStatus(await api.put('/configurations', {robot_name_prefix: 'bot-'}), 200, 'PUT robot_name_prefix bot-')
      const read = await api.get(`/robots/${robot.id}`)
      check(read.json.name === `bot-${name('pfx')}`, `bot-${name('pfx')}`, read.json.name)
      return `${robot.name} shown as ${read.json.name}`
    },
  },
  {
    name: 'auth-mode-lock',
    covers: '§16.14',
    expected: 'auth_mode can change only while no user but admin exists: editable turns false and a change is 400',
    authModes: ['db_auth'],
    async run({api, createUser}) {
      const before = (await api.get('/configurations')).json.auth_mode
      if (before.editable) await createUser('lock')
      const after = (await api.get('/configurations')).json.auth_mode
      check(after.editable === false, 'auth_mode.editable false', after)
      const change = await api.put('/configurations', {auth_mode: 'oidc_auth'})
      expectError(change, 400, 'BAD_REQUEST', 'PUT auth_mode oidc_auth', /auth mode cannot be modified|can not be modified/)
      const same = await api.put('/configurations', {auth_mode: after.value})
      expectStatus(same, 200, 'PUT the same auth_mode')
      return `editable ${before.editable} → ${after.editable}; change → 400`
    },
  },
  {
    name: 'csrf-with-session-cookie',
    covers: '§16.15',
    expected: 'a write that carries a sid cookie but no CSRF token is 403 "CSRF token invalid"; without the cookie it passes',
    async run({api, name}) {
      const response = await api.post(
        '/projects',
        {project_name: name('csrf')},
        {headers: {cookie: 'sid=0123456789abcdef0123456789abcdef'}},
      )
      if (response.status === 201) await api.delete(`/projects/${name('csrf')}`, {headers: {'X-Is-Resource-Name': 'true'}})
      expectError(response, 403, 'FORBIDDEN', 'POST with a sid cookie', 'CSRF token invalid')
      const read = await api.get('/projects', {headers: {cookie: 'sid=0123456789abcdef0123456789abcdef'}, query: {page_size: 1}})
      expectStatus(read, 200, 'GET with a sid cookie')
      return '403 CSRF token invalid; GET unaffected'
    },
  },
  {
    name: 'read-only-mode',
    covers: '§16.16',
    expected: 'with read_only=true every write is 403 DENIED except PUT /configurations, which turns it off again',
    async run({api, name, cleanup}) {
      cleanup(() => api.put('/configurations', {read_only: false}))
      expectStatus(await api.put('/configurations', {read_only: true}), 200, 'PUT read_only true')
      const write = await api.post('/projects', {project_name: name('ro')})
      if (write.status === 201) cleanup(() => api.delete(`/projects/${name('ro')}`, {headers: {'X-Is-Resource-Name': 'true'}}))
      const info = await api.get('/systeminfo')
      const restore = await api.put('/configurations', {read_only: false})
      expectError(
        write,
        403,
        'DENIED',
        'POST /projects in read-only mode',
        'The system is in read only mode. Any modification is prohibited.',
      )
      check(info.json.read_only === true, 'systeminfo read_only true', info.json.read_only)
      expectStatus(restore, 200, 'PUT read_only false')
      return '403 DENIED; PUT /configurations allowed'
    },
  },
]
