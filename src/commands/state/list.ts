import {Flags} from '@oclif/core'
import {readJournal} from '../../apply/journal.js'
import {BaseCommand} from '../../cli/base-command.js'
import {configFlag, jsonFlag} from '../../cli/flags.js'
import {journalPath, kindOfAddress, listResources, readState} from '../../state/index.js'
import {locateState} from '../../state/locate.js'

/** `hrep state list`: every object hrep manages, by address and endpoint, with its Harbor id. */
export default class StateList extends BaseCommand {
  static override summary = 'List the objects recorded in the state, with their endpoints and Harbor ids.'
  static override description =
    'Reads the state file (no lock, no Harbor call). The state file is --state, else the hrep block\'s "state" in the configuration directory, else <config dir>/hrep.state.json.'
  static override examples = [
    '<%= config.bin %> state list',
    '<%= config.bin %> state list -c infra --endpoint dr',
    '<%= config.bin %> state list --json',
  ]
  static override flags = {
    config: configFlag,
    state: Flags.string({summary: 'State file (overrides the configuration).', helpValue: 'FILE'}),
    endpoint: Flags.string({summary: 'Only the objects on this endpoint.'}),
    json: jsonFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(StateList)
    const located = await locateState(flags)
    const state = await readState(located.path)
    await this.warnPendingJournal(located.path)
    const rows = listResources(state, {endpoint: flags.endpoint})
    if (flags.json) {
      this.out(
        JSON.stringify(
          {
            format_version: '1',
            state: located.path,
            lineage: state.serial === 0 ? null : state.lineage,
            serial: state.serial,
            resources: rows.map(({address, endpoint, entry}) => ({
              address,
              endpoint,
              kind: kindOfAddress(address),
              key: entry.key,
              id: entry.id,
            })),
          },
          null,
          2,
        ),
      )
      return
    }
    if (rows.length === 0) {
      const why = state.serial === 0 ? `there is no state at ${located.path} yet` : `in ${located.path}`
      this.out(`No objects are managed${flags.endpoint === undefined ? '' : ` on endpoint "${flags.endpoint}"`} (${why}).`)
      return
    }
    const table = rows.map(({address, endpoint, entry}) => [`${address}@${endpoint}`, entry.id, entry.key])
    // reduce, not a spread: a state can hold more entries than a call takes arguments
    const widths = [0, 1].map((column) =>
      table.reduce((width, row) => Math.max(width, row[column]!.length), column === 0 ? 7 : 2),
    )
    const line = (row: string[]) => `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}`.trimEnd()
    const c = this.colors()
    this.out(c.bold(line(['ADDRESS', 'ID', 'KEY'])))
    for (const row of table) this.out(line(row))
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
