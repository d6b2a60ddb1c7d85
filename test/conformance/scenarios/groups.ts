/**
 * User groups and project members (NOTES.md §3–4, checklist §16.10): conflicts, GET without id,
 * deletes that cascade and never 404, member creation rules, PUT without role validation.
 */
import {check, expectError, expectStatus, idFromLocation, type Scenario, show} from '../scenario.js'

export const groupScenarios: Scenario[] = [
  {
    name: 'usergroup-conflicts',
    covers: '§16.10',
    expected: 'same name and type → 409; a name held by an HTTP group → 409 "duplicated user group name"',
    async run({api, createGroup}) {
      const oidc = await createGroup('dup', 3)
      const again = await api.post('/usergroups', {group_name: oidc.name, group_type: 3})
      expectError(again, 409, 'CONFLICT', 'the same OIDC group again')
      const http = await createGroup('http', 2)
      const clash = await api.post('/usergroups', {group_name: http.name, group_type: 3})
      if (clash.status === 201) await api.delete(`/usergroups/${idFromLocation(clash)}`)
      expectError(clash, 409, 'CONFLICT', 'an OIDC group named like an HTTP group', 'duplicated user group name')
      return `${show(again)}; ${show(clash)}`
    },
  },
  {
    name: 'usergroup-get-without-id',
    covers: '§16.10',
    expected: 'GET /usergroups/{id} has no "id"; a missing id is 404, id 0 is 400',
    async run({api, createGroup}) {
      const group = await createGroup('noid', 3)
      const read = await api.get(`/usergroups/${group.id}`)
      check(
        read.status === 200 && read.json.id === undefined && read.json.group_name === group.name && read.json.group_type === 3,
        'name and type, no id',
        show(read),
      )
      const list = await api.get('/usergroups', {query: {group_name: group.name}})
      check(
        list.json.some((g: {id: number}) => g.id === group.id),
        'the list has ids',
        show(list),
      )
      expectError(await api.get('/usergroups/999999999'), 404, 'NOT_FOUND', 'GET a missing group')
      expectError(await api.get('/usergroups/0'), 400, 'BAD_REQUEST', 'GET group 0')
      return show(read)
    },
  },
  {
    name: 'usergroup-create-needs-name',
    covers: '§3',
    expected: 'POST /usergroups without group_name is 400 with an empty body',
    async run({api}) {
      const response = await api.post('/usergroups', {group_type: 3})
      check(response.status === 400 && response.text === '', '400 with no body', show(response))
      return '400, empty body'
    },
  },
  {
    name: 'usergroup-delete-cascades',
    covers: '§16.10',
    expected: 'deleting a group removes its project memberships; deleting a missing group is 200',
    async run({api, createGroup, createProject}) {
      const project = await createProject('gdel')
      const group = await createGroup('gdel', 3)
      expectStatus(
        await api.post(`/projects/${project.id}/members`, {role_id: 2, member_group: {id: group.id}}),
        201,
        'add member',
      )
      expectStatus(await api.delete(`/usergroups/${group.id}`), 200, 'DELETE group')
      const members = await api.get(`/projects/${project.id}/members`, {query: {entityname: group.name}})
      check(members.json.length === 0, 'no membership left', members.json)
      expectStatus(await api.delete(`/usergroups/${group.id}`), 200, 'DELETE the group again')
      return 'membership gone, second DELETE 200'
    },
  },
  {
    name: 'usergroup-search-ignores-page',
    covers: '§1.5',
    expected: '/usergroups/search ignores page: every page returns the first rows, X-Total-Count counts all matches',
    async run({api, createGroup, name}) {
      for (const suffix of ['s1', 's2', 's3']) await createGroup(suffix, 3)
      const first = await api.get('/usergroups/search', {query: {groupname: name('s'), page: 1, page_size: 2}})
      const second = await api.get('/usergroups/search', {query: {groupname: name('s'), page: 2, page_size: 2}})
      const ids = (response: typeof first) => response.json.map((g: {id: number}) => g.id).join(',')
      check(
        first.json.length === 2 && ids(first) === ids(second),
        'the same two rows on page 1 and 2',
        `${ids(first)} / ${ids(second)}`,
      )
      check(first.headers['x-total-count'] === '3', 'X-Total-Count 3', first.headers['x-total-count'])
      return `page 1: ${ids(first)}, page 2: ${ids(second)}, total ${first.headers['x-total-count']}`
    },
  },
  {
    name: 'member-duplicate-before-role',
    covers: '§4',
    expected: 'adding an existing member is 409 even with an invalid role; a new member with role outside 1-5 is 400',
    async run({api, createGroup, createProject}) {
      const project = await createProject('mdup')
      const group = await createGroup('mdup', 3)
      const path = `/projects/${project.id}/members`
      expectStatus(await api.post(path, {role_id: 3, member_group: {id: group.id}}), 201, 'add member')
      const duplicate = await api.post(path, {role_id: 9, member_group: {id: group.id}})
      expectError(duplicate, 409, 'CONFLICT', 'add it again with role 9', 'The project member specified already exist')
      const other = await createGroup('mdup2', 3)
      const badRole = await api.post(path, {role_id: 9, member_group: {id: other.id}})
      expectError(badRole, 400, 'BAD_REQUEST', 'a new member with role 9')
      const nothing = await api.post(path, {role_id: 2})
      expectError(
        nothing,
        400,
        'BAD_REQUEST',
        'neither user nor group',
        'at least one of member_user or member_group must be provided',
      )
      return '409 before the role check; role 9 → 400; empty → 400'
    },
  },
  {
    name: 'member-put-without-validation',
    covers: '§4',
    expected:
      'PUT …/members/{mid} stores any role without checks (the member then vanishes from lists); DELETE of a missing member is 200',
    async run({api, createGroup, createProject}) {
      const project = await createProject('mput')
      const group = await createGroup('mput', 3)
      const path = `/projects/${project.id}/members`
      const created = await api.post(path, {role_id: 2, member_group: {id: group.id}})
      const mid = idFromLocation(created)
      expectStatus(await api.put(`${path}/${mid}`, {role_id: 4}), 200, 'PUT role 4')
      const read = await api.get(`${path}/${mid}`)
      check(read.json.role_id === 4 && read.json.role_name === 'maintainer', 'role 4 maintainer', show(read))
      expectStatus(await api.put(`${path}/${mid}`, {role_id: 42}), 200, 'PUT role 42')
      const list = await api.get(path, {query: {entityname: group.name}})
      check(list.json.length === 0, 'the member no longer listed', list.json)
      expectStatus(await api.delete(`${path}/${mid}`), 200, 'DELETE the member')
      expectStatus(await api.delete(`${path}/${mid}`), 200, 'DELETE it again')
      return 'role 4 stored; role 42 accepted and hidden; DELETE twice 200'
    },
  },
  {
    name: 'member-entityname-exact',
    covers: '§4',
    expected: 'entityname filters members by exact name; members list by entity name',
    async run({api, createGroup, createProject}) {
      const project = await createProject('ment')
      const short = await createGroup('ab', 3)
      const long = await createGroup('abc', 3)
      const path = `/projects/${project.id}/members`
      for (const group of [long, short])
        expectStatus(await api.post(path, {role_id: 3, member_group: {id: group.id}}), 201, 'add member')
      const exact = await api.get(path, {query: {entityname: short.name}})
      check(exact.json.length === 1 && exact.json[0].entity_name === short.name, 'one member', exact.json)
      const all = await api.get(path)
      const names = all.json.map((m: {entity_name: string}) => m.entity_name)
      check(JSON.stringify(names) === JSON.stringify([...names].sort()), 'sorted by entity_name', names)
      return `entityname=${short.name} → 1; order ${names.join(',')}`
    },
  },
  {
    name: 'member-by-group-name-db-mode',
    covers: '§4',
    expected: 'in db_auth mode a member by group_name without group_type is 404; with the type it resolves the group',
    authModes: ['db_auth'],
    async run({api, createGroup, createProject}) {
      const project = await createProject('mgn')
      const group = await createGroup('mgn', 3)
      const path = `/projects/${project.id}/members`
      const untyped = await api.post(path, {role_id: 2, member_group: {group_name: group.name}})
      expectError(untyped, 404, 'NOT_FOUND', 'group_name without group_type')
      const typed = await api.post(path, {role_id: 2, member_group: {group_name: group.name, group_type: 3}})
      expectStatus(typed, 201, 'group_name with group_type 3')
      return 'untyped → 404, typed → 201'
    },
  },
  {
    name: 'member-by-group-name-oidc-mode',
    covers: '§4',
    expected: 'in oidc_auth mode a member by group_name without group_type onboards an OIDC group (type 3)',
    authModes: ['oidc_auth'],
    async run({api, createProject, name, cleanup}) {
      const project = await createProject('mgo')
      const groupName = name('onboarded')
      const created = await api.post(`/projects/${project.id}/members`, {role_id: 2, member_group: {group_name: groupName}})
      expectStatus(created, 201, 'group_name without group_type')
      const groups = await api.get('/usergroups', {query: {group_name: groupName}})
      const group = groups.json.find((g: {group_name: string}) => g.group_name === groupName)
      if (group) cleanup(() => api.delete(`/usergroups/${group.id}`))
      check(group?.group_type === 3, 'an OIDC group was created', groups.json)
      return `group ${group.id} type 3 onboarded`
    },
  },
  {
    name: 'member-by-username',
    covers: '§4',
    expected: 'a member by username resolves a known user; an unknown username is 404',
    authModes: ['db_auth'],
    async run({api, createProject, createUser, name}) {
      const project = await createProject('mun')
      const user = await createUser('mun')
      const path = `/projects/${project.id}/members`
      expectStatus(await api.post(path, {role_id: 3, member_user: {username: user.username}}), 201, 'by username')
      const unknown = await api.post(path, {role_id: 3, member_user: {username: name('ghost')}})
      expectError(unknown, 404, 'NOT_FOUND', 'an unknown username')
      const asUser = await api.as(user.username, user.password).get(`/projects/${project.id}`)
      check(
        asUser.status === 200 && asUser.json.current_user_role_id === 3,
        'the member reads the project as guest',
        show(asUser),
      )
      return 'by username 201; unknown 404; member sees role 3'
    },
  },
]
