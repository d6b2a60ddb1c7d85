/**
 * Registries (NOTES.md §11): a health check on create and update (400 `the registry is unhealthy`),
 * secrets masked on GET, the flat RegistryUpdate on PUT, and no delete (412) while a replication
 * policy or a proxy-cache project refers to the registry.
 *
 * Health: the emulator cannot reach registries, so a URL is healthy when it is the emulator's own
 * address or was marked healthy with `handle.setRegistryHealth(url, true)`; any other URL is unhealthy.
 */
import {created, empty, type EmulatorState, type Handler, listReply, ok, type RequestContext, robotPrefix} from '../context.js'
import {badRequest, conflict, internal, notFound, precondition} from '../errors.js'
import type {RegistryRecord} from '../policy-store.js'
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
