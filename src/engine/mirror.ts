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
import type {DesiredResource, LoadedConfig, ReplicateConfig} from '../config/model.js'
import type {Kind, LiveObject} from '../kinds/kind.js'
import {formatAddress} from '../model/address.js'
import type {Attrs, Change, KindName} from '../model/change.js'
import {ConfigError, type Diagnostic, formatRange, type SourceRange} from '../model/errors.js'
import {SECRET_ATTR} from '../plan/diff.js'
import type {DesiredObject, LiveSnapshot, PlanResult, PlanWarning, PruneScope, StateLike} from '../plan/types.js'
import {addressKind} from '../plan/world.js'
import {mirrorSelector} from './mirror-select.js'

/** The address of the object with `key` mirrored by block `replicate`. */
export function mirrorAddress(kind: KindName, replicate: string, key: string): string {
  return formatAddress({kind, name: replicate, key})
}

/** Whether `address` is one of block `replicate`'s addresses. */
export function isMirrorAddress(address: string, replicate: string): boolean {
  const dot = address.indexOf('.')
  return dot > 0 && address.startsWith(`${replicate}[`, dot + 1)
}

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

export interface MirrorInput {
  config: LoadedConfig
  live: LiveSnapshot
  state: StateLike
  kinds: Readonly<Record<KindName, Kind>>
  /** The declared resources' desired objects (for the claimed-twice check). */
  declared: readonly DesiredObject[]
}

/** What mirror mode adds to a plan. */
export interface MirrorPlan {
  desired: DesiredObject[]
  prune: PruneScope[]
  /** The notes mirror mode owes the operator about a computed plan (secrets, unmanaged extras, an unread source). */
  warnings(result: PlanResult): PlanWarning[]
}

/** Kinds in dependency order: a mirrored object's parents come before it. */
const ORDER: readonly KindName[] = ['project', 'oidc_group', 'robot', 'project_member']

/** How many names a note lists before "and N more". */
const SHOWN = 10

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
    warnings: (result) => notes(config.replicates, result, unread, skips, config.hrep.secretOutput !== undefined),
  }
}

/** What one block left out on its targets, and why: the plan's notes about it. */
interface BlockSkips {
  dropped: DroppedPermission[]
  orphans: Orphan[]
  /** Robots (keys) mirrored to no target: with rotate, their source robot is left alone too. */
  unplaced: Set<string>
}

/** A project robot or membership not mirrored to a target that does not have its project. */
interface Orphan {
  endpoint: string
  project: string
  kind: KindName
  key: string
}

/** The source objects a block mirrors, by kind: its patterns, plus the groups its memberships need. */
function chosenObjects(
  replicate: ReplicateConfig,
  objects: Partial<Record<KindName, readonly LiveObject[]>>,
): Map<KindName, LiveObject[]> {
  const select = mirrorSelector(replicate.include, replicate.exclude)
  const chosen = new Map<KindName, LiveObject[]>()
  const pick = (kind: KindName) => (objects[kind] ?? []).filter((object) => select.selects(kind, object.attrs))
  for (const kind of replicate.kinds) if (kind !== 'oidc_group') chosen.set(kind, pick(kind))
  if (replicate.kinds.includes('oidc_group')) {
    // A membership brings its group along (unless the group is excluded by name).
    const needed = new Set((chosen.get('project_member') ?? []).map((member) => String(member.attrs.group)))
    chosen.set(
      'oidc_group',
      (objects.oidc_group ?? []).filter(
        (group) =>
          select.selects('oidc_group', group.attrs) || (needed.has(group.key) && !select.excluded(String(group.attrs.name))),
      ),
    )
  }
  return chosen
}

