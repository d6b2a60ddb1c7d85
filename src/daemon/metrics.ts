/**
 * The Prometheus metrics of `hrep sync`, on a registry of its own (never prom-client's global one, so
 * two daemons in one process, as in tests, never share a series). Label values are bounded: kinds,
 * actions, statuses, error classes, HTTP methods and status codes, route templates, and endpoint names
 * from the configuration; never a resource address, an object name or a URL. docs/monitoring/README.md
 * describes every metric; the monitoring test checks the dashboard and the alerts use only these.
 */
import {collectDefaultMetrics, Counter, Gauge, Histogram, Registry} from 'prom-client'
import {BREAKER_STATES, type BreakerState} from '../reliability/breaker.js'
import {hrepVersion} from '../state/index.js'
import {type CycleReport, SYNC_STATUSES, syncedEndpoints} from './report.js'

/** Every metric hrep defines starts with this (the seed project's prefix, kept for its dashboards). */
export const METRIC_PREFIX = 'harbor_replicator_'

/** Stages an error is counted at: reading an endpoint, applying a change, the cycle itself, a reload. */
export const ERROR_STAGES = ['refresh', 'apply', 'cycle', 'reload'] as const
export type ErrorStage = (typeof ERROR_STAGES)[number]

export interface SyncMetricsOptions {
  /** The configured interval, exported so alerts can say "no success for 3 intervals". */
  intervalMs: number
  /** Register Node's process metrics (`process_*`, `nodejs_*`). @default true */
  processMetrics?: boolean
}

