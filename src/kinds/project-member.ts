/**
 * The `project_member` kind: a group or a user with a role in a project.
 *
 * Key: `<project>/g:<group>` for a group member, `<project>/u:<username>` for a user member (project
 * names cannot hold "/", so the first "/" splits; group names may hold anything, even "/"). Import
 * IDs take the same forms, and `<project>/<group>` means a group. The project's creator (usually
 * `admin`, as projectAdmin) is a member of every project Harbor creates: it is listed like any
 * member and left alone unless declared; declaring it adopts the existing membership.
 */
import {closest} from '../model/suggest.js'
import {z} from 'zod'
import {HrepError} from '../model/errors.js'
import type {HarborMember, HarborProject, HarborUserGroup} from './harbor.js'
import {
  collect,
  groupIdByName,
  idFromLocation,
  isForbidden,
  isNotFound,
  listProjects,
  listUserGroups,
  memoize,
  send,
  segment,
  statusOf,
} from './io.js'
import type {CreateResult, KeyRef, Kind, KindContext, LiveObject} from './kind.js'
import {findGroupByName, GROUP_TYPE_IDS, GROUP_TYPES, type GroupType, groupTypeFromId} from './oidc-group.js'
import {parseRole, ROLE_IDS, ROLE_NAMES, type RoleName, roleFromId} from './roles.js'
import {
  harborNameProblem,
  type IssueSink,
  type NamedRef,
  namedRef,
  onlyKeys,
  projectRef,
  quickChecked,
  quickNamedRef,
  quickProjectRef,
} from './schema.js'

/** Normalised member attributes: exactly one of `group` (with `group_type`) or `user`. */
export type MemberAttrs = {
  project: string
  group?: string
  /** The group's type; for a group member always managed, default "oidc" (or the referenced group's type). */
  group_type?: GroupType
  user?: string
  role: RoleName
}

/** The raw view `normalize` takes: the member as listed, its project's name, and its group's type when known. */
export interface MemberLive {
  member: HarborMember
  project: string
  groupType?: GroupType
}

