/**
 * The daemon's log of engine events and cycles: one line per change (applied, failed, skipped), per
 * endpoint problem, per breaker transition, and one per cycle. HTTP requests, retries and reads are
 * logged at debug level only. Events carry no secret by contract; the logger scrubs again.
 */
import type {Change} from '../model/change.js'
import type {EngineEvent, EventSink} from '../model/events.js'
import type {Logger} from './logger.js'
import type {CycleReport} from './report.js'

/** Held deletes and drifted objects named in one cycle line at most; the rest are counted. */
const LIST_LIMIT = 20

/** An EventSink that writes engine events to the daemon's log. */
export class LogEventSink implements EventSink {
  constructor(private readonly log: Logger) {}

  emit(event: EngineEvent): void {
    const log = this.log
    switch (event.type) {
      case 'change.start':
        log.debug('change started', changeFields(event.change))
        return
      case 'change.done':
        log.info('change applied', {...changeFields(event.change), id: event.id, ms: Math.round(event.ms)})
        return
      case 'change.failed':
        log.error('change failed', {...changeFields(event.change), error_class: event.errorClass, error: event.message})
        return
      case 'change.skipped':
        log.warn('change skipped', {...changeFields(event.change), because: event.because})
        return
      case 'change.compensated':
        log.warn('change rolled back', {...changeFields(event.change), outcome: event.outcome, error: event.message})
        return
      case 'refresh.start':
        log.debug('reading endpoint', {endpoint: event.endpoint})
        return
      case 'refresh.done':
        log.debug('endpoint read', {endpoint: event.endpoint, objects: event.objects, ms: Math.round(event.ms)})
        return
      case 'refresh.failed':
        log.warn('endpoint unavailable', {endpoint: event.endpoint, error_class: event.errorClass, error: event.message})
        return
      case 'http.request':
        log.debug('harbor request', {
          endpoint: event.endpoint,
          method: event.method,
          route: event.route,
          status: event.status,
          attempt: event.attempt,
          ms: event.ms,
        })
        return
      case 'retry':
        log.debug('harbor request retried', {
          endpoint: event.endpoint,
          method: event.method,
          path: event.path,
          attempt: event.attempt,
          delay_ms: Math.round(event.delayMs),
          error_class: event.errorClass,
          status: event.status,
        })
        return
      case 'giveup':
        log.warn('harbor request gave up', {
          endpoint: event.endpoint,
          method: event.method,
          path: event.path,
          attempts: event.attempts,
          reason: event.reason,
          error_class: event.errorClass,
          status: event.status,
        })
        return
      case 'breaker':
        if (event.state === 'open')
          log.warn('circuit opened: failing fast until the endpoint answers again', {endpoint: event.endpoint})
        else log.info(`circuit ${event.state}`, {endpoint: event.endpoint, since: event.since})
        return
      case 'throttle':
        log.debug('rate limited', {endpoint: event.endpoint, wait_ms: Math.round(event.waitMs)})
        return
      case 'warning':
        log.warn(event.message, {address: event.address, endpoint: event.endpoint})
        return
      case 'info':
        log.info(event.message)
        return
    }
  }
}

function changeFields(change: Change): Record<string, unknown> {
  return {
    address: change.address,
    endpoint: change.endpoint,
    kind: change.kind,
    action: change.action,
    importing: change.importing,
  }
}

/** Writes the lines that sum up a cycle: problems found by the plan, then the cycle line itself. */
export function logCycle(log: Logger, report: CycleReport): void {
  if (report.recovered) {
    log.info('recovered an interrupted run from its journal', {
      folded: report.recovered.folded,
      resolved: report.recovered.resolved.length,
      unresolved: report.recovered.unresolved.length,
    })
  }
  for (const conflict of report.conflicts) {
    log.warn(conflict.message, {
      address: conflict.address,
      endpoint: conflict.endpoint,
      kind: conflict.kind,
      hint: `adopt it with: ${conflict.importCommand}`,
    })
  }
  for (const warning of report.warnings) log.warn(warning.message, {address: warning.address, endpoint: warning.endpoint})
  if (report.held.length > 0) {
    log.warn(
      `${report.held.length} delete(s) held back: deletes are not allowed (pass --allow-delete or set allow_delete = true)`,
      {
        held: capped(report.held.map((held) => `${held.address}@${held.endpoint}`)),
      },
    )
  }
  const fields = {
    cycle: report.cycle,
    status: report.status,
    duration_ms: Math.round(report.durationMs),
    planned: report.planned,
    added: report.added,
    changed: report.changed,
    destroyed: report.destroyed,
    imported: report.imported,
    failed: report.failed.length,
    skipped: report.skipped,
    held_deletes: report.held.length,
    conflicts: report.conflicts.length,
    drifted: report.drifted.length,
    drifted_objects: report.drifted.length > 0 ? capped(report.drifted.map((change) => change.id)) : undefined,
    // A cycle that failed before reading (a state error) knows nothing of the endpoints.
    unavailable:
      report.error !== undefined && !report.endpoints.some((e) => e.available)
        ? undefined
        : nonEmpty(report.endpoints.filter((e) => !e.available).map((e) => e.name)),
    error: report.error?.message,
    error_class: report.error?.errorClass,
  }
  const msg = 'sync cycle finished'
  if (report.status === 'failed') log.error(msg, fields)
  else if (report.status === 'partial' || report.status === 'interrupted') log.warn(msg, fields)
  else log.info(msg, fields)
}

function capped(items: string[]): string[] {
  return items.length <= LIST_LIMIT ? items : [...items.slice(0, LIST_LIMIT), `... and ${items.length - LIST_LIMIT} more`]
}

function nonEmpty(items: string[]): string[] | undefined {
  return items.length > 0 ? items : undefined
}
