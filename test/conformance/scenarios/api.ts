/**
 * Cross-cutting API behaviour (NOTES.md §1, checklist §16.2–16.6): error envelope and 5xx masking,
 * X-Request-Id, paging headers, the `q` language with its double decoding, `sort`, Location on 201,
 * name-or-id paths, and go-swagger's 400/404/405/415/422 answers.
 */
import {check, expectError, expectStatus, idFromLocation, qParam, type Scenario, show} from '../scenario.js'

const NAME_HEADER = {'X-Is-Resource-Name': 'true'}

export const apiScenarios: Scenario[] = [
  {
    name: 'error-envelope',
    covers: '§16.2',
    expected: 'a missing project is 404 {"errors":[{"code":"NOT_FOUND",…}]} as application/json',
    async run({api, name}) {
      const response = await api.get(`/projects/${name('missing')}`, {headers: NAME_HEADER})
      expectError(response, 404, 'NOT_FOUND', 'GET missing project')
      check(
        (response.headers['content-type'] ?? '').startsWith('application/json'),
        'JSON content type',
        response.headers['content-type'],
      )
      check(Array.isArray(response.json.errors) && response.json.errors.length === 1, 'one error in the envelope', response.text)
      return `404 ${response.json.errors[0].code}: ${response.json.errors[0].message}`
    },
  },
  {
    name: 'server-errors-are-masked',
    covers: '§16.2, §3',
    expected: 'a DB error (group name taken by another type) is 500 {"code":"UNKNOWN","message":"internal server error"}',
    async run({api, createGroup}) {
      const group = await createGroup('masked', 3)
      const response = await api.post('/usergroups', {group_name: group.name, group_type: 2})
      if (response.status === 201) await api.delete(`/usergroups/${idFromLocation(response)}`)
      expectError(response, 500, 'UNKNOWN', 'POST HTTP group with an OIDC group name', 'internal server error')
      return show(response)
    },
  },
  {
    name: 'request-id',
    covers: '§16.3',
    expected: 'X-Request-Id is echoed when sent and generated when not, on successes and errors',
    async run({api, name}) {
      const given = `${name('rid')}-1234`
      const echoed = await api.get('/systeminfo', {headers: {'X-Request-Id': given}})
      check(echoed.headers['x-request-id'] === given, `X-Request-Id ${given}`, echoed.headers['x-request-id'])
      const generated = await api.get(`/projects/${name('missing')}`, {headers: NAME_HEADER})
      check((generated.headers['x-request-id'] ?? '').length > 0, 'a generated X-Request-Id on a 404', generated.headers)
      const ping = await api.get('/ping')
      check((ping.headers['x-request-id'] ?? '').length > 0, 'a generated X-Request-Id on /ping', ping.headers)
      return `echoed ${given}, generated ${generated.headers['x-request-id']}`
    },
  },
  {
    name: 'pagination',
    covers: '§16.4',
    expected: 'lists default to 10 items, X-Total-Count counts all, Link is relative; page_size over 100 is 422',
    async run({api, createProject, name}) {
      for (let i = 0; i < 11; i++) await createProject(`pg-${String(i).padStart(2, '0')}`)
      const filter = name('pg')
      const first = await api.get('/projects', {query: {name: filter}})
      expectStatus(first, 200, 'GET /projects')
      check(first.json.length === 10, '10 items by default', first.json.length)
      check(first.headers['x-total-count'] === '11', 'X-Total-Count 11', first.headers['x-total-count'])
      const link = first.headers.link ?? ''
      check(/^<\/api\/v2\.0\/projects\?[^>]*page=2[^>]*>; rel="next"$/.test(link), 'a relative rel="next" link to page 2', link)
      const second = await api.get('/projects', {query: {name: filter, page: 2}})
      check(second.json.length === 1, '1 item on page 2', second.json.length)
      check(
        (second.headers.link ?? '').includes('rel="prev"') && !(second.headers.link ?? '').includes('rel="next"'),
        'only rel="prev" on the last page',
        second.headers.link,
      )
      const big = await api.get('/projects', {query: {page_size: 101}, headers: {'X-Hrep-Expect-Invalid': '1'}})
      expectError(big, 422, 'UNPROCESSABLE_ENTITY', 'page_size=101', /page_size in query should be less than or equal to 100/)
      return `10 of 11, Link ${link}; page_size=101 → 422`
    },
  },
  {
    name: 'q-double-decoding',
    covers: '§16.5',
    expected:
      'q is unescaped twice: a once-encoded "+" becomes a space, a twice-encoded one stays a plus; unknown keys are ignored',
    async run({api, createProject, createRobot}) {
      const project = await createProject('q')
      await createRobot({
        name: 'bot',
        level: 'project',
        duration: -1,
        permissions: [{kind: 'project', namespace: project.name, access: [{resource: 'repository', action: 'pull'}]}],
      })
      const raw = `Level=project,ProjectID=${project.id},name=${project.name}+bot`
      const once = await api.get('/robots', {rawQuery: `q=${encodeURIComponent(raw)}`})
      const twice = await api.get('/robots', {rawQuery: qParam(raw)})
      expectStatus(twice, 200, 'GET /robots with q')
      check(once.status === 200 && once.json.length === 0, 'no robot when "+" is encoded once', show(once))
      check(twice.json.length === 1, 'the robot when "+" is encoded twice', show(twice))
      const unknown = await api.get('/robots', {rawQuery: qParam(`Level=project,ProjectID=${project.id},nosuchkey=1`)})
      check(unknown.json?.length === 1, 'unknown keys ignored', show(unknown))
      const fuzzy = await api.get('/robots', {rawQuery: qParam(`Level=project,ProjectID=${project.id},name=~BOT`)})
      check(fuzzy.json?.length === 1, 'fuzzy ~ match, case-insensitive', show(fuzzy))
      const broken = await api.get('/robots', {rawQuery: qParam('Level')})
      expectError(broken, 400, 'BAD_REQUEST', 'q without "="')
      return 'once-encoded: 0, twice-encoded: 1, unknown key ignored, ~ fuzzy, missing "=" → 400'
    },
  },
  {
    name: 'sort-and-ranges',
    covers: '§1.6',
    expected: 'sort=-name reverses the default name order, unknown sort keys are dropped, ranges filter',
    async run({api, createProject, name}) {
      const a = await createProject('s-a')
      const b = await createProject('s-b')
      const filter = name('s-')
      const ascending = await api.get('/projects', {query: {name: filter}})
      const descending = await api.get('/projects', {query: {name: filter, sort: '-name'}})
      const unknown = await api.get('/projects', {query: {name: filter, sort: 'nosuchkey'}})
      const names = (response: typeof ascending) => (response.json ?? []).map((p: {name: string}) => p.name).join(',')
      check(names(ascending) === `${a.name},${b.name}`, 'name order by default', names(ascending))
      check(names(descending) === `${b.name},${a.name}`, 'reverse order with sort=-name', names(descending))
      check(unknown.status === 200 && names(unknown) === names(ascending), 'unknown sort key ignored', show(unknown))
      const range = await api.get('/projects', {query: {name: filter}, rawQuery: qParam(`project_id=[${b.id}~${b.id}]`)})
      check(names(range) === b.name, 'the range project_id=[id~id] keeps one project', names(range))
      return `asc ${names(ascending)}; desc ${names(descending)}; range ${names(range)}`
    },
  },
  {
    name: 'create-location',
    covers: '§16.6',
    expected: 'creates answer 201 with an empty body and Location; POST /robots also returns a body',
    async run({api, name, cleanup}) {
      const projectName = name('loc')
      const project = await api.post('/projects', {project_name: projectName})
      expectStatus(project, 201, 'POST /projects')
      const id = idFromLocation(project)
      cleanup(() => api.delete(`/projects/${id}`))
      check(
        project.headers.location === `/api/v2.0/projects/${id}` && project.text === '',
        'Location /api/v2.0/projects/<id>, no body',
        `${project.headers.location} ${project.text}`,
      )
      const byName = await api.post('/projects', {project_name: name('loc2')}, {headers: {'X-Resource-Name-In-Location': 'true'}})
      expectStatus(byName, 201, 'POST /projects with X-Resource-Name-In-Location')
      cleanup(() => api.delete(`/projects/${name('loc2')}`, {headers: NAME_HEADER}))
      check(byName.headers.location === `/api/v2.0/projects/${name('loc2')}`, 'Location with the name', byName.headers.location)
      const group = await api.post('/usergroups', {group_name: name('locg'), group_type: 3})
      const groupId = idFromLocation(group)
      cleanup(() => api.delete(`/usergroups/${groupId}`))
      check(
        group.status === 201 && group.headers.location === `/api/v2.0/usergroups/${groupId}` && group.text === '',
        'usergroup 201 + Location',
        show(group),
      )
      const member = await api.post(
        `/projects/${projectName}/members`,
        {role_id: 3, member_group: {id: groupId}},
        {headers: NAME_HEADER},
      )
      check(
        member.status === 201 &&
          (member.headers.location ?? '').startsWith(`/api/v2.0/projects/${projectName}/members/`) &&
          member.text === '',
        'member 201 + Location under the project as given',
        `${show(member)} ${member.headers.location}`,
      )
      const robot = await api.post('/robots', {
        name: name('locr'),
        level: 'system',
        duration: -1,
        permissions: [{kind: 'project', namespace: projectName, access: [{resource: 'repository', action: 'pull'}]}],
      })
      expectStatus(robot, 201, 'POST /robots')
      cleanup(() => api.delete(`/robots/${robot.json.id}`))
      check(
        robot.headers.location === `/api/v2.0/robots/${robot.json.id}` && typeof robot.json.secret === 'string',
        'robot 201 + Location + body with secret',
        show(robot),
      )
      return `projects ${project.headers.location}, ${byName.headers.location}; group ${group.headers.location}; member ${member.headers.location}; robot ${robot.headers.location}`
    },
  },
  {
    name: 'name-or-id-paths',
    covers: '§1.7',
    expected: 'a numeric path segment is an id unless X-Is-Resource-Name: true makes it a name',
    async run({api, createProject}) {
      const project = await createProject('nid')
      const byId = await api.get(`/projects/${project.id}`)
      check(byId.status === 200 && byId.json.name === project.name, 'GET by id', show(byId))
      const byName = await api.get(`/projects/${project.name}`, {headers: NAME_HEADER})
      check(byName.status === 200 && byName.json.project_id === project.id, 'GET by name', show(byName))
      const idAsName = await api.get(`/projects/${project.id}`, {headers: NAME_HEADER})
      expectError(idAsName, 404, 'NOT_FOUND', 'GET /projects/<id> with X-Is-Resource-Name: true')
      return 'id → project, name + header → project, id + header → 404'
    },
  },
  {
    name: 'swagger-validation-errors',
    covers: '§1.3',
    expected: 'non-JSON Content-Type → 415, malformed JSON or wrong types → 400, constraint or parameter type failures → 422',
    async run({api, name}) {
      const bad = {'X-Hrep-Expect-Invalid': '1'}
      const media = await api.call('POST', '/projects', {
        rawBody: `{"project_name":"${name('x')}"}`,
        contentType: 'text/plain',
        headers: bad,
      })
      expectError(media, 415, 'UNSUPPORTED_MEDIA_TYPE', 'POST /projects as text/plain')
      const malformed = await api.call('POST', '/projects', {
        rawBody: '{"project_name":',
        contentType: 'application/json',
        headers: bad,
      })
      expectError(malformed, 400, 'BAD_REQUEST', 'POST /projects with malformed JSON')
      const wrongType = await api.post('/projects', {project_name: 42}, {headers: bad})
      expectError(wrongType, 400, 'BAD_REQUEST', 'POST /projects with a number as name')
      const tooLong = await api.post('/projects', {project_name: 'a'.repeat(256)}, {headers: bad})
      expectError(tooLong, 422, 'UNPROCESSABLE_ENTITY', 'POST /projects with a 256-character name', /^validation failure list:\n/)
      const badId = await api.get('/robots/abc', {headers: bad})
      expectError(badId, 422, 'UNPROCESSABLE_ENTITY', 'GET /robots/abc', /robot_id in path must be of type int64/)
      return '415, 400, 400, 422, 422'
    },
  },
  {
    name: 'unknown-path-and-method',
    covers: '§1.3',
    expected: 'an unknown path is 404 NOT_FOUND, a known path with the wrong method 405 METHOD_NOT_ALLOWED',
    async run({api}) {
      const bad = {'X-Hrep-Expect-Invalid': '1'}
      const missing = await api.get('/no-such-resource', {headers: bad})
      expectError(missing, 404, 'NOT_FOUND', 'GET /no-such-resource')
      const method = await api.call('PATCH', '/projects', {headers: bad})
      expectError(method, 405, 'METHOD_NOT_ALLOWED', 'PATCH /projects')
      return '404, 405'
    },
  },
]
