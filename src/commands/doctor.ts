import {setMaxListeners} from 'node:events'
import {Flags} from '@oclif/core'
import ora from 'ora'
import {BaseCommand} from '../cli/base-command.js'
import {renderDiagnostics} from '../cli/diagnostics.js'
import {configFlags, loadOptionsFromFlags} from '../cli/flags.js'
import {progressMode} from '../cli/progress.js'
import {loadConfig} from '../config/load.js'
import type {LoadedConfig} from '../config/model.js'
import {
  DOCTOR_FORMAT_VERSION,
  type DoctorReport,
  renderEndpoint,
  renderSummary,
  runDoctor,
  WRITE_TEST_PREFIX,
} from '../doctor/index.js'
import {isHrepError} from '../model/errors.js'

export default class Doctor extends BaseCommand {
  static override summary = 'Check every endpoint before the first plan: network, TLS, version, credentials, permissions.'
  static override description =
    'For each endpoint (concurrently, reported in configuration order): DNS, TCP, TLS (chain, host name, expiry), /api/v2.0/ping, ' +
    'clock skew, credentials, Harbor version, health, auth mode and what it means for groups, read-only mode, the robot name prefix, ' +
    'and the permissions the configuration needs. --write-test also creates, reads back and deletes a temporary project, robot ' +
    'and group (named hrep-doctor-*). Every problem comes with a fix. Exit status 0 when nothing failed (warnings allowed), 1 otherwise. ' +
    'See docs/doctor.md.'
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor -c infra/harbor --endpoint staging --write-test',
    '<%= config.bin %> doctor --json',
  ]
  static override flags = {
    ...configFlags,
    endpoint: Flags.string({
      summary: 'Check only this endpoint (repeatable).',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'NAME',
    }),
    'write-test': Flags.boolean({
      summary: `Also create, read back and delete a temporary project, robot and group (${WRITE_TEST_PREFIX}*).`,
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Doctor)
    let config: LoadedConfig
    try {
      const {dir, options} = loadOptionsFromFlags(flags)
      config = await loadConfig(dir, options)
    } catch (error) {
      if (!flags.json || !isHrepError(error)) throw error
      this.out(JSON.stringify(failedReport(error.code, error.message), null, 2))
      process.exitCode = 1
      return
    }
    if (!flags.json && config.warnings.length > 0) {
      this.err(`${renderDiagnostics(config.warnings, config.sources, this.errColors(flags['no-color']))}\n`)
    }

    const c = this.colors(flags['no-color'])
    const controller = new AbortController()
    setMaxListeners(0, controller.signal)
    let interrupted = false
    const onSignal = (signal: NodeJS.Signals) => {
      if (interrupted) process.exit(130)
      interrupted = true
      this.err(
        `${signal} received: stopping${flags['write-test'] ? `, and deleting the write test's objects (send it again to stop at once; then delete ${WRITE_TEST_PREFIX}* by hand)` : ''}...`,
      )
      controller.abort(new Error(`interrupted by ${signal}`))
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    const total = flags.endpoint?.length ? new Set(flags.endpoint).size : config.endpoints.length
    // On a terminal a spinner shows that doctor is waiting (a firewall that drops packets costs seconds).
    const spinner =
      !flags.json && progressMode({}) === 'tty'
        ? ora({text: `Checking ${plural(total, 'endpoint')}…`, stream: process.stderr, discardStdin: false}).start()
        : undefined
    try {
      let printed = 0
      const report = await runDoctor(config, {
        only: flags.endpoint,
        writeTest: flags['write-test'],
        signal: controller.signal,
        onEndpoint: flags.json
          ? undefined
          : (endpoint) => {
              spinner?.stop()
              if (printed++ > 0) this.out()
              for (const line of renderEndpoint(endpoint, c)) this.out(line)
              if (spinner && printed < total) spinner.start(`Checking ${plural(total - printed, 'more endpoint')}…`)
            },
      })
      spinner?.stop()
      if (flags.json) {
        this.out(JSON.stringify(report, null, 2))
      } else {
        this.out()
        for (const line of renderSummary(report, c)) this.out(line)
      }
      if (!report.ok || interrupted) process.exitCode = interrupted ? 130 : 1
    } finally {
      spinner?.stop()
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** The `--json` document when nothing could be checked (the configuration does not load). */
function failedReport(code: string, message: string): DoctorReport {
  return {
    format_version: DOCTOR_FORMAT_VERSION,
    ok: false,
    summary: {pass: 0, warn: 0, fail: 0, skip: 0},
    endpoints: [],
    error: {code, message},
  }
}
