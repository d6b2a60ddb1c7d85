/**
 * The public face of a running emulator: the handle tests drive it with, its request log entries and
 * the run-time fault controls.
 */
import type {ConfigValue} from './config.js'
import type {ActiveFaultRule, FaultRule, RouteCounters} from './faults.js'
import type {SeedData, SeedGroup, SeedMember, SeedProject, SeedRobot} from './seed.js'
import type {SpecViolation} from './spec/registry.js'

/** One entry of the request log. */
export interface RequestLogEntry {
  method: string
  path: string
  /** The query string as received (without `?`). */
  query: string
  /** Final status, or `reset`/`hang` when no complete answer was sent. */
  status: number | 'reset' | 'hang'
  ms: number
  requestId: string
  /** `METHOD /template` (or the raw path when no route matched). */
  route: string
  /** The caller's name (`admin`, `robot$ci`, `anonymous`). */
  caller: string
  /** Whether a fault rule changed this request (latency excluded). */
  faulted: boolean
}

/** Run-time control of fault injection. */
export interface FaultControl {
  add(rule: FaultRule): string
  remove(id: string): void
  clear(): void
  rules(): ActiveFaultRule[]
  /** Requests, statuses and injected faults per route (`METHOD /template`). */
  counters(): Record<string, RouteCounters>
  resetCounters(): void
}

/** A running emulator. */
export interface EmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:34567` (the API is under `/api/v2.0`). */
  readonly url: string
  readonly host: string
  readonly port: number
  /** Admin credentials. */
  readonly username: string
  readonly password: string
  /** Closes the server and every open connection (hung ones included). */
  stop(): Promise<void>
  /** The current objects in the seed format. */
  dump(): SeedData
  projects(): SeedProject[]
  robots(): SeedRobot[]
  groups(): SeedGroup[]
  /** Members of a project (by name), its creator included. */
  members(project: string): SeedMember[]
  /** Loads more objects. */
  seed(data: SeedData): void
  /** Back to the state right after start: initial seed and faults, empty logs and counters. */
  reset(): void
  /** The request log, oldest first (bounded by `requestLogLimit`). */
  readonly requests: readonly RequestLogEntry[]
  clearRequests(): void
  readonly faults: FaultControl
  /** Requests and statuses per route (same as `faults.counters()`). */
  stats(): Record<string, RouteCounters>
  /** Sets configuration values directly (no Harbor checks): `read_only`, `auth_mode`, `robot_name_prefix`, ... */
  setConfig(values: Record<string, ConfigValue>): void
  config(): Record<string, ConfigValue>
  /** Marks a project as holding repositories (DELETE then answers 412). */
  setRepoCount(project: string, count: number): void
  /** Marks a `/health` component (core, database, redis, ...) healthy or not. */
  setHealth(component: string, healthy: boolean): void
  /**
   * Marks a registry URL reachable or not for the registry health check. By default only the
   * emulator's own URL is healthy.
   */
  setRegistryHealth(url: string, healthy: boolean): void
  /** Spec violations this emulator recorded (with spec checking on). */
  specViolations(): SpecViolation[]
  clearSpecViolations(): void
}
