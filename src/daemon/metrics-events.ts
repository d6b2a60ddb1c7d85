/**
 * Turns engine events into metric updates as they happen, so a long apply shows progress on
 * /metrics before its cycle ends. Cycle-level numbers (status, pending, drift) come from the cycle
 * report instead (SyncMetrics.cycleFinished), and breaker states from EndpointHealth.
 */
import type {EngineEvent, EventSink} from '../model/events.js'
import type {SyncMetrics} from './metrics.js'
import {operationOf} from './report.js'

/** An EventSink feeding SyncMetrics; cheap and never throws, as every sink must be. */
export class MetricsEventSink implements EventSink {
  /** Start times of the changes in flight, by change id, to time the failed ones too. */
  private readonly started = new Map<string, number>()

  constructor(
    private readonly metrics: SyncMetrics,
    private readonly now: () => number = () => performance.now(),
  ) {}

  emit(event: EngineEvent): void {
    try {
      this.record(event)
    } catch {
      // A metric update must never break the run that reports it.
    }
  }

  private record(event: EngineEvent): void {
    const m = this.metrics
    switch (event.type) {
      case 'change.start':
        this.started.set(event.change.id, this.now())
        return
      case 'change.done': {
        const {change} = event
        this.started.delete(change.id)
        m.resourcesSynced.inc({type: change.kind, source: change.endpoint, operation: operationOf(change)})
        m.syncDuration.observe({source: change.endpoint, resource_type: change.kind}, event.ms / 1000)
        return
      }
      case 'change.failed': {
        const {change} = event
        const started = this.started.get(change.id)
        this.started.delete(change.id)
        if (started !== undefined) {
          m.syncDuration.observe({source: change.endpoint, resource_type: change.kind}, (this.now() - started) / 1000)
        }
        m.errorsTotal.inc({class: event.errorClass ?? 'unknown', endpoint: change.endpoint, stage: 'apply'})
        return
      }
      case 'change.skipped':
        this.started.delete(event.change.id)
        return
      case 'refresh.done':
        m.refreshDuration.observe({endpoint: event.endpoint}, event.ms / 1000)
        return
      case 'refresh.failed':
        m.errorsTotal.inc({class: event.errorClass ?? 'unknown', endpoint: event.endpoint, stage: 'refresh'})
        return
      case 'http.request':
        m.apiDuration.observe({endpoint: event.endpoint, method: event.method}, event.ms / 1000)
        m.apiRequests.inc({endpoint: event.endpoint, method: event.method, route: event.route, code: String(event.status)})
        return
      case 'retry':
        m.apiRetries.inc({endpoint: event.endpoint, class: event.errorClass})
        return
      case 'giveup':
        m.apiGiveups.inc({endpoint: event.endpoint, reason: event.reason ?? 'attempts'})
        return
      default:
        return
    }
  }
}
