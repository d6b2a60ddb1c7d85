/**
 * The end of an apply, Terraform-style: `Apply complete! Resources: 3 added, 1 changed, 0 destroyed.`
 * or the failed addresses with their errors, what was skipped because of them, and the rollback.
 */
import type {ApplyOutcome} from '../engine/workspace.js'
import type {Colors} from './color.js'

export function renderApplyResult(result: ApplyOutcome, c: Colors): string {
  const lines: string[] = []
  const counts = `${result.imported ? `${result.imported} imported, ` : ''}${result.added} added, ${result.changed} changed, ${result.destroyed} destroyed.`
  if (result.failed.length === 0 && !result.stopped) {
    lines.push(c.green(c.bold(`Apply complete! Resources: ${counts}`)))
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
