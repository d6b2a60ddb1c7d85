/**
 * The permission check: can this credential do what the configuration asks of the endpoint? A system
 * administrator can do everything. For anyone else doctor reads a page of each list plan will read
 * (a 403 is a missing right), applies what Harbor never allows (robots cannot update robots; only
 * administrators manage user groups, system robots and quotas), and for a robot account that may list
 * robots, compares its own grants with the rights each managed kind needs. What cannot be known
 * without writing is a warning that points at `--write-test`.
 */
import type {HarborClient} from '../client/types.js'
import {parseHarborVersion} from '../client/server-info.js'
import {type Permission, permissionsFromHarbor, type HarborPermission} from '../kinds/permissions.js'
import type {KindName} from '../model/change.js'
import {isHarborError} from '../reliability/errors.js'
import type {Identity, SystemInfoBody} from './harbor-probe.js'
import {messageOf} from './harbor-probe.js'
import {type CheckResult, fail, pass, skip, warn} from './result.js'
import type {EndpointUsage} from './usage.js'

/** A grant a robot needs: `resource:action` in system scope, or in project scope on every project (`*`). */
interface Grant {
  scope: 'system' | 'project'
  access: string
}

const system = (...access: string[]): Grant[] => access.map((a) => ({scope: 'system', access: a}))
const everyProject = (...access: string[]): Grant[] => access.map((a) => ({scope: 'project', access: a}))

/** What a robot account needs to read each kind (plan). */
const READ_GRANTS: Record<KindName, Grant[]> = {
  project: [],
  robot: system('robot:list', 'robot:read'),
  oidc_group: system('user-group:list', 'user-group:read'),
  project_member: everyProject('member:list', 'member:read'),
}

/** What a robot account needs to change each kind (apply), besides reading it. */
const WRITE_GRANTS: Record<KindName, Grant[]> = {
  project: [...system('project:create'), ...everyProject('project:update', 'project:delete')],
  robot: system('robot:create', 'robot:delete'),
  oidc_group: system('user-group:create', 'user-group:delete'),
  project_member: everyProject('member:create', 'member:update', 'member:delete'),
}

/** Harbor 2.12 made user-group, user, robot and member rights (and quota:update) grantable to robots. */
const ROBOT_RIGHTS_SINCE = {major: 2, minor: 12}

/** What the check needs besides the client. */
export interface PermissionContext {
  identity: Identity
  /** The credential's user name as configured (a robot's full name with prefix). */
  username: string
  /** The robot name prefix in use (for finding a robot credential's own record). */
  robotPrefix?: string
  systemInfo?: SystemInfoBody
  usage: EndpointUsage
  signal?: AbortSignal
}

/** Findings: `missing` fails the check, `unverified` warns. */
interface Findings {
  missing: string[]
  unverified: string[]
}

/** The permission check for one endpoint; never throws for what Harbor answers. */
export async function checkPermissions(client: HarborClient, context: PermissionContext): Promise<CheckResult> {
  const {identity, usage} = context
  if (identity.kind === 'rejected' || identity.kind === 'failed') return skip('permissions', 'needs working credentials')
  if (identity.kind === 'user' && identity.sysadmin) {
    return pass('permissions', 'a system administrator may read and change every kind hrep manages')
  }
  const findings: Findings = {missing: [], unverified: []}
  const probes = await readProbes(client, usage, identity.kind === 'robot', context.signal)
  if (identity.kind === 'user') userFindings(findings, usage, context.systemInfo)
  else await robotFindings(findings, client, context)
  // A list the credential may not read fails plan itself, whatever else is known.
  for (const [what, status] of probes.forbidden) {
    const line = `cannot read ${what} (${status})`
    if (!findings.missing.includes(line)) findings.missing.push(line)
  }
  for (const failure of probes.failures) findings.unverified.push(failure)

  const who =
    identity.kind === 'robot' ? `robot account ${JSON.stringify(context.username)}` : `user ${JSON.stringify(identity.username)}`
  if (findings.missing.length > 0) {
    return fail(
      'permissions',
      `${who} lacks what the configuration needs here: ${findings.missing.join('; ')}`,
      identity.kind === 'robot'
        ? 'use a system administrator for this endpoint, or grant the robot the missing permissions (a system robot needs Harbor 2.12+ for user-group, robot and member rights, and can never update robots)'
        : 'use a system administrator for this endpoint, or leave the kinds it may not manage off it (endpoints = [...] on the blocks)',
    )
  }
  if (findings.unverified.length > 0) {
    return warn(
      'permissions',
      `${who}: reads work; ${findings.unverified.join('; ')}`,
      'run hrep doctor --write-test to try a create-read-delete round trip, or use a system administrator',
    )
  }
  return pass('permissions', `${who} holds every permission the configuration needs here`)
}

/** What the read probes found: refusals by list, and other failures. */
interface ProbeResults {
  forbidden: [string, number][]
  failures: string[]
}

/** One page (of one item) of each list plan reads for the kinds used. */
async function readProbes(
  client: HarborClient,
  usage: EndpointUsage,
  robot: boolean,
  signal?: AbortSignal,
): Promise<ProbeResults> {
  const results: ProbeResults = {forbidden: [], failures: []}
  const probe = async (
    what: string,
    path: string,
    query: Record<string, string | number> = {},
  ): Promise<unknown[] | undefined> => {
    try {
      const response = await client.request<unknown[]>({method: 'GET', path, query: {page: 1, page_size: 1, ...query}, signal})
      return Array.isArray(response.body) ? response.body : []
    } catch (error) {
      if (isHarborError(error) && (error.status === 401 || error.status === 403)) results.forbidden.push([what, error.status])
      else results.failures.push(`reading ${what} failed: ${messageOf(error)}`)
      return undefined
    }
  }
  const projects = usage.reads.size > 0 ? await probe('projects', '/projects', {with_detail: 'false'}) : undefined
  await Promise.all([
    usage.reads.has('robot') && probe('robots', '/robots'),
    usage.reads.has('oidc_group') && probe('user groups', '/usergroups'),
    usage.storageLimit &&
      usage.writes.has('project') &&
      probe('project quotas (storage_limit)', '/quotas', {reference: 'project'}),
    (async () => {
      const first = projects?.[0] as {project_id?: number; name?: string} | undefined
      // Only for a robot: a user sees public projects it is no member of, whose members it may not list.
      if (!robot || !usage.reads.has('project_member') || first?.project_id === undefined) return
      await probe(`the members of project ${first.name ?? first.project_id}`, `/projects/${first.project_id}/members`)
    })(),
  ])
  return results
}

