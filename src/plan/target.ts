/**
 * `--target`: limits a plan to the named addresses and what they need. A target is an address with
 * or without its for_each key and with or without `@endpoint`: `project.team` matches every
 * instance of the block, `project.team["a"]@dr` one instance on one endpoint. The selection keeps
 * the matched objects, the objects they reference in the config (same endpoint), every change the
 * selected changes depend on, and the changes a selected removal forces (Harbor's cascades).
 */
import type {Change} from '../model/change.js'
import {formatAddress, parseAddress} from '../model/address.js'
import type {DesiredObject, PlanResult, PlanWarning, StateLike} from './types.js'

/** One parsed `--target`. */
export interface Target {
  /** As the user wrote it, for messages. */
  text: string
  /** `kind.name` or `kind.name[key]`. */
  base: string
  /** Whether `base` carries a for_each key (then it must match exactly). */
  exact: boolean
  endpoint?: string
}

/** Parses `--target` values; throws an HrepError (address_invalid) for a malformed one. */
export function parseTargets(texts: readonly string[]): Target[] {
  return texts.map((text) => {
    const address = parseAddress(text)
    const exact = address.key !== undefined
    return {text, base: formatAddress({...address, endpoint: undefined}), exact, endpoint: address.endpoint}
  })
}

/** Whether `address` on `endpoint` is named by `target`. */
export function targetMatches(target: Target, address: string, endpoint: string): boolean {
  if (target.endpoint !== undefined && target.endpoint !== endpoint) return false
  if (target.exact) return address === target.base
  return address === target.base || address.startsWith(`${target.base}[`)
}

function matchesAny(targets: readonly Target[], address: string, endpoint: string): boolean {
  return targets.some((t) => targetMatches(t, address, endpoint))
}

/**
 * Narrows a full plan to `targets`. `forcedBy` maps a change id to the id of the change whose
 * removal forced it. Adds a warning for each target that names nothing and one saying the plan is partial.
 */
export function selectTargets(
  result: PlanResult,
  targets: readonly Target[],
  desired: readonly DesiredObject[],
  state: StateLike,
  forcedBy: ReadonlyMap<string, string>,
): PlanResult {
  const desiredById = new Map<string, DesiredObject>()
  for (const object of desired) desiredById.set(`${object.address}@${object.endpoint}`, object)

  // Objects named by a target, then everything they reference in the config.
  const selected = new Set<string>()
  const queue: string[] = []
  const select = (id: string): void => {
    if (selected.has(id)) return
    selected.add(id)
    queue.push(id)
  }
  for (const object of desired)
    if (matchesAny(targets, object.address, object.endpoint)) select(`${object.address}@${object.endpoint}`)
  for (const [address, byEndpoint] of Object.entries(state.resources)) {
    for (const endpoint of Object.keys(byEndpoint)) if (matchesAny(targets, address, endpoint)) select(`${address}@${endpoint}`)
  }
  // Changes with neither a declaration nor a state entry behind them: mirror mode's prune deletes.
  for (const change of result.changes) if (matchesAny(targets, change.address, change.endpoint)) select(change.id)
  const named = selected.size
  for (let head = 0; head < queue.length; head++) {
    const object = desiredById.get(queue[head]!)
    if (object === undefined) continue
    for (const ref of object.references) {
      const id = `${ref}@${object.endpoint}`
      if (desiredById.has(id)) select(id)
    }
  }

  // Changes: the selected ones, what they depend on, and what their removals force.
  const byId = new Map<string, Change>()
  for (const change of result.changes) byId.set(change.id, change)
  const forced = new Map<string, string[]>()
  for (const [child, parent] of forcedBy) forced.set(parent, [...(forced.get(parent) ?? []), child])
  const keep = new Set<string>()
  const pending = result.changes.filter((c) => selected.has(c.id)).map((c) => c.id)
  while (pending.length > 0) {
    const id = pending.pop()!
    if (keep.has(id)) continue
    const change = byId.get(id)
    if (change === undefined) continue
    keep.add(id)
    pending.push(...change.dependsOn, ...(forced.get(id) ?? []))
  }
  const touched = new Set([...selected, ...keep])

  const unmanaged = (result.unmanaged ?? []).filter((object) => matchesAny(targets, object.address, object.endpoint))
  const warnings: PlanWarning[] = result.warnings.filter(
    (w) => w.address === undefined || w.endpoint === undefined || touched.has(`${w.address}@${w.endpoint}`),
  )
  for (const target of targets) {
    const hit =
      desired.some((o) => targetMatches(target, o.address, o.endpoint)) ||
      result.changes.some((c) => targetMatches(target, c.address, c.endpoint)) ||
      unmanaged.some((u) => targetMatches(target, u.address, u.endpoint)) ||
      Object.entries(state.resources).some(([address, byEndpoint]) =>
        Object.keys(byEndpoint).some((endpoint) => targetMatches(target, address, endpoint)),
      )
    if (!hit) warnings.push({message: `--target ${target.text} matches nothing in the configuration or the state`})
  }
  if (named > 0) {
    warnings.push({
      message: 'resource targeting is in effect: this plan may be incomplete; run hrep plan without --target to see every change',
    })
  }
  const endpoints = new Set(targets.map((t) => t.endpoint))
  return {
    // Mirror mode's objects left alone, when targeted like the block's own (`project.mirror`).
    ...(unmanaged.length > 0 ? {unmanaged} : {}),
    changes: result.changes.filter((c) => keep.has(c.id)),
    conflicts: result.conflicts.filter((c) => touched.has(`${c.address}@${c.endpoint}`)),
    unavailable: endpoints.has(undefined) ? result.unavailable : result.unavailable.filter((u) => endpoints.has(u.endpoint)),
    drift: result.drift.filter((d) => touched.has(`${d.address}@${d.endpoint}`)),
    warnings,
    refreshOnly: result.refreshOnly,
  }
}
