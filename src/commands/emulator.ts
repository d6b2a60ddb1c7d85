import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {
  AUTH_MODES,
  type AuthMode,
  DEFAULT_HARBOR_VERSION,
  type EmulatorOptions,
  type FaultRule,
  HARBOR_LOGIN_LOCK_MS,
  readSeedFile,
  startEmulator,
  validateFaultRule,
} from '../emulator/index.js'
import {HrepError} from '../model/errors.js'
import {readFileSync} from 'node:fs'

/** Reads a faults file: a JSON array of rules, or `{"rules": [...]}`. */
function readFaults(path: string): FaultRule[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new HrepError('emulator_faults', `cannot read the faults file ${path}: ${(error as Error).message}`)
  }
  const rules = Array.isArray(parsed) ? parsed : (parsed as {rules?: unknown})?.rules
  if (!Array.isArray(rules))
    throw new HrepError('emulator_faults', `${path}: expected a JSON array of fault rules or {"rules": [...]}`)
  return rules.map((rule, index) => {
    try {
      return validateFaultRule(rule, `${path}: rule ${index + 1}`)
    } catch (error) {
      throw new HrepError('emulator_faults', (error as Error).message)
    }
  })
}

export default class Emulator extends BaseCommand {
  static override summary = 'Run a local, in-memory Harbor (API v2.0) for trying hrep out.'
  static override description =
    'Serves Harbor\'s API for projects, robot accounts, user groups, members, users, quotas and configurations, with Harbor\'s behaviour (see docs/emulator.md). Everything lives in memory and is lost on exit. Prints "listening on URL" and runs until SIGINT or SIGTERM.'
  static override examples = [
    '<%= config.bin %> emulator --port 8080',
    '<%= config.bin %> emulator --seed fixtures/emulator/demo.json --faults faults.json --verbose',
  ]
  static override flags = {
    host: Flags.string({summary: 'Address to listen on.', default: '127.0.0.1'}),
    port: Flags.integer({summary: 'Port to listen on (0 picks a free one).', default: 8080, min: 0, max: 65535}),
    'admin-password': Flags.string({
      summary: 'Password of the admin user.',
      default: 'Harbor12345',
      env: 'HREP_EMULATOR_ADMIN_PASSWORD',
    }),
    seed: Flags.string({summary: 'JSON file with the objects to start with (see fixtures/emulator).', helpValue: 'FILE'}),
    faults: Flags.string({summary: 'JSON file with fault rules (latency, errors, resets, hangs).', helpValue: 'FILE'}),
    'harbor-version': Flags.string({summary: 'harbor_version reported by /systeminfo.', default: DEFAULT_HARBOR_VERSION}),
    'auth-mode': Flags.string({summary: 'The auth_mode configuration.', options: [...AUTH_MODES], default: 'db_auth'}),
    'robot-prefix': Flags.string({summary: 'The robot_name_prefix configuration.', default: 'robot$'}),
    'random-seed': Flags.integer({summary: 'Seed of every random choice (faults, permission order, secrets).', default: 1}),
    'latency-ms': Flags.integer({summary: 'Latency added to every request.', default: 0, min: 0}),
    'login-lock-ms': Flags.integer({
      summary: 'How long a failed login locks the username (Harbor: 1500).',
      default: HARBOR_LOGIN_LOCK_MS,
      min: 0,
    }),
    'read-only': Flags.boolean({summary: 'Start in read-only mode.'}),
    'session-cookies': Flags.boolean({summary: 'Set a sid cookie like Harbor core (clients sending it back get CSRF checks).'}),
    verbose: Flags.boolean({char: 'v', summary: 'Print one line per request on stderr.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Emulator)
    const options: EmulatorOptions = {
      host: flags.host,
      port: flags.port,
      adminPassword: flags['admin-password'],
      harborVersion: flags['harbor-version'],
      authMode: flags['auth-mode'] as AuthMode,
      robotNamePrefix: flags['robot-prefix'],
      randomSeed: flags['random-seed'],
      latencyMs: flags['latency-ms'],
      loginLockMs: flags['login-lock-ms'],
      readOnly: flags['read-only'],
      sessionCookies: flags['session-cookies'],
    }
    if (flags.seed) {
      try {
        options.seed = readSeedFile(flags.seed)
      } catch (error) {
        throw new HrepError('emulator_seed', (error as Error).message)
      }
    }
    if (flags.faults) options.faults = readFaults(flags.faults)
    if (flags.verbose) {
      options.onRequest = (entry) =>
        this.err(
          `${entry.method} ${entry.path}${entry.query ? `?${entry.query}` : ''} ${entry.status} ${entry.ms.toFixed(1)}ms ${entry.caller}`,
        )
    }
    let emulator: Awaited<ReturnType<typeof startEmulator>>
    try {
      emulator = await startEmulator(options)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new HrepError('emulator_listen', `cannot listen on ${flags.host}:${flags.port}: ${code}`)
      }
      if (error instanceof Error && error.message.startsWith('seed')) throw new HrepError('emulator_seed', error.message)
      throw error
    }
    this.out(`listening on ${emulator.url}`)
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        emulator.stop().then(resolve, resolve)
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
  }
}
