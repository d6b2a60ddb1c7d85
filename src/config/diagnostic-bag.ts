/**
 * Collects the diagnostics of one load, Terraform-style: evaluation goes on after an error so that
 * every problem is reported together. Identical diagnostics (same summary, detail and place) are
 * kept once, so an expression evaluated for many instances reports its mistake once.
 */
import type {Diagnostic, SourceRange} from '../model/errors.js'
import {plainRange, TokenRange} from './hcl/token-range.js'

export class DiagnosticBag {
  readonly items: Diagnostic[] = []
  private readonly seen = new Set<string>()

  /** Records an error at a range (or none, for problems that have no place in a file). */
  error(summary: string, range?: SourceRange, detail?: string, address?: string): void {
    this.add({severity: 'error', summary, detail: detail || undefined, range, address})
  }

  warning(summary: string, range?: SourceRange, detail?: string, address?: string): void {
    this.add({severity: 'warning', summary, detail: detail || undefined, range, address})
  }

  add(given: Diagnostic): void {
    // AST ranges work their positions out when read; a diagnostic holds plain data.
    const diagnostic = given.range instanceof TokenRange ? {...given, range: plainRange(given.range)} : given
    const r = diagnostic.range
    const key = `${diagnostic.severity}|${diagnostic.summary}|${diagnostic.detail ?? ''}|${r ? `${r.file}:${r.start.byte}-${r.end.byte}` : ''}`
    if (this.seen.has(key)) return
    this.seen.add(key)
    this.items.push(diagnostic)
  }

  get errorCount(): number {
    return this.items.filter((d) => d.severity === 'error').length
  }

  hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error')
  }
}
