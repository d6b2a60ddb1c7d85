/**
 * The sync daemon: holds the workspace (config, state lock, endpoint connections) for its whole life
 * and runs a cycle (refresh, plan, apply) now and then a jittered interval after each cycle ends, so
 * cycles never overlap. It serves /metrics, /healthz and /readyz, logs one line per change and per
 * cycle, reloads the configuration on request (SIGHUP) between cycles, and stops gracefully on request
 * (SIGTERM): no new change starts, changes in flight finish (or are cancelled once the shutdown timeout
 * passes; the journal then lets the next run settle them), state is saved, the listener closed and the
 * lock released. Nothing here touches `process`: the sync command wires signals and the exit code.
 */
import type {LoadOptions} from '../config/load.js'
import type {LoadedConfig} from '../config/model.js'
import {Workspace} from '../engine/workspace.js'
import {ConfigError, formatRange, isHrepError} from '../model/errors.js'
import {fanOut} from '../model/events.js'
import {hrepVersion} from '../state/index.js'
import {type CyclePhase, runCycle} from './cycle.js'
import {EndpointHealth} from './health.js'
import {LogEventSink, logCycle} from './log-events.js'
import {type LogFormat, Logger, type LogLevel} from './logger.js'
import {SyncMetrics} from './metrics.js'
import {MetricsEventSink} from './metrics-events.js'
import type {CycleReport} from './report.js'
import {DEFAULT_JITTER, jitteredDelay, WakeableTimer} from './schedule.js'
import {type ListenAddress, type MonitorServer, startMonitorServer} from './server.js'

export interface SyncDaemonOptions {
  configDir: string
  load?: LoadOptions
  /** Time from the end of one cycle to the start of the next, before jitter. */
  intervalMs: number
  /** Spread of the interval, as a fraction of it. @default DEFAULT_JITTER */
  jitter?: number
  /** Run one cycle, then stop; the exit code is 0 only when it succeeded. */
  once?: boolean
  /** `--allow-delete`; `allow_delete = true` in the hrep block allows deletes as well. */
  allowDelete?: boolean
  /** Where to serve /metrics, /healthz and /readyz; none when undefined. */
  listen?: ListenAddress
  /** How long a shutdown lets changes in flight finish before cancelling their requests. */
  shutdownTimeoutMs: number
  lockTimeoutMs?: number
  /** Stops waiting for the state lock: a signal that arrives while the daemon starts. */
  startSignal?: AbortSignal
  parallelism?: number
  log: {format: LogFormat; level?: LogLevel; write?: (line: string) => void}
  /** Register Node's process metrics. @default true */
  processMetrics?: boolean
  random?: () => number
}

export class SyncDaemon {
  /** Resolves with the exit code once the daemon stopped and released everything; never rejects. */
  readonly finished: Promise<number>
  private stopping = false
  private reloadRequested = false
  private phase: CyclePhase | undefined
  private cycles = 0
  private graceTimer: NodeJS.Timeout | undefined
  private readonly timer = new WakeableTimer()
  /** Stops scheduling changes (the graceful half of a shutdown). */
  private readonly stop = new AbortController()
  /** Cancels HTTP requests in flight (the last resort, once the shutdown timeout passes). */
  private readonly requests = new AbortController()

  private constructor(
    private readonly options: SyncDaemonOptions,
    private readonly workspace: Workspace,
    readonly log: Logger,
    readonly metrics: SyncMetrics,
    readonly health: EndpointHealth,
    private readonly server: MonitorServer | undefined,
  ) {
    this.finished = this.loop()
  }

