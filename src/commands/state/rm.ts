import {Args, Flags} from '@oclif/core'
import {readJournal} from '../../apply/journal.js'
import {BaseCommand} from '../../cli/base-command.js'
import {configFlag} from '../../cli/flags.js'
import {lockTimeoutFlag} from '../../cli/run-flags.js'
import {baseAddress, parseAddress} from '../../model/address.js'
import {HrepError} from '../../model/errors.js'
import {backupPath, journalPath, parseLockTimeout, removeResource, type State, StateStore} from '../../state/index.js'
import {locateState} from '../../state/locate.js'

/** `hrep state rm ADDR...`: stop managing objects without touching Harbor. */
export default class StateRm extends BaseCommand {
  static override summary = 'Forget objects in the state, leaving them untouched in Harbor.'
  static override description =
    'Each ADDR is a resource address (all its endpoints) or ADDR@ENDPOINT (one endpoint). Takes the state lock, keeps the previous state as <state>.backup, and fails without changing anything when an address is not in the state. The objects stay in Harbor; a later plan shows them as unmanaged (a conflict) if the configuration still declares them.'
  static override examples = [
    '<%= config.bin %> state rm robot.ci',
    `<%= config.bin %> state rm 'project.team["old"]@dr' robot.legacy`,
  ]
  static override strict = false
  static override args = {address: Args.string({required: true, description: 'Resource address(es), optionally with @endpoint.'})}
  static override flags = {
    config: configFlag,
    state: Flags.string({summary: 'State file (overrides the configuration).', helpValue: 'FILE'}),
    'lock-timeout': lockTimeoutFlag,
    'dry-run': Flags.boolean({summary: 'Show what would be forgotten without writing the state.'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(StateRm)
    const timeoutMs = flags['lock-timeout'] === undefined ? 0 : parseLockTimeout(flags['lock-timeout'])
    const located = await locateState(flags)
    const journal = journalPath(located.path)
    if ((await readJournal(journal)) !== undefined) {
      throw new HrepError(
        'journal_pending',
        `an interrupted apply left its journal at ${journal}; run hrep apply (or hrep plan) first so it is recovered, then remove objects from the state`,
      )
    }
    const store = await StateStore.open(located.path, {lock: {operation: 'state rm', timeoutMs}})
    try {
      const {next, removed} = forget(store.state, argv as string[], located.path)
      for (const instance of removed) this.out(`${flags['dry-run'] ? 'Would remove' : 'Removed'} ${instance}`)
      if (flags['dry-run']) return
      const result = await store.write(next)
      const backup = store.exists && result.changed ? ` The previous state is in ${backupPath(located.path)}.` : ''
      this.out(
        `Successfully removed ${removed.length} object${removed.length === 1 ? '' : 's'} from the state (serial ${result.serial}). ` +
          `Harbor was not changed.${backup}`,
      )
    } finally {
      await store.release()
    }
  }
}

/** Removes every address from `state`; throws before changing anything if one is not there. */
function forget(state: State, addresses: string[], path: string): {next: State; removed: string[]} {
  let next = state
  const removed: string[] = []
  const missing: string[] = []
  for (const text of addresses) {
    const {endpoint} = parseAddress(text)
    const address = baseAddress(text.trim())
    const entries = next.resources[address]
    const endpoints = Object.keys(entries ?? {})
      .sort()
      .filter((name) => endpoint === undefined || name === endpoint)
    if (endpoints.length === 0) {
      // Already removed by an earlier argument counts as done; otherwise it is a mistake worth stopping for.
      if (
        !removed.some(
          (instance) => baseAddress(instance) === address && (endpoint === undefined || instance.endsWith(`@${endpoint}`)),
        )
      ) {
        missing.push(text)
      }
      continue
    }
    for (const name of endpoints) removed.push(`${address}@${name}`)
    next = removeResource(next, address, endpoint)
  }
  if (missing.length > 0) {
    throw new HrepError(
      'state_address_unknown',
      `not in the state ${path}: ${missing.join(', ')}. Nothing was removed (see hrep state list).`,
    )
  }
  return {next, removed}
}