/** The desired objects of one block whose source was read. */
function mirrorBlock(
  input: MirrorInput,
  replicate: ReplicateConfig,
  objects: Partial<Record<KindName, readonly LiveObject[]>>,
  skipped: BlockSkips,
): DesiredObject[] {
  const chosen = chosenObjects(replicate, objects)
  const mirroredKeys = new Set<string>()
  for (const [kind, list] of chosen) for (const object of list) mirroredKeys.add(`${kind}\u0000${object.key}`)
  const rotate = replicate.robotSecrets === 'rotate'
  const out: DesiredObject[] = []
  for (const kind of ORDER) {
    for (const object of chosen.get(kind) ?? []) {
      const address = mirrorAddress(kind, replicate.name, object.key)
      const references = input.kinds[kind]
        .dependsOn(object.attrs)
        .filter((ref) => mirroredKeys.has(`${ref.kind}\u0000${ref.key}`))
        .map((ref) => mirrorAddress(ref.kind, replicate.name, ref.key))
      const base = {address, kind, key: object.key, attrs: copyAttrs(object.attrs), adopt: true, references}
      // A project robot or membership is planned only where its project is (Harbor answers 404).
      const project = kind === 'project_member' || kind === 'robot' ? object.attrs.project : undefined
      const projectThere = (endpoint: string) => {
        if (typeof project !== 'string' || projectKnown(input, endpoint, project, mirroredKeys)) return true
        skipped.orphans.push({endpoint, project, kind, key: object.key})
        return false
      }
      if (kind !== 'robot') {
        for (const endpoint of replicate.to)
          if (kind !== 'project_member' || projectThere(endpoint)) out.push({...base, endpoint})
        continue
      }
      const placed: {endpoint: string; attrs: Attrs}[] = []
      for (const endpoint of replicate.to) {
        const attrs = projectThere(endpoint)
          ? permissionsFor(input, base.attrs, endpoint, mirroredKeys, skipped.dropped)
          : undefined
        if (attrs !== undefined) placed.push({endpoint, attrs})
      }
      if (placed.length === 0) skipped.unplaced.add(object.key)
      // With rotate the source's robot shares the targets' secret; mirrored nowhere, it is left alone.
      else if (rotate) placed.unshift({endpoint: replicate.from, attrs: base.attrs})
      const reason = rotate ? rotationReason(input, replicate, address, object.key, placed) : undefined
      for (const {endpoint, attrs} of placed) {
        const secret =
          reason !== undefined && liveHas(input.live, endpoint, 'robot', object.key)
            ? {declared: false, rotate: reason}
            : {declared: false}
        out.push({...base, attrs, endpoint, secret})
      }
    }
  }
  return out
}

const declaredIndex = new WeakMap<readonly DesiredObject[], Map<string, Set<string>>>()

/** The declared projects on `endpoint` (indexed once per plan). */
function declaredProjects(declared: readonly DesiredObject[], endpoint: string): ReadonlySet<string> {
  let byEndpoint = declaredIndex.get(declared)
  if (byEndpoint === undefined) {
    byEndpoint = new Map()
    for (const object of declared) {
      if (object.kind !== 'project') continue
      const set = byEndpoint.get(object.endpoint) ?? new Set<string>()
      set.add(object.key)
      byEndpoint.set(object.endpoint, set)
    }
    declaredIndex.set(declared, byEndpoint)
  }
  return byEndpoint.get(endpoint) ?? new Set()
}

/** Why a system robot was mirrored without some of its permissions: one note per robot and endpoint. */
export interface DroppedPermission {
  robot: string
  endpoint: string
  projects: string[]
  /** Nothing was left: the robot is not mirrored there. */
  skipped: boolean
}

/**
 * A system robot's attributes for a target without its permissions on projects the target does not
 * have and this block does not mirror: Harbor drops such a permission silently, so keeping it would
 * plan the same update forever. Undefined when no permission is left (the robot is not mirrored
 * there). A target whose projects were not read keeps every permission.
 */
function permissionsFor(
  input: MirrorInput,
  attrs: Attrs,
  endpoint: string,
  mirroredKeys: ReadonlySet<string>,
  dropped: DroppedPermission[],
): Attrs | undefined {
  const permissions = attrs.permissions as {kind: string; namespace: string}[] | undefined
  const snapshot = input.live.endpoints[endpoint]
  if (typeof attrs.project === 'string' || permissions === undefined || snapshot?.status !== 'ok') return attrs
  const missing = permissions.filter(
    (p) => p.kind === 'project' && p.namespace !== '*' && !projectKnown(input, endpoint, p.namespace, mirroredKeys),
  )
  if (missing.length === 0) return attrs
  const kept = permissions.filter((p) => !missing.includes(p))
  dropped.push({robot: String(attrs.name), endpoint, projects: missing.map((p) => p.namespace), skipped: kept.length === 0})
  return kept.length === 0 ? undefined : {...attrs, permissions: kept}
}

