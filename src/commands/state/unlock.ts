import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {configFlag} from '../../cli/flags.js'
import {describeHolder, unlockState} from '../../state/index.js'
import {locateState} from '../../state/locate.js'

/** `hrep state unlock`: removes the lock of a plan or apply that is gone. */
export default class StateUnlock extends BaseCommand {
  static override summary = 'Remove the state lock left by a plan or apply that is no longer running.'
  static override description =
    'Refuses while the holder is still running on this host, or when the holder is on another host and still refreshes the lock, unless --force. A lock whose holder died is also taken over automatically by the next plan or apply.'
  static override examples = ['<%= config.bin %> state unlock', '<%= config.bin %> state unlock --state prod.state.json --force']
  static override flags = {
    config: configFlag,
    state: Flags.string({summary: 'State file (overrides the configuration).', helpValue: 'FILE'}),
    force: Flags.boolean({summary: 'Remove the lock even if its holder may still be running.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(StateUnlock)
    const located = await locateState(flags)
    const outcome = await unlockState(located.path, {force: flags.force})
    if (!outcome.removed) {
      this.out(`The state ${located.path} is not locked.`)
      return
    }
    this.out(`Removed the lock on ${located.path}, held by ${describeHolder(outcome.status)}.`)
  }
}
