/**
 * Harbor deletes an object's children with it: a project's robots and members, a group's
 * memberships (NOTES §2, §3, §5). Kinds mark such references `contained` in `kind.dependsOn`
 * (a system robot's permission on a project is a reference, not containment). When a plan removes a live object (delete, or the delete half of a replace), this
 * finds every live object inside it, transitively, and makes the plan account for each one:
 * a desired child that would otherwise be left as it is becomes a replace (recreated after its
 * parent), a desired child in conflict becomes a create, and unmanaged children are named in a
 * warning. Without this, the next plan after an apply would not be empty.
 */
import type {Kind, LiveObject} from '../kinds/kind.js'
import {createDraft, type Draft, type EndpointDrafts, forget, makeReplace, noopChange} from './object-plan.js'
import {type EndpointWorld, kindKey} from './world.js'

/** A live object and the kind it was listed under. */
interface LiveChild {
  object: LiveObject
  kind: string
}

/** Live objects of one endpoint by the kindKey of each object that contains them (their parents). */
function childIndex(world: EndpointWorld, kinds: Readonly<Record<string, Kind>>): Map<string, LiveChild[]> {
  const index = new Map<string, LiveChild[]>()
  for (const [kindName, objects] of Object.entries(world.liveByKind)) {
    const kind = kinds[kindName]
    if (kind === undefined) continue
    for (const object of objects ?? []) {
      let refs: ReturnType<Kind['dependsOn']>
      try {
        refs = kind.dependsOn(object.attrs)
      } catch {
        continue
      }
      for (const ref of refs) {
        if (ref.contained !== true) continue
        const id = kindKey(ref.kind, ref.key)
        const child = {object, kind: kindName}
        const list = index.get(id)
        if (list === undefined) index.set(id, [child])
        else list.push(child)
      }
    }
  }
  return index
}

const SHOWN = 5

/** Extends the drafts of one endpoint with the consequences of Harbor's cascading deletes. */
export function applyCascades(world: EndpointWorld, kinds: Readonly<Record<string, Kind>>, out: EndpointDrafts): void {
  const roots = out.drafts.filter((d) => d.removal !== undefined)
  if (roots.length === 0) return
  const children = childIndex(world, kinds)
  if (children.size === 0) return

  const removed = new Set<string>()
  const queue: {object: LiveObject; kind: string; origin: Draft}[] = []
  for (const draft of roots) {
    removed.add(kindKey(draft.change.kind, draft.removal!.key))
    queue.push({object: draft.removal!, kind: draft.change.kind, origin: draft})
  }
  const unmanaged = new Map<Draft, string[]>()

  for (let head = 0; head < queue.length; head++) {
    const {object, kind: parentKind, origin} = queue[head]!
    for (const {object: child, kind: childKind} of children.get(kindKey(parentKind, object.key)) ?? []) {
      const id = kindKey(childKind, child.key)
      if (removed.has(id)) continue
      removed.add(id)
      queue.push({object: child, kind: childKind, origin})
      const verb = origin.change.action === 'delete' ? 'deleted' : 'replaced'
      const why = `Harbor deletes it with ${origin.change.id}, which is ${verb}`

      const draft = out.byKey.get(id) ?? unchangedDraft(world, id, child)
      if (draft !== undefined) {
        if (draft.change.action === 'noop' || draft.change.action === 'update') {
          makeReplace(kinds[childKind]!, draft, child, why, out.warnings)
          draft.forcedBy = origin.change.id
          if (!out.byKey.has(id)) {
            out.drafts.push(draft)
            out.byKey.set(id, draft)
          }
          out.byRemovalKey.set(id, draft)
          if (origin.change.action === 'delete') {
            out.warnings.push({
              message: `${draft.change.id} is still declared but ${why}; recreating it may fail`,
              address: draft.change.address,
              endpoint: draft.change.endpoint,
            })
          }
        }
        continue
      }
      const conflict = out.conflicts.get(id)
      if (conflict !== undefined) {
        out.conflicts.delete(id)
        const created = createDraft(kinds[childKind]!, conflict.desired, `replaces an object hrep did not manage, which ${why}`)
        created.forcedBy = origin.change.id
        out.drafts.push(created)
        out.byKey.set(id, created)
        continue
      }
      if (out.byRemovalKey.has(id)) continue
      // Managed but neither desired nor deleted by this plan (deletes held): state must let it go.
      const record = world.stateByKey.get(id)
      if (record !== undefined && !world.desiredByAddress.has(record.address)) {
        out.drift.push(forget(record, why))
        out.warnings.push({
          message: `${record.address}@${record.endpoint}: ${why}`,
          address: record.address,
          endpoint: record.endpoint,
        })
        continue
      }
      const list = unmanaged.get(origin) ?? []
      list.push(`${childKind} "${child.key}"`)
      unmanaged.set(origin, list)
    }
  }

  for (const [origin, names] of unmanaged) {
    const more = names.length > SHOWN ? ` and ${names.length - SHOWN} more` : ''
    const verb = origin.change.action === 'delete' ? 'Deleting' : 'Replacing'
    out.warnings.push({
      message: `${verb} ${origin.change.id} makes Harbor also delete ${names.length} object(s) hrep does not manage: ${names.slice(0, SHOWN).join(', ')}${more}`,
      address: origin.change.address,
      endpoint: origin.change.endpoint,
    })
  }
}

/**
 * The draft of a desired object the per-object pass left unchanged (it keeps no drafts for those):
 * desired, live at its key, and managed or adopted (not in conflict). Undefined for anything else.
 */
function unchangedDraft(world: EndpointWorld, id: string, live: LiveObject): Draft | undefined {
  const desired = world.desired.get(id)
  if (desired === undefined) return undefined
  const record = world.state.get(desired.address)
  const managed = (record !== undefined && record.key === desired.key) || world.stateByKey.get(id) !== undefined || desired.adopt
  if (!managed) return undefined
  return {change: noopChange(desired, live), desired}
}