/**
 * Whether `project` is on `endpoint` once the plan is applied: live there, mirrored by the block
 * (to every target), or declared there. A target whose projects were not read is not second-guessed.
 */
function projectKnown(input: MirrorInput, endpoint: string, project: string, mirroredKeys: ReadonlySet<string>): boolean {
  const snapshot = input.live.endpoints[endpoint]
  if (snapshot?.status !== 'ok' || snapshot.objects.project === undefined) return true
  return (
    mirroredKeys.has(`project\u0000${project}`) ||
    liveHas(input.live, endpoint, 'project', project) ||
    declaredProjects(input.declared, endpoint).has(project)
  )
}

/**
 * Why the robot at `address` gets a new secret everywhere it is `placed` in this run, or undefined:
 * when it is new on a target, or an endpoint that has it holds no secret set by hrep (first mirror,
 * adoption). Targets it is not mirrored to (no project, no permission left there) do not count.
 * Rotating all of them together keeps one secret per robot on the source and every target.
 */
function rotationReason(
  input: MirrorInput,
  replicate: ReplicateConfig,
  address: string,
  key: string,
  placed: readonly {endpoint: string}[],
): string | undefined {
  const targets = placed.map((p) => p.endpoint).filter((e) => e !== replicate.from)
  const endpoints = [replicate.from, ...targets].filter((e) => input.live.endpoints[e]?.status === 'ok')
  const needs = endpoints.some(
    (endpoint) =>
      !liveHas(input.live, endpoint, 'robot', key) || input.state.resources[address]?.[endpoint]?.secret_fp === undefined,
  )
  return needs
    ? `robot_secrets = "rotate": one new secret for this robot on ${replicate.from} and ${targets.join(', ')}`
    : undefined
}

const liveIndex = new WeakMap<readonly LiveObject[], Set<string>>()

function liveHas(live: LiveSnapshot, endpoint: string, kind: KindName, key: string): boolean {
  const snapshot = live.endpoints[endpoint]
  const list = snapshot?.status === 'ok' ? snapshot.objects[kind] : undefined
  if (list === undefined) return false
  let keys = liveIndex.get(list)
  if (keys === undefined) {
    keys = new Set(list.map((object) => object.key))
    liveIndex.set(list, keys)
  }
  return keys.has(key)
}

/** A deep copy, so nothing in a plan aliases the refresh's objects. */
function copyAttrs(attrs: Attrs): Attrs {
  return structuredClone(attrs)
}

/**
 * When the source could not be read, the block's managed objects where it still reaches are held as
 * they are (desired = live): nothing mirrored is deleted or changed because of a source outage.
 * (What it no longer reaches is released by its release scopes.)
 */
