/**
 * What one sync cycle did, and the pure functions that derive it from a plan, an apply and the state:
 * the cycle's status, the changes held back or left pending, the drift found, the objects managed.
 * Metrics, logs and readiness are all computed from a CycleReport, so they always agree.
 */
import type {ChangeFailure} from '../engine/apply.js'
import type {RecoveryReport} from '../engine/recover.js'
import type {Change, KindName} from '../model/change.js'
import type {ErrorClass} from '../model/events.js'
import {jsonEqual} from '../plan/equal.js'
import type {Conflict, PlanResult, PlanWarning} from '../plan/types.js'
import {kindOfAddress, type State} from '../state/index.js'

/**
 * How a cycle ended. `success`: every endpoint was read and every change applied; `partial`: the
 * cycle ran, but an endpoint was unavailable, a change failed or a conflict blocks an object;
 * `failed`: nothing could be synced (every endpoint unavailable, or the cycle itself failed).
 */
export const SYNC_STATUSES = ['success', 'partial', 'failed'] as const
export type SyncStatus = (typeof SYNC_STATUSES)[number]

/** A cycle's status, or `interrupted` when a shutdown cut it short (not counted in metrics). */
export type CycleStatus = SyncStatus | 'interrupted'

/** What was done to an object: the change's action, or `import` when it adopted an existing object. */
export const SYNC_OPERATIONS = ['create', 'update', 'replace', 'delete', 'import'] as const
export type SyncOperation = (typeof SYNC_OPERATIONS)[number]

/**
 * Why a change is still pending after a cycle: `held` (a delete while deletes are not allowed),
 * `failed` (it failed, or the apply did not run), `skipped` (what it depends on failed), `conflict`
 * (an object hrep does not manage holds its name; `hrep import` adopts it).
 */
export const PENDING_REASONS = ['held', 'failed', 'skipped', 'conflict'] as const
export type PendingReason = (typeof PENDING_REASONS)[number]

/** Classes of a cycle-level failure, besides the classes of Harbor errors. */
export const CYCLE_ERROR_CLASSES = ['config', 'state', 'internal'] as const

/** The error class a metric or a log line names: Harbor's, a cycle-level one, or `unknown`. */
export type ReportedErrorClass = ErrorClass | (typeof CYCLE_ERROR_CLASSES)[number] | 'unknown'

export interface EndpointReport {
  name: string
  /** Whether the cycle could read the endpoint. */
  available: boolean
  /** Why not, when not. */
  message?: string
}

/** An object no longer declared that stays because deletes are not allowed. */
export interface HeldDelete {
  address: string
  endpoint: string
  kind: KindName
}

export interface PendingCount {
  type: KindName
  operation: SyncOperation
  reason: PendingReason
  count: number
}

/** Objects of one kind on one endpoint: drifted ones in a cycle, or managed ones in state. */
export interface KindCount {
  type: KindName
  endpoint: string
  count: number
}

export interface CycleError {
  message: string
  /** HrepError code (`config_invalid`, `state_lock_lost`...), when it has one. */
  code?: string
  errorClass: ReportedErrorClass
}

export interface CycleReport {
  /** 1 for the daemon's first cycle. */
  cycle: number
  status: CycleStatus
  startedAt: Date
  durationMs: number
  endpoints: EndpointReport[]
  /** Changes the plan asked for (held deletes not included). */
  planned: number
  added: number
  changed: number
  destroyed: number
  imported: number
  failed: ChangeFailure[]
  skipped: number
  /** Endpoints with a skipped change. */
  skippedOn: string[]
  held: HeldDelete[]
  conflicts: Conflict[]
  /** Changes that put back what someone changed on Harbor (see `driftedChanges`). */
  drifted: Change[]
  pending: PendingCount[]
  /** Objects in state after the cycle, by kind and endpoint. */
  managed: KindCount[]
  /** The plan's warnings other than held deletes. */
  warnings: PlanWarning[]
  recovered?: RecoveryReport
  error?: CycleError
}

/** A report of a cycle that has not done anything yet. */
export function emptyReport(cycle: number, startedAt: Date, endpoints: readonly string[]): CycleReport {
  return {
    cycle,
    status: 'failed',
    startedAt,
    durationMs: 0,
    endpoints: endpoints.map((name) => ({name, available: false})),
    planned: 0,
    added: 0,
    changed: 0,
    destroyed: 0,
    imported: 0,
    failed: [],
    skipped: 0,
    skippedOn: [],
    held: [],
    conflicts: [],
    drifted: [],
    pending: [],
    managed: [],
    warnings: [],
  }
}

