/**
 * The `oidc_group` kind: Harbor user groups (`/usergroups`). OIDC groups by default (group_type 3);
 * `type = "ldap"` with `ldap_dn` expresses LDAP groups (1) and `type = "http"` auth-proxy groups (2).
 * Key: the group name, which Harbor keeps unique across every type. Nothing is updatable in place:
 * the name is the key, and Harbor ignores type and DN on update, so those force a replacement.
 */
import {z} from 'zod'
import {HrepError} from '../model/errors.js'
import type {HarborUserGroup} from './harbor.js'
import {collect, idFromLocation, isNotFound, listUserGroups, rememberGroupId, restated, send, statusOf} from './io.js'
import type {CreateResult, Kind, KindContext, LiveObject} from './kind.js'
import {type IssueSink, onlyKeys, quickChecked} from './schema.js'

/** Group types by name, as hrep spells them. */
export const GROUP_TYPES = ['oidc', 'ldap', 'http'] as const
export type GroupType = (typeof GROUP_TYPES)[number]

/** Harbor's `group_type` numbers (`src/common/const.go`). */
export const GROUP_TYPE_IDS: Record<GroupType, number> = {ldap: 1, http: 2, oidc: 3}

/** The group type for Harbor's number; an unknown number gives `unknown(<n>)`, which equals no declared type. */
export function groupTypeFromId(id: number | undefined): GroupType {
  for (const type of GROUP_TYPES) if (GROUP_TYPE_IDS[type] === id) return type
  return `unknown(${id})` as GroupType
}

/** Normalised group attributes. */
export type GroupAttrs = {
  name: string
  /** Always managed; default "oidc". */
  type: GroupType
  /** The LDAP group DN in canonical form (see canonicalDn); only for LDAP groups. */
  ldap_dn?: string
}

/**
 * Canonical form of an LDAP DN for comparison: attribute names and values lower-cased, spaces around
 * ",", "+" and "=" removed (`CN=Devs, OU=Groups,DC=Example,DC=com` → `cn=devs,ou=groups,dc=example,dc=com`).
 * Escaped separators (`\,`) are kept. LDAP servers compare these case-insensitively, as Harbor's do.
 */
export function canonicalDn(dn: string): string {
  const parts: string[] = []
  let current = ''
  for (let i = 0; i < dn.length; i++) {
    const char = dn[i]
    if (char === '\\' && i + 1 < dn.length) {
      current += char + dn[++i]
    } else if (char === ',' || char === '+' || char === '=') {
      parts.push(current.trim(), char)
      current = ''
    } else {
      current += char
    }
  }
  parts.push(current.trim())
  return parts.join('').toLowerCase()
}

const configSchema = z
  .strictObject({
    name: z.string({error: () => 'expected a group name'}).min(1, {error: () => 'a group name must not be empty'}),
    type: z.enum(GROUP_TYPES, {error: () => 'expected "oidc", "ldap" or "http"'}).default('oidc'),
    ldap_dn: z.string({error: () => 'expected an LDAP DN like "cn=devs,ou=groups,dc=example,dc=com"'}).optional(),
  })
  .transform((body, ctx): GroupAttrs => groupAttrs(body, (path, message) => ctx.addIssue({code: 'custom', path, message})))

/** The checks across fields and the attributes, shared by `configSchema` and `quickGroupConfig`. */
function groupAttrs(body: {name: string; type: GroupType; ldap_dn?: string}, issue: IssueSink): GroupAttrs {
  const attrs: GroupAttrs = {name: body.name, type: body.type}
  if (body.type === 'ldap') {
    if (body.ldap_dn === undefined || body.ldap_dn.trim() === '') issue(['ldap_dn'], 'an LDAP group needs ldap_dn')
    else attrs.ldap_dn = canonicalDn(body.ldap_dn)
  } else if (body.ldap_dn !== undefined) {
    issue(['ldap_dn'], `ldap_dn is only for type = "ldap" (this group is ${body.type})`)
  }
  return attrs
}

const GROUP_KEYS: ReadonlySet<string> = new Set(Object.keys(configSchema.in.shape))

/** The quick twin of `configSchema` (see Kind.quickConfig): the same attributes, or undefined when unsure. */
function quickGroupConfig(input: Readonly<Record<string, unknown>>): GroupAttrs | undefined {
  if (!onlyKeys(input, GROUP_KEYS)) return undefined
  const {name, ldap_dn: ldapDn} = input
  const type = input.type === undefined ? 'oidc' : input.type
  if (typeof name !== 'string' || name.length === 0 || !(GROUP_TYPES as readonly unknown[]).includes(type)) return undefined
  if (ldapDn !== undefined && typeof ldapDn !== 'string') return undefined
  return quickChecked(groupAttrs, {name, type: type as GroupType, ldap_dn: ldapDn})
}