const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`

/** The metrics and the operations that keep them; events reach them through `MetricsEventSink`. */
export class SyncMetrics {
  readonly registry = new Registry()

  /** Cycles by status (`success`, `partial`, `failed`). */
  readonly syncTotal = new Counter({
    name: name('sync_total'),
    help: 'Sync cycles finished, by status: success, partial (an endpoint unavailable, a change failed, a conflict), failed.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  })
  /** Changes applied; `source` is the endpoint the change was made on. */
  readonly resourcesSynced = new Counter({
    name: name('resources_synced'),
    help: 'Objects changed on an endpoint, by kind (type), endpoint (source) and operation (create, update, replace, delete, import).',
    labelNames: ['type', 'source', 'operation'] as const,
    registers: [this.registry],
  })
  /** Time to apply one change, failed ones included. */
  readonly syncDuration = new Histogram({
    name: name('sync_duration_seconds'),
    help: 'Time to apply one change (failed ones included), by endpoint (source) and kind (resource_type).',
    labelNames: ['source', 'resource_type'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  })
  readonly cycleDuration = new Histogram({
    name: name('cycle_duration_seconds'),
    help: 'Duration of a whole sync cycle: refresh, plan and apply.',
    buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    registers: [this.registry],
  })
  readonly refreshDuration = new Histogram({
    name: name('refresh_duration_seconds'),
    help: 'Time to read every managed object of one endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  })
  readonly errorsTotal = new Counter({
    name: name('errors_total'),
    help: 'Errors by class (transient, conflict, not_found, auth, invalid, permanent, config, state, internal, unknown), endpoint ("" when none) and stage (refresh, apply, cycle, reload).',
    labelNames: ['class', 'endpoint', 'stage'] as const,
    registers: [this.registry],
  })
  readonly activeSync = new Gauge({
    name: name('active_sync_operations'),
    help: '1 while a sync cycle runs, 0 between cycles (cycles never overlap).',
    registers: [this.registry],
  })
  readonly pendingChanges = new Gauge({
    name: name('pending_changes'),
    help: 'Changes the last cycle left undone, by kind (type), operation and reason: held (deletes not allowed), failed, skipped, conflict.',
    labelNames: ['type', 'operation', 'reason'] as const,
    registers: [this.registry],
  })
  readonly apiDuration = new Histogram({
    name: name('api_request_duration_seconds'),
    help: 'Latency of one HTTP attempt to the Harbor API, by endpoint and method.',
    labelNames: ['endpoint', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  })
  readonly apiRequests = new Counter({
    name: name('api_requests_total'),
    help: 'HTTP attempts to the Harbor API, by endpoint, method, route template and status code ("error" when no answer came).',
    labelNames: ['endpoint', 'method', 'route', 'code'] as const,
    registers: [this.registry],
  })
  readonly apiRetries = new Counter({
    name: name('api_retries_total'),
    help: 'Harbor API requests sent again after a retryable failure, by endpoint and error class.',
    labelNames: ['endpoint', 'class'] as const,
    registers: [this.registry],
  })
  readonly apiGiveups = new Counter({
    name: name('api_giveups_total'),
    help: 'Harbor API operations abandoned after retryable failures, by endpoint and reason (attempts, deadline, budget, unsafe, breaker).',
    labelNames: ['endpoint', 'reason'] as const,
    registers: [this.registry],
  })
  readonly breakerState = new Gauge({
    name: name('circuit_breaker_state'),
    help: "Each endpoint's circuit breaker: 1 for its current state (closed, open, half-open), 0 for the others.",
    labelNames: ['endpoint', 'state'] as const,
    registers: [this.registry],
  })
  readonly endpointUp = new Gauge({
    name: name('endpoint_up'),
    help: '1 when the last cycle could read the endpoint, 0 when it was unavailable.',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  })
  readonly driftDetected = new Counter({
    name: name('drift_detected_total'),
    help: 'Objects found changed or deleted on Harbor outside hrep (and put back), by kind (type) and endpoint.',
    labelNames: ['type', 'endpoint'] as const,
    registers: [this.registry],
  })
  readonly driftedObjects = new Gauge({
    name: name('drifted_objects'),
    help: 'Objects the last cycle found drifted, by kind (type) and endpoint; above 0 cycle after cycle means something keeps changing them.',
    labelNames: ['type', 'endpoint'] as const,
    registers: [this.registry],
  })
  readonly managedObjects = new Gauge({
    name: name('managed_objects'),
    help: 'Objects in the state after the last cycle, by kind (type) and endpoint.',
    labelNames: ['type', 'endpoint'] as const,
    registers: [this.registry],
  })
  readonly lastSuccess = new Gauge({
    name: name('last_successful_sync_timestamp_seconds'),
    help: 'Unix time at which the last cycle with status success ended (0: none yet).',
    registers: [this.registry],
  })
  readonly endpointLastSuccess = new Gauge({
    name: name('endpoint_last_successful_sync_timestamp_seconds'),
    help: 'Unix time at which a cycle last synced the endpoint fully (read, every change applied, no conflict).',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  })
  readonly interval = new Gauge({
    name: name('sync_interval_seconds'),
    help: 'The configured time between the end of a cycle and the start of the next (before the ±10 % jitter).',
    registers: [this.registry],
  })
  readonly ready = new Gauge({
    name: name('ready'),
    help: '1 when /readyz answers 200: a cycle has synced and not every endpoint is down.',
    registers: [this.registry],
  })
  readonly configReloads = new Counter({
    name: name('config_reloads_total'),
    help: 'Configuration reloads (SIGHUP), by status: success or failed (the old configuration stays).',
    labelNames: ['status'] as const,
    registers: [this.registry],
  })
  readonly configReloadOk = new Gauge({
    name: name('config_last_reload_successful'),
    help: '1 when the last configuration reload succeeded (or none was asked for), 0 when it was rejected.',
    registers: [this.registry],
  })
  readonly buildInfo = new Gauge({
    name: name('build_info'),
    help: 'Always 1; labels name the running hrep and Node.js versions.',
    labelNames: ['version', 'nodejs_version'] as const,
    registers: [this.registry],
  })

  private endpoints: string[] = []

  constructor(options: SyncMetricsOptions) {
    if (options.processMetrics !== false) collectDefaultMetrics({register: this.registry})
    this.interval.set(options.intervalMs / 1000)
    this.buildInfo.set({version: hrepVersion(), nodejs_version: process.version}, 1)
    this.configReloadOk.set(1)
    this.lastSuccess.set(0)
    this.activeSync.set(0)
    this.ready.set(0)
    // Zero series exist from the start, so rate() and absent-based alerts work before the first failure.
    for (const status of SYNC_STATUSES) this.syncTotal.inc({status}, 0)
    for (const status of ['success', 'failed']) this.configReloads.inc({status}, 0)
  }

  /** The configured endpoints (at start and after a reload): series of removed endpoints go. */
  setEndpoints(names: readonly string[]): void {
    for (const gone of this.endpoints.filter((endpoint) => !names.includes(endpoint))) {
      for (const state of BREAKER_STATES) this.breakerState.remove({endpoint: gone, state})
      this.endpointUp.remove({endpoint: gone})
      this.endpointLastSuccess.remove({endpoint: gone})
    }
    this.endpoints = [...names]
  }

  setBreaker(endpoint: string, current: BreakerState): void {
    for (const state of BREAKER_STATES) this.breakerState.set({endpoint, state}, state === current ? 1 : 0)
  }

  cycleStarted(): void {
    this.activeSync.set(1)
  }

  /** Records a finished cycle; an interrupted one only ends the active gauge (the process is stopping). */
  cycleFinished(report: CycleReport, now = Date.now()): void {
    this.activeSync.set(0)
    if (report.status === 'interrupted') return
    this.syncTotal.inc({status: report.status})
    this.cycleDuration.observe(report.durationMs / 1000)
    if (report.status === 'success') this.lastSuccess.set(now / 1000)
    if (report.error !== undefined) this.errorsTotal.inc({class: report.error.errorClass, endpoint: '', stage: 'cycle'})
    for (const endpoint of report.endpoints) {
      // A cycle that failed before reading anything says nothing about the endpoints.
      if (report.error === undefined || endpoint.available)
        this.endpointUp.set({endpoint: endpoint.name}, endpoint.available ? 1 : 0)
    }
    for (const endpoint of syncedEndpoints(report)) this.endpointLastSuccess.set({endpoint}, now / 1000)
    this.pendingChanges.reset()
    for (const pending of report.pending) {
      this.pendingChanges.set({type: pending.type, operation: pending.operation, reason: pending.reason}, pending.count)
    }
    this.driftedObjects.reset()
    for (const change of report.drifted) {
      this.driftDetected.inc({type: change.kind, endpoint: change.endpoint})
      this.driftedObjects.inc({type: change.kind, endpoint: change.endpoint})
    }
    this.managedObjects.reset()
    for (const managed of report.managed) this.managedObjects.set({type: managed.type, endpoint: managed.endpoint}, managed.count)
  }

  configReloaded(ok: boolean): void {
    this.configReloads.inc({status: ok ? 'success' : 'failed'})
    this.configReloadOk.set(ok ? 1 : 0)
    if (!ok) this.errorsTotal.inc({class: 'config', endpoint: '', stage: 'reload'})
  }

  setReady(ready: boolean): void {
    this.ready.set(ready ? 1 : 0)
  }

  /** The exposition text for `GET /metrics`. */
  async exposition(): Promise<{contentType: string; body: string}> {
    return {contentType: this.registry.contentType, body: await this.registry.metrics()}
  }

  /** The names of every registered metric (histograms by their base name). */
  async metricNames(): Promise<string[]> {
    return (await this.registry.getMetricsAsJSON()).map((metric) => metric.name).sort()
  }
}