export function operationOf(change: Change): SyncOperation {
  return change.importing ? 'import' : change.action === 'noop' ? 'import' : change.action
}

/** The status of a cycle that ran to its end (see SYNC_STATUSES). */
export function cycleStatus(report: CycleReport): SyncStatus {
  if (report.error !== undefined) return 'failed'
  const available = report.endpoints.filter((endpoint) => endpoint.available).length
  if (report.endpoints.length > 0 && available === 0) return 'failed'
  const troubled =
    available < report.endpoints.length || report.failed.length > 0 || report.skipped > 0 || report.conflicts.length > 0
  return troubled ? 'partial' : 'success'
}

/** Endpoints the cycle fully synced: read, no failed or skipped change, no conflict. */
export function syncedEndpoints(report: CycleReport): string[] {
  if (report.error !== undefined || report.status === 'interrupted') return []
  const troubled = new Set([
    ...report.failed.map((failure) => failure.change.endpoint),
    ...report.conflicts.map((conflict) => conflict.endpoint),
    ...report.skippedOn,
  ])
  return report.endpoints.filter((endpoint) => endpoint.available && !troubled.has(endpoint.name)).map((e) => e.name)
}

/** Splits the plan's warnings into held deletes (code `delete_held`) and the rest. */
export function splitWarnings(result: PlanResult): {held: HeldDelete[]; warnings: PlanWarning[]} {
  const held: HeldDelete[] = []
  const warnings: PlanWarning[] = []
  for (const warning of result.warnings) {
    const kind = warning.address === undefined ? undefined : kindOfAddress(warning.address)
    if (warning.code === 'delete_held' && kind !== undefined && warning.endpoint !== undefined) {
      held.push({address: warning.address!, endpoint: warning.endpoint, kind})
    } else warnings.push(warning)
  }
  return {held, warnings}
}

/**
 * The planned changes that undo drift: a managed object (in state on that endpoint) that was deleted
 * on Harbor, or whose live value of an attribute differs from the value hrep last applied (recorded in
 * state). A change that only carries a new value from the configuration is not drift.
 */
export function driftedChanges(changes: readonly Change[], state: State): Change[] {
  return changes.filter((change) => {
    const entry = state.resources[change.address]?.[change.endpoint]
    if (entry === undefined || change.importing) return false
    if (change.action === 'create') return true
    if (change.action !== 'update' && change.action !== 'replace') return false
    return change.diffs.some(
      (diff) => !diff.sensitive && Object.hasOwn(entry.attrs, diff.path) && !jsonEqual(entry.attrs[diff.path], diff.before),
    )
  })
}

/** Counts of `items` by kind and endpoint, in a stable order. */
export function countByKindAndEndpoint(items: Iterable<{kind: KindName; endpoint: string}>): KindCount[] {
  const counts = new Map<string, KindCount>()
  for (const item of items) {
    const key = `${item.kind}\u0000${item.endpoint}`
    const count = counts.get(key)
    if (count) count.count++
    else counts.set(key, {type: item.kind, endpoint: item.endpoint, count: 1})
  }
  return [...counts.values()].sort((a, b) => a.type.localeCompare(b.type) || a.endpoint.localeCompare(b.endpoint))
}

/** Objects in state by kind and endpoint. */
export function managedCounts(state: State): KindCount[] {
  const items: {kind: KindName; endpoint: string}[] = []
  for (const [address, byEndpoint] of Object.entries(state.resources)) {
    const kind = kindOfAddress(address)
    if (kind === undefined) continue
    for (const endpoint of Object.keys(byEndpoint)) items.push({kind, endpoint})
  }
  return countByKindAndEndpoint(items)
}

/** Pending changes by kind, operation and reason. */
export function pendingCounts(
  entries: Iterable<{kind: KindName; operation: SyncOperation; reason: PendingReason}>,
): PendingCount[] {
  const counts = new Map<string, PendingCount>()
  for (const entry of entries) {
    const key = `${entry.kind}\u0000${entry.operation}\u0000${entry.reason}`
    const count = counts.get(key)
    if (count) count.count++
    else counts.set(key, {type: entry.kind, operation: entry.operation, reason: entry.reason, count: 1})
  }
  return [...counts.values()]
}