/** What Harbor never lets a user without system administrator rights do. */
function userFindings(findings: Findings, usage: EndpointUsage, info: SystemInfoBody | undefined): void {
  const writes = usage.writes
  if (writes.has('oidc_group')) findings.missing.push('only system administrators may create and delete user groups')
  if (writes.has('robot') && usage.systemRobots) findings.missing.push('only system administrators may manage system robots')
  if (writes.has('project') && usage.storageLimit)
    findings.missing.push('only system administrators may set storage_limit (project quotas)')
  if (writes.has('project') && info?.project_creation_restriction === 'adminonly') {
    findings.missing.push('only administrators may create projects here (project_creation_restriction = adminonly)')
  }
  if (writes.has('project') || writes.has('project_member') || (writes.has('robot') && usage.projectRobots)) {
    findings.unverified.push(
      'changing projects, their members and project robots needs the projectAdmin role in each project, which doctor cannot check for projects that do not exist yet',
    )
  }
}

/** What a robot account can and cannot do, from Harbor's rules and, when it may list robots, its own grants. */
async function robotFindings(findings: Findings, client: HarborClient, context: PermissionContext) {
  const {usage} = context
  const version = parseHarborVersion(context.systemInfo?.harbor_version ?? '')
  const before212 =
    version !== undefined &&
    (version.major < ROBOT_RIGHTS_SINCE.major ||
      (version.major === ROBOT_RIGHTS_SINCE.major && version.minor < ROBOT_RIGHTS_SINCE.minor))
  if (usage.writes.has('robot')) {
    findings.missing.push(
      'a robot account can never update robots or set their secrets (robot:update is not grantable), and hrep sets the secret of every robot it creates',
    )
  }
  const needsNewRights = (['oidc_group', 'project_member'] as const).filter((kind) => usage.writes.has(kind))
  if (before212 && needsNewRights.length > 0) {
    findings.missing.push(
      `Harbor ${context.systemInfo?.harbor_version} cannot grant robot accounts the rights ${needsNewRights.join(' and ')} need (user-group and member rights came in 2.12)`,
    )
  }
  const own = await ownPermissions(client, context)
  if (!Array.isArray(own)) {
    findings.unverified.push(
      own === 'forbidden'
        ? 'this robot may not list robots (robot:list), so doctor cannot read its permissions: write permissions are unknown'
        : "doctor could not find this robot's own record, so its write permissions are unknown",
    )
    return
  }
  const lacking: string[] = []
  const partial: string[] = []
  for (const kind of usage.reads) {
    const grants = [...READ_GRANTS[kind], ...(usage.writes.has(kind) ? WRITE_GRANTS[kind] : [])]
    if (kind === 'project' && usage.storageLimit && usage.writes.has(kind)) grants.push(...system('quota:list', 'quota:update'))
    for (const grant of grants) {
      const held = holds(own, grant)
      if (held === 'no') lacking.push(`${grant.access}${grant.scope === 'project' ? ' (on every project)' : ''}`)
      else if (held !== 'yes') partial.push(`${grant.access} only on ${held.join(', ')}`)
    }
  }
  if (lacking.length > 0) findings.missing.push(`missing ${[...new Set(lacking)].join(', ')}`)
  if (partial.length > 0)
    findings.unverified.push(`${[...new Set(partial)].join('; ')} (enough only if the configuration stays within those projects)`)
}

/** The robot credential's own permissions, read from its record in `/robots`, or why they cannot be read. */
async function ownPermissions(client: HarborClient, context: PermissionContext): Promise<Permission[] | 'forbidden' | 'unknown'> {
  const prefix = context.robotPrefix ?? ''
  if (prefix === '' || !context.username.startsWith(prefix)) return 'unknown'
  const stored = context.username.slice(prefix.length)
  try {
    const response = await client.request<{name?: string; permissions?: HarborPermission[]}[]>({
      method: 'GET',
      path: '/robots',
      query: {q: `name=${stored}`, page: 1, page_size: 100},
      signal: context.signal,
    })
    const robots = Array.isArray(response.body) ? response.body : []
    const self = robots.find((robot) => robot?.name === context.username)
    return self === undefined ? 'unknown' : permissionsFromHarbor(self.permissions)
  } catch (error) {
    return isHarborError(error) && (error.status === 401 || error.status === 403) ? 'forbidden' : 'unknown'
  }
}

/** Whether `permissions` hold `grant`: yes, no, or only on these projects. */
function holds(permissions: readonly Permission[], grant: Grant): 'yes' | 'no' | string[] {
  if (grant.scope === 'system') {
    return permissions.some((p) => p.kind === 'system' && p.access.includes(grant.access)) ? 'yes' : 'no'
  }
  const projects = permissions.filter((p) => p.kind === 'project' && p.access.includes(grant.access)).map((p) => p.namespace)
  if (projects.includes('*')) return 'yes'
  return projects.length === 0 ? 'no' : projects
}
