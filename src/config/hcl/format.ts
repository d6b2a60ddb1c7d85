/**
 * `formatHcl`: lays an HCL file out canonically, the way `terraform fmt` does, changing only
 * white space between tokens and blank lines, never a token:
 * - two spaces of indent per bracket level (a line that opens several brackets indents once);
 * - one space between tokens, none inside `()`/`[]`, around `.`/`::`, before `,` or after a
 *   unary minus, and `{ a = 1 }` with spaces inside braces;
 * - the `=` of consecutive one-line attributes aligned, and their trailing comments too;
 * - one blank line between a block and its neighbours, runs of blank lines collapsed to one,
 *   none at the start or end of a file or block;
 * - quoted strings, heredocs (marker to marker) and comments kept verbatim, heredoc bodies
 *   byte for byte; trailing white space removed elsewhere; one trailing newline.
 * The file is parsed first, so a syntax error throws ConfigError and nothing is formatted.
 */
import type {Body, ConfigFile} from './ast.js'
import {parseHcl} from './parse.js'
import {scan} from './lexer.js'
import type {TokenKind, TokenStream} from './token.js'

/** A formatting atom: one token, or a whole quoted string / heredoc kept verbatim. */
interface Unit {
  kind: TokenKind | 'String' | 'Heredoc'
  text: string
  /** Source lines of its first and last character. */
  startLine: number
  endLine: number
  /** +1 for an opening bracket, -1 for a closing one, 0 otherwise. */
  bracket: number
  /** Set for `#` and `//` comments (which end their line). */
  lineComment?: boolean
  /** Spaces before this unit on its output line (indent for the first unit). */
  spaces: number
}

interface Line {
  units: Unit[]
  /** Index of the `=` unit when the line is a one-line attribute (its cell is aligned). */
  assign: number
  /** Whether the line ends with a line comment that follows code (its cell is aligned). */
  trailingComment: boolean
  blankBefore: boolean
  startLine: number
  endLine: number
}

/**
 * The canonical layout of `source`. Idempotent, and the result parses to the same tokens.
 * @throws ConfigError when `source` has syntax errors.
 */
export function formatHcl(source: string, filename: string): string {
  const file = parseHcl(source, filename)
  const {stream} = scan(source, filename)
  const bom = source.charCodeAt(0) === 0xfeff ? '\ufeff' : ''
  const eol = detectLineEnding(source)
  const lines = splitLines(toUnits(stream, source))
  indentLines(lines)
  spaceUnits(lines)
  // Blank lines first: they end alignment runs, and the output's blank lines are what a second pass sees.
  placeBlankLines(lines, file)
  alignCells(lines)
  return bom + render(lines, eol)
}

/**
 * The line break of the first line with content: blank lines at the top are dropped, and a second
 * pass must see the same ending as the first (files that mix endings would flip otherwise).
 */
function detectLineEnding(source: string): string {
  const content = source.search(/[^\s\ufeff]/)
  const nl = source.indexOf('\n', Math.max(content, 0))
  return nl > 0 && source.charCodeAt(nl - 1) === 13 ? '\r\n' : '\n'
}

function bracketChange(kind: Unit['kind']): number {
  switch (kind) {
    case 'OBrace':
    case 'OBrack':
    case 'OParen':
      return 1
    case 'CBrace':
    case 'CBrack':
    case 'CParen':
      return -1
    default:
      return 0
  }
}

/**
 * `text` without the blanks that end its inner lines. Done when a unit is made, not when it is
 * written, so that alignment measures what is written and a second pass measures the same.
 */
function trimLineEnds(text: string): string {
  return text.replace(/[ \t]+(?=\r?\n)/g, '')
}

/** Tokens to units; Newline tokens stay as units of kind 'Newline' (line breaks). */
function toUnits(stream: TokenStream, source: string): Unit[] {
  const units: Unit[] = []
  const {starts, ends} = stream
  for (let i = 0; i < stream.length; i++) {
    const kind = stream.kind(i)
    if (kind === 'EOF') break
    if (kind === 'OQuote' || kind === 'OHeredoc') {
      // The whole string or heredoc, including nested templates, is one verbatim unit.
      const close: TokenKind = kind === 'OQuote' ? 'CQuote' : 'CHeredoc'
      let depth = 0
      let j = i
      for (; j < stream.length; j++) {
        const k = stream.kind(j)
        if (k === kind) depth++
        else if (k === close && --depth === 0) break
      }
      const text = source.slice(starts[i], ends[j])
      units.push({
        kind: kind === 'OQuote' ? 'String' : 'Heredoc',
        // Heredocs are kept byte for byte; a string broken inside `${}` loses its trailing blanks.
        text: kind === 'OQuote' ? trimLineEnds(text) : text,
        startLine: stream.line(i),
        endLine: stream.endPos(j).line,
        bracket: 0,
        spaces: 0,
      })
      i = j
      continue
    }
    const text = source.slice(starts[i], ends[i])
    if (kind === 'Comment') {
      const isLine = text.startsWith('#') || text.startsWith('//')
      units.push({
        kind: 'Comment',
        // A line comment loses its trailing blanks (and a lone carriage return ending the file, which
        // HCL counts as part of the comment); a block comment those at the end of its inner lines.
        text: isLine ? text.replace(/[ \t\r]+$/, '') : trimLineEnds(text),
        startLine: stream.line(i),
        endLine: isLine ? stream.line(i) : stream.endPos(i).line,
        bracket: 0,
        spaces: 0,
        lineComment: isLine,
      })
      continue
    }
    // Every other token sits on one line (a Newline token belongs to the line it ends).
    const line = stream.line(i)
    units.push({kind, text, startLine: line, endLine: line, bracket: bracketChange(kind), spaces: 0})
  }
  return units
}

