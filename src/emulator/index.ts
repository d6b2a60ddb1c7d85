/**
 * The Harbor emulator: an in-memory Harbor API v2.0 server with Harbor's semantics (see
 * docs/emulator.md), request validation against Harbor's spec, fault injection, seed/dump/generate.
 * Shares no code with src/client or src/kinds, so it cannot share their mistakes.
 */
export {AUTH_MODES, type AuthMode, CONFIG_KEYS, type ConfigValue} from './config.js'
export {
  AFTER_HANDLER_FAULTS,
  type ActiveFaultRule,
  FAULT_KINDS,
  FAULT_STATUSES,
  type FaultRule,
  type RouteCounters,
  validateFaultRule,
} from './faults.js'
export {DEFAULT_HARBOR_VERSION, type EmulatorOptions, FOLLOWED_HARBOR_VERSION, HARBOR_LOGIN_LOCK_MS} from './options.js'
export {ROLE_NAMES} from './rbac.js'
export {
  dumpState,
  type GenerateOptions,
  generateSeed,
  readSeedFile,
  type SeedData,
  type SeedGroup,
  type SeedMember,
  type SeedPermission,
  type SeedProject,
  type SeedRobot,
  type SeedUser,
} from './seed.js'
export type {EmulatorHandle, FaultControl, RequestLogEntry} from './handle.js'
export {API_BASE, EXPECT_INVALID_HEADER, startEmulator} from './server.js'
export {
  enableSuiteSpecCheck,
  formatViolations,
  type SpecViolation,
  suiteSpecCheckEnabled,
  takeSuiteViolations,
} from './spec/registry.js'
