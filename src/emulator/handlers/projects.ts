/**
 * Projects (`handler/project.go`, `project_metadata.go`): create with string metadata, creator as
 * projectAdmin member and a quota; list with visibility rules, `name`/`public`/`owner`/`q`/`sort`;
 * name-or-id paths; PUT that only merges metadata and replaces the CVE allowlist; delete refused with
 * 412 while repositories exist, taking the project's robots, members and quota with it.
 */
import {
  created,
  empty,
  type Handler,
  listReply,
  ok,
  pagedReply,
  projectFromPath,
  type RequestContext,
  robotPrefix,
} from '../context.js'
import {MAX_STORAGE_LIMIT} from '../config.js'
import {badRequest, conflict, forbidden, internal, notFound, precondition} from '../errors.js'
import {applySort, type Fields, hasKnownKeys, matchesQ, pageOf, pageRequest, parseQ} from '../query.js'
import {canInProject, isSysAdmin, requireAuthenticated, requireProjectAccess, requireSystemAccess, userRoles} from '../rbac.js'
import {now, type ProjectRecord, type Store} from '../store.js'
import {PROXY_CACHE_TYPES} from './registries.js'

/** Harbor's project (and robot) name rule. */
export const NAME_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/

/** Metadata keys Harbor keeps only for proxy-cache projects. */
const PROXY_ONLY_KEYS = ['proxy_speed_kb', 'max_upstream_conn', 'proxy_cache_filter_pattern', 'proxy_cache_filter_kind']

const PROJECT_FIELDS: Fields<ProjectRecord> = {
  name: (p) => p.name,
  Name: (p) => p.name,
  project_id: (p) => p.id,
  ProjectID: (p) => p.id,
  owner_id: (p) => p.ownerId,
  OwnerID: (p) => p.ownerId,
  registry_id: (p) => p.registryId,
  RegistryID: (p) => p.registryId,
  creation_time: (p) => p.creationTime,
  CreationTime: (p) => p.creationTime,
  update_time: (p) => p.updateTime,
  UpdateTime: (p) => p.updateTime,
}

/** Looks a project up from the path, checks the caller may do `resource:action` in it, 404 when missing. */
export function requireProject(ctx: RequestContext, resource: string, action: string): ProjectRecord {
  const project = projectFromPath(ctx)
  requireProjectAccess(ctx.state.store, ctx.caller, project, resource, action)
  if (!project) throw notFound(`project ${ctx.params.project_name_or_id} not found`)
  return project
}

function renderProject(ctx: RequestContext, project: ProjectRecord): Record<string, unknown> {
  const {store} = ctx.state
  const {caller} = ctx
  const roles = caller.kind === 'user' ? userRoles(store, caller.user, project.id) : []
  const allowlist = project.cveAllowlist
  const out: Record<string, unknown> = {
    project_id: project.id,
    owner_id: project.ownerId,
    name: project.name,
    creation_time: project.creationTime,
    update_time: project.updateTime,
    owner_name: store.users.get(project.ownerId)?.username ?? '',
    repo_count: project.repoCount,
    metadata: {...project.metadata},
    cve_allowlist: {
      id: allowlist.id,
      project_id: project.id,
      items: allowlist.items.map((item) => ({...item})),
      creation_time: allowlist.creationTime,
      update_time: allowlist.updateTime,
      ...(allowlist.expiresAt === null ? {} : {expires_at: allowlist.expiresAt}),
    },
  }
  if (project.registryId) out.registry_id = project.registryId
  if (roles.length > 0) {
    out.current_user_role_id = roles[0]
    out.current_user_role_ids = roles
  }
  return out
}

/** The projects the caller can see in lists: admins all, others public ones plus their own. */
function visible(ctx: RequestContext, project: ProjectRecord): boolean {
  if (project.metadata.public === 'true') return true
  return ctx.caller.kind !== 'anonymous' && canInProject(ctx.state.store, ctx.caller, project, 'project', 'read')
}

