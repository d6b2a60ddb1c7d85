/**
 * What `startEmulator` accepts, with the defaults a Harbor operator would expect from a fresh
 * Harbor install of the version the emulator follows.
 */
import type {AuthMode, ConfigValue} from './config.js'
import type {FaultRule} from './faults.js'
import type {SeedData} from './seed.js'
import type {RequestLogEntry} from './handle.js'

/** The Harbor release whose behaviour the emulator follows (see docs/emulator.md). */
export const FOLLOWED_HARBOR_VERSION = 'v2.15.2'

/** What `/systeminfo` reports by default: the followed release plus an 8-character build id, as Harbor does. */
export const DEFAULT_HARBOR_VERSION = `${FOLLOWED_HARBOR_VERSION}-e7a1c0de`

/** Harbor's login lock after a failed password check (`src/core/auth/authenticator.go: frozenTime`). */
export const HARBOR_LOGIN_LOCK_MS = 1500

/** Options of `startEmulator`; every field is optional. */
export interface EmulatorOptions {
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port. @default 0 */
  port?: number
  /** Password of the built-in `admin` (user id 1). @default 'Harbor12345' */
  adminPassword?: string
  /** `harbor_version` in `/systeminfo`. @default DEFAULT_HARBOR_VERSION */
  harborVersion?: string
  /** The `robot_name_prefix` configuration. @default 'robot$' */
  robotNamePrefix?: string
  /** The `auth_mode` configuration. @default 'db_auth' */
  authMode?: AuthMode
  /** Initial objects: seed data or the path of a seed JSON file. */
  seed?: SeedData | string
  /** Fault rules active from the start. */
  faults?: FaultRule[]
  /** Seed of every random choice (faults, jitter, permission order, secrets), so a run replays. @default 1 */
  randomSeed?: number
  /** Latency added to every request before it is handled (for benchmarks). @default 0 */
  latencyMs?: number
  /** Start in read-only mode (the `read_only` configuration). @default false */
  readOnly?: boolean
  /** Set a `sid` session cookie on responses, as Harbor core does; clients that send it back get CSRF checks. @default false */
  sessionCookies?: boolean
  /**
   * Validate every response against Harbor's spec and record violations (and requests that break it).
   * Forced on in the test suite by `test/setup.ts`. @default false
   */
  specCheck?: boolean
  /**
   * How long a username stays locked after a failed password check, and how long that failing request
   * is held before its answer. Harbor: 1.5 s. 0 turns the lock off. @default 1500
   */
  loginLockMs?: number
  /** How many entries `handle.requests` keeps (oldest dropped first). @default 10000 */
  requestLogLimit?: number
  /** Further configuration values (`/configurations` keys) to start with. */
  config?: Record<string, ConfigValue>
  /** Called after every request with its log entry (`hrep emulator --verbose` prints them). Must not throw. */
  onRequest?: (entry: RequestLogEntry) => void
}

/** Options with every default applied. */
export interface ResolvedOptions {
  host: string
  port: number
  adminPassword: string
  harborVersion: string
  randomSeed: number
  latencyMs: number
  sessionCookies: boolean
  specCheck: boolean
  loginLockMs: number
  requestLogLimit: number
}

/** Applies the defaults (configuration-related options are applied by the server). */
export function resolveOptions(options: EmulatorOptions, suiteSpecCheck: boolean): ResolvedOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    adminPassword: options.adminPassword ?? 'Harbor12345',
    harborVersion: options.harborVersion ?? DEFAULT_HARBOR_VERSION,
    randomSeed: options.randomSeed ?? 1,
    latencyMs: options.latencyMs ?? 0,
    sessionCookies: options.sessionCookies ?? false,
    specCheck: options.specCheck ?? suiteSpecCheck,
    loginLockMs: options.loginLockMs ?? HARBOR_LOGIN_LOCK_MS,
    requestLogLimit: options.requestLogLimit ?? 10_000,
  }
}
