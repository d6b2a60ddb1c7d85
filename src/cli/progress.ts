/**
 * Renders engine events while a command runs. Three modes: `tty` (an ora spinner with counts, plus a
 * line for every finished change), `plain` (one line per notable event, for CI logs), `json` (one
 * JSON object per event on stdout, for machines). Progress goes to stderr in the human modes so that
 * stdout carries only the result (the plan, the summary).
 */
import type {Ora} from 'ora'
import type {EngineEvent, EventSink} from '../model/events.js'
import type {Colors} from './color.js'

export type ProgressMode = 'tty' | 'plain' | 'json' | 'silent'

export function progressMode(options: {json?: boolean; silent?: boolean}): ProgressMode {
  if (options.silent) return 'silent'
  if (options.json) return 'json'
  // A terminal that reports no width (a bare pty) would make the spinner's redraw arithmetic run away.
  return process.stderr.isTTY && (process.stderr.columns ?? 0) > 0 && !process.env.CI ? 'tty' : 'plain'
}

type OraFactory = typeof import('ora').default

/** A renderer for `mode`; ora is imported only for a terminal (a non-interactive run skips its ~50 ms). */
export async function createProgressRenderer(mode: ProgressMode, c: Colors): Promise<ProgressRenderer> {
  return new ProgressRenderer(mode, c, mode === 'tty' ? (await import('ora')).default : undefined)
}

/** An EventSink that draws progress; call `stop()` before printing results or prompting. */
export class ProgressRenderer implements EventSink {
  private spinner: Ora | undefined
  private readonly counts = {done: 0, failed: 0, skipped: 0, retries: 0, total: 0}
  private phase = ''

  constructor(
    private readonly mode: ProgressMode,
    private readonly c: Colors,
    private readonly ora: OraFactory | undefined,
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    private readonly writeJson: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  /** Starts a phase ("Refreshing", "Applying"); `total` sets the denominator of the counts. */
  begin(phase: string, total = 0): void {
    this.phase = phase
    this.counts.total = total
    if (this.mode === 'tty' && this.ora) {
      this.spinner?.stop()
      this.spinner = this.ora({text: this.text(), stream: process.stderr, discardStdin: false}).start()
    } else if (this.mode === 'plain') this.write(`${phase}...`)
  }

  stop(): void {
    this.spinner?.stop()
    this.spinner = undefined
  }

  emit(event: EngineEvent): void {
    if (this.mode === 'silent') return
    if (this.mode === 'json') {
      this.writeJson(JSON.stringify({...toJson(event), '@timestamp': new Date().toISOString()}))
      return
    }
    const line = this.describe(event)
    if (line !== undefined) this.line(line)
    if (this.spinner) this.spinner.text = this.text()
  }

  private line(text: string): void {
    if (this.spinner) {
      // Print above the spinner without it flickering.
      this.spinner.clear()
      this.write(text)
      this.spinner.render()
    } else this.write(text)
  }

  private text(): string {
    const {done, failed, skipped, retries, total} = this.counts
    const parts = [total > 0 ? `${done}/${total}` : undefined, failed ? `${failed} failed` : undefined]
    if (skipped) parts.push(`${skipped} skipped`)
    if (retries) parts.push(`${retries} retries`)
    const counts = parts.filter(Boolean).join(', ')
    return counts ? `${this.phase} (${counts})` : this.phase
  }

  private describe(event: EngineEvent): string | undefined {
    const c = this.c
    switch (event.type) {
      case 'refresh.done':
        return `${c.dim(`${event.endpoint}:`)} read ${event.objects} objects in ${seconds(event.ms)}`
      case 'refresh.failed':
        return `${c.red('✖')} ${event.endpoint}: ${event.message}`
      case 'change.done':
        this.counts.done++
        return `${changeLabel(event.change.action, c)} ${event.change.address}@${event.change.endpoint}: ${doneVerb(event.change.action)} after ${seconds(event.ms)}${event.id ? c.dim(` [id=${event.id}]`) : ''}`
      case 'change.failed':
        this.counts.failed++
        return `${c.red('✖')} ${event.change.address}@${event.change.endpoint}: ${event.message}`
      case 'change.skipped':
        this.counts.skipped++
        return this.mode === 'plain'
          ? `${c.yellow('-')} ${event.change.address}@${event.change.endpoint}: skipped (${event.because})`
          : undefined
      case 'change.compensated':
        return `${c.yellow('↺')} ${event.change.address}@${event.change.endpoint}: rollback ${event.outcome}${event.message ? `: ${event.message}` : ''}`
      case 'retry':
        this.counts.retries++
        return undefined
      case 'giveup':
        return `${c.yellow('!')} ${event.endpoint}: ${event.method} ${event.path} gave up after ${event.attempts} attempts (${event.errorClass})`
      case 'breaker':
        return event.state === 'open'
          ? `${c.red('!')} endpoint ${event.endpoint}: circuit open, failing fast`
          : `${c.green('✔')} endpoint ${event.endpoint}: circuit ${event.state}`
      case 'warning':
        return `${c.yellow('Warning:')} ${event.address ? `${event.address}${event.endpoint ? `@${event.endpoint}` : ''}: ` : event.endpoint ? `${event.endpoint}: ` : ''}${event.message}`
      case 'info':
        return event.message
      default:
        return undefined
    }
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`
}

function changeLabel(action: string, c: Colors): string {
  if (action === 'create') return c.green('+')
  if (action === 'delete') return c.red('-')
  if (action === 'replace') return c.yellow('-/+')
  return c.yellow('~')
}

function doneVerb(action: string): string {
  if (action === 'create') return 'created'
  if (action === 'delete') return 'destroyed'
  if (action === 'replace') return 'replaced'
  if (action === 'noop') return 'imported'
  return 'modified'
}

/** Events as JSON: changes are reduced to their identity so lines stay small. */
function toJson(event: EngineEvent): Record<string, unknown> {
  if ('change' in event) {
    const {change, ...rest} = event
    return {...rest, address: change.address, endpoint: change.endpoint, action: change.action, kind: change.kind}
  }
  return {...event}
}
