import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {configFlags} from '../cli/flags.js'
import {progressMode} from '../cli/progress.js'
import {openSession} from '../cli/session.js'
import {renderPlan} from '../cli/render-plan.js'
import {lockTimeoutFlag, parallelismFlag} from '../cli/run-flags.js'
import {toJsonPlan} from '../plan/json.js'
import {hasChanges} from '../plan/planner.js'
import {writePlanFile} from '../state/index.js'

export default class Plan extends BaseCommand {
  static override summary = 'Show what apply would change on every endpoint.'
  static override description =
    'Reads every endpoint, compares it with the configuration and the state, and prints the changes. Exit code 0; with --detailed-exitcode 0 = no changes, 2 = changes; 1 = error (including an unreachable endpoint or a conflict).'
  static override examples = [
    '<%= config.bin %> plan -c infra/harbor',
    '<%= config.bin %> plan --out changes.plan && <%= config.bin %> apply changes.plan',
    `<%= config.bin %> plan --target 'robot.ci' --target 'project.team["payments"]@dr'`,
  ]
  static override flags = {
    ...configFlags,
    out: Flags.string({summary: 'Save the plan to this file, for hrep apply FILE.', helpValue: 'FILE'}),
    'detailed-exitcode': Flags.boolean({summary: 'Exit 0 when there are no changes, 2 when there are, 1 on error.'}),
    target: Flags.string({
      summary: 'Limit the plan to this address and what it depends on (repeatable).',
      multiple: true,
      helpValue: 'ADDR',
    }),
    'refresh-only': Flags.boolean({summary: 'Only show drift between the state and Harbor; apply records it into the state.'}),
    parallelism: parallelismFlag,
    'lock-timeout': lockTimeoutFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Plan)
    const c = this.colors(flags['no-color'])
    const session = await openSession({
      flags,
      operation: 'plan',
      progress: flags.json ? 'silent' : progressMode({}),
      colors: this.errColors(flags['no-color']),
      notify: (message) => this.err(message),
    })
    const {workspace, progress, interrupt} = session
    try {
      progress.begin('Refreshing')
      const outcome = await workspace.plan({targets: flags.target, refreshOnly: flags['refresh-only'], signal: interrupt.signal})
      progress.stop()
      if (flags.out) {
        await writePlanFile(flags.out, workspace.savedPlan(outcome))
      }
      const {result} = outcome
      if (flags.json) {
        this.out(JSON.stringify(toJsonPlan(result, {state: outcome, configHash: outcome.configHash}), null, 2))
      } else {
        this.out(renderPlan(result, c))
        if (flags.out)
          this.out(`\nSaved the plan to ${flags.out}. To apply exactly these changes, run:\n  hrep apply ${flags.out}`)
      }
      const failed = result.unavailable.length > 0 || result.conflicts.length > 0
      if (failed) process.exitCode = 1
      else if (flags['detailed-exitcode'] && hasChanges(result)) process.exitCode = 2
    } finally {
      await session.close()
    }
  }
}
