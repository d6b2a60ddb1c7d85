/**
 * Authentication and permissions (NOTES.md §1.1, checklist §16.1): bad credentials fall back to
 * anonymous, the login lock, robot logins, `/users/current`, and the 401/403 bodies.
 */
import {check, expectError, expectStatus, type Scenario, show} from '../scenario.js'

export const authScenarios: Scenario[] = [
  {
    name: 'bad-credentials-are-anonymous',
    covers: '§16.1',
    expected: 'wrong credentials are not rejected: public projects are still listed, login-only endpoints answer 401',
    async run({api, createProject, name}) {
      const open = await createProject('pub', {metadata: {public: 'true'}})
      const closed = await createProject('priv')
      const wrong = api.as(name('nobody'), 'Wrong-Passw0rd')
      const list = await wrong.get('/projects', {query: {name: name('p'), page_size: 100}})
      expectStatus(list, 200, 'GET /projects with wrong credentials')
      const names = (list.json as {name: string}[]).map((p) => p.name)
      check(names.includes(open.name) && !names.includes(closed.name), 'the public project only', names)
      const anonymous = api.as()
      const current = await anonymous.get('/users/current')
      expectError(current, 401, 'UNAUTHORIZED', 'anonymous GET /users/current', 'unauthorized')
      const info = await anonymous.get('/systeminfo')
      check(
        info.status === 200 && info.json.harbor_version === undefined && typeof info.json.auth_mode === 'string',
        'systeminfo without harbor_version',
        show(info),
      )
      const publicProject = await anonymous.get(`/projects/${open.id}`)
      expectStatus(publicProject, 200, 'anonymous GET of a public project')
      const privateProject = await anonymous.get(`/projects/${closed.id}`)
      expectError(privateProject, 401, 'UNAUTHORIZED', 'anonymous GET of a private project')
      return `wrong credentials list ${names.length} project(s), public only; /users/current 401; systeminfo reduced`
    },
  },
  {
    name: 'login-lock',
    covers: '§1.1',
    expected: 'after a failed password check the user is locked for 1.5 s: the right password meanwhile is anonymous (401)',
    authModes: ['db_auth'],
    async run({api, createUser}) {
      const user = await createUser('locked')
      const failing = api.as(user.username, 'Wrong-Passw0rd').get('/users/current')
      await new Promise((resolve) => setTimeout(resolve, 300))
      const during = await api.as(user.username, user.password).get('/users/current')
      const failed = await failing
      expectStatus(failed, 401, 'wrong password')
      expectStatus(during, 401, 'right password during the lock')
      await new Promise((resolve) => setTimeout(resolve, 1600))
      const after = await api.as(user.username, user.password).get('/users/current')
      check(after.status === 200 && after.json.username === user.username, 'the right password after the lock → 200', show(after))
      return 'wrong → 401, right during lock → 401, right after → 200'
    },
  },
  {
    name: 'robot-login',
    covers: '§1.1, §2',
    expected: 'a robot logs in with prefix+name and its secret; /users/current is 412 for it; a disabled robot is anonymous',
    async run({api, createRobot, name, info}) {
      const robot = await createRobot({
        name: name('login'),
        level: 'system',
        duration: -1,
        permissions: [{kind: 'system', namespace: '/', access: [{resource: 'project', action: 'list'}]}],
      })
      check(robot.name === `${info.robotPrefix}${name('login')}`, 'the displayed name carries the prefix', robot.name)
      const asRobot = api.as(robot.name, robot.secret)
      const current = await asRobot.get('/users/current')
      expectError(current, 412, 'PRECONDITION', 'GET /users/current as a robot')
      const system = await asRobot.get('/systeminfo')
      check(typeof system.json?.harbor_version === 'string', 'authenticated systeminfo for the robot', show(system))
      const full = await api.get(`/robots/${robot.id}`)
      const disable = await api.put(`/robots/${robot.id}`, {...full.json, disable: true})
      expectStatus(disable, 200, 'PUT disable')
      const disabled = await asRobot.get('/systeminfo')
      check(
        disabled.status === 200 && disabled.json.harbor_version === undefined,
        'a disabled robot is anonymous',
        show(disabled),
      )
      return '412 on /users/current, harbor_version visible, anonymous once disabled'
    },
  },
  {
    name: 'forbidden-bodies',
    covers: '§1.1',
    expected: 'system-only endpoints answer 403 with the caller name as message; project checks answer 403 "forbidden"',
    authModes: ['db_auth'],
    async run({api, createUser, createProject}) {
      const user = await createUser('plain')
      const project = await createProject('forb')
      const asUser = api.as(user.username, user.password)
      const config = await asUser.get('/configurations')
      expectError(config, 403, 'FORBIDDEN', 'GET /configurations as a plain user', user.username)
      const other = await asUser.get(`/projects/${project.id}`)
      expectError(other, 403, 'FORBIDDEN', 'GET of a private project without membership', 'forbidden')
      return `403 "${user.username}", 403 "forbidden"`
    },
  },
]
