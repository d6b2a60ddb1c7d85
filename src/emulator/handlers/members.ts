/**
 * Project members (`handler/member.go`, `controller/member`): a user or a group with role 1–5; creation
 * resolves `member_user.user_id` > `member_group.id` > `member_user.username` > `member_group.ldap_group_dn`
 * > `member_group.group_name` (+ `group_type`; without it OIDC mode onboards the group); duplicates are
 * 409 before the role is checked; PUT stores any role (an invalid one hides the member); DELETE never 404s.
 */
import {authMode, created, empty, type Handler, listReply, ok, type RequestContext} from '../context.js'
import {badRequest, conflict, notFound} from '../errors.js'
import {ROLE_NAMES} from '../rbac.js'
import type {MemberRecord, ProjectRecord} from '../store.js'
import {requireProject} from './projects.js'
import {addGroup, GROUP_TYPES} from './usergroups.js'

function entityName(ctx: RequestContext, member: MemberRecord): string | undefined {
  const {store} = ctx.state
  return member.entityType === 'u' ? store.users.get(member.entityId)?.username : store.groups.get(member.entityId)?.name
}

function renderMember(member: MemberRecord, name: string): Record<string, unknown> {
  return {
    id: member.id,
    project_id: member.projectId,
    entity_name: name,
    role_name: ROLE_NAMES[member.roleId],
    role_id: member.roleId,
    entity_id: member.entityId,
    entity_type: member.entityType,
  }
}

/** Members as the list query joins them: with a known role and an existing entity, by entity name. */
function listed(ctx: RequestContext, project: ProjectRecord): {member: MemberRecord; name: string}[] {
  const out: {member: MemberRecord; name: string}[] = []
  for (const member of ctx.state.store.membersByProject.get(project.id)?.values() ?? []) {
    const name = entityName(ctx, member)
    if (name !== undefined && ROLE_NAMES[member.roleId]) out.push({member, name})
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.member.id - b.member.id))
}

/** GET /projects/{p}/members?entityname= (exact) */
export const listProjectMembers: Handler = (ctx) => {
  const project = requireProject(ctx, 'member', 'list')
  const entity = ctx.values.entityname as string | undefined
  const items = listed(ctx, project).filter((entry) => !entity || entry.name === entity)
  return listReply(ctx, items, (entry) => renderMember(entry.member, entry.name))
}

interface MemberReq {
  role_id?: number | null
  member_user?: {user_id?: number | null; username?: string | null} | null
  member_group?: {
    id?: number | null
    group_name?: string | null
    group_type?: number | null
    ldap_group_dn?: string | null
  } | null
}

/** Finds (or, in OIDC/HTTP mode, onboards) the entity a member request names. */
function resolveEntity(ctx: RequestContext, req: MemberReq): {type: 'u' | 'g'; id: number} {
  const {store} = ctx.state
  const user = req.member_user
  const group = req.member_group
  if (user?.user_id) {
    if (!store.users.has(user.user_id)) throw notFound(`user ${user.user_id} not found`)
    return {type: 'u', id: user.user_id}
  }
  if (group?.id) {
    if (!store.groups.has(group.id)) throw notFound(`the user group with id ${group.id} is not found`)
    return {type: 'g', id: group.id}
  }
  if (user?.username) {
    const found = store.userByUsername(user.username)
    if (!found) throw notFound(`${user.username} not found`)
    return {type: 'u', id: found.id}
  }
  if (group?.ldap_group_dn) {
    for (const candidate of store.groups.values()) {
      if (candidate.type === GROUP_TYPES.ldap && candidate.ldapDn === group.ldap_group_dn) return {type: 'g', id: candidate.id}
    }
    throw notFound(`LDAP group ${group.ldap_group_dn} not found`)
  }
  if (group?.group_name) {
    const type = group.group_type ?? 0
    const id = store.groupByName.get(group.group_name)
    if (id !== undefined && store.groups.get(id)!.type === type) return {type: 'g', id}
    // Nothing matched name+type: Harbor asks the authenticator to search and onboard the group.
    const mode = authMode(ctx.state)
    const onboardType = mode === 'oidc_auth' ? GROUP_TYPES.oidc : mode === 'http_auth' ? GROUP_TYPES.http : undefined
    if (onboardType === undefined) throw notFound(`group ${group.group_name} not found`)
    if (id !== undefined && store.groups.get(id)!.type === onboardType) return {type: 'g', id}
    return {type: 'g', id: addGroup(store, group.group_name, onboardType, '').id}
  }
  throw badRequest('at least one of member_user or member_group must be provided')
}

/** POST /projects/{p}/members */
export const createProjectMember: Handler = (ctx) => {
  const project = requireProject(ctx, 'member', 'create')
  const req = (ctx.body ?? {}) as MemberReq
  const entity = resolveEntity(ctx, req)
  const {store} = ctx.state
  if (store.findMember(project.id, entity.type, entity.id)) throw conflict('The project member specified already exist')
  const role = req.role_id ?? 0
  if (!ROLE_NAMES[role]) throw badRequest('Failed to update project member, role is not in 1,2,3')
  const member: MemberRecord = {
    id: store.nextId('member'),
    projectId: project.id,
    entityType: entity.type,
    entityId: entity.id,
    roleId: role,
  }
  store.addMember(member)
  return created(`${ctx.fullPath.replace(/\/$/, '')}/${member.id}`)
}

function memberId(ctx: RequestContext): number {
  const id = ctx.values.mid as number
  if (id <= 0) throw badRequest('the project member id is invalid')
  return id
}

/** GET /projects/{p}/members/{mid} */
export const getProjectMember: Handler = (ctx) => {
  const project = requireProject(ctx, 'member', 'read')
  const id = memberId(ctx)
  const member = ctx.state.store.membersByProject.get(project.id)?.get(id)
  const name = member && entityName(ctx, member)
  if (!member || name === undefined || !ROLE_NAMES[member.roleId]) {
    throw notFound(`the project member with id ${id} is not found`)
  }
  return ok(renderMember(member, name))
}

/** PUT /projects/{p}/members/{mid}: a raw UPDATE, no role check, no existence check. */
export const updateProjectMember: Handler = (ctx) => {
  const project = requireProject(ctx, 'member', 'update')
  const id = memberId(ctx)
  const body = ctx.body as {role_id?: number | null} | undefined
  if (!body) throw badRequest('the role is required')
  const member = ctx.state.store.membersByProject.get(project.id)?.get(id)
  if (member) member.roleId = body.role_id ?? 0
  return empty()
}

/** DELETE /projects/{p}/members/{mid}: 200 even when there is no such member. */
export const deleteProjectMember: Handler = (ctx) => {
  const project = requireProject(ctx, 'member', 'delete')
  const id = memberId(ctx)
  if (ctx.state.store.membersByProject.get(project.id)?.has(id)) ctx.state.store.deleteMember(id)
  return empty()
}
