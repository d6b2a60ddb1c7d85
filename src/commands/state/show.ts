import {Args, Flags} from '@oclif/core'
import {readJournal} from '../../apply/journal.js'
import {BaseCommand} from '../../cli/base-command.js'
import {configFlag, jsonFlag} from '../../cli/flags.js'
import {closest} from '../../model/suggest.js'
import {baseAddress, isName, parseAddress} from '../../model/address.js'
import {HrepError} from '../../model/errors.js'
import {SENSITIVE} from '../../model/secret.js'
import {journalPath, readState, type StateEntry} from '../../state/index.js'
import {locateState} from '../../state/locate.js'

/** `hrep state show ADDR`: what the state records about one resource, on each endpoint or one. */
export default class StateShow extends BaseCommand {
  static override summary = 'Show what the state records about one resource.'
  static override description =
    'ADDR is a resource address (robot.ci, project.team["payments"]); add @ENDPOINT to show one endpoint only. Secrets are never stored; a robot whose secret hrep set shows secret = (sensitive).'
  static override examples = [
    '<%= config.bin %> state show robot.ci',
    `<%= config.bin %> state show 'project.team["payments"]@dr' --json`,
  ]
  static override args = {address: Args.string({required: true, description: 'Resource address, optionally with @endpoint.'})}
  static override flags = {
    config: configFlag,
    state: Flags.string({summary: 'State file (overrides the configuration).', helpValue: 'FILE'}),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(StateShow)
    const located = await locateState(flags)
    const state = await readState(located.path)
    await this.warnPendingJournal(located.path)
    const {endpoint} = parseAddress(args.address)
    const address = baseAddress(args.address.trim())
    const entries = state.resources[address]
    const selected = Object.keys(entries ?? {})
      .sort()
      .filter((name) => endpoint === undefined || name === endpoint)
    if (entries === undefined || selected.length === 0) {
      const suggestion = entries === undefined ? closest(address, Object.keys(state.resources)) : undefined
      const where = entries !== undefined ? ` on endpoint "${endpoint}" (it is on ${Object.keys(entries).sort().join(', ')})` : ''
      throw new HrepError(
        'state_address_unknown',
        `${address} is not in the state ${located.path}${where}.${suggestion === undefined ? '' : ` Did you mean ${suggestion}?`}`,
      )
    }
    if (flags.json) {
      const instances = selected.map((name) => ({endpoint: name, ...entries![name]}))
      this.out(JSON.stringify({format_version: '1', address, instances}, null, 2))
      return
    }
    const c = this.colors()
    const blocks = selected.map((name) => [c.bold(`# ${address}@${name}`), ...describeEntry(entries![name]!)].join('\n'))
    this.out(blocks.join('\n\n'))
  }

  /** Warns on stderr when an interrupted apply left actions the state does not show yet. */
  private async warnPendingJournal(statePath: string): Promise<void> {
    const journal = await readJournal(journalPath(statePath))
    if (journal === undefined || journal.entries.length === 0) return
    this.err(
      `${this.errColors().yellow('Warning:')} an interrupted apply left its journal at ${journal.path}; ` +
        'the state does not show its last actions until the next hrep plan or apply recovers them.',
    )
  }
}

function describeEntry(entry: StateEntry): string[] {
  const fields: [string, unknown][] = [
    ['id', entry.id],
    ['key', entry.key],
    ...Object.keys(entry.attrs)
      .sort()
      .map((name): [string, unknown] => [name, entry.attrs[name]]),
  ]
  const width = Math.max(...fields.map(([name]) => name.length), entry.secret_fp === undefined ? 0 : 'secret'.length)
  const lines = fields.map(([name, value]) => `${name.padEnd(width)} = ${renderValue(value)}`)
  if (entry.secret_fp !== undefined) lines.push(`${'secret'.padEnd(width)} = ${SENSITIVE}`)
  return lines
}

/** An attribute value in HCL-like notation: scalars as literals, short lists inline, the rest indented. */
function renderValue(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const inline = `[${value.map((item) => renderValue(item)).join(', ')}]`
    if (value.every((item) => item === null || typeof item !== 'object') && inline.length <= 80) return inline
    return `[\n${value.map((item) => `${inner}${renderValue(item, inner)},`).join('\n')}\n${indent}]`
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record).sort()
  if (keys.length === 0) return '{}'
  const names = keys.map((key) => (isName(key) ? key : JSON.stringify(key)))
  const width = Math.max(...names.map((name) => name.length))
  return `{\n${keys.map((key, i) => `${inner}${names[i]!.padEnd(width)} = ${renderValue(record[key], inner)}`).join('\n')}\n${indent}}`
}
