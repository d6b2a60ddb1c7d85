/**
 * The end of an apply, Terraform-style: `Apply complete! Resources: 3 added, 1 changed, 0 destroyed.`
 * or the failed addresses with their errors, what was skipped because of them, and the rollback.
 */
import type {ApplyOutcome} from '../engine/workspace.js'
import type {Conflict, UnavailableEndpoint} from '../plan/types.js'
import type {Colors} from './color.js'

/** What the plan could not cover: endpoints it could not read, objects in conflict. */
export interface PlanGaps {
  unavailable?: readonly UnavailableEndpoint[]
  conflicts?: readonly Conflict[]
}

export function renderApplyResult(result: ApplyOutcome, c: Colors, gaps: PlanGaps = {}): string {
  const lines: string[] = []
  const counts = `${result.imported ? `${result.imported} imported, ` : ''}${result.added} added, ${result.changed} changed, ${result.destroyed} destroyed.`
  const unavailable = gaps.unavailable ?? []
  const conflicts = gaps.conflicts ?? []
  if (result.failed.length === 0 && !result.stopped && unavailable.length === 0 && conflicts.length === 0) {
    lines.push(c.green(c.bold(`Apply complete! Resources: ${counts}`)))
  } else if (result.failed.length === 0 && !result.stopped) {
    lines.push(`${c.yellow(c.bold('Apply complete, but not everywhere.'))} Resources: ${counts}`)
    for (const endpoint of unavailable) {
      lines.push(`  ${c.red('✖')} endpoint ${endpoint.endpoint} was not changed: ${endpoint.message}`)
    }
    if (conflicts.length > 0) {
      lines.push(
        `  ${c.red('✖')} ${conflicts.length} object${conflicts.length === 1 ? '' : 's'} in conflict (already in Harbor, not managed by hrep): ${conflicts
          .slice(0, 5)
          .map((conflict) => `${conflict.address}@${conflict.endpoint}`)
          .join(', ')}${conflicts.length > 5 ? ', ...' : ''}; see the plan above for the import commands`,
      )
    }
  } else {
    lines.push(c.red(c.bold(`Apply ${result.stopped === 'aborted' ? 'interrupted' : 'failed'}.`)) + ` Resources done: ${counts}`)
    for (const failure of result.failed) {
      lines.push(`  ${c.red('✖')} ${failure.change.address}@${failure.change.endpoint}: ${failure.message}`)
    }
    if (result.skipped.length > 0) {
      lines.push(`  ${result.skipped.length} change${result.skipped.length === 1 ? '' : 's'} not made:`)
      for (const skip of result.skipped.slice(0, 20)) {
        lines.push(`    ${c.dim('-')} ${skip.change.address}@${skip.change.endpoint} (${skip.because})`)
      }
      if (result.skipped.length > 20) lines.push(`    ... and ${result.skipped.length - 20} more`)
    }
  }
  if (result.rollback) {
    lines.push('', c.bold('Rollback:'))
    for (const step of result.rollback) {
      const mark = step.outcome === 'done' ? c.green('✔') : step.outcome === 'impossible' ? c.yellow('!') : c.red('✖')
      lines.push(
        `  ${mark} ${step.change.address}@${step.change.endpoint}: ${step.outcome}${step.message ? ` (${step.message})` : ''}`,
      )
    }
  }
  if (result.generatedSecrets.length > 0) {
    lines.push('', c.bold('Generated robot secrets (shown once, never stored by hrep):'))
    for (const [address, secret] of result.generatedSecrets) lines.push(`  ${address}: ${secret.reveal()}`)
  }
  return lines.join('\n')
}
