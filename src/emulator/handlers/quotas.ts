/**
 * Project quotas (`handler/quota.go`): list by `reference`/`reference_id`, get, and PUT of `hard.storage`
 * with Harbor's checks. System admin (or a robot with the quota permission) only.
 */
import {empty, type Handler, listReply, ok, type RequestContext, robotPrefix} from '../context.js'
import {MAX_STORAGE_LIMIT} from '../config.js'
import {badRequest, notFound} from '../errors.js'
import {applySort, type Fields} from '../query.js'
import {requireSystemAccess} from '../rbac.js'
import {now, type QuotaRecord} from '../store.js'

const QUOTA_FIELDS: Fields<QuotaRecord> = {
  'hard.storage': (q) => q.hard,
  'used.storage': (q) => q.used,
  creation_time: (q) => q.creationTime,
  update_time: (q) => q.updateTime,
}

function renderQuota(ctx: RequestContext, quota: QuotaRecord): Record<string, unknown> {
  const {store} = ctx.state
  const project = store.projects.get(quota.projectId)
  return {
    id: quota.id,
    ref: {id: quota.projectId, name: project?.name ?? '', owner_name: store.users.get(project?.ownerId ?? 0)?.username ?? ''},
    hard: {storage: quota.hard},
    used: {storage: quota.used},
    creation_time: quota.creationTime,
    update_time: quota.updateTime,
  }
}

/** GET /quotas?reference=project&reference_id=<id> */
export const listQuotas: Handler = (ctx) => {
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'quota', 'list')
  const {store} = ctx.state
  const reference = ctx.values.reference as string | undefined
  const referenceId = ctx.values.reference_id as string | undefined
  let items: QuotaRecord[]
  if (reference !== undefined && reference !== 'project') items = []
  else if (referenceId !== undefined) {
    const quota = store.quotas.get(store.quotaByProject.get(Number(referenceId)) ?? -1)
    items = quota ? [quota] : []
  } else items = [...store.quotas.values()]
  items = applySort(items, ctx.query.get('sort'), QUOTA_FIELDS)
  return listReply(ctx, items, (quota) => renderQuota(ctx, quota))
}

function quotaFromPath(ctx: RequestContext): QuotaRecord {
  const id = ctx.values.id as number
  const quota = ctx.state.store.quotas.get(id)
  if (!quota) throw notFound(`quota ${id} not found`)
  return quota
}

/** GET /quotas/{id} */
export const getQuota: Handler = (ctx) => {
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'quota', 'read')
  return ok(renderQuota(ctx, quotaFromPath(ctx)))
}

/** PUT /quotas/{id}: `{"hard":{"storage":N}}`, N = -1 or 1..1024 TB, storage the only resource. */
export const updateQuota: Handler = (ctx) => {
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'quota', 'update')
  const quota = quotaFromPath(ctx)
  const hard = ((ctx.body ?? {}) as {hard?: Record<string, number> | null}).hard
  if (!hard || Object.keys(hard).length === 0) throw badRequest('hard required in body')
  for (const key of Object.keys(hard)) if (key !== 'storage') throw badRequest(`resource ${key} not support`)
  const storage = hard.storage
  if (storage === undefined || storage === null) throw badRequest('resource storage not found')
  if (storage !== -1 && (storage <= 0 || storage > MAX_STORAGE_LIMIT)) {
    throw badRequest(`invalid value for storage: ${storage}, it should be -1 or between 1 and ${MAX_STORAGE_LIMIT}`)
  }
  quota.hard = storage
  quota.updateTime = now()
  return empty()
}