/** Normalised attributes of a user group as Harbor returns it. Pure. */
export function normalizeGroup(group: HarborUserGroup): GroupAttrs {
  const attrs: GroupAttrs = {name: group.group_name ?? '', type: groupTypeFromId(group.group_type)}
  if (attrs.type === 'ldap' && group.ldap_group_dn) attrs.ldap_dn = canonicalDn(group.ldap_group_dn)
  return attrs
}

function toLive(group: HarborUserGroup): LiveObject<GroupAttrs> {
  const attrs = normalizeGroup(group)
  return {id: String(group.id ?? ''), key: attrs.name, attrs}
}

/** The group with exactly this name, looked up with `group_name` (a contains-match in Harbor, so filtered here). */
export async function findGroupByName(ctx: KindContext, name: string): Promise<HarborUserGroup | undefined> {
  const groups = await collect<HarborUserGroup>(ctx, '/usergroups', {group_name: name})
  return groups.find((group) => group.group_name === name)
}

/** The oidc_group kind. */
export const oidcGroupKind: Kind<GroupAttrs> = {
  name: 'oidc_group',
  configSchema,
  quickConfig: quickGroupConfig,
  sensitive: [],
  replaceOn: ['type', 'ldap_dn'],
  key: (attrs) => attrs.name,
  dependsOn: () => [],
  parseImportId(id) {
    if (id.trim() === '') throw new HrepError('import_id_invalid', 'invalid import ID for a group: the group name is empty')
    return id
  },
  normalize: (raw) => normalizeGroup(raw as HarborUserGroup),

  async list(ctx) {
    const groups = await listUserGroups(ctx)
    return groups.filter((group) => typeof group.group_name === 'string').map(toLive)
  },

  async find(ctx, key) {
    const group = await findGroupByName(ctx, key)
    return group ? toLive(group) : undefined
  },

  async create(ctx, attrs): Promise<CreateResult> {
    const body = {
      group_name: attrs.name,
      group_type: GROUP_TYPE_IDS[attrs.type],
      ...(attrs.ldap_dn === undefined ? {} : {ldap_group_dn: attrs.ldap_dn}),
    }
    try {
      const response = await send(ctx, {method: 'POST', path: '/usergroups', body})
      const id = idFromLocation(response.headers)
      if (id !== undefined) {
        rememberGroupId(ctx, attrs.name, Number(id))
        return {id}
      }
    } catch (error) {
      // A name taken by a group of another type: Harbor answers 409 (an HTTP group) or a bare 500 (a
      // unique constraint in its database). A 500 may also hide a create that went through.
      const status = statusOf(error)
      if (status !== 409 && status !== 500) throw error
      const existing = await findGroupByName(ctx, attrs.name)
      if (!existing) throw error
      const type = groupTypeFromId(existing.group_type)
      if (type !== attrs.type) {
        throw restated(
          error,
          'conflict',
          `group "${attrs.name}" already exists on endpoint ${ctx.client.endpoint} as a ${type} group; Harbor keeps group names unique across types`,
        )
      }
      if (status === 409) throw error
      rememberGroupId(ctx, attrs.name, existing.id)
      return {id: String(existing.id)}
    }
    const created = await findGroupByName(ctx, attrs.name)
    if (created?.id === undefined) {
      throw new HrepError(
        'create_unconfirmed',
        `group "${attrs.name}" was created on endpoint ${ctx.client.endpoint} but cannot be found`,
      )
    }
    rememberGroupId(ctx, attrs.name, created.id)
    return {id: String(created.id)}
  },

  async update(ctx, live, _desired, changed) {
    // Every attribute is the key or in replaceOn, so a planner never asks for this; say so if it does.
    if (changed.length > 0) {
      throw new HrepError(
        'not_updatable',
        `group "${live.key}" on endpoint ${ctx.client.endpoint}: ${changed.join(', ')} cannot be changed in place; the group must be replaced`,
      )
    }
  },

  async delete(ctx, live) {
    rememberGroupId(ctx, live.key, undefined)
    try {
      await send(ctx, {method: 'DELETE', path: `/usergroups/${live.id}`})
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
  },
}
