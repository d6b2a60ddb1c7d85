/**
 * Robot permissions: Harbor's grantable `resource:action` pairs per scope, and the canonical form
 * hrep compares. Harbor returns a robot's permissions in random order (it groups a Go map), so the
 * canonical form is a set: one entry per (kind, namespace), sorted, each with its access sorted.
 */

/** The two permission scopes Harbor knows: the whole system (namespace "/") and projects. */
export const PERMISSION_KINDS = ['system', 'project'] as const
export type PermissionKind = (typeof PERMISSION_KINDS)[number]

/** One permission in canonical form: access as sorted, de-duplicated `resource:action` strings. */
export type Permission = {kind: PermissionKind; namespace: string; access: string[]}

/**
 * What a robot may be granted, as `resource: actions`, by scope: the union over Harbor 2.8–2.16 of
 * `PoliciesMap` in `src/common/rbac/const.go` (2.11 added `sbom`, 2.12 the user, user-group, robot,
 * member and quota:update grants). Chart permissions (removed with ChartMuseum in 2.8) are left out.
 * Harbor checks the exact list of the running version; this list catches typos at validate time.
 */
export const GRANTABLE: Record<PermissionKind, Record<string, readonly string[]>> = {
  system: {
    'audit-log': ['list'],
    catalog: ['read'],
    'export-cve': ['create', 'read'],
    'garbage-collection': ['create', 'list', 'read', 'stop', 'update'],
    'jobservice-monitor': ['list', 'stop'],
    label: ['create', 'delete', 'list', 'read', 'update'],
    'ldap-user': ['create', 'list'],
    'preheat-instance': ['create', 'delete', 'list', 'read', 'update'],
    project: ['create', 'list'],
    'purge-audit': ['create', 'list', 'read', 'stop', 'update'],
    quota: ['list', 'read', 'update'],
    registry: ['create', 'delete', 'list', 'read', 'update'],
    replication: ['create', 'list', 'read'],
    'replication-adapter': ['list'],
    'replication-policy': ['create', 'delete', 'list', 'read', 'update'],
    robot: ['create', 'delete', 'list', 'read'],
    'scan-all': ['create', 'read', 'stop', 'update'],
    scanner: ['create', 'delete', 'list', 'read', 'update'],
    'security-hub': ['list', 'read'],
    'system-volumes': ['read'],
    user: ['create', 'delete', 'list', 'read', 'update'],
    'user-group': ['create', 'delete', 'list', 'read', 'update'],
  },
  project: {
    accessory: ['list'],
    artifact: ['create', 'delete', 'list', 'read'],
    'artifact-addition': ['read'],
    'artifact-label': ['create', 'delete'],
    'immutable-tag': ['create', 'delete', 'list', 'update'],
    label: ['create', 'delete', 'list', 'read', 'update'],
    log: ['list'],
    member: ['create', 'delete', 'list', 'read', 'update'],
    metadata: ['create', 'delete', 'list', 'read', 'update'],
    'notification-policy': ['create', 'delete', 'list', 'read', 'update'],
    'preheat-policy': ['create', 'delete', 'list', 'read', 'update'],
    project: ['delete', 'read', 'update'],
    quota: ['read'],
    repository: ['delete', 'list', 'pull', 'push', 'read', 'update'],
    sbom: ['create', 'read', 'stop'],
    scan: ['create', 'read', 'stop'],
    scanner: ['create', 'read'],
    tag: ['create', 'delete', 'list'],
    'tag-retention': ['create', 'delete', 'list', 'operate', 'read', 'update'],
  },
}

/** Every grantable `resource:action` of each scope: the quick answer for a valid access. */
const GRANTABLE_ACCESS: Record<PermissionKind, ReadonlySet<string>> = {
  system: grantableAccess('system'),
  project: grantableAccess('project'),
}

function grantableAccess(kind: PermissionKind): ReadonlySet<string> {
  return new Set(Object.entries(GRANTABLE[kind]).flatMap(([resource, actions]) => actions.map((a) => `${resource}:${a}`)))
}

