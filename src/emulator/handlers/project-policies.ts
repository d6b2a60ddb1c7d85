/**
 * Per-project policies (NOTES.md §8 and §10): immutable tag rules (create forces `disabled=false`, an
 * identical rule is 409, a PUT that flips `disabled` changes only the flag) and webhook policies
 * (validated targets and event types, `enabled` false when omitted, 409 on a duplicate name, PUT
 * overwrites every column, `auth_header` returned in clear).
 */
import {created, empty, type Handler, listReply, ok, type RequestContext} from '../context.js'
import {badRequest, conflict, notFound} from '../errors.js'
import type {ImmutableRuleRecord, SelectorRecord, WebhookRecord, WebhookTargetRecord} from '../policy-store.js'
import {applySort, type Fields, matchesQ, parseQ} from '../query.js'
import {now} from '../store.js'
import {requireProject} from './projects.js'

interface SelectorReq {
  kind?: string | null
  decoration?: string | null
  pattern?: string | null
  extras?: string | null
}

interface RuleReq {
  id?: number | null
  priority?: number | null
  disabled?: boolean | null
  action?: string | null
  template?: string | null
  params?: Record<string, unknown> | null
  tag_selectors?: SelectorReq[] | null
  scope_selectors?: Record<string, SelectorReq[] | null> | null
}

const selector = (s: SelectorReq): SelectorRecord => ({
  kind: s.kind ?? '',
  decoration: s.decoration ?? '',
  pattern: s.pattern ?? '',
  ...(s.extras ? {extras: s.extras} : {}),
})

function renderSelector(s: SelectorRecord): Record<string, unknown> {
  return {kind: s.kind, decoration: s.decoration, pattern: s.pattern, ...(s.extras ? {extras: s.extras} : {})}
}

function ruleContent(req: RuleReq) {
  const scopeSelectors: Record<string, SelectorRecord[]> = {}
  for (const [key, list] of Object.entries(req.scope_selectors ?? {})) scopeSelectors[key] = (list ?? []).map(selector)
  const content = {
    priority: req.priority ?? 0,
    action: req.action ?? 'immutable',
    template: req.template ?? 'immutable_template',
    params: req.params ?? {},
    tagSelectors: (req.tag_selectors ?? []).map(selector),
    scopeSelectors,
  }
  // Harbor stores the rule as JSON text under UNIQUE(project_id, tag_filter).
  return {...content, filterKey: JSON.stringify(content)}
}

function renderRule(rule: ImmutableRuleRecord): Record<string, unknown> {
  const scope: Record<string, unknown> = {}
  for (const [key, list] of Object.entries(rule.scopeSelectors)) scope[key] = list.map(renderSelector)
  return {
    id: rule.id,
    priority: rule.priority,
    disabled: rule.disabled,
    action: rule.action,
    template: rule.template,
    params: rule.params,
    tag_selectors: rule.tagSelectors.map(renderSelector),
    scope_selectors: scope,
  }
}

function duplicateRule(ctx: RequestContext, projectId: number, filterKey: string, except = 0): boolean {
  for (const rule of ctx.state.store.policies.immutableByProject.get(projectId)?.values() ?? []) {
    if (rule.id !== except && rule.filterKey === filterKey) return true
  }
  return false
}

/** GET /projects/{p}/immutabletagrules: sorted by id. */
export const listImmutableRules: Handler = (ctx) => {
  const project = requireProject(ctx, 'immutable-tag', 'list')
  const rules = [...(ctx.state.store.policies.immutableByProject.get(project.id)?.values() ?? [])].sort((a, b) => a.id - b.id)
  return listReply(ctx, rules, renderRule)
}

/** POST /projects/{p}/immutabletagrules: always stored enabled. */
export const createImmutableRule: Handler = (ctx) => {
  const project = requireProject(ctx, 'immutable-tag', 'create')
  const content = ruleContent((ctx.body ?? {}) as RuleReq)
  const {policies} = ctx.state.store
  if (duplicateRule(ctx, project.id, content.filterKey)) throw conflict('immutable rule already exists')
  const rule: ImmutableRuleRecord = {id: policies.nextId('immutable'), projectId: project.id, disabled: false, ...content}
  policies.addImmutableRule(rule)
  return created(`${ctx.fullPath.replace(/\/$/, '')}/${rule.id}`)
}