  /**
   * Opens the workspace (loads the config, takes the state lock), starts the listener, logs the first
   * line (`hrep sync started`, with the address listened on) and starts the loop. Throws ConfigError or
   * HrepError (lock held, address in use) before anything runs.
   */
  static async start(options: SyncDaemonOptions): Promise<SyncDaemon> {
    let opened: Workspace | undefined
    // The secrets of the configuration in force, reload or not.
    const log = new Logger({...options.log, secrets: () => (opened ? secretsOf(opened.config) : [])})
    const metrics = new SyncMetrics({intervalMs: options.intervalMs, processMetrics: options.processMetrics})
    const health = new EndpointHealth((endpoint, state) => metrics.setBreaker(endpoint, state))
    const workspace = await Workspace.open({
      configDir: options.configDir,
      load: options.load,
      events: fanOut(new MetricsEventSink(metrics), health, new LogEventSink(log)),
      operation: 'sync',
      lockTimeoutMs: options.lockTimeoutMs,
      lockSignal: options.startSignal,
      onLockWait: (holder) => log.info('waiting for the state lock', {holder, timeout_ms: options.lockTimeoutMs}),
      parallelism: options.parallelism,
    })
    opened = workspace
    const config = workspace.config
    let server: MonitorServer | undefined
    try {
      if (options.listen) {
        server = await startMonitorServer(options.listen, {
          metrics: () => {
            metrics.setReady(health.status().ready)
            return metrics.exposition()
          },
          health: () => ({status: 200, body: {status: 'ok', uptime_seconds: Math.round(process.uptime())}}),
          readiness: () => {
            const status = health.status()
            return {status: status.ready ? 200 : 503, body: status}
          },
        })
      }
    } catch (error) {
      await workspace.close()
      throw error
    }
    const endpoints = config.endpoints.map((endpoint) => endpoint.name)
    metrics.setEndpoints(endpoints)
    health.setEndpoints(endpoints)
    log.info('hrep sync started', {
      listen: server?.address,
      interval_ms: options.intervalMs,
      jitter: options.jitter ?? DEFAULT_JITTER,
      once: options.once ?? false,
      allow_delete: (options.allowDelete ?? false) || config.hrep.allowDelete,
      state: config.hrep.state,
      endpoints,
      version: hrepVersion(),
      pid: process.pid,
    })
    logConfigWarnings(log, config)
    return new SyncDaemon(options, workspace, log, metrics, health, server)
  }

  /** Where /metrics is served (`HOST:PORT`), when it is. */
  get address(): string | undefined {
    return this.server?.address
  }

  /**
   * Starts a graceful shutdown: no new change starts; reads in flight are cancelled at once, changes in
   * flight get `shutdownTimeoutMs` to finish. Returns false when a shutdown was already under way.
   */
  shutdown(reason: string): boolean {
    if (this.stopping) return false
    this.stopping = true
    this.log.warn(`${reason}: finishing the changes in flight, saving state and stopping`, {
      shutdown_timeout_ms: this.options.shutdownTimeoutMs,
    })
    this.stop.abort(new Error(reason))
    this.timer.wake()
    if (this.phase === 'plan') this.requests.abort(new Error(reason))
    else if (this.phase === 'apply') this.startGrace()
    return true
  }

  /** Reloads the configuration before the next cycle (at once when idle; after the cycle when one runs). */
  reload(): void {
    if (this.stopping) return
    this.reloadRequested = true
    this.timer.wake()
  }

  private async loop(): Promise<number> {
    let exitCode = 0
    let nextAt = Date.now()
    try {
      while (!this.stopping) {
        if (this.reloadRequested) {
          this.reloadRequested = false
          // A new configuration is synced right away; a rejected one waits for the next interval.
          if (await this.reloadNow()) nextAt = Date.now()
          continue
        }
        const wait = nextAt - Date.now()
        if (wait > 0) {
          await this.timer.wait(wait)
          continue
        }
        const report = await this.runOne()
        if (report.error?.code === 'state_lock_lost') {
          this.log.error('the state lock was lost: another process may write the state, so hrep sync stops', {})
          exitCode = 1
          break
        }
        if (this.options.once) {
          exitCode = report.status === 'success' ? 0 : 1
          break
        }
        const delay = jitteredDelay(this.options.intervalMs, this.options.jitter ?? DEFAULT_JITTER, this.options.random)
        nextAt = Date.now() + delay
        this.log.debug('next cycle scheduled', {in_ms: delay})
      }
    } catch (error) {
      // runCycle reports its failures; this is a bug in the loop itself.
      this.log.error('hrep sync stopped on an internal error', {error: (error as Error).message})
      exitCode = 1
    } finally {
      exitCode = (await this.close()) ? exitCode : 1
    }
    return exitCode
  }