/** Why `access` ("resource:action") cannot be granted in `kind`, or undefined when it can. */
export function accessProblem(kind: PermissionKind, access: string): string | undefined {
  if (GRANTABLE_ACCESS[kind].has(access)) return undefined
  const colon = access.indexOf(':')
  if (colon <= 0 || colon === access.length - 1 || access.indexOf(':', colon + 1) >= 0) {
    return `access "${access}" must be "resource:action", for example "repository:pull"`
  }
  const resource = access.slice(0, colon)
  const action = access.slice(colon + 1)
  if (resource === '*' || action === '*') return `Harbor does not accept wildcards in robot permissions ("${access}")`
  const actions = GRANTABLE[kind][resource]
  const other = kind === 'system' ? 'project' : 'system'
  // Say so when the access exists in the other scope: the usual mistake is the wrong namespace.
  const hint = GRANTABLE[other][resource]?.includes(action)
    ? ` ("${access}" is a ${other} permission: ${other === 'system' ? 'namespace = "/"' : 'namespace = "*" or a project'})`
    : ''
  if (!actions) {
    return `"${resource}" is not a resource a robot can be granted in ${kind} scope${hint}; known: ${Object.keys(GRANTABLE[kind]).join(', ')}`
  }
  if (!actions.includes(action)) {
    return `"${action}" is not an action on "${resource}" in ${kind} scope${hint}; allowed: ${actions.join(', ')}`
  }
  return undefined
}

/** An access entry as Harbor sends and returns it. */
export interface HarborAccess {
  resource?: string
  action?: string
  effect?: string
}

/** A permission as Harbor sends and returns it. */
export interface HarborPermission {
  kind?: string
  namespace?: string
  access?: HarborAccess[] | null
}

/**
 * Canonical form of a permission list: entries with the same (kind, namespace) merged, sorted by
 * kind then namespace, each access list sorted and de-duplicated. Used on desired and live alike.
 */
export function canonicalPermissions(permissions: Iterable<Permission>): Permission[] {
  // One permission (every project robot's): nothing to merge or order.
  if (Array.isArray(permissions) && permissions.length === 1) {
    const [{kind, namespace, access}] = permissions as [Permission]
    return [{kind, namespace, access: sortedUnique(access)}]
  }
  const merged = new Map<string, Permission>()
  for (const permission of permissions) {
    const id = `${permission.kind}\u0000${permission.namespace}`
    const existing = merged.get(id)
    if (existing) existing.access.push(...permission.access)
    else merged.set(id, {kind: permission.kind, namespace: permission.namespace, access: [...permission.access]})
  }
  return [...merged.values()]
    .map((permission) => ({...permission, access: sortedUnique(permission.access)}))
    .sort((a, b) => (a.kind === b.kind ? compare(a.namespace, b.namespace) : compare(a.kind, b.kind)))
}

/** A sorted copy of `items` without duplicates; a list of one or two is done without sort's allocations. */
function sortedUnique(items: readonly string[]): string[] {
  if (items.length === 1) return [items[0] as string]
  if (items.length === 2) {
    const [a, b] = items as [string, string]
    return a === b ? [a] : a < b ? [a, b] : [b, a]
  }
  return [...new Set(items)].sort()
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Canonical permissions from Harbor's response. An access whose effect is not "allow" (Harbor's only
 * grant today) keeps the effect as a third part (`repository:pull:deny`), so it differs from any
 * desired grant and hrep puts it right rather than hiding it.
 */
export function permissionsFromHarbor(permissions: readonly HarborPermission[] | null | undefined): Permission[] {
  return canonicalPermissions(
    (permissions ?? []).map((permission) => ({
      kind: permission.kind === 'system' ? 'system' : 'project',
      namespace: permission.namespace ?? '',
      access: (permission.access ?? []).map((access) => {
        const base = `${access.resource ?? ''}:${access.action ?? ''}`
        return access.effect && access.effect !== 'allow' ? `${base}:${access.effect}` : base
      }),
    })),
  )
}

/** Harbor's wire form of canonical permissions (effect "allow" on every access). */
export function permissionsToHarbor(permissions: readonly Permission[]): HarborPermission[] {
  return permissions.map((permission) => ({
    kind: permission.kind,
    namespace: permission.namespace,
    access: permission.access.map((access) => {
      const [resource, action] = access.split(':')
      return {resource, action, effect: 'allow'}
    }),
  }))
}
