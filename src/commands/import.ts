import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {configFlags, loadOptionsFromFlags} from '../cli/flags.js'
import {progressMode} from '../cli/progress.js'
import {openSession} from '../cli/session.js'
import {lockTimeoutFlag, parallelismFlag} from '../cli/run-flags.js'
import {importAll} from '../engine/import-all.js'
import {ImportFailed, type ImportResult, importObject} from '../engine/import.js'
import {KIND_NAMES, type KindName} from '../model/change.js'
import {HrepError} from '../model/errors.js'

export default class Import extends BaseCommand {
  static override summary = 'Adopt existing Harbor objects into the state.'
  static override description =
    'With ADDR and ID: adopts one object into the state for a declared address, on the endpoint after "@" or on every endpoint of the resource where it exists; ID is a name (project, robot, group, project/group for a member), never a numeric id. Harbor is not changed; the next plan shows any difference between the object and the configuration.\n\nWith --all: writes declarations for every object on one endpoint that the configuration does not manage yet into FILE (a *.hcl file in the configuration directory) and imports them all.'
  static override examples = [
    `<%= config.bin %> import 'robot.ci@dr' ci`,
    `<%= config.bin %> import 'project.team["payments"]' payments`,
    `<%= config.bin %> import 'project_member.devs["payments"]@primary' payments/platform-devs`,
    '<%= config.bin %> import --all --endpoint primary --generate-config imported.hcl',
  ]
  static override args = {
    address: Args.string({description: 'The resource address, optionally with @ENDPOINT.', required: false}),
    id: Args.string({description: "The object's name on Harbor (see docs/import.md for each kind).", required: false}),
  }
  static override flags = {
    ...configFlags,
    all: Flags.boolean({summary: 'Discover every object on --endpoint, write its declarations and import them.'}),
    endpoint: Flags.string({summary: 'With --all: the endpoint to discover.', helpValue: 'NAME'}),
    kinds: Flags.string({
      summary: `With --all: only these kinds, comma-separated (${KIND_NAMES.join(', ')}).`,
      helpValue: 'KIND,...',
    }),
    'generate-config': Flags.string({summary: 'With --all: the *.hcl file to write the declarations to.', helpValue: 'FILE'}),
    force: Flags.boolean({summary: 'With --all: replace --generate-config FILE when it exists.'}),
    parallelism: parallelismFlag,
    'lock-timeout': lockTimeoutFlag,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Import)
    const bulk = flags.all
    if (bulk) {
      if (args.address !== undefined) throw usage('--all imports every object of an endpoint: it takes no ADDR or ID')
      if (flags.endpoint === undefined) throw usage('--all needs --endpoint NAME: the endpoint whose objects to import')
      if (flags['generate-config'] === undefined)
        throw usage('--all needs --generate-config FILE: the *.hcl file that will declare the imported objects')
    } else {
      if (args.address === undefined || args.id === undefined) {
        throw usage(
          "hrep import takes ADDR ID (like hrep import 'robot.ci@dr' ci), or --all --endpoint NAME --generate-config FILE",
        )
      }
      for (const flag of ['endpoint', 'kinds', 'generate-config', 'force'] as const) {
        if (flags[flag] !== undefined && flags[flag] !== false) {
          throw usage(
            `--${flag} goes with --all${flag === 'endpoint' ? '; for one object, write the endpoint in the address: ADDR@ENDPOINT' : ''}`,
          )
        }
      }
    }
    const kinds = parseKinds(flags.kinds)
    const {options} = loadOptionsFromFlags(flags)
    const c = this.colors(flags['no-color'])
    const session = await openSession({
      flags,
      operation: 'import',
      progress: flags.json ? 'silent' : progressMode({}),
      colors: this.errColors(flags['no-color']),
      notify: (message) => this.err(message),
    })
    const {workspace, progress, interrupt} = session
    try {
      if (bulk) {
        progress.begin(`Reading ${flags.endpoint}`)
        const result = await importAll(workspace, {
          endpoint: flags.endpoint!,
          kinds,
          file: flags['generate-config']!,
          overwrite: flags.force,
          load: options,
          command: `hrep import --all --endpoint ${flags.endpoint}${flags.kinds ? ` --kinds ${flags.kinds}` : ''}`,
          signal: interrupt.signal,
        })
        progress.stop()
        const total = Object.values(result.imported).reduce((sum, n) => sum + (n ?? 0), 0) + result.adopted.length
        if (flags.json) {
          this.out(JSON.stringify({type: 'import_all', ...result, total}))
          return
        }
        const parts = KIND_NAMES.filter((kind) => result.imported[kind]).map((kind) => `${result.imported[kind]} ${kind}`)
        this.out(`Wrote ${result.file}${parts.length > 0 ? ` (${parts.join(', ')})` : ' (nothing new to declare)'}.`)
        if (result.adopted.length > 0) {
          this.out(
            `Imported ${result.adopted.length} object(s) the configuration already declared: ${result.adopted.slice(0, 10).join(', ')}${result.adopted.length > 10 ? ', ...' : ''}`,
          )
        }
        for (const left of result.left) this.out(c.dim(`Left out ${left.count}: ${left.reason}`))
        for (const line of result.inexact)
          this.out(
            `${c.yellow(c.bold('Warning:'))} the declaration does not fully describe ${line}; hrep plan shows the difference`,
          )
        this.out(
          c.green(c.bold(`Imported ${total} object${total === 1 ? '' : 's'} from ${flags.endpoint} into the state`)) +
            ` (serial ${result.serial}). Run hrep plan: it should show no changes for ${flags.endpoint}.`,
        )
        return
      }
      progress.begin('Importing')
      let result: ImportResult
      try {
        result = await importObject(workspace, args.address!, args.id!, interrupt.signal)
      } catch (error) {
        progress.stop()
        if (error instanceof ImportFailed && !flags.json) this.printOutcomes(error.result, c)
        throw error
      }
      progress.stop()
      if (flags.json) this.out(JSON.stringify({type: 'import', ...result}))
      else {
        this.printOutcomes(result, c)
        const imported = result.outcomes.filter((o) => o.status === 'imported').map((o) => o.endpoint)
        this.out(
          `\n${c.green(c.bold('Import successful.'))} ${result.address} is now managed on ${imported.join(', ')} (state serial ${result.serial}). Run hrep plan to compare it with the configuration.`,
        )
      }
      if (result.outcomes.some((o) => o.status === 'unavailable' || o.status === 'taken')) process.exitCode = 1
    } finally {
      await session.close()
    }
  }

  private printOutcomes(result: ImportResult, c: ReturnType<BaseCommand['colors']>): void {
    for (const outcome of result.outcomes) {
      const mark =
        outcome.status === 'imported'
          ? c.green('✔')
          : outcome.status === 'managed' || outcome.status === 'missing'
            ? c.dim('-')
            : c.red('✖')
      this.out(`${mark} ${result.address}@${outcome.endpoint}: ${outcome.message}`)
    }
  }
}

function usage(message: string): HrepError {
  return new HrepError('usage', message)
}

function parseKinds(text: string | undefined): KindName[] | undefined {
  if (text === undefined) return undefined
  const kinds = text
    .split(',')
    .map((kind) => kind.trim())
    .filter(Boolean)
  const unknown = kinds.filter((kind) => !(KIND_NAMES as readonly string[]).includes(kind))
  if (unknown.length > 0 || kinds.length === 0) {
    throw usage(`--kinds takes kinds from ${KIND_NAMES.join(', ')}${unknown.length > 0 ? `; not ${unknown.join(', ')}` : ''}`)
  }
  return kinds as KindName[]
}
