/**
 * What the config loader produces: a typed, validated model of the directory's `*.hcl` files.
 * Everything after this point (planner, engine, commands) works from this model, never from HCL.
 * Durations are in milliseconds, sizes in bytes, paths absolute.
 */
import type {Diagnostic, SourceRange} from '../model/errors.js'
import type {Attrs, KindName} from '../model/change.js'
import type {Secret} from '../model/secret.js'

export interface RetrySettings {
  /** Tries in all, the first included (default 5). */
  attempts: number
  /** First backoff before jitter (default 200 ms). */
  baseDelayMs: number
  /** Backoff cap (default 10 s). */
  maxDelayMs: number
}

/** The knobs of the reliability layer; set in the `hrep` block and overridable per endpoint. */
export interface ReliabilitySettings {
  /** Requests one endpoint may have in flight (default 8). */
  parallelism: number
  /** Timeout of one HTTP attempt (default 30 s). */
  timeoutMs: number
  /** Timeout of establishing a connection (default 10 s). */
  connectTimeoutMs: number
  /** Deadline of one operation, every retry and backoff included (default 120 s). */
  deadlineMs: number
  /** Requests per second (token bucket); undefined = unlimited. */
  rateLimit?: number
  retry: RetrySettings
}

export interface HrepSettings extends ReliabilitySettings {
  /** Absolute path of the state file (default `<dir>/hrep.state.json`). */
  state: string
  /** Where generated robot secrets are written once (0600), absolute; undefined = not written. */
  secretOutput?: string
  /** Whether `hrep sync` may delete. */
  allowDelete: boolean
}

export interface EndpointConfig {
  name: string
  /** Base URL without `/api/v2.0` and without a trailing slash. */
  url: string
  username: string
  password: Secret
  caFile?: string
  insecure: boolean
  /** Override of the instance's robot name prefix (otherwise read from /configurations). */
  robotPrefix?: string
  /** The `hrep` block's settings merged with this endpoint's overrides. */
  reliability: ReliabilitySettings
  range: SourceRange
}

/** One declared resource instance (one `for_each` element), before fan-out to endpoints. */
export interface DesiredResource {
  /** `project.team["payments"]` */
  address: string
  kind: KindName
  /** Normalised attributes from the kind's configSchema, without sensitive ones. */
  attrs: Attrs
  /** Sensitive attributes (robot `secret`), kept apart so they cannot reach state or plans. */
  secrets: Record<string, Secret>
  /** Names of the endpoints this instance goes to (default: every endpoint). */
  endpoints: readonly string[]
  /** Addresses this instance references (for ordering and `--target`). */
  references: readonly string[]
  range: SourceRange
}

export interface ReplicateConfig {
  name: string
  from: string
  to: string[]
  kinds: KindName[]
  include: string[]
  exclude: string[]
  prune: boolean
  robotSecrets: 'independent' | 'rotate'
  range: SourceRange
}

export interface ImportConfig {
  /** Address to import into (without endpoint). */
  to: string
  id: string
  /** The natural key `id` names (checked against the declaration when the config is loaded). */
  key: string
  endpoint: string
  range: SourceRange
  /** Where `id` is written: where a problem with the object it names is shown. */
  idRange: SourceRange
}

export interface LoadedConfig {
  /** The configuration directory, absolute (relative paths in the files resolve against it). */
  dir: string
  /** The files loaded, absolute, in load order (sorted by name). */
  files: string[]
  hrep: HrepSettings
  endpoints: EndpointConfig[]
  resources: DesiredResource[]
  replicates: ReplicateConfig[]
  imports: ImportConfig[]
  /** sha256 over the files' names and contents (as loaded), recorded in saved plans to detect a changed config. */
  readonly hash: string
  /**
   * File text by path, for rendering diagnostics. Secrets written literally in a file (a password,
   * a robot secret) are masked with "*" here, so a rendered source line never shows one.
   */
  sources: Record<string, string>
  /** Warnings found while loading (an endpoint with insecure = true...); errors throw ConfigError instead. */
  warnings: Diagnostic[]
}