const configSchema = z
  .strictObject({
    project: projectRef(),
    group: namedRef('a group name or a reference like oidc_group.devs').optional(),
    group_type: z.enum(GROUP_TYPES, {error: () => 'expected "oidc", "ldap" or "http"'}).optional(),
    user: z
      .string({error: () => 'expected a username'})
      .min(1, {error: () => 'a username must not be empty'})
      .optional(),
    role: z.string({error: () => `expected a role: ${ROLE_NAMES.join(', ')}`}).transform((value, ctx) => {
      const role = parseRole(value)
      if (role) return role
      const guess = closest(value, ROLE_NAMES)
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a role;${guess ? ` did you mean "${guess}"?` : ''} expected one of ${ROLE_NAMES.join(', ')}`,
      })
      return z.NEVER
    }),
  })
  .transform((body, ctx): MemberAttrs => memberAttrs(body, (path, message) => ctx.addIssue({code: 'custom', path, message})))

/** A member body as the schema's fields produce it, before the checks across fields. */
type MemberBody = {project: string; group?: NamedRef; group_type?: GroupType; user?: string; role: RoleName}

/** The checks across fields and the attributes, shared by `configSchema` and `quickMemberConfig`. */
function memberAttrs(body: MemberBody, issue: IssueSink): MemberAttrs {
  const attrs: MemberAttrs = {project: body.project, role: body.role}
  if ((body.group === undefined) === (body.user === undefined)) {
    issue([body.group === undefined ? 'group' : 'user'], 'set exactly one of "group" or "user"')
    return attrs
  }
  if (body.user !== undefined) {
    if (body.group_type !== undefined) issue(['group_type'], 'group_type is only for group members')
    attrs.user = body.user
    return attrs
  }
  const group = body.group!
  const referenced = group.ref?.type
  if (referenced !== undefined && !(GROUP_TYPES as readonly unknown[]).includes(referenced)) {
    issue(['group'], `the referenced group has an unknown type ${JSON.stringify(referenced)}`)
  } else if (referenced !== undefined && body.group_type !== undefined && referenced !== body.group_type) {
    issue(['group_type'], `the referenced group is a ${String(referenced)} group, not ${body.group_type}`)
  }
  attrs.group = group.name
  attrs.group_type = (referenced as GroupType | undefined) ?? body.group_type ?? 'oidc'
  return attrs
}

const MEMBER_KEYS: ReadonlySet<string> = new Set(Object.keys(configSchema.in.shape))

/** The quick twin of `configSchema` (see Kind.quickConfig): the same attributes, or undefined when unsure. */
function quickMemberConfig(input: Readonly<Record<string, unknown>>): MemberAttrs | undefined {
  if (!onlyKeys(input, MEMBER_KEYS)) return undefined
  const project = quickProjectRef(input.project)
  const group = input.group === undefined ? undefined : quickNamedRef(input.group)
  const {group_type: groupType, user} = input
  const role = typeof input.role === 'string' ? parseRole(input.role) : undefined
  if (project === undefined || role === undefined || (group === undefined && input.group !== undefined)) return undefined
  if (groupType !== undefined && !(GROUP_TYPES as readonly unknown[]).includes(groupType)) return undefined
  if (user !== undefined && (typeof user !== 'string' || user.length === 0)) return undefined
  return quickChecked(memberAttrs, {project, group, group_type: groupType as GroupType | undefined, user, role})
}

/** The natural key of a member: `<project>/g:<group>` or `<project>/u:<user>`. */
export function memberKey(attrs: Pick<MemberAttrs, 'project' | 'group' | 'user'>): string {
  return attrs.group !== undefined ? `${attrs.project}/g:${attrs.group}` : `${attrs.project}/u:${attrs.user}`
}

/** A member key split into its parts. */
export interface MemberKeyParts {
  project: string
  entity: 'g' | 'u'
  name: string
}

/** Splits a member key or import ID; `<project>/<name>` (no `g:`/`u:`) means a group. Undefined when malformed. */
export function splitMemberKey(key: string): MemberKeyParts | undefined {
  const slash = key.indexOf('/')
  if (slash <= 0 || slash === key.length - 1) return undefined
  const project = key.slice(0, slash)
  const rest = key.slice(slash + 1)
  const typed = /^([gu]):(.+)$/s.exec(rest)
  return typed ? {project, entity: typed[1] as 'g' | 'u', name: typed[2]} : {project, entity: 'g', name: rest}
}

/** Normalised attributes of a member as Harbor lists it (see MemberLive). Pure. */
export function normalizeMember(live: MemberLive): MemberAttrs {
  const {member, project, groupType} = live
  const attrs: MemberAttrs = {project, role: roleFromId(member.role_id) as RoleName}
  if (member.entity_type === 'g') {
    attrs.group = member.entity_name ?? ''
    if (groupType !== undefined) attrs.group_type = groupType
  } else {
    attrs.user = member.entity_name ?? ''
  }
  return attrs
}

function membersPath(project: string): string {
  return `/projects/${segment(project)}/members`
}

/**
 * The type of each named group: from the group list when the credential may read it, else (and for
 * groups the list leaves out: Harbor lists only LDAP groups in LDAP mode) from `/usergroups/search`,
 * which any user may call. Memoised per endpoint and refresh.
 */
async function groupTypes(ctx: KindContext, names: Iterable<string>): Promise<Map<string, GroupType>> {
  const types = new Map<string, GroupType>()
  let listed: HarborUserGroup[] = []
  try {
    listed = await listUserGroups(ctx)
  } catch (error) {
    if (!isForbidden(error)) throw error
  }
  for (const group of listed) if (group.group_name !== undefined) types.set(group.group_name, groupTypeFromId(group.group_type))
  const missing = [...new Set(names)].filter((name) => !types.has(name))
  await Promise.all(
    missing.map(async (name) => {
      const found = await memoize(ctx, `usergroup-search:${name}`, () =>
        collect<HarborUserGroup>(ctx, '/usergroups/search', {groupname: name}).then((items) =>
          items.find((item) => item.group_name === name),
        ),
      )
      if (found) types.set(name, groupTypeFromId(found.group_type))
    }),
  )
  return types
}

function toLive(member: HarborMember, project: string, types: Map<string, GroupType>): LiveObject<MemberAttrs> {
  const groupType = member.entity_type === 'g' ? types.get(member.entity_name ?? '') : undefined
  const attrs = normalizeMember({member, project, groupType})
  return {id: String(member.id ?? ''), key: memberKey(attrs), attrs}
}

/** The members named `name` in one project (an exact `entityname` match: at most a user and a group). */
async function membersNamed(ctx: KindContext, project: string, name: string): Promise<HarborMember[] | undefined> {
  try {
    const response = await send<HarborMember[]>(ctx, {
      method: 'GET',
      path: membersPath(project),
      resourceName: true,
      query: {entityname: name, page_size: 100},
    })
    return response.body ?? []
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

async function findMember(ctx: KindContext, key: string): Promise<LiveObject<MemberAttrs> | undefined> {
  const parts = splitMemberKey(key)
  if (!parts) return undefined
  const members = await membersNamed(ctx, parts.project, parts.name)
  const member = members?.find((item) => item.entity_type === parts.entity && item.entity_name === parts.name)
  if (!member) return undefined
  const types = parts.entity === 'g' ? await groupTypes(ctx, [parts.name]) : new Map<string, GroupType>()
  return toLive(member, parts.project, types)
}

/** Whether `username` created (owns) `project`: Harbor made that membership itself. */
async function isProjectOwner(ctx: KindContext, project: string, username: string): Promise<boolean> {
  const response = await send<HarborProject>(ctx, {method: 'GET', path: `/projects/${segment(project)}`, resourceName: true})
  return response.body.owner_name === username
}

/**
 * The member_group body: by id when the group can be found (fewest surprises), else by name and type.
 * The id is looked up once per group and run, not once per member (10,000 members of 500 groups).
 */
async function memberGroup(ctx: KindContext, name: string, type: GroupType): Promise<Record<string, unknown>> {
  const id = await groupIdByName(ctx, name, async () => (await findGroupByName(ctx, name))?.id)
  if (id !== undefined) return {id}
  // Never without group_type: Harbor would then search (and in OIDC mode create) a group by name alone.
  return {group_name: name, group_type: GROUP_TYPE_IDS[type]}
}

/** The project_member kind. */
export const projectMemberKind: Kind<MemberAttrs> = {
  name: 'project_member',
  configSchema,
  quickConfig: quickMemberConfig,
  sensitive: [],
  replaceOn: ['project', 'group', 'user'],
  key: memberKey,
  dependsOn(attrs) {
    // Harbor deletes a membership with its project and with its group.
    const refs: KeyRef[] = [{kind: 'project', key: attrs.project, contained: true}]
    if (attrs.group !== undefined) refs.push({kind: 'oidc_group', key: attrs.group, contained: true})
    return refs
  },
  parseImportId(id) {
    const parts = splitMemberKey(id.trim())
    const problem = parts ? harborNameProblem(parts.project, 'project') : 'expected "<project>/<group>"'
    if (!parts || problem) {
      throw new HrepError(
        'import_id_invalid',
        `invalid import ID "${id}" for a project member: ${problem}; use "team/devs" or "team/g:devs" for a group, "team/u:alice" for a user`,
      )
    }
    return `${parts.project}/${parts.entity}:${parts.name}`
  },
  normalize: (raw) => normalizeMember(raw as MemberLive),

  async list(ctx) {
    const projects = (await listProjects(ctx)).filter((project) => project.project_id !== undefined && project.name !== undefined)
    // By id: the pager cannot send X-Is-Resource-Name, and an all-digit name would be read as an id.
    const perProject = await Promise.all(
      projects.map(async (project) => ({
        project: project.name!,
        members: await collect<HarborMember>(ctx, `/projects/${project.project_id}/members`),
      })),
    )
    const groupNames = perProject.flatMap(({members}) =>
      members.filter((member) => member.entity_type === 'g').map((member) => member.entity_name ?? ''),
    )
    const types = groupNames.length > 0 ? await groupTypes(ctx, groupNames) : new Map<string, GroupType>()
    return perProject.flatMap(({project, members}) => members.map((member) => toLive(member, project, types)))
  },

  find: findMember,

  async create(ctx, attrs): Promise<CreateResult> {
    const body: Record<string, unknown> = {role_id: ROLE_IDS[attrs.role]}
    if (attrs.user !== undefined) body.member_user = {username: attrs.user}
    else body.member_group = await memberGroup(ctx, attrs.group!, attrs.group_type ?? 'oidc')
    try {
      const response = await send(ctx, {method: 'POST', path: membersPath(attrs.project), resourceName: true, body})
      const id = idFromLocation(response.headers)
      if (id !== undefined) return {id}
    } catch (error) {
      // Harbor made the project's creator a member when it created the project: adopt that membership.
      if (statusOf(error) !== 409 || attrs.user === undefined || !(await isProjectOwner(ctx, attrs.project, attrs.user)))
        throw error
      const existing = await findMember(ctx, memberKey(attrs))
      if (!existing) throw error
      if (existing.attrs.role !== attrs.role) await projectMemberKind.update(ctx, existing, attrs, ['role'])
      return {id: existing.id}
    }
    const created = await findMember(ctx, memberKey(attrs))
    if (!created) {
      throw new HrepError(
        'create_unconfirmed',
        `member "${memberKey(attrs)}" was created on endpoint ${ctx.client.endpoint} but cannot be found`,
      )
    }
    return {id: created.id}
  },

  async update(ctx, live, desired, changed) {
    if (changed.includes('group_type')) {
      throw new HrepError(
        'group_type_mismatch',
        `group "${live.attrs.group}" on endpoint ${ctx.client.endpoint} is a ${live.attrs.group_type ?? 'unknown'} group, but the member declares ${desired.group_type}; group names are unique in Harbor, so fix the declaration or the group`,
      )
    }
    if (!changed.includes('role')) return
    // Harbor stores any role id on PUT without checking it; the schema has already limited it to 1..5.
    await send(ctx, {
      method: 'PUT',
      path: `${membersPath(live.attrs.project)}/${live.id}`,
      resourceName: true,
      body: {role_id: ROLE_IDS[desired.role]},
    })
  },

  async delete(ctx, live) {
    try {
      await send(ctx, {method: 'DELETE', path: `${membersPath(live.attrs.project)}/${live.id}`, resourceName: true})
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
  },
}