function ruleFromPath(ctx: RequestContext, projectId: number): ImmutableRuleRecord {
  const id = ctx.values.immutable_rule_id as number
  const rule = ctx.state.store.policies.immutableRules.get(id)
  if (!rule || rule.projectId !== projectId) throw notFound(`immutable rule ${id} not found`)
  return rule
}

/** PUT /projects/{p}/immutabletagrules/{id}: a changed `disabled` toggles only the flag. */
export const updateImmutableRule: Handler = (ctx) => {
  const project = requireProject(ctx, 'immutable-tag', 'update')
  const rule = ruleFromPath(ctx, project.id)
  const req = (ctx.body ?? {}) as RuleReq
  if ((req.id ?? 0) !== rule.id) throw badRequest('the id of the rule in the body must be the same as the one in the path')
  const disabled = req.disabled ?? false
  if (disabled !== rule.disabled) {
    rule.disabled = disabled
    return empty()
  }
  const content = ruleContent(req)
  if (duplicateRule(ctx, project.id, content.filterKey, rule.id)) throw conflict('immutable rule already exists')
  Object.assign(rule, content)
  return empty()
}

/** DELETE /projects/{p}/immutabletagrules/{id} */
export const deleteImmutableRule: Handler = (ctx) => {
  const project = requireProject(ctx, 'immutable-tag', 'delete')
  ctx.state.store.policies.deleteImmutableRule(ruleFromPath(ctx, project.id).id)
  return empty()
}

/** The notification types Harbor supports (`notification.go: initSupportedNotifyType`). */
export const WEBHOOK_EVENT_TYPES = [
  'PUSH_ARTIFACT',
  'PULL_ARTIFACT',
  'DELETE_ARTIFACT',
  'QUOTA_EXCEED',
  'QUOTA_WARNING',
  'SCANNING_FAILED',
  'SCANNING_STOPPED',
  'SCANNING_COMPLETED',
  'REPLICATION',
  'TAG_RETENTION',
] as const

interface WebhookReq {
  name?: string | null
  description?: string | null
  targets?:
    | {
        type?: string | null
        address?: string | null
        auth_header?: string | null
        skip_cert_verify?: boolean | null
        payload_format?: string | null
      }[]
    | null
  event_types?: string[] | null
  creator?: string | null
  enabled?: boolean | null
}

const WEBHOOK_FIELDS: Fields<WebhookRecord> = {
  name: (w) => w.name,
  Name: (w) => w.name,
  enabled: (w) => w.enabled,
  Enabled: (w) => w.enabled,
  creator: (w) => w.creator,
  Creator: (w) => w.creator,
  creation_time: (w) => w.creationTime,
  CreationTime: (w) => w.creationTime,
  update_time: (w) => w.updateTime,
  UpdateTime: (w) => w.updateTime,
  id: (w) => w.id,
  ID: (w) => w.id,
}

function validateTargets(req: WebhookReq): WebhookTargetRecord[] {
  const targets = req.targets ?? []
  if (targets.length === 0) throw badRequest('empty notification target with policy')
  return targets.map((target) => {
    const type = target.type ?? ''
    if (type !== 'http' && type !== 'slack') throw badRequest(`unsupported target type ${type} with policy`)
    let url: URL
    try {
      url = new URL(target.address ?? '')
    } catch {
      throw badRequest(`invalid target address ${target.address ?? ''} with policy`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw badRequest(`invalid target address ${target.address} with policy`)
    let payloadFormat = target.payload_format ?? undefined
    if (type === 'slack' && payloadFormat) throw badRequest('payload format is not supported for slack target')
    if (type === 'http') {
      payloadFormat = payloadFormat || 'Default'
      if (payloadFormat !== 'Default' && payloadFormat !== 'CloudEvents')
        throw badRequest(`unsupported payload format ${payloadFormat}`)
    }
    return {
      type,
      address: `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`,
      authHeader: target.auth_header ?? '',
      skipCertVerify: target.skip_cert_verify ?? false,
      ...(payloadFormat ? {payloadFormat} : {}),
    }
  })
}

function validateWebhook(req: WebhookReq): {targets: WebhookTargetRecord[]; eventTypes: string[]} {
  if (!req.name) throw badRequest('name is required for the policy')
  const eventTypes = req.event_types ?? []
  if (eventTypes.length === 0) throw badRequest('empty event type with policy')
  for (const type of eventTypes) {
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type)) throw badRequest(`unsupported event type ${type}`)
  }
  return {targets: validateTargets(req), eventTypes}
}

