/**
 * Where a replicate block manages objects, and what becomes of them as that changes: held as they
 * are while its source cannot be read; pruned on its targets (deleted only with prune = true) when
 * the source lacks them; released from the state, never deleted, where the block no longer reaches
 * (its patterns, kinds or to narrowed, rotate turned off). The planner calls the scopes' `release`
 * after the block's desired objects are derived. Pure apart from what it is given.
 */
import type {ReplicateConfig} from '../config/model.js'
import type {KindName} from '../model/change.js'
import type {DesiredObject, PruneScope} from '../plan/types.js'
import {addressKind} from '../plan/world.js'
import {isMirrorAddress, mirrorAddress} from './mirror-address.js'
import {copyAttrs, type DroppedPermission, liveHas, type MirrorInput} from './mirror-desired.js'
import {mirrorSelector} from './mirror-select.js'

/**
 * When the source could not be read, the block's managed objects where it still reaches are held as
 * they are (desired = live): nothing mirrored is deleted or changed because of a source outage.
 * (What it no longer reaches is released by its release scopes.)
 */
export function frozen(input: MirrorInput, replicate: ReplicateConfig): DesiredObject[] {
  const out: DesiredObject[] = []
  for (const [address, byEndpoint] of Object.entries(input.state.resources)) {
    if (!isMirrorAddress(address, replicate.name)) continue
    const kind = addressKind(address) as KindName
    if (input.kinds[kind] === undefined) continue
    for (const endpoint of [replicate.from, ...replicate.to]) {
      if (!reaches(replicate, endpoint, kind)) continue
      const entry = byEndpoint[endpoint]
      const snapshot = input.live.endpoints[endpoint]
      if (entry === undefined || snapshot?.status !== 'ok') continue
      const key = entry.key ?? input.kinds[kind].key(entry.attrs)
      const live = snapshot.objects[kind]?.find((object) => object.key === key)
      if (live === undefined) continue
      const object: DesiredObject = {address, endpoint, kind, key, attrs: copyAttrs(live.attrs), references: []}
      if (kind === 'robot') object.secret = {declared: false}
      out.push(object)
    }
  }
  return out
}

/** Whether the block manages objects of `kind` on `endpoint`: its targets, and its source's robots with rotate. */
function reaches(replicate: ReplicateConfig, endpoint: string, kind: KindName): boolean {
  if (!replicate.kinds.includes(kind)) return false
  if (replicate.to.includes(endpoint)) return true
  return endpoint === replicate.from && kind === 'robot' && replicate.robotSecrets === 'rotate'
}

/**
 * The block's reach over its targets. An object it mirrored earlier there and no longer desires
 * while the source still has it fell out of its patterns (or, a system robot, lost every
 * permission there): it is released, never deleted, whatever prune says.
 */
export function pruneScopes(input: MirrorInput, replicate: ReplicateConfig, dropped: readonly DroppedPermission[]): PruneScope[] {
  const select = mirrorSelector(replicate.include, replicate.exclude)
  const noPermission = new Set(dropped.filter((d) => d.skipped).map((d) => `${d.endpoint}\u0000${d.robot}`))
  return replicate.to.flatMap((endpoint) =>
    replicate.kinds.map(
      (kind): PruneScope => ({
        endpoint,
        kind,
        owner: replicate.name,
        source: replicate.from,
        delete: replicate.prune,
        matches: (object) => select.selects(kind, object.attrs),
        address: (key) => mirrorAddress(kind, replicate.name, key),
        release(key) {
          if (!liveHas(input.live, replicate.from, kind, key)) return undefined
          if (kind === 'robot' && noPermission.has(`${endpoint}\u0000${key}`)) {
            return `none of the projects of its permissions is on ${endpoint}`
          }
          return kind === 'oidc_group'
            ? 'its include/exclude patterns leave it out and no mirrored membership needs it'
            : 'its include/exclude patterns leave it out'
        },
      }),
    ),
  )
}

/**
 * Release-only scopes (they match no live object, so nothing is pruned) for every (endpoint, kind)
 * where the state holds objects under the block's addresses that it no longer reaches: its kinds
 * or to changed, or rotate was turned off. The source is always release-only: mirror mode never
 * deletes there (a rotated robot the block now mirrors to no target is released too).
 */
export function releaseScopes(input: MirrorInput, replicate: ReplicateConfig, unplaced: ReadonlySet<string>): PruneScope[] {
  const scopes = new Map<string, PruneScope>()
  for (const [address, byEndpoint] of Object.entries(input.state.resources)) {
    if (!isMirrorAddress(address, replicate.name)) continue
    const kind = addressKind(address) as KindName
    if (input.kinds[kind] === undefined) continue
    for (const endpoint of Object.keys(byEndpoint)) {
      const id = `${endpoint}\u0000${kind}`
      if (scopes.has(id) || (endpoint !== replicate.from && reaches(replicate, endpoint, kind))) continue
      const why = narrowedClause(replicate, endpoint, kind)
      const rotated = endpoint === replicate.from && reaches(replicate, endpoint, kind)
      const unplacedWhy = 'it is mirrored to no target (none has its project, or a project of its permissions)'
      scopes.set(id, {
        endpoint,
        kind,
        owner: replicate.name,
        source: replicate.from,
        delete: false,
        matches: () => false,
        address: (key) => mirrorAddress(kind, replicate.name, key),
        // Called by the planner, after mirrorBlock has filled `unplaced`.
        release: (key) => (rotated && unplaced.has(key) ? unplacedWhy : why),
      })
    }
  }
  return [...scopes.values()]
}

/** Why the block no longer reaches `kind` on `endpoint`, as a clause. */
function narrowedClause(replicate: ReplicateConfig, endpoint: string, kind: KindName): string {
  if (endpoint === replicate.from) {
    if (kind !== 'robot') return `${endpoint} is now its source`
    if (replicate.robotSecrets !== 'rotate') return 'robot_secrets is no longer "rotate"'
    if (!replicate.kinds.includes(kind)) return 'robot is no longer in its kinds'
    return 'its include/exclude patterns leave it out'
  }
  if (!replicate.to.includes(endpoint)) return `${endpoint} is no longer in its to`
  return `${kind} is no longer in its kinds`
}
