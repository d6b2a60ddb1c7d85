/**
 * Everything hrep knows about one Harbor object type, behind one interface. The pure members
 * (schema, key, dependsOn, replaceOn, sensitive, normalize, parseImportId) are used by the config
 * loader and the planner with no I/O; the I/O members take a KindContext that carries the endpoint's
 * client, so nothing in a kind opens a connection by itself.
 */
import type {z} from 'zod'
import type {HarborClient, ServerInfo} from '../client/types.js'
import type {Attrs, KindName} from '../model/change.js'
import type {EventSink} from '../model/events.js'

/** One object as read from an endpoint: Harbor's id there, its natural key, its normalised attributes. */
export interface LiveObject<A extends Attrs = Attrs> {
  id: string
  key: string
  attrs: A
}

/** A reference from one object to another by natural key (a member to its project and group). */
export interface KeyRef {
  kind: KindName
  key: string
  /**
   * This object lives inside the referenced one: Harbor deletes it together with it (a project's
   * robots and members, a group's memberships). The planner then recreates it when the parent is
   * replaced. Absent = the reference only orders changes (a system robot's permission on a project).
   */
  contained?: boolean
}

export interface KindContext {
  client: HarborClient
  info: ServerInfo
  /**
   * Bounds the requests one endpoint has in flight (its `parallelism`). Kinds run each request (or
   * each paged list) inside it and never nest calls; a caller must not hold a slot of the same
   * limiter while it calls a kind, or the kind's requests would wait for that slot forever.
   */
  limit: <T>(fn: () => Promise<T>) => Promise<T>
  /**
   * Shared by the kinds of one endpoint during one refresh and apply (keys in src/kinds/io.ts): the
   * project list, user groups, group ids by name, so no two kinds read the same list twice.
   */
  memo: Map<string, Promise<unknown>>
  events: EventSink
  signal?: AbortSignal
}

/** What normalising a live object may need beyond the object itself: facts about the instance. */
export interface NormalizeInfo {
  /** The instance's robot name prefix (`robot$` by default), stripped from robot names on read. */
  robotNamePrefix: string
}

export interface CreateResult {
  id: string
  /** A secret Harbor generated on create (robots), handed to the caller and never stored. */
  secret?: string
}

export interface Kind<A extends Attrs = Attrs> {
  readonly name: KindName
  /**
   * Validates an evaluated config block body (references already resolved to the referenced
   * block's attribute object) and turns it into normalised desired attributes. Sensitive
   * attributes (see `sensitive`) pass through unchanged and are split off by the loader.
   */
  readonly configSchema: z.ZodType<A>
  /**
   * An optional fast twin of `configSchema` for the common case of a valid body: exactly the output
   * `configSchema` gives for `input` (same values, same key order), or undefined whenever it is not
   * sure the input is valid; the loader then runs `configSchema`, which words the errors. It never
   * returns a value for an input the schema rejects, and never mutates `input`. Kept next to the
   * schema it mirrors; a test compares both on generated bodies.
   */
  readonly quickConfig?: (input: Readonly<Record<string, unknown>>) => A | undefined
  /** Attributes that are secrets: never stored, printed or compared as values. */
  readonly sensitive: readonly string[]
  /** Attributes Harbor cannot change in place: a difference there plans delete + create. */
  readonly replaceOn: readonly string[]
  /** The natural key of an object on one endpoint: unique per endpoint and equal across endpoints. */
  key(attrs: A): string
  /** The objects this one needs to exist first (a member's project and group). */
  dependsOn(attrs: A): KeyRef[]
  /**
   * Turns one object as Harbor returns it, joined with what the kind's `list` reads alongside it
   * (each kind documents its raw view: a project with its quota, a robot with its project name, a
   * member with its group's type), into normalised attributes: the exact shape `configSchema`
   * produces for the same object, so desired and live compare with plain deep equality. Pure.
   */
  normalize(raw: unknown, info: NormalizeInfo): A
  /** Turns the ID a user gives to `hrep import` (a name, never a numeric id) into a key. */
  parseImportId(id: string): string
  /** Every object of this kind on the endpoint, with the fewest requests. */
  list(ctx: KindContext): Promise<LiveObject<A>[]>
  /** One object by natural key, or undefined: used before retrying a create and by import. */
  find(ctx: KindContext, key: string): Promise<LiveObject<A> | undefined>
  /** Creates the object; when this rejects, the object may or may not exist (the caller looks it up). */
  create(ctx: KindContext, attrs: A): Promise<CreateResult>
  /** Brings the live object to `desired`; `changed` names the attributes that differ. */
  update(ctx: KindContext, live: LiveObject<A>, desired: A, changed: readonly string[]): Promise<void>
  /** Deletes the object; absence (404) counts as success. */
  delete(ctx: KindContext, live: LiveObject<A>): Promise<void>
  /** Sets a secret on an existing object (robots only). */
  setSecret?(ctx: KindContext, live: LiveObject<A>, secret: string): Promise<void>
}
