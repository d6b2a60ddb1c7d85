/**
 * Who is calling and what they may do: the caller (anonymous, a user, a robot), Harbor's access checks
 * (`handler/base.go: RequireAuthenticated`, `RequireSystemAccess`, `RequireProjectAccess`) with their
 * 401/403 bodies, the permissions a robot may be granted (`src/common/rbac/const.go: PoliciesMap`, 2.12+
 * resources included), and a condensed version of the project roles (`rbac/project/rbac_role.go`).
 */
import {ApiError, forbidden, unauthorized} from './errors.js'
import type {ProjectRecord, RobotRecord, Store, UserRecord} from './store.js'

/** The security context of a request. */
export type Caller = {kind: 'anonymous'} | {kind: 'user'; user: UserRecord} | {kind: 'robot'; robot: RobotRecord}

/** The anonymous caller (bad or missing credentials: Harbor does not reject, it falls back). */
export const ANONYMOUS: Caller = {kind: 'anonymous'}

/** Project roles by id, with the names of Harbor's `role` table. */
export const ROLE_NAMES: Record<number, string> = {
  1: 'projectAdmin',
  2: 'developer',
  3: 'guest',
  4: 'maintainer',
  5: 'limitedGuest',
}

const crud = (resource: string, actions: string[]): [string, string][] => actions.map((a) => [resource, a])

/** The system-scope permissions a robot may hold (`PoliciesMap["System"]`, 2.12+). */
export const SYSTEM_ROBOT_PERMISSIONS: readonly [string, string][] = [
  ...crud('audit-log', ['list']),
  ...crud('preheat-instance', ['read', 'create', 'delete', 'list', 'update']),
  ...crud('project', ['list', 'create']),
  ...crud('replication-policy', ['read', 'create', 'delete', 'list', 'update']),
  ...crud('replication', ['read', 'create', 'list']),
  ...crud('replication-adapter', ['list']),
  ...crud('registry', ['create', 'read', 'update', 'delete', 'list']),
  ...crud('scan-all', ['read', 'update', 'stop', 'create']),
  ...crud('system-volumes', ['read']),
  ...crud('garbage-collection', ['read', 'create', 'list', 'update', 'stop']),
  ...crud('purge-audit', ['read', 'create', 'list', 'update', 'stop']),
  ...crud('jobservice-monitor', ['list', 'stop']),
  ...crud('scanner', ['read', 'create', 'update', 'delete', 'list']),
  ...crud('label', ['read', 'create', 'update', 'delete', 'list']),
  ...crud('export-cve', ['read', 'create']),
  ...crud('security-hub', ['read', 'list']),
  ...crud('catalog', ['read']),
  ...crud('quota', ['read', 'list', 'update']),
  ...crud('user-group', ['read', 'create', 'update', 'delete', 'list']),
  ...crud('user', ['read', 'create', 'update', 'delete', 'list']),
  ...crud('robot', ['read', 'create', 'delete', 'list']),
  ...crud('ldap-user', ['create', 'list']),
]

/** The project-scope permissions a robot may hold (`PoliciesMap["Project"]`, 2.12+). */
export const PROJECT_ROBOT_PERMISSIONS: readonly [string, string][] = [
  ...crud('log', ['list']),
  ...crud('project', ['read', 'delete', 'update']),
  ...crud('metadata', ['read', 'create', 'delete', 'list', 'update']),
  ...crud('repository', ['read', 'update', 'delete', 'list', 'pull', 'push']),
  ...crud('artifact', ['read', 'create', 'list', 'delete']),
  ...crud('scan', ['create', 'stop', 'read']),
  ...crud('sbom', ['create', 'stop', 'read']),
  ...crud('tag', ['create', 'delete', 'list']),
  ...crud('accessory', ['list']),
  ...crud('artifact-addition', ['read']),
  ...crud('artifact-label', ['create', 'delete']),
  ...crud('scanner', ['create', 'read']),
  ...crud('preheat-policy', ['read', 'create', 'delete', 'list', 'update']),
  ...crud('immutable-tag', ['create', 'delete', 'list', 'update']),
  ...crud('notification-policy', ['read', 'create', 'delete', 'list', 'update']),
  ...crud('quota', ['read']),
  ...crud('label', ['read', 'create', 'delete', 'list', 'update']),
  ...crud('tag-retention', ['read', 'create', 'delete', 'list', 'update', 'operate']),
  ...crud('member', ['create', 'read', 'update', 'delete', 'list']),
]

