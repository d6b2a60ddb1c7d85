/**
 * The error vocabulary shared by every layer. Anything a user can cause or fix is an HrepError:
 * the CLI prints its message (never a stack) and exits with its exitCode.
 */

/** A 1-based line and column (columns count Unicode code points) plus a 0-based byte offset. */
export interface Pos {
  line: number
  column: number
  byte: number
}

/** A span of source text in one file; `end` is exclusive. */
export interface SourceRange {
  file: string
  start: Pos
  end: Pos
}

export type Severity = 'error' | 'warning'

/** One problem found in the configuration, Terraform-style: a summary, an optional detail, and where. */
export interface Diagnostic {
  severity: Severity
  summary: string
  detail?: string
  range?: SourceRange
  /** Resource address the problem belongs to, when it has one (`robot.ci`). */
  address?: string
}

/** Base of every error hrep expects. `code` is stable and machine-readable (`config_invalid`, `state_locked`, ...). */
export class HrepError extends Error {
  override name = 'HrepError'
  readonly code: string
  readonly exitCode: number

  constructor(code: string, message: string, options: {cause?: unknown; exitCode?: number} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.code = code
    this.exitCode = options.exitCode ?? 1
  }
}

/**
 * The configuration has one or more problems. All of them are collected and reported together;
 * `sources` holds the text of each file named by a diagnostic so the CLI can show the line with a caret.
 */
export class ConfigError extends HrepError {
  override name = 'ConfigError'
  readonly diagnostics: Diagnostic[]
  readonly sources: Record<string, string>

  constructor(diagnostics: Diagnostic[], sources: Record<string, string> = {}) {
    const errors = diagnostics.filter((d) => d.severity === 'error')
    const first = errors[0] ?? diagnostics[0]
    super(
      'config_invalid',
      errors.length > 1
        ? `${errors.length} errors in the configuration, the first: ${first?.summary}`
        : (first?.summary ?? 'invalid configuration'),
    )
    this.diagnostics = diagnostics
    this.sources = sources
  }
}

export function isHrepError(error: unknown): error is HrepError {
  return error instanceof HrepError
}

/** `file:line:column` of a range, the form every message uses. */
export function formatRange(range: SourceRange): string {
  return `${range.file}:${range.start.line}:${range.start.column}`
}
