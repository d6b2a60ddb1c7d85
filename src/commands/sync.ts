import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {configFlag, loadOptionsFromFlags, varFlag} from '../cli/flags.js'
import {lockTimeoutFlag, lockTimeoutMs, parallelismFlag} from '../cli/run-flags.js'
import {parseDuration} from '../config/duration.js'
import {
  DEFAULT_LISTEN,
  errorFields,
  LOG_FORMATS,
  LOG_LEVELS,
  MIN_INTERVAL_MS,
  parseListenAddress,
  SyncDaemon,
} from '../daemon/index.js'
import {HrepError} from '../model/errors.js'

/** Exit codes of a signal, as shells report them (128 + the signal's number). */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = {SIGINT: 130, SIGTERM: 143}

/** Time the process gets past the shutdown timeout to save state and close, before it exits anyway. */
const SHUTDOWN_SLACK_MS = 10_000

export default class Sync extends BaseCommand {
  static override summary = 'Keep every endpoint matching the configuration: plan and apply every interval.'
  static override description =
    `Runs a cycle at once, then one every --interval (±10 % jitter) after the previous cycle ended: refresh, plan, and apply with automatic approval. Deletes only with --allow-delete (or allow_delete = true in the hrep block); otherwise they are held and reported as pending. Serves Prometheus metrics on /metrics, /healthz and /readyz on --listen, and holds the state lock while it runs.

SIGHUP reloads the configuration (a rejected one is logged, the previous one keeps running). SIGTERM or SIGINT stops gracefully: no new change starts, changes in flight finish (their requests are cancelled after --shutdown-timeout), state is saved, exit 0. A second signal exits at once.

With --once: one cycle, exit 0 when it fully succeeded, 1 otherwise. See docs/sync.md.`
  static override examples = [
    '<%= config.bin %> sync -c /etc/hrep',
    '<%= config.bin %> sync --interval 5m --listen 0.0.0.0:9464 --log-format json',
    '<%= config.bin %> sync --once --allow-delete',
  ]
  static override flags = {
    config: configFlag,
    var: varFlag,
    interval: Flags.string({
      summary: 'Time from the end of one cycle to the start of the next (±10 % jitter).',
      default: '10m',
      helpValue: 'DURATION',
      env: 'HREP_SYNC_INTERVAL',
    }),
    listen: Flags.string({
      summary: `Address for /metrics, /healthz and /readyz (default ${DEFAULT_LISTEN}; none with --once unless given).`,
      helpValue: 'HOST:PORT',
      env: 'HREP_SYNC_LISTEN',
    }),
    once: Flags.boolean({summary: 'Run one cycle and exit: 0 when it fully succeeded, 1 otherwise.'}),
    'allow-delete': Flags.boolean({
      summary: 'Delete managed objects no longer in the configuration (also: allow_delete = true in the hrep block).',
    }),
    'log-format': Flags.option({
      options: LOG_FORMATS,
      default: 'text' as const,
      summary: 'text: one readable line per record; json: one JSON object per line (time, level, msg, fields).',
      env: 'HREP_LOG_FORMAT',
    })(),
    'log-level': Flags.option({
      options: LOG_LEVELS,
      default: 'info' as const,
      summary: 'Lowest level logged; debug adds every Harbor request, retry and read.',
      env: 'HREP_LOG_LEVEL',
    })(),
    'shutdown-timeout': Flags.string({
      summary: 'On SIGTERM, how long changes in flight may take before their requests are cancelled.',
      default: '20s',
      helpValue: 'DURATION',
    }),
    parallelism: parallelismFlag,
    'lock-timeout': lockTimeoutFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Sync)
    const {dir, options} = loadOptionsFromFlags(flags)
    const intervalMs = durationFlag('--interval', flags.interval)
    if (intervalMs < MIN_INTERVAL_MS)
      throw new HrepError('flag_invalid', `--interval must be at least 1s, not "${flags.interval}"`)
    const shutdownTimeoutMs = durationFlag('--shutdown-timeout', flags['shutdown-timeout'])
    const listenText = flags.listen ?? (flags.once ? undefined : DEFAULT_LISTEN)
    // Signals are taken from the start: loading the config, waiting for the lock and binding the
    // listener take a while, and a SIGHUP (systemctl reload) then would otherwise kill the process.
    let daemon: SyncDaemon | undefined
    let received: NodeJS.Signals | undefined
    let reloadPending = false
    const starting = new AbortController()
    const say = (level: 'info' | 'error', message: string) =>
      daemon ? daemon.log[level](message, {}) : this.err(`hrep sync: ${message}`)
    const onStop = (signal: NodeJS.Signals) => {
      if (received !== undefined) {
        say('error', `${signal} again: stopping now (the journal lets the next run finish the work)`)
        process.exit(SIGNAL_EXIT[signal] ?? 1)
      }
      received = signal
      if (daemon === undefined) starting.abort()
      else daemon.shutdown(`${signal} received`)
      // The bound on a shutdown: whatever happens, the process is gone shortly after the timeout.
      setTimeout(() => {
        say('error', 'hrep sync did not stop in time; exiting (the journal lets the next run finish the work)')
        process.exit(1)
      }, shutdownTimeoutMs + SHUTDOWN_SLACK_MS).unref()
    }
    const onReload = () => {
      if (daemon === undefined) {
        reloadPending = true
        return
      }
      daemon.log.info('SIGHUP received: reloading the configuration', {})
      daemon.reload()
    }
    process.on('SIGTERM', onStop)
    process.on('SIGINT', onStop)
    process.on('SIGHUP', onReload)
    const stopListening = () => {
      process.off('SIGTERM', onStop)
      process.off('SIGINT', onStop)
      process.off('SIGHUP', onReload)
    }
    try {
      daemon = await SyncDaemon.start({
        configDir: dir,
        load: options,
        intervalMs,
        once: flags.once,
        allowDelete: flags['allow-delete'],
        listen: listenText === undefined ? undefined : parseListenAddress(listenText),
        shutdownTimeoutMs,
        lockTimeoutMs: lockTimeoutMs(flags['lock-timeout']),
        startSignal: starting.signal,
        parallelism: flags.parallelism,
        log: {format: flags['log-format'], level: flags['log-level']},
      })
    } catch (error) {
      stopListening()
      if (received !== undefined) {
        // Stopped while waiting for the lock: that is what was asked, not an error to report.
        say('info', `${received} received while starting: stopped before the first cycle`)
        process.exitCode = SIGNAL_EXIT[received] ?? 1
        return
      }
      if (flags['log-format'] !== 'json') throw error
      // A log pipeline reads JSON lines: the failure to start is one more, not a text block.
      const line = {time: new Date().toISOString(), level: 'error', msg: 'hrep sync could not start', ...errorFields(error)}
      process.stderr.write(`${JSON.stringify(line)}\n`)
      process.exitCode = 1
      return
    }
    if (received !== undefined) daemon.shutdown(`${received} received while starting`)
    else if (reloadPending) onReload()

    try {
      const code = await daemon.finished
      // A daemon stopped by a signal did its job (exit 0); a single cycle cut short did not finish it.
      process.exitCode = flags.once && received !== undefined ? (SIGNAL_EXIT[received] ?? 1) : code
    } finally {
      stopListening()
    }
  }
}

function durationFlag(flag: string, value: string): number {
  const ms = parseDuration(value)
  if (ms === undefined) throw new HrepError('flag_invalid', `${flag} takes a duration like 10m, 30s or 1h30m, not "${value}"`)
  return ms
}
