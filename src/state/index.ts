/**
 * The state layer: the state file (format, store, lock), secret fingerprints and saved plan files.
 * Import from here; the files behind it are one concept each.
 */
export {backupPath, journalPath, lockInfoPath, lockPath} from './paths.js'
export {
  FINGERPRINT_PARAMS,
  FINGERPRINT_PATTERN,
  fingerprintOfSecret,
  GENERATED_FINGERPRINT_PARAMS,
  GENERATED_ORIGIN,
  fingerprintMatches,
  fingerprintMatchesAsync,
  matchFingerprints,
  secretFingerprint,
  secretFingerprintAsync,
} from './fingerprint.js'
export {parseState, serializeState} from './format.js'
export {hrepVersion} from './hrep-version.js'
export {canonicalJson} from './json-text.js'
export {
  type AcquireLockOptions,
  acquireLock,
  DEFAULT_LOCK_STALE_MS,
  describeHolder,
  inspectLock,
  type LockInfo,
  type LockStatus,
  parseLockTimeout,
  type StateLock,
  type UnlockOutcome,
  unlockState,
} from './lock.js'
export {
  assertPlanFresh,
  checkPlanFresh,
  createSavedPlan,
  PLAN_FORMAT_VERSION,
  type PlanFreshness,
  parsePlanText,
  readPlanFile,
  type SavedPlan,
  type SavedPlanInput,
  writePlanFile,
} from './plan-file.js'
export {type EndpointEntries, kindOfAddress, STATE_FORMAT_VERSION, type State, type StateEntry} from './schema.js'
export {
  applyEdits,
  emptyState,
  getResource,
  jsonEqual,
  listResources,
  type ResourceInstance,
  removeResource,
  type StateEdit,
  setResource,
  stateEquals,
} from './state.js'
export {type OpenStateOptions, readState, StateStore, type WriteResult} from './store.js'
