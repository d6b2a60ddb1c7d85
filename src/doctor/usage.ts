/**
 * What the configuration asks of one endpoint: which kinds hrep will read and change there, and the
 * features that need more than a plain create (robot secrets, storage limits, group types). The
 * permission, auth-mode and read-only checks judge the endpoint against this, so a credential is
 * only faulted for what the configuration actually needs. Pure.
 */
import type {LoadedConfig} from '../config/model.js'
import type {GroupType} from '../kinds/oidc-group.js'
import {KIND_NAMES, type KindName} from '../model/change.js'

/** What the configuration asks of one endpoint (see endpointUsage). */
export interface EndpointUsage {
  /**
   * Some resource or `replicate` block names this endpoint. When nothing does (a configuration with
   * only endpoints, written before the first plan), the endpoint is judged for every kind.
   */
  declared: boolean
  /** Kinds hrep reads on this endpoint (refresh). */
  reads: ReadonlySet<KindName>
  /** Kinds hrep creates, updates or deletes on this endpoint. */
  writes: ReadonlySet<KindName>
  /** System-level robots are declared (they need system-wide robot rights). */
  systemRobots: boolean
  /** Project-level robots are declared. */
  projectRobots: boolean
  /** A project sets `storage_limit` (quotas: system administrators only). */
  storageLimit: boolean
  /** Types of the groups declared or referenced by members on this endpoint. */
  groupTypes: ReadonlySet<GroupType>
  /** Members name users (the user must exist in Harbor's user list). */
  userMembers: boolean
}

/** What `config` needs from the endpoint called `endpoint`. */
export function endpointUsage(config: LoadedConfig, endpoint: string): EndpointUsage {
  const reads = new Set<KindName>()
  const writes = new Set<KindName>()
  const groupTypes = new Set<GroupType>()
  let systemRobots = false
  let projectRobots = false
  let storageLimit = false
  let userMembers = false
  let declared = false

  for (const resource of config.resources) {
    if (!resource.endpoints.includes(endpoint)) continue
    declared = true
    reads.add(resource.kind)
    writes.add(resource.kind)
    const attrs = resource.attrs
    if (resource.kind === 'robot') {
      if (attrs.level === 'project') projectRobots = true
      else systemRobots = true
    } else if (resource.kind === 'project' && attrs.storage_limit !== undefined) {
      storageLimit = true
    } else if (resource.kind === 'oidc_group') {
      groupTypes.add((attrs.type as GroupType | undefined) ?? 'oidc')
    } else if (resource.kind === 'project_member') {
      if (typeof attrs.group === 'string') groupTypes.add((attrs.group_type as GroupType | undefined) ?? 'oidc')
      if (typeof attrs.user === 'string') userMembers = true
    }
  }

  for (const replicate of config.replicates) {
    const source = replicate.from === endpoint
    const target = replicate.to.includes(endpoint)
    if (!source && !target) continue
    declared = true
    for (const kind of replicate.kinds) {
      reads.add(kind)
      // A source is only read, except that rotating robot secrets sets the new secret there too.
      if (target || (kind === 'robot' && replicate.robotSecrets === 'rotate')) writes.add(kind)
    }
    if (target && replicate.kinds.includes('robot')) {
      systemRobots = true
      projectRobots = true
    }
    if (target && replicate.kinds.includes('project')) storageLimit = true
  }

  if (!declared) {
    for (const kind of KIND_NAMES) {
      reads.add(kind)
      writes.add(kind)
    }
    systemRobots = true
    groupTypes.add('oidc')
  }
  return {declared, reads, writes, systemRobots, projectRobots, storageLimit, groupTypes, userMembers}
}

/** Whether hrep changes anything on the endpoint. */
export function writesAnything(usage: EndpointUsage): boolean {
  return usage.writes.size > 0
}
