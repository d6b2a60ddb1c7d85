/**
 * One sync cycle: refresh + plan (recovering an interrupted run first), then apply with automatic
 * approval, inside an `hrep.cycle` span. Deletes are planned only when allowed; otherwise the planner
 * holds them and the report lists them as pending. A failure of the cycle is reported, never thrown:
 * the daemon logs it and tries again at the next interval.
 */
import {SpanStatusCode} from '@opentelemetry/api'
import {inSpan} from '../engine/tracing.js'
import type {ApplyOutcome, Workspace} from '../engine/workspace.js'
import type {Change} from '../model/change.js'
import {ConfigError, isHrepError} from '../model/errors.js'
import type {ErrorClass} from '../model/events.js'
import {
  type CycleError,
  type CycleReport,
  cycleStatus,
  driftedChanges,
  emptyReport,
  managedCounts,
  operationOf,
  type PendingReason,
  pendingCounts,
  type SyncOperation,
  splitWarnings,
} from './report.js'

/** Where a cycle is: reading and planning (only reads so far), or applying (writes in flight). */
export type CyclePhase = 'plan' | 'apply'

export interface CycleOptions {
  cycle: number
  /** Whether deletes may be planned (`--allow-delete` or `allow_delete = true`). */
  allowDelete: boolean
  /**
   * Cancels HTTP requests, reads and writes alike; it lives as long as the daemon and aborting it is
   * the last resort of a shutdown (an action cut off stays in doubt in the journal for the next run).
   */
  requestSignal: AbortSignal
  /** Stops scheduling new changes; changes in flight finish (the graceful part of a shutdown). */
  stopSignal: AbortSignal
  onPhase?: (phase: CyclePhase) => void
}

/** Runs one cycle on an open workspace and reports what it did; never throws. */
export function runCycle(workspace: Workspace, options: CycleOptions): Promise<CycleReport> {
  const startedAt = new Date()
  const started = performance.now()
  return inSpan('hrep.cycle', {'hrep.cycle': options.cycle, 'hrep.allow_delete': options.allowDelete}, async (span) => {
    const report = emptyReport(
      options.cycle,
      startedAt,
      workspace.config.endpoints.map((endpoint) => endpoint.name),
    )
    let planned: readonly Change[] = []
    let applied: ApplyOutcome | undefined
    try {
      options.onPhase?.('plan')
      const outcome = await workspace.plan({allowDelete: options.allowDelete, signal: options.requestSignal})
      const {result} = outcome
      planned = result.changes
      const unavailable = new Map(result.unavailable.map((endpoint) => [endpoint.endpoint, endpoint.message]))
      report.endpoints = report.endpoints.map((endpoint) =>
        unavailable.has(endpoint.name)
          ? {name: endpoint.name, available: false, message: unavailable.get(endpoint.name)}
          : {name: endpoint.name, available: true},
      )
      report.planned = result.changes.length
      report.conflicts = result.conflicts
      report.drifted = driftedChanges(result.changes, workspace.store.state)
      Object.assign(report, splitWarnings(result))
      if (outcome.recovered) report.recovered = outcome.recovered
      // A stop during the reads may have cut them short: what was read is not worth reporting on.
      const stoppedBeforeApply = options.stopSignal.aborted
      if (!stoppedBeforeApply && (result.changes.length > 0 || result.drift.length > 0)) {
        options.onPhase?.('apply')
        applied = await workspace.apply(outcome, {
          onFailure: 'continue',
          signal: options.stopSignal,
          cancel: options.requestSignal,
        })
        report.added = applied.added
        report.changed = applied.changed
        report.destroyed = applied.destroyed
        report.imported = applied.imported
        report.failed = applied.failed
        report.skipped = applied.skipped.length
        report.skippedOn = [...new Set(applied.skipped.map((skip) => skip.change.endpoint))]
      }
      const cut = stoppedBeforeApply || applied?.stopped === 'aborted'
      report.status = cut ? 'interrupted' : cycleStatus(report)
    } catch (error) {
      report.error = cycleError(error)
      report.status = options.stopSignal.aborted ? 'interrupted' : 'failed'
    }
    report.pending = pendingOf(report, planned, applied)
    report.managed = managedCounts(workspace.store.state)
    report.durationMs = performance.now() - started
    span.setAttribute('hrep.status', report.status)
    if (report.status === 'failed') span.setStatus({code: SpanStatusCode.ERROR, message: report.error?.message ?? 'failed'})
    return report
  })
}

/** What the cycle leaves undone: held deletes, conflicts, and changes that failed, were skipped or never ran. */
function pendingOf(report: CycleReport, planned: readonly Change[], applied: ApplyOutcome | undefined) {
  const entries: {kind: Change['kind']; operation: SyncOperation; reason: PendingReason}[] = []
  for (const held of report.held) entries.push({kind: held.kind, operation: 'delete', reason: 'held'})
  for (const conflict of report.conflicts) entries.push({kind: conflict.kind, operation: 'create', reason: 'conflict'})
  if (applied !== undefined) {
    for (const failure of applied.failed) {
      entries.push({kind: failure.change.kind, operation: operationOf(failure.change), reason: 'failed'})
    }
    for (const skip of applied.skipped)
      entries.push({kind: skip.change.kind, operation: operationOf(skip.change), reason: 'skipped'})
  } else if (report.error !== undefined) {
    // The apply did not run (or threw before reporting): every planned change is still to do.
    for (const change of planned) entries.push({kind: change.kind, operation: operationOf(change), reason: 'failed'})
  }
  return pendingCounts(entries)
}

/** A thrown error as the report records it; messages of HrepErrors are secret-free by contract. */
export function cycleError(error: unknown): CycleError {
  if (error instanceof ConfigError) return {message: error.message, code: error.code, errorClass: 'config'}
  if (isHrepError(error)) {
    const harborClass = (error as {errorClass?: ErrorClass}).errorClass
    const errorClass = harborClass ?? (error.code.startsWith('state_') ? 'state' : 'unknown')
    return {message: error.message, code: error.code, errorClass}
  }
  const harborClass = (error as {errorClass?: ErrorClass} | undefined)?.errorClass
  return {message: error instanceof Error ? error.message : String(error), errorClass: harborClass ?? 'internal'}
}
