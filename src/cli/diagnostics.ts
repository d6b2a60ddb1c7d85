/**
 * Renders configuration diagnostics like Terraform: `Error: file:line:column: summary`, then the
 * offending source line with a caret under the range, then the detail.
 */
import type {Diagnostic} from '../model/errors.js'
import {formatRange} from '../model/errors.js'
import type {Colors} from './color.js'

export function renderDiagnostic(diagnostic: Diagnostic, sources: Record<string, string>, c: Colors): string {
  const label = diagnostic.severity === 'error' ? c.red(c.bold('Error:')) : c.yellow(c.bold('Warning:'))
  const where = diagnostic.range ? `${formatRange(diagnostic.range)}: ` : diagnostic.address ? `${diagnostic.address}: ` : ''
  const lines = [`${label} ${where}${c.bold(diagnostic.summary)}`]
  const range = diagnostic.range
  const source = range ? sources[range.file] : undefined
  if (range && source !== undefined) {
    const text = source.split(/\r?\n/)[range.start.line - 1]
    if (text !== undefined) {
      const number = String(range.start.line)
      const gutter = ' '.repeat(number.length)
      const width =
        range.end.line === range.start.line
          ? Math.max(1, range.end.column - range.start.column)
          : Math.max(1, [...text].length - range.start.column + 1)
      const indent = [...text]
        .slice(0, range.start.column - 1)
        .map((ch) => (ch === '\t' ? '\t' : ' '))
        .join('')
      lines.push(`  ${number} | ${text}`, `  ${gutter} | ${indent}${c.red('^'.repeat(width))}`)
    }
  }
  if (diagnostic.detail) lines.push(...diagnostic.detail.split('\n').map((line) => `  ${line}`))
  return lines.join('\n')
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], sources: Record<string, string>, c: Colors): string {
  return diagnostics.map((d) => renderDiagnostic(d, sources, c)).join('\n\n')
}
