/**
 * Registries and replication policies (NOTES.md §11–12): registries pass a health check on create and
 * update (400 `the registry is unhealthy`), secrets are masked on GET, a registry referenced by a
 * policy or a proxy-cache project cannot be deleted (412); replication policies have exactly one
 * remote side (the local one is id 0 "Local"), honour `deletion` and ignore `replicate_deletion` on
 * input, validate filters and triggers, and PUT rebuilds the whole policy.
 *
 * Health: the emulator cannot reach registries, so a URL is healthy when it is the emulator's own
 * address or was marked healthy with `handle.setRegistryHealth(url, true)`; any other URL is unhealthy.
 */
import {created, empty, type EmulatorState, type Handler, listReply, ok, type RequestContext, robotPrefix} from '../context.js'
import {badRequest, conflict, internal, notFound, precondition} from '../errors.js'
import type {FilterRecord, RegistryRecord, ReplicationRecord} from '../policy-store.js'
import {applySort, type Fields, matchesQ, parseQ} from '../query.js'
import {requireSystemAccess} from '../rbac.js'
import {now} from '../store.js'
import {externalUrl} from './system.js'

/** Registry types (`GET /replication/adapters`) of Harbor 2.15. */
export const REGISTRY_TYPES = [
  'ali-acr',
  'aws-ecr',
  'azure-acr',
  'docker-hub',
  'docker-registry',
  'dtr',
  'github-ghcr',
  'gitlab',
  'google-gcr',
  'harbor',
  'huawei-SWR',
  'jfrog-artifactory',
  'quay',
  'tencent-tcr',
  'volcengine-cr',
] as const

/** Types a proxy-cache project may use. */
export const PROXY_CACHE_TYPES = [
  'aws-ecr',
  'azure-acr',
  'docker-hub',
  'docker-registry',
  'github-ghcr',
  'google-gcr',
  'harbor',
  'jfrog-artifactory',
  'quay',
]

const ZERO_TIME = '0001-01-01T00:00:00.000Z'

