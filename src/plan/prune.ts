/**
 * Mirror mode's prune: on a target, the live objects a `replicate` block answers for (its scope)
 * that no desired object claims and state does not manage are the block's extras. With prune = true
 * each becomes a delete under the block's address for it; otherwise it is listed as unmanaged and
 * left alone. Objects state manages are never extras: the per-object rules decide about them,
 * except that what a block mirrored earlier and no longer reaches is released, never deleted.
 * Pure; runs after the per-object pass, before cascades, so a pruned project's contents are
 * accounted for like any other removal.
 */
import type {Kind, LiveObject} from '../kinds/kind.js'
import type {Change} from '../model/change.js'
import {removalDiffs, visibleAttrs} from './diff.js'
import {type EndpointDrafts, forget} from './object-plan.js'
import type {PruneScope, UnmanagedObject} from './types.js'
import {type EndpointWorld, kindKey} from './world.js'

/** How many names a held-prune or unmanaged warning lists before "and N more". */
const SHOWN = 10

/**
 * Adds the prune deletes of `world` to `out` and returns the extras left alone. When deletes are
 * not allowed (`hrep sync` without allow_delete) prune deletes are held with one warning per block.
 */
export function planPrune(
  world: EndpointWorld,
  scopes: readonly PruneScope[],
  kinds: Readonly<Record<string, Kind>>,
  allowDelete: boolean,
  out: EndpointDrafts,
): UnmanagedObject[] {
  const unmanaged: UnmanagedObject[] = []
  releaseKept(world, scopes, out, unmanaged)
  const held = new Map<string, string[]>()
  const seen = new Set<string>()
  for (const scope of scopes) {
    if (scope.endpoint !== world.name) continue
    const kind = kinds[scope.kind]
    if (kind === undefined) continue
    for (const live of world.liveByKind[scope.kind] ?? []) {
      const id = kindKey(scope.kind, live.key)
      // The first scope that reaches an object decides about it (two blocks on one target).
      if (seen.has(id)) continue
      if (world.desired.has(id) || managedAfterPlan(world, id) || out.byRemovalKey.has(id) || !scope.matches(live)) continue
      seen.add(id)
      if (!scope.delete) {
        unmanaged.push({
          endpoint: world.name,
          kind: scope.kind,
          key: live.key,
          address: scope.address(live.key),
          liveId: live.id,
          owner: scope.owner,
        })
      } else if (!allowDelete) {
        const names = held.get(scope.owner) ?? []
        names.push(`${scope.kind} "${live.key}"`)
        held.set(scope.owner, names)
      } else {
        addPruneDelete(kind, scope, live, out)
      }
    }
  }
  for (const [owner, names] of held) {
    const more = names.length > SHOWN ? ` and ${names.length - SHOWN} more` : ''
    out.warnings.push({
      message: `replicate "${owner}" would prune ${names.length} object(s) on ${world.name} that its source lacks, but deletes are not allowed: ${names.slice(0, SHOWN).join(', ')}${more}`,
      endpoint: world.name,
      code: 'prune_held',
    })
  }
  return unmanaged
}

/**
 * Whether state still manages the object with this kindKey once the plan is applied: its address is
 * no longer declared (the per-object rules delete, hold or forget it) or still declared with this key.
 * An address now declared with another key lets go of it (it stays on Harbor, unmanaged).
 */
function managedAfterPlan(world: EndpointWorld, id: string): boolean {
  const record = world.stateByKey.get(id)
  if (record === undefined) return false
  const desired = world.desiredByAddress.get(record.address)
  return desired === undefined || desired.key === record.key
}

/** The scope whose block owns `address` (its address for that key), if any. */
function owningScope(scopes: readonly PruneScope[], endpoint: string, kind: string, key: string, address: string) {
  return scopes.find((s) => s.endpoint === endpoint && s.kind === kind && s.address(key) === address)
}

/**
 * Objects a block mirrored earlier (managed, under its addresses) that it no longer desires. When
 * the block's reach narrowed (the scope's `release` clause: kinds, to or patterns changed) they are
 * released from state and listed as unmanaged whatever prune says: narrowing a block is not its
 * source losing them. When the source lost them: with prune = true they stay the deletes the
 * per-object pass planned, now saying why; with prune = false they are released too, since such
 * a block never deletes on its targets.
 */
function releaseKept(
  world: EndpointWorld,
  scopes: readonly PruneScope[],
  out: EndpointDrafts,
  unmanaged: UnmanagedObject[],
): void {
  const released = new Set<string>()
  for (const record of world.state.values()) {
    if (world.desiredByAddress.has(record.address)) continue
    const scope = owningScope(scopes, world.name, record.kind, record.key, record.address)
    const live = world.live.get(kindKey(record.kind, record.key))
    // Taken over by another address: the per-object pass already moved it.
    if (scope === undefined || live === undefined || world.desired.has(kindKey(record.kind, record.key))) continue
    const id = `${record.address}@${record.endpoint}`
    const why = scope.release?.(record.key)
    if (why === undefined && scope.delete) {
      const draft = out.byRemovalKey.get(kindKey(record.kind, record.key))
      if (draft?.change.id === id) draft.change.reason = `no longer on ${scope.source} (replicate "${scope.owner}", prune = true)`
      continue
    }
    released.add(id)
    const object: UnmanagedObject = {
      endpoint: world.name,
      kind: record.kind,
      key: record.key,
      address: record.address,
      liveId: live.id,
      owner: scope.owner,
    }
    if (why === undefined) {
      out.drift.push(
        forget(record, `no longer on ${scope.source}; left on ${world.name} (replicate "${scope.owner}", prune = false)`),
      )
    } else {
      out.drift.push(
        forget(record, `no longer mirrored by replicate "${scope.owner}" (${why}); left on ${world.name}, unmanaged`),
      )
      object.released = why
    }
    unmanaged.push(object)
  }
  if (released.size === 0) return
  const kept = out.drafts.filter((draft) => !released.has(draft.change.id))
  for (const draft of out.drafts) {
    if (!released.has(draft.change.id)) continue
    const key = kindKey(draft.change.kind, draft.change.key)
    if (out.byKey.get(key) === draft) out.byKey.delete(key)
    if (draft.removal !== undefined && out.byRemovalKey.get(kindKey(draft.change.kind, draft.removal.key)) === draft) {
      out.byRemovalKey.delete(kindKey(draft.change.kind, draft.removal.key))
    }
  }
  out.drafts.splice(0, out.drafts.length, ...kept)
  // The "deletes are not allowed: it stays" notes of released objects no longer apply.
  const notes = out.warnings.filter(
    (w) => w.endpoint === undefined || w.address === undefined || !released.has(`${w.address}@${w.endpoint}`),
  )
  out.warnings.splice(0, out.warnings.length, ...notes)
}

function addPruneDelete(kind: Kind, scope: PruneScope, live: LiveObject, out: EndpointDrafts): void {
  const address = scope.address(live.key)
  const before = visibleAttrs(kind, live.attrs)
  const change: Change = {
    id: `${address}@${scope.endpoint}`,
    address,
    endpoint: scope.endpoint,
    kind: scope.kind,
    key: live.key,
    action: 'delete',
    before,
    liveId: live.id,
    diffs: removalDiffs(before),
    reason: `not on ${scope.source} (replicate "${scope.owner}", prune = true)`,
    dependsOn: [],
  }
  const draft = {change, removal: live}
  out.drafts.push(draft)
  out.byKey.set(kindKey(scope.kind, live.key), draft)
  out.byRemovalKey.set(kindKey(scope.kind, live.key), draft)
}
