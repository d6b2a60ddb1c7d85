/**
 * The plan's dependency graph. Edges come from `kind.dependsOn` natural-key references within one
 * endpoint:
 * - a create, update or replace of a child waits for the create or replace of its parent;
 * - a delete of a parent waits for the deletes of its children (edges reversed), and so does the
 *   delete half of a parent's replace.
 * A replace is one change (delete, then create, of the same object), so a child replace and its
 * parent's replace would need both directions; there the forward edge wins (parent first): Harbor
 * deletes the child with its parent and the child's own delete then finds nothing, which counts
 * as done. `dependsOn` on each change holds change ids; a cycle is an error naming it.
 */
import type {Kind, KeyRef} from '../kinds/kind.js'
import type {Change} from '../model/change.js'
import {HrepError} from '../model/errors.js'
import type {Draft} from './object-plan.js'
import {kindKey} from './world.js'

const CREATES = new Set<Change['action']>(['create', 'replace'])
const REMOVES = new Set<Change['action']>(['delete', 'replace'])
const WRITES = new Set<Change['action']>(['create', 'update', 'replace'])

/** The natural-key references of an object (none when its kind is unknown or cannot say). */
export function refsOf(kind: Kind | undefined, attrs: Record<string, unknown>): KeyRef[] {
  if (kind === undefined) return []
  try {
    return kind.dependsOn(attrs)
  } catch {
    return []
  }
}

/** Fills `dependsOn` of the drafts of one endpoint (sorted, without duplicates). No-op drafts get no edges. */
export function linkDrafts(drafts: readonly Draft[], kinds: Readonly<Record<string, Kind>>): void {
  const creators = new Map<string, Change>()
  const removers = new Map<string, Change>()
  for (const {change, removal} of drafts) {
    if (CREATES.has(change.action)) creators.set(kindKey(change.kind, change.key), change)
    if (REMOVES.has(change.action) && removal !== undefined) removers.set(kindKey(change.kind, removal.key), change)
  }
  const deps = new Map<Change, Set<string>>()
  const depsOf = (change: Change): Set<string> => {
    let set = deps.get(change)
    if (set === undefined) {
      set = new Set()
      deps.set(change, set)
    }
    return set
  }
  for (const {change, desired} of drafts) {
    if (!WRITES.has(change.action) || desired === undefined) continue
    for (const ref of refsOf(kinds[change.kind], desired.attrs)) {
      const parent = creators.get(kindKey(ref.kind, ref.key))
      if (parent !== undefined && parent !== change) depsOf(change).add(parent.id)
    }
  }
  for (const {change, removal} of drafts) {
    if (!REMOVES.has(change.action) || removal === undefined) continue
    for (const ref of refsOf(kinds[change.kind], removal.attrs)) {
      const parent = removers.get(kindKey(ref.kind, ref.key))
      if (parent === undefined || parent === change) continue
      if (deps.get(change)?.has(parent.id)) continue
      depsOf(parent).add(change.id)
    }
  }
  for (const [change, set] of deps) change.dependsOn = [...set].sort()
}

/**
 * Orders changes by endpoint, then dependency depth (a change comes after everything it depends
 * on), then address. Throws an HrepError naming the cycle when there is one. Linear in changes + edges.
 */
export function orderChanges(changes: readonly Change[]): Change[] {
  const byId = new Map<string, Change>()
  for (const change of changes) byId.set(change.id, change)
  const depth = new Map<string, number>()
  const onPath = new Set<string>()
  for (const start of changes) {
    if (depth.has(start.id)) continue
    // Iterative DFS: a stack of (change, index of the next dependency to visit).
    const stack: {change: Change; next: number}[] = [{change: start, next: 0}]
    onPath.add(start.id)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const deps = top.change.dependsOn
      if (top.next < deps.length) {
        const dep = byId.get(deps[top.next++]!)
        if (dep === undefined || depth.has(dep.id)) continue
        if (onPath.has(dep.id)) {
          const path = stack.map((s) => s.change.id)
          const cycle = [...path.slice(path.indexOf(dep.id)), dep.id]
          throw new HrepError('plan_cycle', `the plan has a dependency cycle: ${cycle.join(' -> ')}`)
        }
        onPath.add(dep.id)
        stack.push({change: dep, next: 0})
        continue
      }
      let d = 0
      for (const id of deps) {
        const dd = depth.get(id)
        if (dd !== undefined && dd + 1 > d) d = dd + 1
      }
      depth.set(top.change.id, d)
      onPath.delete(top.change.id)
      stack.pop()
    }
  }
  return [...changes].sort(
    (a, b) => compare(a.endpoint, b.endpoint) || depth.get(a.id)! - depth.get(b.id)! || compare(a.address, b.address),
  )
}

/** Plain code-unit order: the same on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
