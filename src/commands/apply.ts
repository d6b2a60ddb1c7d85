import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {configFlags} from '../cli/flags.js'
import {progressMode} from '../cli/progress.js'
import {openSession} from '../cli/session.js'
import {canPrompt, confirmApply} from '../cli/prompt.js'
import {type PlanGaps, renderApplyResult} from '../cli/render-apply.js'
import {renderPlan} from '../cli/render-plan.js'
import {lockTimeoutFlag, parallelismFlag} from '../cli/run-flags.js'
import {FAILURE_POLICIES} from '../engine/apply.js'
import type {ApplyOutcome} from '../engine/workspace.js'
import {HrepError} from '../model/errors.js'
import {hasChanges} from '../plan/planner.js'
import {readPlanFile} from '../state/index.js'

export default class Apply extends BaseCommand {
  static override summary = 'Make every endpoint match the configuration.'
  static override description =
    'Without PLANFILE: plans, shows the plan and asks for approval (or --auto-approve). With PLANFILE: applies exactly that saved plan, refusing it when the state or the configuration moved since. Exit 0 when every change succeeded, 1 otherwise, 130/143 when interrupted.'
  static override examples = [
    '<%= config.bin %> apply',
    '<%= config.bin %> apply --auto-approve --on-failure rollback',
    '<%= config.bin %> apply changes.plan',
  ]
  static override args = {
    planfile: Args.string({description: 'A plan saved with hrep plan --out.', required: false}),
  }
  static override flags = {
    ...configFlags,
    'auto-approve': Flags.boolean({summary: 'Apply without asking (needed when not on a terminal).'}),
    'on-failure': Flags.option({
      options: FAILURE_POLICIES,
      default: 'stop' as const,
      summary:
        'stop: finish what is in flight and stop; continue: go on with what does not depend on the failure; rollback: undo this run.',
    })(),
    target: Flags.string({
      summary: 'Limit to this address and what it depends on (repeatable).',
      multiple: true,
      helpValue: 'ADDR',
    }),
    'refresh-only': Flags.boolean({summary: 'Record the drift of Harbor into the state without changing Harbor.'}),
    'show-secrets': Flags.boolean({summary: 'Print robot secrets hrep generates (once; they are never stored).'}),
    parallelism: parallelismFlag,
    'lock-timeout': lockTimeoutFlag,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Apply)
    const c = this.colors(flags['no-color'])
    if (!args.planfile && !flags['auto-approve'] && (flags.json || !canPrompt())) {
      throw new HrepError(
        'approval_required',
        'hrep apply asks for approval on a terminal; with no terminal (or with --json) pass --auto-approve, or apply a saved plan: hrep plan --out FILE && hrep apply FILE',
      )
    }
    const session = await openSession({
      flags,
      operation: 'apply',
      progress: progressMode({json: flags.json}),
      colors: this.errColors(flags['no-color']),
      notify: (message) => this.err(message),
    })
    const {workspace, progress, interrupt} = session
    let outcome: ApplyOutcome | undefined
    let gaps: PlanGaps = {}
    try {
      const request = {onFailure: flags['on-failure'], showSecrets: flags['show-secrets'], signal: interrupt.signal}
      if (args.planfile) {
        const saved = await readPlanFile(args.planfile)
        progress.begin('Applying', saved.changes.length)
        outcome = await workspace.applySaved(saved, args.planfile, request)
      } else {
        progress.begin('Refreshing')
        const plan = await workspace.plan({targets: flags.target, refreshOnly: flags['refresh-only'], signal: interrupt.signal})
        progress.stop()
        const {result} = plan
        gaps = {unavailable: result.unavailable, conflicts: result.conflicts}
        if (!flags.json) this.out(renderPlan(result, c))
        if (!hasChanges(result)) {
          if (hasGaps(gaps)) process.exitCode = 1
          return
        }
        if (!flags['auto-approve']) {
          if (!(await confirmApply())) {
            this.out('\nApply cancelled.')
            process.exitCode = 1
            return
          }
        }
        if (!flags.json) this.out('')
        progress.begin('Applying', result.changes.length)
        outcome = await workspace.apply(plan, request)
      }
      progress.stop()
      if (flags.json) {
        this.out(
          JSON.stringify({
            type: 'summary',
            added: outcome.added,
            changed: outcome.changed,
            destroyed: outcome.destroyed,
            imported: outcome.imported,
            failed: outcome.failed.map((f) => ({
              address: f.change.address,
              endpoint: f.change.endpoint,
              message: f.message,
              error_class: f.errorClass,
            })),
            skipped: outcome.skipped.length,
            stopped: outcome.stopped ?? null,
            serial: outcome.serial,
          }),
        )
      } else this.out(`\n${renderApplyResult(outcome, c, gaps)}`)
      const interrupted = interrupt.exitCode()
      if (interrupted !== undefined) process.exitCode = interrupted
      else if (outcome.failed.length > 0 || outcome.stopped || hasGaps(gaps)) process.exitCode = 1
    } finally {
      await session.close()
    }
  }
}

function hasGaps(gaps: PlanGaps): boolean {
  return (gaps.unavailable?.length ?? 0) > 0 || (gaps.conflicts?.length ?? 0) > 0
}