/** GET /projects */
export const listProjects: Handler = (ctx) => {
  const {store} = ctx.state
  const keywords = parseQ(ctx.query.get('q'))
  const name = ctx.values.name as string | undefined
  const isPublic = ctx.values.public as boolean | undefined
  const owner = ctx.values.owner as string | undefined
  const ownerId = owner === undefined ? undefined : (store.userByUsername(owner)?.id ?? -1)
  const admin = isSysAdmin(ctx.caller)
  const filtered = !admin || name || isPublic !== undefined || owner !== undefined || hasKnownKeys(keywords, PROJECT_FIELDS)
  const byName = (projectName: string) => store.projects.get(store.projectByName.get(projectName)!)!
  if (!filtered && !ctx.query.get('sort')) {
    // An admin's unfiltered list is a slice of the sorted name index.
    const names = store.projectNames.values()
    const page = pageRequest(ctx.query)
    return pagedReply(
      ctx,
      names.length,
      pageOf(names, page).map((n) => renderProject(ctx, byName(n))),
      page,
    )
  }
  let items: ProjectRecord[] = []
  for (const projectName of store.projectNames.values()) {
    const project = byName(projectName)
    if (!admin && !visible(ctx, project)) continue
    if (name && !project.name.includes(name)) continue
    if (isPublic !== undefined && (project.metadata.public === 'true') !== isPublic) continue
    if (ownerId !== undefined && project.ownerId !== ownerId) continue
    if (!matchesQ(project, keywords, PROJECT_FIELDS)) continue
    items.push(project)
  }
  items = applySort(items, ctx.query.get('sort'), PROJECT_FIELDS)
  return listReply(ctx, items, (project) => renderProject(ctx, project))
}

/** HEAD /projects?project_name=: 200 or 404, login required. */
export const headProject: Handler = (ctx) => {
  requireAuthenticated(ctx.caller)
  const name = ctx.values.project_name as string
  if (!ctx.state.store.projectByName.has(name)) throw notFound(`project ${name} not found`)
  return empty()
}

interface ProjectReq {
  project_name?: string | null
  public?: boolean | null
  metadata?: Record<string, string | null> | null
  cve_allowlist?: {project_id?: number | null; items?: {cve_id?: string}[] | null; expires_at?: number | null} | null
  storage_limit?: number | null
  registry_id?: number | null
}

/** POST /projects */
export const createProject: Handler = (ctx) => {
  const {store, config} = ctx.state
  const {caller} = ctx
  requireAuthenticated(caller)
  const req = (ctx.body ?? {}) as ProjectReq
  const prefix = robotPrefix(ctx.state)
  if (caller.kind === 'robot') {
    if (caller.robot.level !== 'system') throw forbidden('only system level robot can create project')
    requireSystemAccess(caller, prefix, 'project', 'create')
  }
  if (config.string('project_creation_restriction') === 'adminonly' && caller.kind === 'user' && !caller.user.sysadmin) {
    throw forbidden('Only system admin can create project')
  }
  const name = req.project_name ?? ''
  if (!NAME_PATTERN.test(name)) throw badRequest('project name is not in lower case or contains illegal characters')
  const admin = isSysAdmin(caller) || caller.kind === 'robot'
  let registryId = 0
  if (req.registry_id !== undefined && req.registry_id !== null) {
    if (!admin) throw forbidden('Only system admin can create proxy cache project')
    if (req.registry_id <= 0) throw badRequest(`invalid registry_id ${req.registry_id}`)
    const registry = store.policies.registries.get(req.registry_id)
    // Harbor wraps the lookup error in a plain error, hence a masked 500.
    if (!registry) throw internal(`failed to get registry ${req.registry_id}: registry not found`)
    if (!PROXY_CACHE_TYPES.includes(registry.type)) {
      throw badRequest(`unsupported registry type for proxy cache: ${registry.type}`)
    }
    registryId = registry.id
  }
  const metadata: Record<string, string> = {}
  for (const [key, value] of Object.entries(req.metadata ?? {})) {
    if (value === null || value === undefined) continue
    // Proxy settings only for proxy-cache projects; content trust only for the others.
    if (registryId ? key === 'enable_content_trust' : PROXY_ONLY_KEYS.includes(key)) continue
    metadata[key] = value
  }
  if (!metadata.public) metadata.public = String(req.public === true)
  if (metadata.public !== 'true' && metadata.public !== 'false') {
    throw badRequest(`metadata.public should only be 'true' or 'false', but got: '${metadata.public}'`)
  }
  if (metadata.retention_id) throw badRequest('metadata.retention_id should be empty when creating a project')
  delete metadata.retention_id
  let hard = config.int('storage_per_project')
  if (config.bool('quota_per_project_enable') && isSysAdmin(caller) && req.storage_limit) {
    const limit = req.storage_limit
    if (limit !== -1 && (limit < 0 || limit > MAX_STORAGE_LIMIT)) {
      throw badRequest(`invalid storage_limit ${limit}, it should be -1 or between 1 and ${MAX_STORAGE_LIMIT}`)
    }
    hard = limit
  }
  if (store.projectByName.has(name)) throw conflict(`The project named ${name} already exists`)
  const ownerId = caller.kind === 'user' ? caller.user.id : lowestAdminId(store)
  const project = newProject(store, name, ownerId, metadata)
  if (registryId) {
    // Harbor gives a proxy-cache project a retention policy ("retain pulled within 7 days").
    project.registryId = registryId
    project.metadata.retention_id = String(store.policies.nextId('retention'))
  }
  store.addProject(project)
  store.addMember({id: store.nextId('member'), projectId: project.id, entityType: 'u', entityId: ownerId, roleId: 1})
  if (config.bool('quota_per_project_enable')) {
    const time = now()
    store.addQuota({id: store.nextId('quota'), projectId: project.id, hard, used: 0, creationTime: time, updateTime: time})
  }
  const byName = ctx.values['X-Resource-Name-In-Location'] === true
  return created(`${ctx.fullPath.replace(/\/$/, '')}/${byName ? project.name : project.id}`)
}

