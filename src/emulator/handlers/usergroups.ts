/**
 * User groups (`handler/usergroup.go`, `pkg/usergroup`): types 1 LDAP / 2 HTTP / 3 OIDC, three layers of
 * name conflicts (409 same name and type, 409 against an HTTP group, 500 from the DB's global unique
 * name), GET by id without `id`, DELETE without an existence check that also removes memberships,
 * and the search endpoint that ignores `page`.
 */
import {
  authMode,
  created,
  empty,
  type Handler,
  listReply,
  ok,
  pagedReply,
  type Reply,
  type RequestContext,
  robotPrefix,
} from '../context.js'
import {badRequest, badRequestEmpty, conflict, internal, notFound} from '../errors.js'
import {linkHeader, pageRequest} from '../query.js'
import {requireAuthenticated, requireSystemAccess} from '../rbac.js'
import {type GroupRecord, now, type Store} from '../store.js'

/** Group types: 1 LDAP, 2 HTTP (auth proxy), 3 OIDC. */
export const GROUP_TYPES = {ldap: 1, http: 2, oidc: 3} as const

function renderGroup(group: GroupRecord): Record<string, unknown> {
  return {id: group.id, group_name: group.name, group_type: group.type, ...(group.ldapDn ? {ldap_group_dn: group.ldapDn} : {})}
}

function requireGroupAccess(ctx: RequestContext, action: string): void {
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'user-group', action)
}

/** Adds a group after Harbor's conflict checks; used by POST /usergroups and by member onboarding. */
export function addGroup(store: Store, name: string, type: number, ldapDn: string): GroupRecord {
  for (const group of store.groups.values()) {
    if (group.name === name && group.type === type) {
      throw conflict(`duplicate user group, group name:${name}, group type:${type}, ldap group DN:${ldapDn}`)
    }
  }
  const existing = store.groupByName.get(name)
  if (existing !== undefined && store.groups.get(existing)!.type === GROUP_TYPES.http) {
    throw conflict('duplicated user group name')
  }
  // The DB keeps group names unique across types; the raw insert error is masked to a 500.
  if (existing !== undefined) throw internal('pq: duplicate key value violates unique constraint "unique_group_name"')
  const time = now()
  const group: GroupRecord = {id: store.nextId('group'), name, type, ldapDn, creationTime: time, updateTime: time}
  store.addGroup(group)
  return group
}

/** A loose version of go-ldap's `ParseDN`: comma-separated `attr=value` parts, spaces allowed around them. */
export function isDnSyntax(dn: string): boolean {
  return dn.trim() !== '' && dn.split(',').every((part) => /^\s*[A-Za-z][\w.-]*\s*=\s*\S.*$/.test(part))
}

/** GET /usergroups: admins; `group_name` fuzzy, `ldap_group_dn` exact in LDAP mode; the mode narrows the types shown. */
export const listUserGroups: Handler = (ctx) => {
  requireGroupAccess(ctx, 'list')
  const mode = authMode(ctx.state)
  const name = (ctx.values.group_name as string | undefined)?.toLowerCase()
  const dn = mode === 'ldap_auth' ? (ctx.values.ldap_group_dn as string | undefined) : undefined
  const onlyType = mode === 'ldap_auth' ? GROUP_TYPES.ldap : mode === 'http_auth' ? GROUP_TYPES.http : undefined
  const {groups} = ctx.state.store
  if (onlyType === undefined && !name && !dn) {
    // Unfiltered: the id-ordered map is the index; walk only up to the requested page.
    const page = pageRequest(ctx.query)
    const start = page.pageSize === 0 ? 0 : (page.page - 1) * page.pageSize
    const end = page.pageSize === 0 ? groups.size : start + page.pageSize
    const slice: unknown[] = []
    let index = 0
    for (const group of groups.values()) {
      if (index >= end) break
      if (index >= start) slice.push(renderGroup(group))
      index++
    }
    return pagedReply(ctx, groups.size, slice, page)
  }
  const items: GroupRecord[] = []
  for (const group of groups.values()) {
    if (onlyType !== undefined && group.type !== onlyType) continue
    if (name && !group.name.toLowerCase().includes(name)) continue
    if (dn && group.ldapDn !== dn) continue
    items.push(group)
  }
  return listReply(ctx, items, renderGroup)
}

