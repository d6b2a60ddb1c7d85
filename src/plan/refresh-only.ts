/**
 * `--refresh-only`: no change to Harbor. For every state entry on a readable endpoint, compare what
 * state recorded with what Harbor has now, and report the drift to record into state: changed
 * attributes (only those state tracks) and a new Harbor id as `refresh`, a vanished object as `forget`.
 */
import type {AttrDiff, Attrs} from '../model/change.js'
import {jsonEqual} from './equal.js'
import type {StateUpdate} from './types.js'
import {type EndpointWorld, kindKey} from './world.js'

/** The drift between state and live on one endpoint, in state-address order. */
export function refreshOnlyDrift(world: EndpointWorld): StateUpdate[] {
  const drift: StateUpdate[] = []
  for (const record of world.state.values()) {
    const live = world.live.get(kindKey(record.kind, record.key))
    const base = {address: record.address, endpoint: record.endpoint, kind: record.kind, key: record.key, notable: true}
    if (live === undefined) {
      drift.push({...base, action: 'forget', before: record.entry.attrs, diffs: [], reason: 'deleted outside hrep'})
      continue
    }
    const recorded = record.entry.attrs
    const after: Attrs = {}
    const diffs: AttrDiff[] = []
    for (const path of Object.keys(recorded).sort()) {
      if (recorded[path] === undefined) continue
      const now = live.attrs[path]
      if (now !== undefined) after[path] = now
      if (!jsonEqual(recorded[path], now)) diffs.push({path, before: recorded[path], after: now})
    }
    const idMoved = record.entry.id !== live.id
    if (diffs.length === 0 && !idMoved) continue
    const reasons: string[] = []
    if (diffs.length > 0) reasons.push('changed outside hrep')
    if (idMoved) reasons.push(`recreated outside hrep (Harbor id ${record.entry.id} is now ${live.id})`)
    drift.push({...base, action: 'refresh', id: live.id, before: recorded, after, diffs, reason: reasons.join('; ')})
  }
  return drift
}