/** A new project record with an empty CVE allowlist (the create body's allowlist is ignored). */
export function newProject(store: Store, name: string, ownerId: number, metadata: Record<string, string>): ProjectRecord {
  const time = now()
  return {
    id: store.nextId('project'),
    name,
    ownerId,
    creationTime: time,
    updateTime: time,
    metadata,
    cveAllowlist: {id: store.nextId('allowlist'), items: [], expiresAt: null, creationTime: time, updateTime: time},
    repoCount: 0,
    registryId: 0,
  }
}

/** Robot-created projects belong to the lowest-id system administrator. */
function lowestAdminId(store: Store): number {
  let lowest = 1
  for (const user of store.users.values()) if (user.sysadmin && user.id < lowest) lowest = user.id
  return lowest
}

/** GET /projects/{project_name_or_id} */
export const getProject: Handler = (ctx) => ok(renderProject(ctx, requireProject(ctx, 'project', 'read')))

/** PUT /projects/{project_name_or_id}: merges metadata, replaces the allowlist; name, public, storage_limit ignored. */
export const updateProject: Handler = (ctx) => {
  const project = requireProject(ctx, 'project', 'update')
  const req = (ctx.body ?? {}) as ProjectReq
  const metadata = req.metadata ?? {}
  const retention = metadata.retention_id
  if (retention !== undefined && retention !== null && retention !== (project.metadata.retention_id ?? '')) {
    throw badRequest('the retention_id in the request is not the same as the one of the project')
  }
  const allowlist = req.cve_allowlist
  if (allowlist) {
    const pid = allowlist.project_id ?? 0
    if (pid !== 0 && pid !== project.id) throw badRequest(`project_id in cve_allowlist must be 0 or ${project.id}`)
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (value !== null && value !== undefined && key !== 'retention_id') project.metadata[key] = value
  }
  if (allowlist) {
    project.cveAllowlist.items = (allowlist.items ?? []).map((item) => ({cve_id: item.cve_id ?? ''}))
    project.cveAllowlist.expiresAt = allowlist.expires_at ?? null
    project.cveAllowlist.updateTime = now()
  }
  project.updateTime = now()
  return empty()
}

function deletable(project: ProjectRecord): {deletable: boolean; message?: string} {
  if (project.repoCount > 0) return {deletable: false, message: 'the project contains repositories, can not be deleted'}
  return {deletable: true}
}

/** DELETE /projects/{project_name_or_id}: 412 while it holds repositories. */
export const deleteProject: Handler = (ctx) => {
  const project = requireProject(ctx, 'project', 'delete')
  const result = deletable(project)
  if (!result.deletable) throw precondition(result.message!)
  ctx.state.store.deleteProject(project.id)
  return empty()
}

/** GET /projects/{project_name_or_id}/_deletable */
export const getProjectDeletable: Handler = (ctx) => ok(deletable(requireProject(ctx, 'project', 'delete')))

