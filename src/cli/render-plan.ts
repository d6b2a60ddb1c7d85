/**
 * Human rendering of a plan, Terraform-style: per endpoint, `+` create, `~` update with
 * `old -> new` per attribute, `-` delete, `-/+` replace with the forcing attribute marked, secrets
 * as `(sensitive)`; then notes on state-only updates, conflicts with the command that adopts the
 * object, unavailable endpoints, warnings, and the summary line. A pure function of the plan:
 * the caller prints the text and decides whether colour is on.
 */
import {diffLines} from 'diff'
import type {Action, AttrDiff, Change} from '../model/change.js'
import {summarize} from '../model/change.js'
import {SENSITIVE} from '../model/secret.js'
import type {Conflict, PlanWarning, StateUpdate, UnavailableEndpoint} from '../plan/types.js'
import type {Colors} from './color.js'

/** What the renderer needs: a PlanResult, or a saved plan's changes alone. */
export interface PlanView {
  changes: readonly Change[]
  conflicts?: readonly Conflict[]
  unavailable?: readonly UnavailableEndpoint[]
  drift?: readonly StateUpdate[]
  warnings?: readonly PlanWarning[]
  refreshOnly?: boolean
}

/** Compact JSON longer than this is shown over several lines. */
const INLINE_WIDTH = 60

const HEADERS: Record<Action, string> = {
  create: 'will be created',
  update: 'will be updated in place',
  replace: 'must be replaced',
  delete: 'will be destroyed',
  noop: 'will be imported',
}

function glyph(action: Action, c: Colors): string {
  switch (action) {
    case 'create':
      return `  ${c.green('+')}`
    case 'update':
      return `  ${c.yellow('~')}`
    case 'delete':
      return `  ${c.red('-')}`
    case 'replace':
      return `${c.red('-')}/${c.green('+')}`
    case 'noop':
      return `  ${c.cyan('=')}`
  }
}

/** One value as people read it: JSON, with multi-line JSON for long arrays and objects. */
function formatValue(value: unknown, indent: string): string {
  if (value === undefined) return 'null'
  const compact = JSON.stringify(value) ?? 'null'
  if (compact.length <= INLINE_WIDTH || typeof value !== 'object' || value === null) return compact
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${indent}`)
}

/** The lines of one attribute diff under a change. */
function diffLinesOf(diff: AttrDiff, action: Action, width: number, c: Colors): string[] {
  const pad = ' '.repeat(Math.max(0, width - diff.path.length))
  const name = `${diff.path}${pad}`
  const indent = ' '.repeat(8)
  const forces = diff.forcesReplace ? ` ${c.red('# forces replacement')}` : ''
  if (diff.sensitive) {
    const mark = diff.before === undefined ? c.green('+') : c.yellow('~')
    return [`      ${mark} ${name} = ${c.dim(SENSITIVE)}${forces}`]
  }
  if (action === 'create' || diff.before === undefined) {
    return [`      ${c.green('+')} ${name} = ${formatValue(diff.after, indent)}${forces}`]
  }
  if (action === 'delete' || diff.after === undefined) {
    return [`      ${c.red('-')} ${name} = ${formatValue(diff.before, indent)}${forces}`]
  }
  const before = formatValue(diff.before, indent)
  const after = formatValue(diff.after, indent)
  if (!before.includes('\n') && !after.includes('\n')) {
    return [`      ${c.yellow('~')} ${name} = ${before} ${c.dim('->')} ${after}${forces}`]
  }
  // Long structured values: a line diff of their pretty JSON.
  const lines = [`      ${c.yellow('~')} ${diff.path}${forces}`]
  const parts = diffLines(`${JSON.stringify(diff.before, null, 2)}\n`, `${JSON.stringify(diff.after, null, 2)}\n`)
  for (const part of parts) {
    const marker = part.added ? c.green('+') : part.removed ? c.red('-') : ' '
    for (const line of part.value.replace(/\n$/, '').split('\n')) {
      const text = `          ${marker} ${line}`
      lines.push(part.added ? c.green(text) : part.removed ? c.red(text) : text)
    }
  }
  return lines
}

function renderChange(change: Change, c: Colors): string[] {
  let header = HEADERS[change.action]
  if (change.importing && change.action === 'update') header = 'will be imported and updated in place'
  const reason = change.reason ? c.dim(` (${change.reason})`) : ''
  const lines = [c.bold(`  # ${change.address} ${header}`) + reason, `${glyph(change.action, c)} ${change.address}`]
  const width = Math.max(0, ...change.diffs.map((d) => d.path.length))
  for (const diff of change.diffs) lines.push(...diffLinesOf(diff, change.action, width, c))
  if (change.importing && change.liveId !== undefined) lines.push(c.dim(`        id = ${JSON.stringify(change.liveId)}`))
  return lines
}