/** Harbor's URL normalisation (`lib/endpoint.go: ValidateHTTPURL`): scheme added, query, fragment and trailing `/` dropped. */
export function normalizeRegistryUrl(raw: string): string {
  let text = raw.trim()
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw badRequest(`invalid url: ${raw}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest(`invalid http url: ${raw}`)
  return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '')
}

/** Whether the emulator treats a registry URL as reachable and healthy. */
export function registryHealthy(state: EmulatorState, url: string): boolean {
  const marked = state.registryHealth?.get(normalizeRegistryUrl(url))
  if (marked !== undefined) return marked
  return normalizeRegistryUrl(url) === normalizeRegistryUrl(externalUrl(state))
}

function requireRegistryAccess(ctx: RequestContext, action: string): void {
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'registry', action)
}

/** A registry as GET shows it: the secret masked. */
export function renderRegistry(state: EmulatorState, registry: RegistryRecord): Record<string, unknown> {
  return {
    id: registry.id,
    name: registry.name,
    url: registry.url,
    type: registry.type,
    ...(registry.description ? {description: registry.description} : {}),
    insecure: registry.insecure,
    credential: {
      type: registry.credentialType,
      ...(registry.accessKey ? {access_key: registry.accessKey} : {}),
      ...(registry.accessSecret ? {access_secret: '*****'} : {}),
    },
    ...(registry.caCertificate ? {ca_certificate: registry.caCertificate} : {}),
    status: registryHealthy(state, registry.url) ? 'healthy' : 'unhealthy',
    creation_time: registry.creationTime,
    update_time: registry.updateTime,
  }
}

interface RegistryReq {
  name?: string | null
  url?: string | null
  type?: string | null
  description?: string | null
  insecure?: boolean | null
  credential?: {type?: string | null; access_key?: string | null; access_secret?: string | null} | null
  ca_certificate?: string | null
}

function checkName(name: string): void {
  if (name.length < 1 || name.length > 64) throw badRequest('the registry name must be 1-64 characters')
}

/** GET /registries (`name` fuzzy, `q`, paged, by id). */
export const listRegistries: Handler = (ctx) => {
  requireRegistryAccess(ctx, 'list')
  const keywords = parseQ(ctx.query.get('q'))
  const name = (ctx.values.name as string | undefined)?.toLowerCase()
  const fields: Fields<RegistryRecord> = {
    name: (r) => r.name,
    Name: (r) => r.name,
    type: (r) => r.type,
    Type: (r) => r.type,
    url: (r) => r.url,
  }
  let items = [...ctx.state.store.policies.registries.values()].filter(
    (registry) => (!name || registry.name.toLowerCase().includes(name)) && matchesQ(registry, keywords, fields),
  )
  items = applySort(items, ctx.query.get('sort'), fields)
  return listReply(ctx, items, (registry) => renderRegistry(ctx.state, registry))
}

/** POST /registries: health-checked; unknown types are a masked 500 (Harbor's plain error). */
export const createRegistry: Handler = (ctx) => {
  requireRegistryAccess(ctx, 'create')
  const req = (ctx.body ?? {}) as RegistryReq
  const name = req.name ?? ''
  checkName(name)
  const url = normalizeRegistryUrl(req.url ?? '')
  const type = req.type ?? ''
  if (!(REGISTRY_TYPES as readonly string[]).includes(type)) throw internal(`adapter factory for ${type} not found`)
  if (!registryHealthy(ctx.state, url)) throw badRequest('the registry is unhealthy')
  const {policies} = ctx.state.store
  if (policies.registryByName.has(name)) throw conflict(`registry ${name} already exists`)
  const time = now()
  const registry: RegistryRecord = {
    id: policies.nextId('registry'),
    name,
    url,
    type,
    description: req.description ?? '',
    insecure: req.insecure ?? false,
    credentialType: req.credential?.type || 'basic',
    accessKey: req.credential?.access_key ?? '',
    accessSecret: req.credential?.access_secret ?? '',
    caCertificate: req.ca_certificate ?? null,
    creationTime: time,
    updateTime: time,
  }
  policies.addRegistry(registry)
  return created(`${ctx.fullPath.replace(/\/$/, '')}/${registry.id}`)
}

function registryFromPath(ctx: RequestContext): RegistryRecord {
  const id = ctx.values.id as number
  const registry = ctx.state.store.policies.registries.get(id)
  if (!registry) throw notFound(`registry ${id} not found`)
  return registry
}

/** GET /registries/{id} */
export const getRegistry: Handler = (ctx) => {
  requireRegistryAccess(ctx, 'read')
  return ok(renderRegistry(ctx.state, registryFromPath(ctx)))
}

interface RegistryUpdateReq {
  name?: string | null
  description?: string | null
  url?: string | null
  credential_type?: string | null
  access_key?: string | null
  access_secret?: string | null
  insecure?: boolean | null
  ca_certificate?: string | null
}

/** PUT /registries/{id}: flat RegistryUpdate, only non-null fields change; a new URL without a secret clears it. */
export const updateRegistry: Handler = (ctx) => {
  requireRegistryAccess(ctx, 'update')
  const registry = registryFromPath(ctx)
  const req = (ctx.body ?? {}) as RegistryUpdateReq
  const {policies} = ctx.state.store
  const name = req.name ?? registry.name
  checkName(name)
  const holder = policies.registryByName.get(name)
  if (holder !== undefined && holder !== registry.id) throw conflict(`registry ${name} already exists`)
  const url = req.url === undefined || req.url === null ? registry.url : normalizeRegistryUrl(req.url)
  if (!registryHealthy(ctx.state, url)) throw badRequest('the registry is unhealthy')
  if (url !== registry.url && (req.access_secret === undefined || req.access_secret === null)) registry.accessSecret = ''
  if (name !== registry.name) policies.renameRegistry(registry, name)
  registry.url = url
  if (req.description !== undefined && req.description !== null) registry.description = req.description
  if (req.credential_type !== undefined && req.credential_type !== null) registry.credentialType = req.credential_type
  if (req.access_key !== undefined && req.access_key !== null) registry.accessKey = req.access_key
  if (req.access_secret !== undefined && req.access_secret !== null) registry.accessSecret = req.access_secret
  if (req.insecure !== undefined && req.insecure !== null) registry.insecure = req.insecure
  if (req.ca_certificate !== undefined && req.ca_certificate !== null) registry.caCertificate = req.ca_certificate
  registry.updateTime = now()
  return empty()
}

/** DELETE /registries/{id}: 412 while a replication policy or a proxy-cache project refers to it. */
export const deleteRegistry: Handler = (ctx) => {
  requireRegistryAccess(ctx, 'delete')
  const registry = registryFromPath(ctx)
  const {store} = ctx.state
  for (const policy of store.policies.replications.values()) {
    if (policy.srcRegistryId === registry.id || policy.destRegistryId === registry.id) {
      throw precondition(`the registry ${registry.id} is referenced by replication policies, cannot delete it`)
    }
  }
  for (const project of store.projects.values()) {
    if (project.registryId === registry.id) {
      throw precondition(`the registry ${registry.id} is referenced by proxy cache project ${project.name}, cannot delete it`)
    }
  }
  store.policies.deleteRegistry(registry.id)
  return empty()
}

/** POST /registries/ping: 200 when healthy, 400 otherwise. */
export const pingRegistry: Handler = (ctx) => {
  requireRegistryAccess(ctx, 'read')
  const req = (ctx.body ?? {}) as {id?: number | null; url?: string | null}
  let url = req.url ?? undefined
  if (req.id && !url) {
    const registry = ctx.state.store.policies.registries.get(req.id)
    if (!registry) throw notFound(`registry ${req.id} not found`)
    url = registry.url
  }
  if (!url) throw badRequest('url is required')
  if (!registryHealthy(ctx.state, url)) throw badRequest('the registry is unhealthy')
  return empty()
}

/** GET /replication/adapters */
export const listAdapters: Handler = (ctx) => {
  requireRegistryAccess(ctx, 'list')
  return ok([...REGISTRY_TYPES])
}

const LOCAL_REGISTRY = {
  id: 0,
  name: 'Local',
  url: 'http://core:8080',
  type: 'harbor',
  insecure: true,
  credential: {type: 'secret', access_secret: '*****'},
  status: 'healthy',
  creation_time: ZERO_TIME,
  update_time: ZERO_TIME,
}

function renderSide(state: EmulatorState, id: number): unknown {
  if (id === 0) return {...LOCAL_REGISTRY, credential: {...LOCAL_REGISTRY.credential}}
  const registry = state.store.policies.registries.get(id)
  return registry ? renderRegistry(state, registry) : {id}
}

function renderPolicy(state: EmulatorState, policy: ReplicationRecord): Record<string, unknown> {
  return {
    id: policy.id,
    name: policy.name,
    ...(policy.description ? {description: policy.description} : {}),
    src_registry: renderSide(state, policy.srcRegistryId),
    dest_registry: renderSide(state, policy.destRegistryId),
    ...(policy.destNamespace ? {dest_namespace: policy.destNamespace} : {}),
    dest_namespace_replace_count: policy.destNamespaceReplaceCount,
    trigger: {type: policy.trigger.type, trigger_settings: {cron: policy.trigger.cron}},
    filters: policy.filters.map((f) => ({type: f.type, value: f.value, ...(f.decoration ? {decoration: f.decoration} : {})})),
    replicate_deletion: policy.deletion,
    deletion: policy.deletion,
    override: policy.override,
    enabled: policy.enabled,
    creation_time: policy.creationTime,
    update_time: policy.updateTime,
    speed: policy.speed,
    copy_by_chunk: policy.copyByChunk,
    single_active_replication: policy.singleActiveReplication,
  }
}

interface PolicyReq {
  name?: string | null
  description?: string | null
  src_registry?: {id?: number | null} | null
  dest_registry?: {id?: number | null} | null
  dest_namespace?: string | null
  dest_namespace_replace_count?: number | null
  trigger?: {type?: string | null; trigger_settings?: {cron?: string | null} | null} | null
  filters?: {type?: string | null; value?: unknown; decoration?: string | null}[] | null
  deletion?: boolean | null
  override?: boolean | null
  enabled?: boolean | null
  speed?: number | null
  copy_by_chunk?: boolean | null
  single_active_replication?: boolean | null
}

const REPOSITORY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/

/** A 6-field cron whose seconds field is `0` and whose minutes field is not `*` (`utils.ValidateCronString`). */
function validCron(cron: string): boolean {
  const fields = cron.trim().split(/\s+/)
  return fields.length === 6 && fields[0] === '0' && fields[1] !== '*'
}

function validateFilters(filters: PolicyReq['filters']): FilterRecord[] {
  return (filters ?? []).map((filter) => {
    const type = filter.type ?? ''
    if (!['name', 'tag', 'label', 'resource'].includes(type)) throw badRequest(`unsupported filter type ${type}`)
    const decoration = filter.decoration ?? ''
    if (decoration) {
      if (type !== 'tag' && type !== 'label') throw badRequest(`the decoration is not supported for the filter type ${type}`)
      if (decoration !== 'matches' && decoration !== 'excludes') throw badRequest(`invalid decoration ${decoration}`)
    }
    if (type === 'label') {
      if (!Array.isArray(filter.value) || !filter.value.every((v) => typeof v === 'string')) {
        throw badRequest('the type of label filter value must be string array')
      }
    } else {
      if (typeof filter.value !== 'string') throw badRequest('the type of filter value must be string')
      if (type === 'resource' && !['image', 'artifact'].includes(filter.value))
        throw badRequest(`invalid resource filter value ${filter.value}`)
    }
    return {type, value: filter.value, ...(decoration ? {decoration} : {})}
  })
}

/** Validates a policy body and turns it into the record fields (everything but id and times). */
function policyFields(ctx: RequestContext, req: PolicyReq): Omit<ReplicationRecord, 'id' | 'creationTime' | 'updateTime'> {
  const name = req.name ?? ''
  if (name === '') throw badRequest('name is required')
  const src = req.src_registry?.id ?? 0
  const dest = req.dest_registry?.id ?? 0
  if (src > 0 === dest > 0) {
    throw badRequest("either src_registry or dest_registry should be empty and the other one shouldn't be empty")
  }
  const remote = src > 0 ? src : dest
  if (!ctx.state.store.policies.registries.has(remote)) throw notFound(`registry ${remote} not found`)
  const destNamespace = req.dest_namespace ?? ''
  if (destNamespace && !REPOSITORY_NAME.test(destNamespace)) throw badRequest(`invalid destination namespace: ${destNamespace}`)
  const triggerType = req.trigger?.type || 'manual'
  if (!['manual', 'event_based', 'scheduled'].includes(triggerType)) throw badRequest(`invalid trigger type ${triggerType}`)
  const cron = req.trigger?.trigger_settings?.cron ?? ''
  if (triggerType === 'scheduled' && !validCron(cron)) throw badRequest(`invalid cron string for scheduled trigger: ${cron}`)
  const single = req.single_active_replication ?? false
  // A plain error in Harbor, hence a masked 500.
  if (single && triggerType === 'event_based')
    throw internal('single active replication is not supported for event based trigger')
  return {
    name,
    description: req.description ?? '',
    srcRegistryId: Math.max(src, 0),
    destRegistryId: Math.max(dest, 0),
    destNamespace,
    destNamespaceReplaceCount: req.dest_namespace_replace_count ?? -1,
    trigger: {type: triggerType, cron: triggerType === 'scheduled' ? cron : ''},
    filters: validateFilters(req.filters),
    // The handler reads the deprecated `deletion`; `replicate_deletion` in requests is ignored.
    deletion: req.deletion ?? false,
    override: req.override ?? false,
    enabled: req.enabled ?? false,
    speed: Math.max(0, req.speed ?? 0),
    copyByChunk: req.copy_by_chunk ?? false,
    singleActiveReplication: single,
  }
}

function requirePolicyAccess(ctx: RequestContext, action: string): void {
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'replication-policy', action)
}

const POLICY_FIELDS: Fields<ReplicationRecord> = {
  name: (p) => p.name,
  Name: (p) => p.name,
  enabled: (p) => p.enabled,
  Enabled: (p) => p.enabled,
  creation_time: (p) => p.creationTime,
  CreationTime: (p) => p.creationTime,
  update_time: (p) => p.updateTime,
  UpdateTime: (p) => p.updateTime,
  id: (p) => p.id,
  ID: (p) => p.id,
}

/** GET /replication/policies: newest first; `name` fuzzy. */
export const listPolicies: Handler = (ctx) => {
  requirePolicyAccess(ctx, 'list')
  const keywords = parseQ(ctx.query.get('q'))
  const name = (ctx.values.name as string | undefined)?.toLowerCase()
  let items = [...ctx.state.store.policies.replications.values()]
    .filter((p) => (!name || p.name.toLowerCase().includes(name)) && matchesQ(p, keywords, POLICY_FIELDS))
    .sort((a, b) => (a.creationTime < b.creationTime ? 1 : a.creationTime > b.creationTime ? -1 : b.id - a.id))
  items = applySort(items, ctx.query.get('sort'), POLICY_FIELDS)
  return listReply(ctx, items, (policy) => renderPolicy(ctx.state, policy))
}

/** POST /replication/policies */
export const createPolicy: Handler = (ctx) => {
  requirePolicyAccess(ctx, 'create')
  const fields = policyFields(ctx, (ctx.body ?? {}) as PolicyReq)
  const {policies} = ctx.state.store
  if (policies.replicationByName.has(fields.name)) throw conflict(`replication policy ${fields.name} already exists`)
  const time = now()
  const policy: ReplicationRecord = {id: policies.nextId('replication'), ...fields, creationTime: time, updateTime: time}
  policies.addReplication(policy)
  return created(`${ctx.fullPath.replace(/\/$/, '')}/${policy.id}`)
}

function policyFromPath(ctx: RequestContext): ReplicationRecord {
  const id = ctx.values.id as number
  const policy = ctx.state.store.policies.replications.get(id)
  if (!policy) throw notFound(`policy ${id} not found`)
  return policy
}

/** GET /replication/policies/{id}: the local side is id 0 "Local". */
export const getPolicy: Handler = (ctx) => {
  requirePolicyAccess(ctx, 'read')
  return ok(renderPolicy(ctx.state, policyFromPath(ctx)))
}

/** PUT /replication/policies/{id}: rebuilt from the body, every column. */
export const updatePolicy: Handler = (ctx) => {
  requirePolicyAccess(ctx, 'update')
  const policy = policyFromPath(ctx)
  const fields = policyFields(ctx, (ctx.body ?? {}) as PolicyReq)
  const {policies} = ctx.state.store
  const holder = policies.replicationByName.get(fields.name)
  if (holder !== undefined && holder !== policy.id) throw conflict(`replication policy ${fields.name} already exists`)
  if (fields.name !== policy.name) policies.renameReplication(policy, fields.name)
  Object.assign(policy, fields, {updateTime: now()})
  return empty()
}

/** DELETE /replication/policies/{id} */
export const deletePolicy: Handler = (ctx) => {
  requirePolicyAccess(ctx, 'delete')
  ctx.state.store.policies.deleteReplication(policyFromPath(ctx).id)
  return empty()
}