  private async runOne(): Promise<CycleReport> {
    this.metrics.cycleStarted()
    const allowDelete = (this.options.allowDelete ?? false) || this.workspace.config.hrep.allowDelete
    const report = await runCycle(this.workspace, {
      cycle: ++this.cycles,
      allowDelete,
      requestSignal: this.requests.signal,
      stopSignal: this.stop.signal,
      onPhase: (phase) => {
        this.phase = phase
        if (phase === 'apply' && this.stopping) this.startGrace()
      },
    })
    this.phase = undefined
    this.metrics.cycleFinished(report)
    this.health.cycleFinished(report)
    this.metrics.setReady(this.health.status().ready)
    logCycle(this.log, report)
    return report
  }

  private async reloadNow(): Promise<boolean> {
    try {
      const config = await this.workspace.reload()
      const endpoints = config.endpoints.map((endpoint) => endpoint.name)
      this.metrics.configReloaded(true)
      this.metrics.setEndpoints(endpoints)
      this.health.setEndpoints(endpoints)
      this.log.info('configuration reloaded', {
        files: config.files.length,
        resources: config.resources.length,
        endpoints,
        allow_delete: (this.options.allowDelete ?? false) || config.hrep.allowDelete,
      })
      logConfigWarnings(this.log, config)
      return true
    } catch (error) {
      this.metrics.configReloaded(false)
      this.log.error('configuration rejected: the previous one stays in force', errorFields(error))
      return false
    }
  }

  private startGrace(): void {
    if (this.graceTimer !== undefined || this.requests.signal.aborted) return
    this.graceTimer = setTimeout(() => {
      this.log.warn('shutdown timeout reached: cancelling the requests in flight (the journal lets the next run settle them)', {})
      this.requests.abort(new Error('shutdown timeout'))
    }, this.options.shutdownTimeoutMs)
  }

  /** Closes the listener and the workspace (state saved, lock released); false when something failed. */
  private async close(): Promise<boolean> {
    clearTimeout(this.graceTimer)
    let ok = true
    await this.server?.close()
    try {
      await this.workspace.close()
    } catch (error) {
      ok = false
      this.log.error('could not release the state cleanly', {error: (error as Error).message})
    }
    this.log.info('hrep sync stopped', {cycles: this.cycles})
    return ok
  }
}

function logConfigWarnings(log: Logger, config: LoadedConfig): void {
  for (const warning of config.warnings) {
    log.warn(warning.summary, {where: warning.range ? formatRange(warning.range) : undefined, address: warning.address})
  }
}

const secretCache = new WeakMap<LoadedConfig, string[]>()

/** The secret values a configuration holds (endpoint passwords, declared robot secrets), for the log scrubber. */
function secretsOf(config: LoadedConfig): string[] {
  let secrets = secretCache.get(config)
  if (secrets === undefined) {
    secrets = [
      ...config.endpoints.map((endpoint) => endpoint.password.reveal()),
      ...config.resources.flatMap((resource) => Object.values(resource.secrets).map((secret) => secret.reveal())),
    ]
    secretCache.set(config, secrets)
  }
  return secrets
}

/**
 * An error as log fields: its message, code and, for a configuration error, each problem as
 * `file:line:column: summary` (never the source lines, which could show a literal secret).
 */
export function errorFields(error: unknown): {error: string; code?: string; problems?: string[]} {
  return {
    error: (error as Error).message,
    code: isHrepError(error) ? error.code : undefined,
    problems:
      error instanceof ConfigError
        ? error.diagnostics
            .filter((diagnostic) => diagnostic.severity === 'error')
            .map((diagnostic) => `${diagnostic.range ? `${formatRange(diagnostic.range)}: ` : ''}${diagnostic.summary}`)
        : undefined,
  }
}
