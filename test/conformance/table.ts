/** The conformance table: one row per scenario with wrapped cells (long words are broken). */
import {FOLLOWED_HARBOR_VERSION} from '../../src/emulator/options.js'
import type {ScenarioResult} from './scenario.js'

function wrap(text: string, width: number): string[] {
  const words = text
    .replace(/\s+/g, ' ')
    .trim()
    .split(' ')
    .flatMap((word) => word.match(new RegExp(`.{1,${width}}`, 'g')) ?? [''])
  const lines: string[] = []
  let line = ''
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines.length > 0 ? lines : ['']
}

/** Renders results as a text table with wrapped cells. */
export function renderTable(results: readonly ScenarioResult[]): string {
  const widths = [30, 48, 48, 8]
  const header = ['scenario', `expected (Harbor ${FOLLOWED_HARBOR_VERSION})`, 'observed', 'match']
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-')
  const row = (cells: string[]) => {
    const wrapped = cells.map((cell, i) => wrap(cell, widths[i]!))
    const height = Math.max(...wrapped.map((lines) => lines.length))
    const out: string[] = []
    for (let line = 0; line < height; line++) {
      out.push(
        wrapped
          .map((lines, i) => (lines[line] ?? '').padEnd(widths[i]!))
          .join(' | ')
          .trimEnd(),
      )
    }
    return out.join('\n')
  }
  const label = {match: 'yes', mismatch: 'NO', skipped: 'skipped', error: 'ERROR'}
  const lines = [row(header), rule]
  for (const result of results) {
    const observed = result.outcome === 'error' ? (result.observed.split('\n')[0] ?? '') : result.observed
    lines.push(row([result.scenario.name, result.scenario.expected, observed, label[result.outcome]]), rule)
  }
  return lines.join('\n')
}