function renderDrift(update: StateUpdate, c: Colors): string[] {
  if (update.action === 'forget') {
    return [c.bold(`  # ${update.address} has been deleted`) + c.dim(` (${update.reason})`), `  ${c.red('-')} ${update.address}`]
  }
  const lines = [
    c.bold(`  # ${update.address} has changed`) + c.dim(` (${update.reason})`),
    `  ${c.yellow('~')} ${update.address}`,
  ]
  const width = Math.max(0, ...update.diffs.map((d) => d.path.length))
  for (const diff of update.diffs) lines.push(...diffLinesOf(diff, 'update', width, c))
  return lines
}

/** Groups items by endpoint, keeping their order (the plan is already sorted by endpoint). */
function byEndpoint<T extends {endpoint: string}>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const group = groups.get(item.endpoint)
    if (group === undefined) groups.set(item.endpoint, [item])
    else group.push(item)
  }
  return groups
}

/** Appends in place: a plan can hold hundreds of thousands of lines, too many to spread into one push. */
function pushSections<T extends {endpoint: string}>(
  lines: string[],
  items: readonly T[],
  render: (item: T) => string[],
  c: Colors,
): void {
  for (const [endpoint, group] of byEndpoint(items)) {
    lines.push('', c.bold(`Endpoint ${endpoint}:`))
    for (const item of group) lines.push('', ...render(item))
  }
}

/** `Plan: 1 to import, 3 to add, 1 to change, 0 to destroy.` (import only when there is one). */
export function summaryLine(changes: readonly Change[]): string {
  const s = summarize(changes)
  const imports = s.import > 0 ? `${s.import} to import, ` : ''
  return `Plan: ${imports}${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`
}

/** The whole plan as text (no trailing newline). */
export function renderPlan(plan: PlanView, c: Colors): string {
  const conflicts = plan.conflicts ?? []
  const unavailable = plan.unavailable ?? []
  const warnings = plan.warnings ?? []
  const drift = (plan.drift ?? []).filter((d) => d.notable)
  const lines: string[] = []

  if (plan.refreshOnly) {
    if (drift.length > 0) {
      lines.push('Objects have changed outside of hrep:')
      pushSections(lines, drift, (d) => renderDrift(d, c), c)
      lines.push('')
      lines.push('This is a refresh-only plan: applying it records these changes in the state and changes nothing in Harbor.')
    }
  } else {
    if (plan.changes.length > 0) {
      lines.push('hrep will perform the following actions:')
      pushSections(lines, plan.changes, (change) => renderChange(change, c), c)
    }
    if (drift.length > 0) {
      if (lines.length > 0) lines.push('')
      lines.push('hrep will also update the state, without changing Harbor:')
      for (const d of drift) {
        const what = d.action === 'forget' ? 'forget' : `record Harbor id ${d.id}`
        lines.push(`  ${c.dim('-')} ${d.address}@${d.endpoint}: ${what} (${d.reason})`)
      }
    }
  }

  if (conflicts.length > 0) {
    if (lines.length > 0) lines.push('')
    lines.push(
      c.red(c.bold('Conflicts:')) + ' these objects already exist and hrep does not manage them; nothing is planned for them.',
    )
    for (const conflict of conflicts) {
      lines.push(
        '',
        `  ${c.red('!')} ${conflict.address}@${conflict.endpoint}: ${conflict.message}`,
        `    To adopt it: ${c.bold(conflict.importCommand)}`,
      )
    }
  }
  if (unavailable.length > 0) {
    if (lines.length > 0) lines.push('')
    for (const u of unavailable) {
      lines.push(
        `${c.red(c.bold('Unavailable:'))} endpoint ${u.endpoint} could not be read: ${u.message}. Nothing is planned for it.`,
      )
    }
  }
  if (warnings.length > 0) {
    if (lines.length > 0) lines.push('')
    for (const w of warnings) lines.push(`${c.yellow(c.bold('Warning:'))} ${w.message}`)
  }

  let closing: string | undefined
  if (plan.refreshOnly) {
    if (drift.length === 0) closing = `${c.bold('No changes.')} The state matches every endpoint that could be read.`
  } else if (plan.changes.length > 0) {
    closing = c.bold(summaryLine(plan.changes))
  } else if (conflicts.length === 0 && unavailable.length === 0) {
    closing = `${c.green(c.bold('No changes.'))} Your Harbor configuration matches.`
  } else {
    closing = `${c.bold('No changes')} on the endpoints and objects that could be planned.`
  }
  if (closing !== undefined) {
    if (lines.length > 0) lines.push('')
    lines.push(closing)
  }
  return lines.join('\n')
}
