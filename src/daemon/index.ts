/**
 * `hrep sync`: the continuous replicator. The daemon (loop, reload, shutdown), its metrics, health,
 * logs and HTTP listener. Import from here.
 */
export {type CycleOptions, type CyclePhase, runCycle} from './cycle.js'
export {errorFields, SyncDaemon, type SyncDaemonOptions} from './daemon.js'
export {EndpointHealth, type ReadinessStatus} from './health.js'
export {LogEventSink, logCycle} from './log-events.js'
export {LOG_FORMATS, LOG_LEVELS, type LogFields, type LogFormat, Logger, type LoggerOptions, type LogLevel} from './logger.js'
export {ERROR_STAGES, METRIC_PREFIX, SyncMetrics, type SyncMetricsOptions} from './metrics.js'
export {MetricsEventSink} from './metrics-events.js'
export {
  type CycleReport,
  type CycleStatus,
  cycleStatus,
  driftedChanges,
  PENDING_REASONS,
  SYNC_OPERATIONS,
  SYNC_STATUSES,
  type SyncStatus,
} from './report.js'
export {DEFAULT_JITTER, jitteredDelay, MIN_INTERVAL_MS, WakeableTimer} from './schedule.js'
export {DEFAULT_LISTEN, type ListenAddress, type MonitorServer, parseListenAddress, startMonitorServer} from './server.js'
