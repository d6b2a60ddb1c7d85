/**
 * Robot accounts (NOTES.md §2, checklist §16.7): names and prefix, validation, create ignoring secret
 * and disable, the secret rules, PUT replacement, list filters, permissions as a set, deletion with
 * the project.
 */
import {check, expectError, expectStatus, qParam, type Scenario, type ScenarioContext, show} from '../scenario.js'

const pull = [{resource: 'repository', action: 'pull'}]

function projectRobot(name: string, project: string, access = pull) {
  return {name, level: 'project', duration: -1, permissions: [{kind: 'project', namespace: project, access}]}
}

function systemRobot(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    level: 'system',
    duration: -1,
    permissions: [{kind: 'system', namespace: '/', access: [{resource: 'project', action: 'list'}]}],
    ...extra,
  }
}

async function projectRobotPair(ctx: ScenarioContext) {
  const project = await ctx.createProject('rp')
  const robot = await ctx.createRobot(projectRobot('ci', project.name))
  return {project, robot}
}

export const robotScenarios: Scenario[] = [
  {
    name: 'robot-names',
    covers: '§16.7',
    expected:
      'system robots show as <prefix><name>, project robots as <prefix><project>+<name>; the name must be lower case without + or $',
    async run(ctx) {
      const {api, info, name} = ctx
      const system = await ctx.createRobot(systemRobot(name('sys')))
      check(system.name === `${info.robotPrefix}${name('sys')}`, `name ${info.robotPrefix}${name('sys')}`, system.name)
      const {project, robot} = await projectRobotPair(ctx)
      check(robot.name === `${info.robotPrefix}${project.name}+ci`, `name ${info.robotPrefix}${project.name}+ci`, robot.name)
      for (const bad of ['CI', 'a+b', `robot$${name('x')}`, '']) {
        const response = await api.post('/robots', systemRobot(bad))
        expectError(
          response,
          400,
          'BAD_REQUEST',
          `POST /robots name "${bad}"`,
          'robot name is not in lower case or contains illegal characters',
        )
      }
      return `${system.name}, ${robot.name}; bad names → 400`
    },
  },
  {
    name: 'robot-validation',
    covers: '§2',
    expected: 'duration must be -1 or positive, permissions non-empty and grantable, a project robot has exactly one permission',
    async run({api, createProject, name}) {
      const project = await createProject('rv')
      const cases: [string, Record<string, unknown>, string | RegExp][] = [
        [
          'no duration',
          {...systemRobot(name('a')), duration: undefined},
          /duration must be either -1\(Never\) or a positive integer/,
        ],
        ['duration 0', {...systemRobot(name('a')), duration: 0}, /duration must be either -1\(Never\) or a positive integer/],
        ['bad level', {...systemRobot(name('a')), level: 'global'}, /bad request error level input/],
        ['no permissions', {...systemRobot(name('a')), permissions: []}, /empty permission/],
        [
          'wildcard access',
          systemRobot(name('a'), {permissions: [{kind: 'system', namespace: '/', access: [{resource: '*', action: '*'}]}]}),
          'bad request permission: *:*',
        ],
        [
          'two permissions on a project robot',
          {
            ...projectRobot(name('a'), project.name),
            permissions: [
              {kind: 'project', namespace: project.name, access: pull},
              {kind: 'project', namespace: project.name, access: pull},
            ],
          },
          'bad request permission',
        ],
      ]
      for (const [what, body, message] of cases) {
        const response = await api.post('/robots', body)
        expectError(response, 400, 'BAD_REQUEST', `POST /robots with ${what}`, message)
      }
      return `${cases.length} invalid bodies → 400`
    },
  },
  {
    name: 'robot-create-ignores-secret-and-disable',
    covers: '§2',
    expected: 'POST /robots ignores secret and disable: the robot is enabled and has a generated 32-character secret',
    async run({api, createRobot, name}) {
      const chosen = 'Chosen-Secret-123'
      const robot = await createRobot(systemRobot(name('ign'), {secret: chosen, disable: true}))
      check(robot.secret !== chosen && robot.secret.length === 32, 'a generated 32-character secret', robot.secret.length)
      const read = await api.get(`/robots/${robot.id}`)
      check(read.json.disable === false, 'disable false', read.json.disable)
      const login = await api.as(robot.name, robot.secret).get('/systeminfo')
      check(typeof login.json?.harbor_version === 'string', 'the generated secret logs in', show(login))
      return 'generated secret, enabled'
    },
  },
  {
    name: 'robot-secret-rules',
    covers: '§16.7',
    expected:
      'PATCH {} returns a new secret, a chosen secret must be 8-128 with upper, lower and digit and is not echoed; no GET returns a secret',
    async run({api, createRobot, name}) {
      const robot = await createRobot(systemRobot(name('sec')))
      const refreshed = await api.patch(`/robots/${robot.id}`, {})
      check(
        refreshed.status === 200 && typeof refreshed.json?.secret === 'string' && refreshed.json.secret !== robot.secret,
        'PATCH {} → 200 with a new secret',
        show(refreshed),
      )
      const weak = await api.patch(`/robots/${robot.id}`, {secret: 'weakweak'})
      // The 128 upper bound (and this wording) came with 2.9; earlier versions say "longer than 8 chars".
      expectError(weak, 400, 'BAD_REQUEST', 'PATCH with a weak secret', /the secret must (be 8-128|longer than 8)/)
      const chosen = 'Chosen-Secret-123'
      const set = await api.patch(`/robots/${robot.id}`, {secret: chosen})
      check(
        set.status === 200 && !set.text.includes(chosen) && set.json?.secret === undefined,
        'PATCH with a chosen secret → 200 without it',
        show(set),
      )
      const login = await api.as(robot.name, chosen).get('/systeminfo')
      check(typeof login.json?.harbor_version === 'string', 'the chosen secret logs in', show(login))
      const one = await api.get(`/robots/${robot.id}`)
      const list = await api.get('/robots', {rawQuery: qParam(`name=${name('sec')}`)})
      check(
        one.json.secret === undefined && list.json.every((r: {secret?: string}) => r.secret === undefined),
        'no secret in GET or list',
        `${one.text} ${list.text}`,
      )
      return 'PATCH {} → new secret; weak → 400; chosen → 200, not echoed, logs in; GETs without secret'
    },
  },
  {
    name: 'robot-put-replaces',
    covers: '§16.7',
    expected:
      'PUT /robots/{id} replaces description, disable and permissions; omitted description empties it, omitted disable re-enables; name and level must match',
    async run(ctx) {
      const {api, createProject, createRobot, name} = ctx
      const project = await createProject('put')
      const robot = await createRobot(systemRobot(name('put'), {description: 'first'}))
      const read = (await api.get(`/robots/${robot.id}`)).json
      const disabled = await api.put(`/robots/${robot.id}`, {...read, disable: true, description: 'second'})
      expectStatus(disabled, 200, 'PUT disable + description')
      const newPermissions = [{kind: 'project', namespace: project.name, access: pull}]
      const {description: _d, disable: _x, ...withoutBoth} = (await api.get(`/robots/${robot.id}`)).json
      const replaced = await api.put(`/robots/${robot.id}`, {...withoutBoth, permissions: newPermissions})
      expectStatus(replaced, 200, 'PUT without description and disable')
      const after = (await api.get(`/robots/${robot.id}`)).json
      check((after.description ?? '') === '', 'description emptied', after.description)
      check(after.disable === false, 're-enabled', after.disable)
      check(
        after.permissions.length === 1 &&
          after.permissions[0].namespace === project.name &&
          after.permissions[0].access.length === 1,
        'permissions replaced',
        after.permissions,
      )
      const renamed = await api.put(`/robots/${robot.id}`, {...after, name: `${ctx.info.robotPrefix}${name('other')}`})
      expectError(renamed, 400, 'BAD_REQUEST', 'PUT with another name', 'cannot update the level or name of robot')
      const bare = await api.put(`/robots/${robot.id}`, {...after, name: name('put')})
      expectError(bare, 400, 'BAD_REQUEST', 'PUT with the name without prefix', 'cannot update the level or name of robot')
      return 'description emptied, re-enabled, permissions replaced; name must be the full displayed name'
    },
  },
  {
    name: 'robot-put-keeps-project',
    covers: '§2',
    expected:
      'PUT cannot move a project robot to another project (400); duration changes recompute expires_at from creation_time',
    harborVersion: '>=2.6',
    async run(ctx) {
      const {api} = ctx
      const {project, robot} = await projectRobotPair(ctx)
      const other = await ctx.createProject('other')
      const read = (await api.get(`/robots/${robot.id}`)).json
      const moved = await api.put(`/robots/${robot.id}`, {
        ...read,
        permissions: [{kind: 'project', namespace: other.name, access: pull}],
      })
      expectError(moved, 400, 'BAD_REQUEST', 'PUT moving the robot', 'cannot update the project id of robot')
      const longer = await api.put(`/robots/${robot.id}`, {
        ...read,
        duration: 10,
        permissions: [{kind: 'project', namespace: project.name, access: pull}],
      })
      expectStatus(longer, 200, 'PUT duration 10')
      const after = (await api.get(`/robots/${robot.id}`)).json
      const expected = Math.floor(new Date(after.creation_time).getTime() / 1000) + 10 * 86400
      check(Math.abs(after.expires_at - expected) <= 2, `expires_at ≈ creation_time + 10 days (${expected})`, after.expires_at)
      return `move → 400; expires_at ${after.expires_at}`
    },
  },
  {
    name: 'robot-list-filters',
    covers: '§16.7',
    expected:
      'GET /robots lists system robots; Level=project needs ProjectID (400); Level=project,ProjectID=<id> lists that project; lower-case level is not recognised',
    async run(ctx) {
      const {api, name} = ctx
      const {project, robot} = await projectRobotPair(ctx)
      const system = await ctx.createRobot(systemRobot(name('lst')))
      const ids = (response: {json: {id: number}[]}) => response.json.map((r) => r.id)
      const plain = await api.get('/robots', {query: {page_size: 100}, rawQuery: qParam(`name=~${ctx.target.prefix}`)})
      expectStatus(plain, 200, 'GET /robots')
      check(ids(plain).includes(system.id) && !ids(plain).includes(robot.id), 'system robots only', ids(plain))
      const noId = await api.get('/robots', {rawQuery: qParam('Level=project')})
      expectError(
        noId,
        400,
        'BAD_REQUEST',
        'Level=project without ProjectID',
        'must with project ID when to query project robots',
      )
      const scoped = await api.get('/robots', {rawQuery: qParam(`Level=project,ProjectID=${project.id}`)})
      check(scoped.status === 200 && ids(scoped).length === 1 && ids(scoped)[0] === robot.id, 'the project robot', show(scoped))
      const lower = await api.get('/robots', {query: {page_size: 100}, rawQuery: qParam(`level=project,ProjectID=${project.id}`)})
      check(lower.status === 200 && !ids(lower).includes(robot.id), 'lower-case level lists system robots', show(lower))
      const badLevel = await api.get('/robots', {rawQuery: qParam('Level=global')})
      expectError(badLevel, 400, 'BAD_REQUEST', 'Level=global', 'bad request error level input')
      return `system list has ${system.id}, project list [${ids(scoped)}], Level=project alone → 400`
    },
  },
  {
    name: 'robot-list-level-system',
    covers: '§2',
    expected:
      'GET /robots?q=Level=system lists project robots as well (ListRobot pins ProjectID=0 only without Level); hrep reads every robot with it and falls back to one list per project when it does not',
    async run(ctx) {
      const {api, name} = ctx
      const {robot} = await projectRobotPair(ctx)
      const system = await ctx.createRobot(systemRobot(name('lvl')))
      const listed = await api.get('/robots', {
        query: {page_size: 100},
        rawQuery: qParam(`Level=system,name=~${ctx.target.prefix}`),
      })
      expectStatus(listed, 200, 'GET /robots?q=Level=system')
      const ids = (listed.json as {id: number}[]).map((r) => r.id)
      check(ids.includes(system.id) && ids.includes(robot.id), 'the system robot and the project robot', ids)
      return `Level=system lists [${ids}] (system ${system.id}, project ${robot.id})`
    },
  },
  {
    name: 'robot-permissions-set',
    covers: '§2',
    expected: 'permissions come back with project names as namespaces and the same set of accesses (order is not defined)',
    async run(ctx) {
      const {api, createProject, createRobot, name} = ctx
      const a = await createProject('pa')
      const b = await createProject('pb')
      const permissions = [
        {kind: 'system', namespace: '/', access: [{resource: 'project', action: 'list'}]},
        {
          kind: 'project',
          namespace: a.name,
          access: [
            {resource: 'repository', action: 'pull'},
            {resource: 'repository', action: 'push'},
          ],
        },
        {kind: 'project', namespace: b.name, access: [{resource: 'artifact', action: 'read'}]},
        {kind: 'project', namespace: '*', access: [{resource: 'repository', action: 'pull'}]},
      ]
      const robot = await createRobot({name: name('set'), level: 'system', duration: -1, permissions})
      const read = (await api.get(`/robots/${robot.id}`)).json
      const flatten = (list: {kind: string; namespace: string; access: {resource: string; action: string}[]}[]) =>
        list
          .flatMap((p) => p.access.map((x) => `${p.kind}|${p.namespace}|${x.resource}:${x.action}`))
          .sort()
          .join(' ')
      check(flatten(read.permissions) === flatten(permissions), flatten(permissions), flatten(read.permissions))
      return `${read.permissions.length} permissions, equal as a set`
    },
  },
  {
    name: 'robots-go-with-their-project',
    covers: '§2, §5',
    expected: 'deleting a project deletes its project robots',
    async run(ctx) {
      const {api} = ctx
      const {project, robot} = await projectRobotPair(ctx)
      expectStatus(await api.delete(`/projects/${project.id}`), 200, 'DELETE project')
      const gone = await api.get(`/robots/${robot.id}`)
      expectError(gone, 404, 'NOT_FOUND', 'GET robot of the deleted project')
      return 'robot 404 after the project was deleted'
    },
  },
]
