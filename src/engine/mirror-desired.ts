/**
 * What a replicate block whose source was read desires on its targets: the source objects its
 * patterns choose (plus the groups its memberships need), copied with their keys, in dependency
 * order, adopted where a target has them already. A project robot or membership is planned only
 * where its project is; a system robot loses the permissions a target cannot hold; with rotate,
 * the source's robots join in (secret only). What was left out, and why, is recorded for the notes
 * and the prune scopes. Pure apart from what it is given.
 */
import type {LoadedConfig, ReplicateConfig} from '../config/model.js'
import type {Kind, LiveObject} from '../kinds/kind.js'
import type {Attrs, KindName} from '../model/change.js'
import type {DesiredObject, LiveSnapshot, StateLike} from '../plan/types.js'
import {mirrorAddress} from './mirror-address.js'
import {mirrorSelector} from './mirror-select.js'

/** What mirror mode is planned from: the config, this plan's refresh, the state and the declared objects. */
export interface MirrorInput {
  config: LoadedConfig
  live: LiveSnapshot
  state: StateLike
  kinds: Readonly<Record<KindName, Kind>>
  /** The declared resources' desired objects (for the claimed-twice check). */
  declared: readonly DesiredObject[]
}

/** Kinds in dependency order: a mirrored object's parents come before it. */
const ORDER: readonly KindName[] = ['project', 'oidc_group', 'robot', 'project_member']

/** What one block left out on its targets, and why: the plan's notes about it. */
export interface BlockSkips {
  dropped: DroppedPermission[]
  orphans: Orphan[]
  /** Robots (keys) mirrored to no target: with rotate, their source robot is left alone too. */
  unplaced: Set<string>
}

/** A project robot or membership not mirrored to a target that does not have its project. */
export interface Orphan {
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
export function mirrorBlock(
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

/** Whether refresh read an object of `kind` with `key` on `endpoint` (indexed once per list). */
export function liveHas(live: LiveSnapshot, endpoint: string, kind: KindName, key: string): boolean {
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
export function copyAttrs(attrs: Attrs): Attrs {
  return structuredClone(attrs)
}
