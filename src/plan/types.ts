/**
 * The planner's inputs and outputs. The planner is a pure function of these values: the engine
 * loads the config, refreshes live objects and reads state, then calls `plan()` with them.
 * Nothing here holds a secret: robot secrets reach the planner only as the booleans in
 * `DesiredObject.secret`, computed by the engine from the state's `secret_fp`.
 */
import type {Kind, LiveObject} from '../kinds/kind.js'
import type {AttrDiff, Attrs, Change, KindName} from '../model/change.js'

/** Whether a desired robot carries a secret and whether state proves it is already set. */
export interface DesiredSecret {
  /** True for `secret = env(..)`/`file(..)`; false when hrep generates the secret on create. */
  declared: boolean
  /**
   * Whether the declared secret matches the state's `secret_fp` for this object on this endpoint
   * (computed by the engine with scrypt). Undefined when state has no fingerprint to compare with:
   * the secret is then (re)set on an existing object.
   */
  fingerprintMatches?: boolean
  /**
   * Set a new hrep-generated secret on the existing object, and why (mirror mode's
   * `robot_secrets = "rotate"`). Ignored for a declared secret and for an object that is created
   * (a create always gets its secret).
   */
  rotate?: string
}

/** One declared object on one endpoint: a config resource instance fanned out to an endpoint. */
export interface DesiredObject {
  /** Resource address without endpoint: `project.team["payments"]`. */
  address: string
  endpoint: string
  kind: KindName
  /** The natural key, `kind.key(attrs)`. */
  key: string
  /** Normalised desired attributes; an attribute absent here is not managed by hrep. */
  attrs: Attrs
  /** Present only for kinds with a secret (robots). */
  secret?: DesiredSecret
  /** Adopt an unmanaged live object with this key (mirror mode, `import` blocks) instead of a conflict. */
  adopt?: boolean
  /** Addresses (without endpoint) this one references in the config; `--target` follows them. */
  references: readonly string[]
}

/** What refresh read from one endpoint: every kind's objects, or why the endpoint could not be read. */
export type LiveEndpoint =
  | {status: 'ok'; objects: Partial<Record<KindName, readonly LiveObject[]>>}
  | {status: 'unavailable'; message: string}

/** Live objects of every endpoint, by endpoint name. */
export interface LiveSnapshot {
  endpoints: Record<string, LiveEndpoint>
}

/** One object in state on one endpoint (the state file's entry; see src/state). */
export interface StateEntryLike {
  /** Harbor's id of the object on that endpoint. */
  id: string
  /** The attributes last applied (or recorded by a refresh-only apply). */
  attrs: Attrs
  /** Fingerprint of the robot secret hrep set; never the secret. */
  secret_fp?: string
  /** The natural key when state records it; otherwise the planner derives it with `kind.key(attrs)`. */
  key?: string
  /** hrep created the object but could not set its secret: the plan sets one. */
  secret_pending?: boolean
}

/** The minimal structural shape of the state file the planner reads. */
export interface StateLike {
  lineage: string
  serial: number
  /** By address (without endpoint), then by endpoint name. */
  resources: Record<string, Record<string, StateEntryLike>>
}

export interface PlanOptions {
  /** `--target` addresses (`robot.ci`, `project.team["a"]@dr`, `project.team`): limit the plan to them and what they need. */
  targets?: readonly string[]
  /** Plan no change to Harbor; report where live differs from state, to be recorded into state. */
  refreshOnly?: boolean
  /** Whether deletes may be planned (default true; `hrep sync` without allow_delete passes false). */
  allowDelete?: boolean
}

/**
 * Mirror mode's reach over a target: live objects of one kind on one endpoint that a `replicate`
 * block answers for. Those that nothing desires and state does not manage are the block's extras:
 * deleted when `delete` (prune = true), listed in `PlanResult.unmanaged` otherwise.
 */