const key = (resource: string, action: string): string => `${resource}:${action}`
const SYSTEM_ALLOWED = new Set(SYSTEM_ROBOT_PERMISSIONS.map(([r, a]) => key(r, a)))
const PROJECT_ALLOWED = new Set(PROJECT_ROBOT_PERMISSIONS.map(([r, a]) => key(r, a)))

/** Whether a robot may be granted `resource:action` in a permission of `kind`. */
export function isGrantable(kind: 'system' | 'project', resource: string, action: string): boolean {
  return (kind === 'system' ? SYSTEM_ALLOWED : PROJECT_ALLOWED).has(key(resource, action))
}

const READ_ACTIONS = new Set(['read', 'list', 'pull'])

/** What each project role may do (a condensed reading of Harbor's role policies). */
function roleAllows(roleId: number, resource: string, action: string): boolean {
  switch (roleId) {
    case 1:
      return true
    case 4:
      if (resource === 'member' || resource === 'project') return READ_ACTIONS.has(action)
      if (resource === 'robot') return READ_ACTIONS.has(action)
      return true
    case 2:
      if (resource === 'repository' || resource === 'artifact' || resource === 'tag') return action !== 'delete'
      return READ_ACTIONS.has(action) && resource !== 'robot'
    case 3:
      return READ_ACTIONS.has(action) && resource !== 'robot'
    case 5:
      return READ_ACTIONS.has(action) && ['project', 'repository', 'artifact', 'tag'].includes(resource)
    default:
      return false
  }
}

/** The caller's name as Harbor's security context reports it (robots with the prefix). */
export function callerName(caller: Caller, prefix: string): string {
  if (caller.kind === 'user') return caller.user.username
  if (caller.kind === 'robot') return `${prefix}${caller.robot.name}`
  return 'anonymous'
}

/** Whether the caller is a system administrator. */
export function isSysAdmin(caller: Caller): boolean {
  return caller.kind === 'user' && caller.user.sysadmin
}

/** 401 for anonymous callers (`RequireAuthenticated`). */
export function requireAuthenticated(caller: Caller): void {
  if (caller.kind === 'anonymous') throw unauthorized()
}

function robotHas(robot: RobotRecord, scope: 'system' | number, resource: string, action: string): boolean {
  return robot.permissions.some(
    (permission) =>
      (scope === 'system'
        ? permission.kind === 'system'
        : permission.kind === 'project' && (permission.namespace === '*' || permission.namespace === scope)) &&
      permission.access.some((access) => access.resource === resource && access.action === action),
  )
}

/** `RequireSystemAccess`: admins and robots holding the system permission pass; 401 anonymous; 403 with the caller's name. */
export function requireSystemAccess(caller: Caller, prefix: string, resource: string, action: string): void {
  if (isSysAdmin(caller)) return
  if (caller.kind === 'robot' && robotHas(caller.robot, 'system', resource, action)) return
  if (caller.kind === 'anonymous') throw unauthorized()
  throw new ApiError('FORBIDDEN', callerName(caller, prefix))
}

/** The roles a user holds in a project: directly (groups are not modelled for local users). */
export function userRoles(store: Store, user: UserRecord, projectId: number): number[] {
  const member = store.findMember(projectId, 'u', user.id)
  return member && ROLE_NAMES[member.roleId] ? [member.roleId] : []
}

/** Whether the caller may do `resource:action` in `project` (public projects grant read to everyone). */
export function canInProject(store: Store, caller: Caller, project: ProjectRecord, resource: string, action: string): boolean {
  if (isSysAdmin(caller)) return true
  if (caller.kind === 'robot') return robotHas(caller.robot, project.id, resource, action)
  const publicRead =
    project.metadata.public === 'true' &&
    READ_ACTIONS.has(action) &&
    ['project', 'repository', 'artifact', 'tag', 'metadata'].includes(resource)
  if (publicRead) return true
  if (caller.kind === 'user') return userRoles(store, caller.user, project.id).some((role) => roleAllows(role, resource, action))
  return false
}

/**
 * `RequireProjectAccess`: passes or throws 401 (anonymous) / 403 `forbidden`. A missing project is
 * evaluated as project id 0, so admins pass (and the handler answers 404) while others get 401/403.
 */
export function requireProjectAccess(
  store: Store,
  caller: Caller,
  project: ProjectRecord | undefined,
  resource: string,
  action: string,
): void {
  if (project ? canInProject(store, caller, project, resource, action) : isSysAdmin(caller)) return
  if (!project && caller.kind === 'robot' && robotHas(caller.robot, 0, resource, action)) return
  if (caller.kind === 'anonymous') throw unauthorized()
  throw forbidden()
}
