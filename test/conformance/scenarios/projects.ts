/**
 * Projects and quotas (NOTES.md §5–6, checklist §16.8): creator membership, string metadata merged by
 * PUT, the retention_id guard, the allowlist ignored on create, HEAD by name, storage limits.
 */
import {check, expectError, expectStatus, type Scenario, show} from '../scenario.js'

const NAME_HEADER = {'X-Is-Resource-Name': 'true'}

export const projectScenarios: Scenario[] = [
  {
    name: 'project-creator-is-member',
    covers: '§16.8',
    expected: 'the creator becomes a projectAdmin member (role 1) of a new project',
    async run({api, createProject, target}) {
      const project = await createProject('own')
      const members = await api.get(`/projects/${project.id}/members`)
      expectStatus(members, 200, 'GET members')
      const creator = members.json.find((m: {entity_name: string}) => m.entity_name === target.username)
      check(
        creator?.role_id === 1 && creator.role_name === 'projectAdmin' && creator.entity_type === 'u',
        `${target.username} as projectAdmin`,
        members.json,
      )
      const read = await api.get(`/projects/${project.id}`)
      check(
        read.json.owner_name === target.username && read.json.current_user_role_id === 1,
        'owner and current role',
        show(read),
      )
      return `${target.username} is member ${creator.id} with role 1`
    },
  },
  {
    name: 'project-metadata-merge',
    covers: '§16.8',
    expected:
      'metadata values are strings, only stored keys come back, and PUT merges keys (ignoring project_name and storage_limit)',
    async run({api, createProject, name}) {
      const project = await createProject('meta', {metadata: {auto_scan: 'true'}})
      const first = (await api.get(`/projects/${project.id}`)).json
      check(
        first.metadata.auto_scan === 'true' && first.metadata.public === 'false' && first.metadata.severity === undefined,
        'auto_scan "true", public "false", no severity',
        first.metadata,
      )
      const put = await api.put(`/projects/${project.id}`, {
        project_name: name('renamed'),
        storage_limit: 1,
        metadata: {prevent_vul: 'true'},
      })
      expectStatus(put, 200, 'PUT metadata.prevent_vul')
      const after = (await api.get(`/projects/${project.id}`)).json
      check(after.metadata.auto_scan === 'true' && after.metadata.prevent_vul === 'true', 'both keys kept', after.metadata)
      check(after.name === project.name, 'the name unchanged', after.name)
      const removed = await api.delete(`/projects/${project.id}/metadatas/prevent_vul`)
      expectStatus(removed, 200, 'DELETE metadatas/prevent_vul')
      const last = (await api.get(`/projects/${project.id}`)).json
      check(
        last.metadata.prevent_vul === undefined && last.metadata.auto_scan === 'true',
        'the key removed by DELETE only',
        last.metadata,
      )
      return JSON.stringify(after.metadata)
    },
  },
  {
    name: 'project-public-must-be-boolean-text',
    covers: '§5',
    expected:
      'metadata.public other than "true"/"false" is 400 on create; the deprecated public bool is used when metadata.public is empty',
    async run({api, createProject, name}) {
      const bad = await api.post('/projects', {project_name: name('pubx'), metadata: {public: 'yes'}})
      expectError(bad, 400, 'BAD_REQUEST', 'metadata.public "yes"')
      const project = await createProject('pubb', {public: true})
      const read = (await api.get(`/projects/${project.id}`)).json
      check(read.metadata.public === 'true', 'public "true" from the bool', read.metadata)
      return '"yes" → 400; public: true → "true"'
    },
  },
  {
    name: 'project-retention-guard',
    covers: '§16.8',
    expected: 'retention_id must be empty on create and equal to the stored value on PUT (400 otherwise)',
    async run({api, createProject, name}) {
      const create = await api.post('/projects', {project_name: name('ret'), metadata: {retention_id: '99'}})
      if (create.status === 201) await api.delete(`/projects/${name('ret')}`, {headers: NAME_HEADER})
      expectError(create, 400, 'BAD_REQUEST', 'create with retention_id')
      const project = await createProject('ret2')
      const put = await api.put(`/projects/${project.id}`, {metadata: {retention_id: '99'}})
      expectError(put, 400, 'BAD_REQUEST', 'PUT with another retention_id')
      return 'create → 400, PUT → 400'
    },
  },
  {
    name: 'project-allowlist-ignored-on-create',
    covers: '§16.8',
    expected: 'cve_allowlist in the create body is ignored (empty list); a PUT sets it',
    async run({api, createProject}) {
      const project = await createProject('cve', {cve_allowlist: {items: [{cve_id: 'CVE-2024-0001'}]}})
      const first = (await api.get(`/projects/${project.id}`)).json
      check((first.cve_allowlist?.items ?? []).length === 0, 'no items after create', first.cve_allowlist)
      const put = await api.put(`/projects/${project.id}`, {cve_allowlist: {items: [{cve_id: 'CVE-2024-0001'}]}})
      expectStatus(put, 200, 'PUT cve_allowlist')
      const after = (await api.get(`/projects/${project.id}`)).json
      check(
        after.cve_allowlist.items.length === 1 && after.cve_allowlist.items[0].cve_id === 'CVE-2024-0001',
        'one item after PUT',
        after.cve_allowlist,
      )
      return 'create: 0 items, PUT: 1 item'
    },
  },
  {
    name: 'project-head-and-conflict',
    covers: '§5',
    expected: 'HEAD /projects?project_name= is 200/404 and needs a login (401); a duplicate name is 409; an invalid name is 400',
    async run({api, createProject, name}) {
      const project = await createProject('head')
      expectStatus(await api.head('/projects', {query: {project_name: project.name}}), 200, 'HEAD existing')
      expectStatus(await api.head('/projects', {query: {project_name: name('none')}}), 404, 'HEAD missing')
      expectStatus(await api.as().head('/projects', {query: {project_name: project.name}}), 401, 'HEAD anonymous')
      const duplicate = await api.post('/projects', {project_name: project.name})
      expectError(duplicate, 409, 'CONFLICT', 'POST a duplicate name')
      const invalid = await api.post('/projects', {project_name: 'Upper-Case'})
      expectError(invalid, 400, 'BAD_REQUEST', 'POST an upper-case name')
      return 'HEAD 200/404/401, duplicate 409, invalid 400'
    },
  },
  {
    name: 'project-deletable',
    covers: '§5',
    expected: 'an empty project is deletable and DELETE answers 200; afterwards it is 404',
    async run({api, name}) {
      const created = await api.post('/projects', {project_name: name('del')})
      expectStatus(created, 201, 'POST /projects')
      const deletable = await api.get(`/projects/${name('del')}/_deletable`, {headers: NAME_HEADER})
      check(deletable.status === 200 && deletable.json.deletable === true, 'deletable: true', show(deletable))
      expectStatus(await api.delete(`/projects/${name('del')}`, {headers: NAME_HEADER}), 200, 'DELETE')
      expectError(await api.get(`/projects/${name('del')}`, {headers: NAME_HEADER}), 404, 'NOT_FOUND', 'GET after DELETE')
      return 'deletable, deleted, 404'
    },
  },
  {
    name: 'project-quota',
    covers: '§5, §6',
    expected: 'an admin-given storage_limit becomes the quota; PUT /quotas/{id} takes hard.storage only (-1 or 1..1024 TB)',
    async run({api, createProject}) {
      const project = await createProject('quota', {storage_limit: 1073741824})
      const quotas = await api.get('/quotas', {query: {reference: 'project', reference_id: project.id}})
      expectStatus(quotas, 200, 'GET /quotas')
      check(quotas.json.length === 1 && quotas.json[0].hard.storage === 1073741824, 'hard.storage 1 GiB', quotas.json)
      const id = quotas.json[0].id
      expectStatus(await api.put(`/quotas/${id}`, {hard: {storage: -1}}), 200, 'PUT storage -1')
      expectError(await api.put(`/quotas/${id}`, {hard: {}}), 400, 'BAD_REQUEST', 'PUT empty hard')
      expectError(await api.put(`/quotas/${id}`, {hard: {storage: -1, count: 5}}), 400, 'BAD_REQUEST', 'PUT another resource')
      const after = await api.get(`/quotas/${id}`)
      check(after.json.hard.storage === -1, 'hard.storage -1', after.json)
      return `quota ${id}: 1 GiB, then -1; bad bodies → 400`
    },
  },
]