export interface PruneScope {
  endpoint: string
  kind: KindName
  /** The replicate block's name, for reasons and messages. */
  owner: string
  /** Whether the live object falls under the block (its include/exclude patterns). Must be pure. */
  matches: (object: LiveObject) => boolean
  /** Delete the extras (prune = true) instead of listing them. */
  delete: boolean
  /** The address an extra is deleted under: `robot.from-primary["team+old"]`. Must be pure. */
  address: (key: string) => string
  /** Where the block's objects come from (its `from` endpoint), for reasons. */
  source: string
  /**
   * Why an object the block mirrored earlier (in state under `address(key)`, live here) that it no
   * longer desires is released from the state and left alone rather than pruned: the block's reach
   * narrowed (its `kinds`, `to` or patterns changed) while the object is not lost by the source. A
   * clause for people (`edge is no longer in its to`). Undefined: the source lost it, and `delete`
   * decides. Absent: always undefined. A scope whose `matches` is always false only releases.
   * Must be pure.
   */
  release?: (key: string) => string | undefined
}

export interface PlanInput {
  desired: readonly DesiredObject[]
  live: LiveSnapshot
  state: StateLike
  kinds: Readonly<Record<KindName, Kind>>
  options?: PlanOptions
  /** Mirror mode's prune scopes (none: nothing unmanaged is ever deleted or listed). */
  prune?: readonly PruneScope[]
}

/**
 * A live object on a target that a replicate block leaves alone: in its reach and lacking on its
 * source (prune = false), or released from the state because the block no longer reaches it.
 */
export interface UnmanagedObject {
  endpoint: string
  kind: KindName
  key: string
  /** The address the replicate block gives it (`kind.block["key"]`): what `--target` selects it by. */
  address: string
  /** Harbor's id on the endpoint. */
  liveId: string
  /** The replicate block. */
  owner: string
  /**
   * Set when the block released the object from the state because its reach narrowed (the
   * scope's `release` clause), not because the source lacks it. Absent: the source lacks it.
   */
  released?: string
}

/** A desired object whose key is taken on an endpoint by an object hrep does not manage. */
export interface Conflict {
  address: string
  endpoint: string
  kind: KindName
  key: string
  /** Harbor's id of the live object. */
  liveId: string
  /** One sentence for people. */
  message: string
  /** The exact command that adopts the live object: `hrep import 'robot.ci@dr' ci`. */
  importCommand: string
}

/** An endpoint refresh could not read: nothing is planned for it. */
export interface UnavailableEndpoint {
  endpoint: string
  message: string
}

export const STATE_ACTIONS = ['refresh', 'forget'] as const
/** `refresh`: rewrite the state entry from live; `forget`: drop the state entry. Harbor is not touched. */
export type StateAction = (typeof STATE_ACTIONS)[number]

/**
 * A change to the state file alone. In a refresh-only plan these are the drift to record; in a
 * normal plan they are entries to forget (object gone or moved to another address) and stale
 * entries of unchanged objects (new Harbor id, or attributes already equal to the config).
 */
export interface StateUpdate {
  address: string
  endpoint: string
  kind: KindName
  key: string
  action: StateAction
  /** Harbor's id to record (refresh only). */
  id?: string
  /** The attributes in state now. */
  before?: Attrs
  /** The attributes to record (refresh only). */
  after?: Attrs
  diffs: AttrDiff[]
  reason: string
  /** Shown to people (true) or recorded silently (false: bookkeeping of an unchanged object). */
  notable: boolean
}

/** Something the operator should know that is not a change (a cascade Harbor will do, a held delete). */
export const WARNING_CODES = ['delete_held', 'prune_held'] as const
/** What kind of warning it is, for programs (the daemon counts held deletes); absent for plain notes. */
export type WarningCode = (typeof WARNING_CODES)[number]

export interface PlanWarning {
  message: string
  address?: string
  endpoint?: string
  code?: WarningCode
}

/** Everything `plan()` found. Arrays are in a deterministic order; nothing holds a secret. */
export interface PlanResult {
  /** Changes to Harbor (no plain no-ops; importing no-ops are included) with `dependsOn` = the DAG. */
  changes: Change[]
  conflicts: Conflict[]
  unavailable: UnavailableEndpoint[]
  /** Changes to state alone; see StateUpdate. */
  drift: StateUpdate[]
  warnings: PlanWarning[]
  refreshOnly: boolean
  /** Mirror mode: objects left alone on targets (extras with prune = false, objects released). Absent = none. */
  unmanaged?: UnmanagedObject[]
}