function renderWebhook(webhook: WebhookRecord): Record<string, unknown> {
  return {
    id: webhook.id,
    name: webhook.name,
    ...(webhook.description ? {description: webhook.description} : {}),
    project_id: webhook.projectId,
    targets: webhook.targets.map((t) => ({
      type: t.type,
      address: t.address,
      ...(t.authHeader ? {auth_header: t.authHeader} : {}),
      skip_cert_verify: t.skipCertVerify,
      ...(t.payloadFormat ? {payload_format: t.payloadFormat} : {}),
    })),
    event_types: webhook.eventTypes,
    ...(webhook.creator ? {creator: webhook.creator} : {}),
    creation_time: webhook.creationTime,
    update_time: webhook.updateTime,
    enabled: webhook.enabled,
  }
}

function duplicateWebhook(ctx: RequestContext, projectId: number, name: string, except = 0): boolean {
  for (const webhook of ctx.state.store.policies.webhooksByProject.get(projectId)?.values() ?? []) {
    if (webhook.id !== except && webhook.name === name) return true
  }
  return false
}

/** GET /projects/{p}/webhook/policies: newest first. */
export const listWebhooks: Handler = (ctx) => {
  const project = requireProject(ctx, 'notification-policy', 'list')
  const keywords = parseQ(ctx.query.get('q'))
  let items = [...(ctx.state.store.policies.webhooksByProject.get(project.id)?.values() ?? [])]
    .filter((webhook) => matchesQ(webhook, keywords, WEBHOOK_FIELDS))
    .sort((a, b) => (a.creationTime < b.creationTime ? 1 : a.creationTime > b.creationTime ? -1 : b.id - a.id))
  items = applySort(items, ctx.query.get('sort'), WEBHOOK_FIELDS)
  return listReply(ctx, items, renderWebhook)
}

/** POST /projects/{p}/webhook/policies: `enabled` false unless sent. */
export const createWebhook: Handler = (ctx) => {
  const project = requireProject(ctx, 'notification-policy', 'create')
  const req = (ctx.body ?? {}) as WebhookReq
  const {targets, eventTypes} = validateWebhook(req)
  if (duplicateWebhook(ctx, project.id, req.name!)) throw conflict(`notification policy named ${req.name} already exists`)
  const {policies} = ctx.state.store
  const time = now()
  const webhook: WebhookRecord = {
    id: policies.nextId('webhook'),
    projectId: project.id,
    name: req.name!,
    description: req.description ?? '',
    targets,
    eventTypes,
    creator: req.creator ?? '',
    enabled: req.enabled ?? false,
    creationTime: time,
    updateTime: time,
  }
  policies.addWebhook(webhook)
  return created(`${ctx.fullPath.replace(/\/$/, '')}/${webhook.id}`)
}

function webhookFromPath(ctx: RequestContext, projectId: number): WebhookRecord {
  const id = ctx.values.webhook_policy_id as number
  const webhook = ctx.state.store.policies.webhooks.get(id)
  if (!webhook || webhook.projectId !== projectId) throw notFound(`the policy ${id} not found`)
  return webhook
}

/** GET /projects/{p}/webhook/policies/{id} */
export const getWebhook: Handler = (ctx) => {
  const project = requireProject(ctx, 'notification-policy', 'read')
  return ok(renderWebhook(webhookFromPath(ctx, project.id)))
}

/** PUT /projects/{p}/webhook/policies/{id}: every column from the body (creator and enabled included). */
export const updateWebhook: Handler = (ctx) => {
  const project = requireProject(ctx, 'notification-policy', 'update')
  const webhook = webhookFromPath(ctx, project.id)
  const req = (ctx.body ?? {}) as WebhookReq & {creation_time?: string | null}
  const {targets, eventTypes} = validateWebhook(req)
  if (duplicateWebhook(ctx, project.id, req.name!, webhook.id))
    throw conflict(`notification policy named ${req.name} already exists`)
  Object.assign(webhook, {
    name: req.name!,
    description: req.description ?? '',
    targets,
    eventTypes,
    creator: req.creator ?? '',
    enabled: req.enabled ?? false,
    creationTime: req.creation_time ?? '0001-01-01T00:00:00.000Z',
    updateTime: now(),
  })
  return empty()
}

/** DELETE /projects/{p}/webhook/policies/{id} */
export const deleteWebhook: Handler = (ctx) => {
  const project = requireProject(ctx, 'notification-policy', 'delete')
  ctx.state.store.policies.deleteWebhook(webhookFromPath(ctx, project.id).id)
  return empty()
}