/** Groups units into lines; a run of empty lines becomes one `blankBefore` on the next line. */
function splitLines(units: Unit[]): Line[] {
  const lines: Line[] = []
  let current: Unit[] = []
  let blank = false
  const finish = () => {
    if (current.length === 0) {
      blank = true
      return
    }
    lines.push({
      units: current,
      assign: -1,
      trailingComment: false,
      blankBefore: blank,
      startLine: current[0].startLine,
      endLine: current[current.length - 1].endLine,
    })
    current = []
    blank = false
  }
  for (const unit of units) {
    if (unit.kind === 'Newline') finish()
    else current.push(unit)
  }
  if (current.length > 0) finish()
  return lines
}

/** Indent by bracket nesting, as hclwrite does: one level per line that opens brackets. */
function indentLines(lines: Line[]): void {
  const stack: number[] = []
  for (const line of lines) {
    let net = 0
    for (const unit of line.units) net += unit.bracket
    if (net > 0) {
      line.units[0].spaces = 2 * stack.length
      stack.push(net)
    } else if (net < 0) {
      let closed = -net
      while (closed > 0 && stack.length > 0) {
        const top = stack[stack.length - 1]
        if (closed >= top) {
          closed -= top
          stack.pop()
        } else {
          stack[stack.length - 1] = top - closed
          closed = 0
        }
      }
      line.units[0].spaces = 2 * stack.length
    } else {
      line.units[0].spaces = 2 * stack.length
    }
  }
}

/** What a bracket level is, to tell an object's `a: 1` colon from a conditional's or a `for`'s. */
interface Level {
  kind: 'OBrace' | 'OBrack' | 'OParen'
  isFor: boolean
  questions: number
}

/** Sets the spaces between units on each line (the first unit keeps its indent). */
function spaceUnits(lines: Line[]): void {
  const levels: Level[] = [{kind: 'OParen', isFor: false, questions: 0}]
  const all = lines.flatMap((line) => line.units)
  let before: Unit | undefined
  let index = 0
  for (const line of lines) {
    const units = line.units
    for (let i = 0; i < units.length; i++, index++) {
      const unit = units[i]
      const after = units[i + 1]
      if (unit.kind === 'OBrace' || unit.kind === 'OBrack' || unit.kind === 'OParen') {
        // `for` may sit on the next line: look at the next unit of the file, not of the line.
        const next = all[index + 1]
        levels.push({kind: unit.kind, isFor: next?.kind === 'Ident' && next.text === 'for', questions: 0})
      } else if (unit.bracket < 0 && levels.length > 1) {
        levels.pop()
      }
      const level = levels[levels.length - 1]
      if (unit.kind === 'Question') level.questions++
      let objectColon = false
      if (after?.kind === 'Colon') {
        if (level.questions > 0) level.questions--
        else objectColon = level.kind === 'OBrace' && !level.isFor
      }
      if (after) after.spaces = spaceBetween(before, unit, after, objectColon) ? 1 : 0
      before = unit
    }
  }
}

const UNARY_MINUS_AFTER = new Set<Unit['kind']>([
  'OParen',
  'OBrace',
  'OBrack',
  'Equal',
  'Colon',
  'Comma',
  'Question',
  'FatArrow',
  'Plus',
  'Star',
  'Slash',
  'Percent',
  'Minus',
  'EqualOp',
  'NotEqual',
  'GreaterThan',
  'GreaterThanEq',
  'LessThan',
  'LessThanEq',
  'And',
  'Or',
  'Bang',
])

