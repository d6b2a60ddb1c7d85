/**
 * The planner: desired objects (the config fanned out to endpoints) + live objects (refresh) +
 * state → the changes that make every endpoint match the config, linked into a DAG, plus the
 * conflicts, unavailable endpoints, state-only updates and warnings an operator needs to see.
 * Pure: no I/O, no clock, no randomness, inputs never mutated; the same input gives the same output.
 * Linear in the number of objects (everything is indexed by key), plus one sort.
 */
import type {Change} from '../model/change.js'
import {applyCascades} from './cascade.js'
import {compare, linkDrafts, orderChanges} from './graph.js'
import {missingParents} from './parents.js'
import {planEndpointObjects} from './object-plan.js'
import {planPrune} from './prune.js'
import {refreshOnlyDrift} from './refresh-only.js'
import {parseTargets, selectTargets} from './target.js'
import type {Conflict, PlanInput, PlanResult, PlanWarning, StateUpdate, UnmanagedObject} from './types.js'
import {buildWorld} from './world.js'

/** Computes the plan. Throws an HrepError for a bad `--target`, a key declared twice, or a dependency cycle. */
export function plan(input: PlanInput): PlanResult {
  const options = input.options ?? {}
  const targets = parseTargets(options.targets ?? [])
  const world = buildWorld(input)
  const refreshOnly = options.refreshOnly === true
  const changes: Change[] = []
  const conflicts: Conflict[] = []
  const drift: StateUpdate[] = []
  const unmanaged: UnmanagedObject[] = []
  const warnings: PlanWarning[] = [...world.warnings]
  const forcedBy = new Map<string, string>()

  for (const endpoint of world.endpoints) {
    if (refreshOnly) {
      drift.push(...refreshOnlyDrift(endpoint))
      continue
    }
    const drafts = planEndpointObjects(endpoint, input.kinds, options.allowDelete !== false)
    if (input.prune !== undefined && input.prune.length > 0) {
      unmanaged.push(...planPrune(endpoint, input.prune, input.kinds, options.allowDelete !== false, drafts))
    }
    applyCascades(endpoint, input.kinds, drafts)
    linkDrafts(drafts.drafts, input.kinds)
    warnings.push(...missingParents(endpoint, drafts.drafts, input.kinds))
    const changed = new Set<string>()
    for (const draft of drafts.drafts) {
      if (draft.change.action === 'noop' && !draft.change.importing) continue
      changes.push(draft.change)
      changed.add(draft.change.id)
      if (draft.forcedBy !== undefined) forcedBy.set(draft.change.id, draft.forcedBy)
    }
    for (const {conflict} of drafts.conflicts.values()) conflicts.push(conflict)
    // A cascade may have turned an unchanged object into a replace: its state bookkeeping is moot.
    drift.push(...drafts.drift.filter((d) => d.action === 'forget' || !changed.has(`${d.address}@${d.endpoint}`)))
    warnings.push(...drafts.warnings)
  }

  const byPlace = (a: {endpoint: string; address: string}, b: {endpoint: string; address: string}): number =>
    compare(a.endpoint, b.endpoint) || compare(a.address, b.address)
  const result: PlanResult = {
    changes: orderChanges(changes),
    conflicts: conflicts.sort(byPlace),
    unavailable: world.unavailable,
    drift: drift.sort(byPlace),
    warnings,
    refreshOnly,
  }
  if (unmanaged.length > 0) {
    result.unmanaged = unmanaged.sort(
      (a, b) => compare(a.endpoint, b.endpoint) || compare(a.kind, b.kind) || compare(a.key, b.key),
    )
  }
  return targets.length > 0 ? selectTargets(result, targets, input.desired, input.state, forcedBy) : result
}

/**
 * Whether applying the plan would change anything: changes to Harbor (importing no-ops included),
 * or, for a refresh-only plan, drift to record. Drives `--detailed-exitcode` (2 when true).
 * Silent state bookkeeping (`notable: false`) and forgets in a normal plan do not count.
 */
export function hasChanges(result: PlanResult): boolean {
  return result.refreshOnly ? result.drift.length > 0 : result.changes.length > 0
}
