/**
 * Replication policies (NOTES.md §12): exactly one remote side (the local one reads back as id 0
 * "Local"), `deletion` honoured and `replicate_deletion` ignored on input, filters and triggers
 * validated, unique names, and a PUT that rebuilds the whole policy.
 */
import {created, empty, type EmulatorState, type Handler, listReply, ok, type RequestContext, robotPrefix} from '../context.js'
import {badRequest, conflict, internal, notFound} from '../errors.js'
import type {FilterRecord, ReplicationRecord} from '../policy-store.js'
import {applySort, type Fields, matchesQ, parseQ} from '../query.js'
import {requireSystemAccess} from '../rbac.js'
import {now} from '../store.js'
import {renderRegistry} from './registries.js'

const ZERO_TIME = '0001-01-01T00:00:00.000Z'

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