/** Whether one space separates `subject` from the unit after it (hclwrite's rules, adapted). */
function spaceBetween(before: Unit | undefined, subject: Unit, after: Unit, objectColon: boolean): boolean {
  // A number right before a dot would merge with it (`0 .1` is two tokens, `0.1` one).
  if (subject.kind === 'NumberLit' && after.kind === 'Dot') return true
  if (subject.kind === 'Ident' && after.kind === 'OParen') return false
  if ((subject.kind === 'Ident' && after.kind === 'DoubleColon') || (subject.kind === 'DoubleColon' && after.kind === 'Ident')) {
    return false
  }
  if (subject.kind === 'Dot' || after.kind === 'Dot') return false
  if (after.kind === 'Comma' || after.kind === 'Ellipsis') return false
  if (subject.kind === 'Comma') return after.bracket >= 0
  // `[for x in [a] : x]`: `in` is a keyword here, not a reference to index.
  if (subject.kind === 'Ident' && subject.text === 'in' && before?.kind === 'Ident') return true
  if (after.kind === 'OBrack' && (subject.kind === 'Ident' || subject.kind === 'NumberLit' || subject.bracket < 0)) return false
  if (subject.kind === 'Minus') return before === undefined || !UNARY_MINUS_AFTER.has(before.kind)
  if (subject.kind === 'Bang') return false
  if (subject.kind === 'OBrace' || after.kind === 'CBrace') return !(subject.kind === 'OBrace' && after.kind === 'CBrace')
  if (after.kind === 'Colon' && objectColon) return false
  if (subject.bracket > 0) return false
  if (after.bracket < 0) return false
  return true
}

function width(units: Unit[], from: number, to: number): number {
  let columns = 0
  for (let i = from; i < to; i++) columns += units[i].spaces + codePoints(units[i].text)
  return columns
}

function codePoints(text: string): number {
  let count = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xdc00 && c <= 0xdfff) count--
  }
  return count
}

/** Aligns the `=` of consecutive one-line attributes, then consecutive trailing comments. */
function alignCells(lines: Line[]): void {
  for (const line of lines) {
    const units = line.units
    const last = units[units.length - 1]
    const end = last.lineComment && units.length > 1 ? units.length - 1 : units.length
    line.trailingComment = end < units.length
    for (let i = 1; i < end; i++) {
      if (units[i].kind !== 'Equal') continue
      let net = 0
      for (let j = i; j < end; j++) net += units[j].bracket
      if (net === 0) line.assign = i
      break
    }
  }
  alignRuns(
    lines,
    (line) => line.assign >= 0,
    (line) => width(line.units, 0, line.assign),
    (line) => line.units[line.assign],
  )
  alignRuns(
    lines,
    // Lines holding multi-line units (heredocs, block comments) have no single width to align.
    (line) => line.trailingComment && line.startLine === line.endLine,
    (line) => width(line.units, 0, line.units.length - 1),
    (line) => line.units[line.units.length - 1],
  )
}

function alignRuns(lines: Line[], inRun: (l: Line) => boolean, columns: (l: Line) => number, cell: (l: Line) => Unit): void {
  let start = -1
  const close = (endExclusive: number) => {
    let max = 0
    for (let k = start; k < endExclusive; k++) max = Math.max(max, columns(lines[k]))
    for (let k = start; k < endExclusive; k++) cell(lines[k]).spaces = max - columns(lines[k]) + 1
    start = -1
  }
  for (let i = 0; i < lines.length; i++) {
    // A blank line ends a run, as in terraform fmt.
    if (!inRun(lines[i]) || lines[i].blankBefore) {
      if (start >= 0) close(i)
      if (inRun(lines[i])) start = i
      continue
    }
    if (start < 0) start = i
  }
  if (start >= 0) close(lines.length)
}

/**
 * Blank lines: none at the start of the file, after a line that opens brackets or before one
 * that starts by closing them; exactly one between a block and a neighbouring item.
 */
function placeBlankLines(lines: Line[], file: ConfigFile): void {
  const byStart = new Map<number, number>()
  const byEnd = new Map<number, number>()
  lines.forEach((line, index) => {
    if (!byStart.has(line.startLine)) byStart.set(line.startLine, index)
    byEnd.set(line.endLine, index)
  })
  const separate = (body: Body): void => {
    for (let i = 0; i < body.items.length; i++) {
      const item = body.items[i]
      if (item.type === 'Block') separate(item.body)
      const next = body.items[i + 1]
      if (!next || (item.type !== 'Block' && next.type !== 'Block')) continue
      const endIndex = byEnd.get(item.range.end.line)
      const nextIndex = byStart.get(next.range.start.line)
      if (endIndex === undefined || nextIndex === undefined) continue
      let hasBlank = false
      for (let k = endIndex + 1; k <= nextIndex; k++) if (lines[k].blankBefore) hasBlank = true
      if (!hasBlank && endIndex + 1 < lines.length) lines[endIndex + 1].blankBefore = true
    }
  }
  separate(file.body)
  let previous: Line | undefined
  for (const line of lines) {
    let opens = 0
    if (previous) for (const unit of previous.units) opens += unit.bracket
    if (!previous || opens > 0 || line.units[0].bracket < 0) line.blankBefore = false
    previous = line
  }
}

function render(lines: Line[], eol: string): string {
  const out: string[] = []
  for (const line of lines) {
    if (line.blankBefore) out.push('')
    let text = ''
    for (const unit of line.units) text += ' '.repeat(unit.spaces) + unit.text
    out.push(text)
  }
  return out.length === 0 ? '' : out.join(eol) + eol
}