interface GroupReq {
  group_name?: string | null
  group_type?: number | null
  ldap_group_dn?: string | null
}

/** POST /usergroups */
export const createUserGroup: Handler = (ctx) => {
  requireGroupAccess(ctx, 'create')
  const req = ctx.body as GroupReq | undefined
  const name = req?.group_name ?? ''
  if (name === '') throw badRequestEmpty()
  const type = req?.group_type ?? 0
  const dn = req?.ldap_group_dn ?? ''
  if (type === GROUP_TYPES.ldap) {
    if (authMode(ctx.state) !== 'ldap_auth') throw badRequest(`LDAP Group DN is not found: DN:${dn}`)
    if (!isDnSyntax(dn)) throw badRequest('invalid DN syntax')
  }
  const group = addGroup(ctx.state.store, name, type, type === GROUP_TYPES.ldap ? dn : '')
  return created(`${ctx.fullPath.replace(/\/$/, '')}/${group.id}`)
}

function groupId(ctx: RequestContext): number {
  const id = ctx.values.group_id as number
  if (id <= 0) throw badRequest('the group_id should be a positive integer')
  return id
}

/** GET /usergroups/{group_id}: no `id` in the body. */
export const getUserGroup: Handler = (ctx) => {
  const id = groupId(ctx)
  requireGroupAccess(ctx, 'read')
  const group = ctx.state.store.groups.get(id)
  if (!group) throw notFound(`the user group with id ${id} is not found`)
  return ok({group_name: group.name, group_type: group.type, ...(group.ldapDn ? {ldap_group_dn: group.ldapDn} : {})})
}

/** PUT /usergroups/{group_id}: only the name changes; a name taken by another group is a masked DB error. */
export const updateUserGroup: Handler = (ctx) => {
  const id = groupId(ctx)
  requireGroupAccess(ctx, 'update')
  const req = ctx.body as GroupReq | undefined
  const name = req?.group_name ?? ''
  if (!req || name === '') throw badRequestEmpty()
  const {store} = ctx.state
  if (!store.groups.has(id)) throw notFound(`the user group with id ${id} is not found`)
  const holder = store.groupByName.get(name)
  if (holder !== undefined && holder !== id) {
    throw internal('pq: duplicate key value violates unique constraint "unique_group_name"')
  }
  store.renameGroup(id, name)
  return empty()
}

/** DELETE /usergroups/{group_id}: 200 whether or not it exists; memberships go with it. */
export const deleteUserGroup: Handler = (ctx) => {
  const id = groupId(ctx)
  requireGroupAccess(ctx, 'delete')
  ctx.state.store.deleteGroup(id)
  return empty()
}

/** GET /usergroups/search?groupname=: any logged-in caller; `page` is ignored (every page is the first), `page_size` is a limit. */
export const searchUserGroups: Handler = (ctx) => {
  requireAuthenticated(ctx.caller)
  const needle = String(ctx.values.groupname ?? '').toLowerCase()
  const items = [...ctx.state.store.groups.values()].filter((group) => group.name.toLowerCase().includes(needle))
  return searchReply(ctx, items, (g) => ({id: g.id, group_name: g.name, group_type: g.type}))
}

/**
 * The answer of Harbor's two search endpoints: the first `page_size` matches whatever `page` says, the
 * total of all matches, and a Link computed from the requested page.
 */
export function searchReply<T>(ctx: RequestContext, items: readonly T[], render: (item: T) => unknown): Reply {
  const request = pageRequest(ctx.query)
  const reply = listReply(ctx, items, render, {page: 1, pageSize: request.pageSize})
  const link = linkHeader(ctx.fullPath, ctx.query, request, items.length)
  const headers: Record<string, string> = {'x-total-count': String(items.length)}
  if (link) headers.link = link
  return {...reply, headers}
}
