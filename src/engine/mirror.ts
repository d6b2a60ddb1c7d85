/**
 * Mirror mode: each `replicate` block turns its source endpoint's live objects (read by refresh in
 * this plan) into desired objects on its targets, as if they had been declared. Addresses put the
 * kind first and the block's name where a resource block's name would be: `robot.from-primary["team-a+ci"]`,
 * `project_member.from-primary["team-a/g:devs"]`, so `--target`, the state and the plan treat them
 * like any other. Keys are names (project robots `<project>+<name>`, memberships `<project>/g:<group>`),
 * ids are never copied. Target objects with the same key are adopted, not conflicts; what a target
 * has and the source lacks is the block's prune scope. Robot secrets cannot be read from the source:
 * `independent` gives created robots an hrep-generated secret; `rotate` sets one new secret on the
 * source and every target (the source's robots are then managed in the state, secret only).
 * Pure apart from what it is given: the engine calls it between refresh and plan.
 */
import type {ReplicateConfig} from '../config/model.js'
import type {KindName} from '../model/change.js'
import type {DesiredObject, PlanResult, PlanWarning, PruneScope} from '../plan/types.js'
import {Claims} from './mirror-claims.js'
import {type BlockSkips, type MirrorInput, mirrorBlock} from './mirror-desired.js'
import {mirrorNotes} from './mirror-notes.js'
import {frozen, pruneScopes, releaseScopes} from './mirror-reach.js'

export type {DroppedPermission, MirrorInput} from './mirror-desired.js'

/**
 * The kinds each endpoint must be read for, so the replicate blocks can be planned: the block's
 * kinds, plus a target's projects when project robots or memberships are mirrored (they are
 * planned only where their project is).
 */
export function mirrorReads(replicates: readonly ReplicateConfig[]): Map<string, Set<KindName>> {
  const reads = new Map<string, Set<KindName>>()
  for (const replicate of replicates) {
    const needsProjects = replicate.kinds.includes('robot') || replicate.kinds.includes('project_member')
    for (const endpoint of [replicate.from, ...replicate.to]) {
      const set = reads.get(endpoint) ?? new Set<KindName>()
      for (const kind of replicate.kinds) set.add(kind)
      if (needsProjects && endpoint !== replicate.from) set.add('project')
      reads.set(endpoint, set)
    }
  }
  return reads
}

/** What mirror mode adds to a plan. */
export interface MirrorPlan {
  desired: DesiredObject[]
  prune: PruneScope[]
  /** The notes mirror mode owes the operator about a computed plan (secrets, unmanaged extras, an unread source). */
  warnings(result: PlanResult): PlanWarning[]
}

/**
 * Derives every replicate block's desired objects and prune scopes. Throws a ConfigError when an
 * object is claimed twice (two blocks, or a block and a declared resource, on one endpoint).
 */
export function planMirror(input: MirrorInput): MirrorPlan {
  const {config} = input
  const desired: DesiredObject[] = []
  const prune: PruneScope[] = []
  const unread = new Map<string, string>()
  const skips = new Map<string, BlockSkips>()
  const claims = new Claims(input.config.resources, input.declared)
  for (const replicate of config.replicates) {
    const skipped: BlockSkips = {dropped: [], orphans: [], unplaced: new Set()}
    // What the block mirrored earlier where it no longer reaches is released, source read or not.
    prune.push(...releaseScopes(input, replicate, skipped.unplaced))
    const source = input.live.endpoints[replicate.from]
    const objects = source?.status === 'ok' ? source.objects : undefined
    const missing = replicate.kinds.filter((kind) => objects?.[kind] === undefined)
    if (objects === undefined || missing.length > 0) {
      unread.set(
        replicate.name,
        source?.status === 'unavailable' ? source.message : `refresh did not read its ${missing.join(', ')} objects`,
      )
      desired.push(...frozen(input, replicate))
      continue
    }
    claims.checkNames(replicate)
    const mirrored = mirrorBlock(input, replicate, objects, skipped)
    skips.set(replicate.name, skipped)
    for (const object of mirrored) claims.claim(object, replicate)
    desired.push(...mirrored)
    prune.push(...pruneScopes(input, replicate, skipped.dropped))
  }
  claims.throwIfAny(config.sources)
  return {
    desired,
    prune,
    warnings: (result) => mirrorNotes(config.replicates, result, unread, skips, config.hrep.secretOutput !== undefined),
  }
}