function frozen(input: MirrorInput, replicate: ReplicateConfig): DesiredObject[] {
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
function pruneScopes(input: MirrorInput, replicate: ReplicateConfig, dropped: readonly DroppedPermission[]): PruneScope[] {
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
function releaseScopes(input: MirrorInput, replicate: ReplicateConfig, unplaced: ReadonlySet<string>): PruneScope[] {
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

/** Who claims each (endpoint, kind, key), to report an object claimed twice with both places. */
class Claims {
  private readonly owners = new Map<string, {label: string; range?: SourceRange}>()
  private readonly diagnostics: Diagnostic[] = []
  private readonly resources: readonly DesiredResource[]

  constructor(resources: readonly DesiredResource[], declared: readonly DesiredObject[]) {
    this.resources = resources
    const ranges = new Map(resources.map((resource) => [resource.address, resource.range]))
    for (const object of declared) {
      this.owners.set(`${object.endpoint}\u0000${object.kind}\u0000${object.key}`, {
        label: object.address,
        range: ranges.get(object.address),
      })
    }
  }

  /** A resource block named like the replicate block would share its addresses. */
  checkNames(replicate: ReplicateConfig): void {
    const clash = this.resources.find(
      (resource) =>
        replicate.kinds.includes(resource.kind) && addressBlock(resource.address) === `${resource.kind}.${replicate.name}`,
    )
    if (clash === undefined) return
    this.diagnostics.push({
      severity: 'error',
      summary: `replicate "${replicate.name}" and ${addressBlock(clash.address)} share their addresses`,
      detail: `Mirrored ${clash.kind} objects are addressed ${clash.kind}.${replicate.name}["<key>"], which ${addressBlock(clash.address)} at ${formatRange(clash.range)} also uses. Rename one of the two blocks.`,
      range: replicate.range,
    })
  }

  claim(object: DesiredObject, replicate: ReplicateConfig): void {
    const id = `${object.endpoint}\u0000${object.kind}\u0000${object.key}`
    const label = `replicate "${replicate.name}"`
    const owner = this.owners.get(id)
    if (owner === undefined) {
      this.owners.set(id, {label, range: replicate.range})
      return
    }
    if (owner.label === label) return
    const where = owner.range === undefined ? '' : ` at ${formatRange(owner.range)}`
    const verb = owner.label.startsWith('replicate ') ? 'mirrors it too' : 'declares it'
    this.diagnostics.push({
      severity: 'error',
      summary: `${object.kind} "${object.key}" on endpoint ${object.endpoint} is claimed twice`,
      detail: `${label} at ${formatRange(replicate.range)} mirrors it from ${replicate.from}, and ${owner.label}${where} ${verb}. Leave it to one of them: add it to the replicate block's exclude patterns, or remove the other.`,
      range: replicate.range,
      address: object.address,
    })
  }

  throwIfAny(sources: Record<string, string>): void {
    if (this.diagnostics.length === 0) return
    const shown = this.diagnostics.slice(0, SHOWN)
    if (this.diagnostics.length > SHOWN) {
      shown.push({severity: 'error', summary: `and ${this.diagnostics.length - SHOWN} more objects claimed twice`})
    }
    throw new ConfigError(shown, sources)
  }
}

/** `robot.ci["x"]` → `robot.ci`. */
function addressBlock(address: string): string {
  const bracket = address.indexOf('[')
  return bracket < 0 ? address : address.slice(0, bracket)
}

function list(names: readonly string[]): string {
  const more = names.length > SHOWN ? ` and ${names.length - SHOWN} more` : ''
  return `${names.slice(0, SHOWN).join(', ')}${more}`
}

function hasSecretDiff(change: Change): boolean {
  return change.diffs.some((diff) => diff.path === SECRET_ATTR)
}

/** The operator's notes about a computed plan: an unread source, what was left out, robot secrets, extras left alone. */
function notes(
  replicates: readonly ReplicateConfig[],
  result: PlanResult,
  unread: ReadonlyMap<string, string>,
  skips: ReadonlyMap<string, BlockSkips>,
  hasSecretOutput: boolean,
): PlanWarning[] {
  const warnings: PlanWarning[] = []
  for (const replicate of replicates) {
    const skipped = skips.get(replicate.name)
    warnings.push(...orphanNotes(replicate, skipped?.orphans ?? []))
    for (const lost of skipped?.dropped ?? []) {
      const projects = lost.projects.map((p) => `"${p}"`).join(', ')
      warnings.push({
        message: `replicate "${replicate.name}": robot "${lost.robot}" has permissions on project(s) ${projects}, which ${lost.endpoint} does not have and the block does not mirror; ${lost.skipped ? 'it has no other permission, so it is not mirrored there' : 'it is mirrored there without them'} (Harbor would drop them)`,
        address: mirrorAddress('robot', replicate.name, lost.robot),
        endpoint: lost.endpoint,
      })
    }
    const why = unread.get(replicate.name)
    if (why !== undefined) {
      warnings.push({
        message: `replicate "${replicate.name}": its source ${replicate.from} could not be read (${why}), so nothing is mirrored to ${replicate.to.join(', ')} in this plan; what it mirrored earlier is left as it is`,
        endpoint: replicate.from,
      })
      continue
    }
    const secretChanges = result.changes.filter(
      (change) => change.kind === 'robot' && isMirrorAddress(change.address, replicate.name) && hasSecretDiff(change),
    )
    const robots = new Set(secretChanges.map((change) => change.address))
    const endpoints = [...new Set(secretChanges.map((change) => change.endpoint))].sort()
    if (robots.size > 0 && replicate.robotSecrets === 'rotate') {
      warnings.push({
        message: `ROBOT SECRETS ARE ROTATED: replicate "${replicate.name}" (robot_secrets = "rotate") sets one new secret for each of ${robots.size} robot(s) on ${endpoints.join(', ')}${endpoints.includes(replicate.from) ? ` (${replicate.from} is the source)` : ''}. Every client that logs in with a current secret of these robots fails until it is given the new one from secret_output.`,
      })
    } else if (robots.size > 0) {
      warnings.push({
        message: `replicate "${replicate.name}": Harbor never reveals a robot's secret, so the secrets of ${replicate.from}'s robots cannot be copied. robot_secrets = "independent": the ${robots.size} robot(s) created on ${endpoints.join(', ')} get a new secret generated by hrep (one per robot, the same on every target), ${hasSecretOutput ? 'written to secret_output' : 'shown only with hrep apply --show-secrets (no secret_output is set: apply refuses without one of them)'}; robots that already exist on a target keep theirs.`,
      })
    }
    warnings.push(...unmanagedNotes(replicate, result))
  }
  return warnings
}

/** One note per target: the project robots and memberships not planned there for want of their project. */
function orphanNotes(replicate: ReplicateConfig, orphans: readonly Orphan[]): PlanWarning[] {
  const warnings: PlanWarning[] = []
  for (const endpoint of [...new Set(orphans.map((o) => o.endpoint))].sort()) {
    const here = orphans.filter((o) => o.endpoint === endpoint)
    const projects = [...new Set(here.map((o) => `"${o.project}"`))].sort()
    const which = projects.length === 1 ? `project ${projects[0]} is` : `projects ${list(projects)} are`
    const them = projects.length === 1 ? 'it' : 'them'
    const why = replicate.kinds.includes('project') ? `the block does not mirror ${them}` : 'the block does not mirror projects'
    const names = here.map((o) => `${o.kind} "${o.key}"`)
    warnings.push({
      message: `replicate "${replicate.name}": ${which} not on ${endpoint} and ${why}, so ${names.length} object(s) in ${them} are not mirrored there (Harbor needs the project first): ${list(names)}`,
      endpoint,
    })
  }
  return warnings
}

/**
 * One note per target and cause for the objects the block leaves alone: extras its source lacks
 * (prune = false), and objects released from the state because the block no longer reaches them.
 */
function unmanagedNotes(replicate: ReplicateConfig, result: PlanResult): PlanWarning[] {
  const warnings: PlanWarning[] = []
  const groups = new Map<string, {endpoint: string; released?: string; names: string[]}>()
  for (const object of result.unmanaged ?? []) {
    if (object.owner !== replicate.name) continue
    const id = `${object.endpoint}\u0000${object.released ?? ''}`
    const group = groups.get(id) ?? {endpoint: object.endpoint, released: object.released, names: []}
    group.names.push(`${object.kind} "${object.key}"`)
    groups.set(id, group)
  }
  for (const id of [...groups.keys()].sort()) {
    const {endpoint, released, names} = groups.get(id)!
    warnings.push({
      message:
        released === undefined
          ? `replicate "${replicate.name}": ${endpoint} has ${names.length} object(s) that ${replicate.from} does not; prune = false leaves them alone (unmanaged): ${list(names)}`
          : `replicate "${replicate.name}" no longer mirrors ${names.length} object(s) on ${endpoint} (${released}): they are released from the state and left there, unmanaged: ${list(names)}`,
      endpoint,
    })
  }
  return warnings
}