/** GET /projects/{project_name_or_id}/summary */
export const getProjectSummary: Handler = (ctx) => {
  const project = requireProject(ctx, 'project', 'read')
  const {store} = ctx.state
  const counts = [0, 0, 0, 0, 0, 0]
  for (const member of store.membersByProject.get(project.id)?.values() ?? []) {
    if (member.roleId >= 1 && member.roleId <= 5) counts[member.roleId]!++
  }
  const quota = store.quotas.get(store.quotaByProject.get(project.id) ?? -1)
  return ok({
    repo_count: project.repoCount,
    project_admin_count: counts[1],
    developer_count: counts[2],
    guest_count: counts[3],
    maintainer_count: counts[4],
    limited_guest_count: counts[5],
    ...(quota ? {quota: {hard: {storage: quota.hard}, used: {storage: quota.used}}} : {}),
  })
}

const BOOL_KEYS = [
  'public',
  'enable_content_trust',
  'enable_content_trust_cosign',
  'prevent_vul',
  'auto_scan',
  'auto_sbom_generation',
  'reuse_sys_cve_allowlist',
  'proxy_cache_local_on_not_found',
  'proxy_referrer_api',
]
const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True']
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False']
const SEVERITIES = ['none', 'low', 'medium', 'high', 'critical']

/** The `/metadatas` endpoints' validation: one key per request, booleans re-formatted, severity and numbers checked. */
function validateMetadata(body: Record<string, string>): [string, string] {
  const entries = Object.entries(body)
  if (entries.length !== 1) throw badRequest('only allow one key/value pair')
  const [key, value] = entries[0]!
  const invalid = () => badRequest(`invalid key-value pair ${key}: ${value}`)
  if (BOOL_KEYS.includes(key)) {
    if (GO_TRUE.includes(value)) return [key, 'true']
    if (GO_FALSE.includes(value)) return [key, 'false']
    throw invalid()
  }
  if (key === 'severity') {
    if (!SEVERITIES.includes(value.toLowerCase())) throw invalid()
    return [key, value.toLowerCase()]
  }
  if (key === 'max_upstream_conn' || key === 'proxy_speed_kb') {
    const number = Number(value)
    if (!/^-?\d+$/.test(value) || (key === 'max_upstream_conn' && number !== -1 && number <= 0)) throw invalid()
    return [key, String(number)]
  }
  if (key === 'proxy_cache_filter_pattern' || key === 'proxy_cache_filter_kind' || key === 'retention_id') return [key, value]
  throw badRequest(`invalid key: ${key}`)
}

/** GET /projects/{p}/metadatas/ */
export const listProjectMetadatas: Handler = (ctx) => ok({...requireProject(ctx, 'metadata', 'list').metadata})

/** POST /projects/{p}/metadatas/: adds one key; 409 if it exists. */
export const addProjectMetadatas: Handler = (ctx) => {
  const project = requireProject(ctx, 'metadata', 'create')
  const [key, value] = validateMetadata((ctx.body ?? {}) as Record<string, string>)
  if (project.metadata[key] !== undefined) throw conflict(`metadata ${key} already exists`)
  project.metadata[key] = value
  project.updateTime = now()
  return empty()
}

/** GET /projects/{p}/metadatas/{meta_name} */
export const getProjectMetadata: Handler = (ctx) => {
  const project = requireProject(ctx, 'metadata', 'read')
  const key = ctx.params.meta_name!
  if (project.metadata[key] === undefined) throw notFound(`metadata ${key} of project ${project.id} not found`)
  return ok({[key]: project.metadata[key]})
}

/** PUT /projects/{p}/metadatas/{meta_name}: the body holds exactly that key. */
export const updateProjectMetadata: Handler = (ctx) => {
  const project = requireProject(ctx, 'metadata', 'update')
  const [key, value] = validateMetadata((ctx.body ?? {}) as Record<string, string>)
  if (key !== ctx.params.meta_name) throw badRequest('the metadata name in the path and in the body are not the same')
  project.metadata[key] = value
  project.updateTime = now()
  return empty()
}

/** DELETE /projects/{p}/metadatas/{meta_name} */
export const deleteProjectMetadata: Handler = (ctx) => {
  const project = requireProject(ctx, 'metadata', 'delete')
  delete project.metadata[ctx.params.meta_name!]
  project.updateTime = now()
  return empty()
}
