/**
 * The second half of template parsing: heredoc indent flushing and merging of adjacent text on
 * the flat list of parts, then nesting `if`/`else`/`endif` and `for`/`endfor` into a tree.
 */
import type {SourceRange} from '../../model/errors.js'
import {formatRange} from '../../model/errors.js'
import type {Expression, TemplateFor, TemplateIf, TemplateInterpolation, TemplateLiteral, TemplatePart} from './ast.js'
import type {ParserState} from './parser-state.js'
import {trimSpaceStart} from './text.js'
import {TokenRange} from './token-range.js'

/** One part of a template before nesting: text, an interpolation, or a directive marker. */
export type FlatPart =
  | {kind: 'literal'; value: string; range: SourceRange}
  | {kind: 'interp'; node: TemplateInterpolation}
  | {kind: 'if'; condition: Expression; range: SourceRange}
  | {kind: 'for'; keyVar?: string; valueVar: string; collection: Expression; range: SourceRange}
  | {kind: 'else' | 'endif' | 'endfor'; range: SourceRange}
  | {kind: 'end'; range: SourceRange}

/**
 * `<<-` heredocs: remove the smallest indentation shared by the lines that start with literal
 * text (lines of only white space are ignored and left alone; a line starting with `${` counts as
 * indent 0). Works on the parts, so interpolated values never influence the indent.
 */
export function flushHeredoc(parts: FlatPart[]): void {
  let minSpaces = Number.POSITIVE_INFINITY
  let newline = true
  const adjust: Array<{part: Extract<FlatPart, {kind: 'literal'}>; spaces: number}> = []
  for (const part of parts) {
    if (part.kind === 'end') break
    if (newline) {
      newline = false
      let spaces = 0
      if (part.kind === 'literal') {
        const trimmed = trimSpaceStart(part.value)
        if (trimmed.length === 0 && part.value.endsWith('\n')) {
          spaces = Number.POSITIVE_INFINITY
        } else {
          spaces = countCodePoints(part.value.slice(0, part.value.length - trimmed.length))
          adjust.push({part, spaces})
        }
      }
      if (spaces < minSpaces) minSpaces = spaces
    }
    if (part.kind === 'literal' && part.value.endsWith('\n')) newline = true
  }
  if (!Number.isFinite(minSpaces) || minSpaces === 0) return
  for (const {part} of adjust) {
    let cut = 0
    for (let k = 0; k < minSpaces && cut < part.value.length; k++) {
      const c = part.value.charCodeAt(cut)
      cut += c >= 0xd800 && c <= 0xdbff ? 2 : 1
    }
    part.value = part.value.slice(cut)
  }
}

function countCodePoints(s: string): number {
  let count = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (!(c >= 0xdc00 && c <= 0xdfff)) count++
  }
  return count
}

/**
 * Joins adjacent literal parts (after stripping and flushing), normalising text to NFC as HCL does.
 * Works in place: `parts` is changed and returned.
 */
export function meldLiterals(parts: FlatPart[]): FlatPart[] {
  let kept = 0
  for (const part of parts) {
    const last = kept > 0 ? parts[kept - 1] : undefined
    if (part.kind === 'literal' && last?.kind === 'literal') {
      parts[kept - 1] = {kind: 'literal', value: last.value + part.value, range: TokenRange.join(last.range, part.range)}
    } else {
      parts[kept++] = part
    }
  }
  parts.length = kept
  for (const part of parts) {
    if (part.kind === 'literal') part.value = toNFC(part.value)
  }
  return parts
}

/** NFC form of `text`; text below U+0300 (no combining marks) is already NFC and is not scanned twice. */
export function toNFC(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x300) return text.normalize('NFC')
  }
  return text
}

function withoutDirectives(parts: readonly FlatPart[]): boolean {
  for (const part of parts) if (part.kind !== 'literal' && part.kind !== 'interp' && part.kind !== 'end') return false
  return true
}

/** The parts of a template without directives (nothing to nest), made from the flat list in its place. */
function partsInPlace(flat: FlatPart[]): TemplatePart[] {
  const parts = flat as unknown as TemplatePart[]
  // The flat list ends with its `end` part, which has no counterpart.
  flat.length--
  for (let i = 0; i < flat.length; i++) {
    const part = flat[i] as Extract<FlatPart, {kind: 'literal' | 'interp'}>
    parts[i] = part.kind === 'literal' ? {type: 'TemplateLiteral', value: part.value, range: part.range} : part.node
  }
  return parts
}

/** Pass two: nests `if`/`else`/`endif` and `for`/`endfor` into TemplateIf and TemplateFor nodes. */
export class TemplateTreeBuilder {
  private pos = 0

  constructor(
    private readonly p: ParserState,
    private readonly parts: FlatPart[],
  ) {}

  root(): TemplatePart[] {
    if (withoutDirectives(this.parts)) return partsInPlace(this.parts)
    const out: TemplatePart[] = []
    while (this.peek().kind !== 'end') out.push(this.part())
    return out
  }

  private peek(): FlatPart {
    return this.parts[this.pos]
  }

  private read(): FlatPart {
    const part = this.parts[this.pos]
    if (part.kind !== 'end') this.pos++
    return part
  }

  private placeholder(range: SourceRange): TemplateLiteral {
    return {type: 'TemplateLiteral', value: '', range}
  }

  private part(): TemplatePart {
    const next = this.peek()
    switch (next.kind) {
      case 'literal':
        this.read()
        return {type: 'TemplateLiteral', value: next.value, range: next.range}
      case 'interp':
        this.read()
        return next.node
      case 'if':
        return this.ifDirective()
      case 'for':
        return this.forDirective()
      case 'end':
        this.read()
        this.p.error('Unexpected end of template', 'The control directives within this template are unbalanced.', next.range)
        return this.placeholder(next.range)
      default:
        this.read()
        this.p.error(
          `Unexpected ${next.kind} directive`,
          'The control directives within this template are unbalanced.',
          next.range,
        )
        return this.placeholder(next.range)
    }
  }

  private ifDirective(): TemplatePart {
    const open = this.read() as Extract<FlatPart, {kind: 'if'}>
    const thenParts: TemplatePart[] = []
    let elseParts: TemplatePart[] | undefined
    let current = thenParts
    for (;;) {
      const next = this.peek()
      if (next.kind === 'end') {
        this.p.error(
          'Unexpected end of template',
          `The if directive at ${formatRange(open.range)} is missing its corresponding endif directive.`,
          next.range,
        )
        return this.placeholder(next.range)
      }
      if (next.kind === 'else' || next.kind === 'endif' || next.kind === 'endfor') {
        this.read()
        if (next.kind === 'else' && elseParts === undefined) {
          elseParts = []
          current = elseParts
          continue
        }
        if (next.kind === 'endif') {
          const node: TemplateIf = {
            type: 'TemplateIf',
            condition: open.condition,
            // biome-ignore lint/suspicious/noThenProperty: `then` is the AST contract's name for the true branch.
            then: thenParts,
            range: this.p.range(open.range, next.range),
          }
          if (elseParts !== undefined) node.else = elseParts
          return node
        }
        if (next.kind === 'else') {
          this.p.error(
            'Unexpected else directive',
            `Already in the else clause for the if started at ${formatRange(open.range)}.`,
            next.range,
          )
        } else {
          this.p.error(
            `Unexpected ${next.kind} directive`,
            `Expecting an endif directive for the if started at ${formatRange(open.range)}.`,
            next.range,
          )
        }
        return this.placeholder(next.range)
      }
      current.push(this.part())
    }
  }

  private forDirective(): TemplatePart {
    const open = this.read() as Extract<FlatPart, {kind: 'for'}>
    const body: TemplatePart[] = []
    for (;;) {
      const next = this.peek()
      if (next.kind === 'end') {
        this.p.error(
          'Unexpected end of template',
          `The for directive at ${formatRange(open.range)} is missing its corresponding endfor directive.`,
          next.range,
        )
        return this.placeholder(next.range)
      }
      if (next.kind === 'else' || next.kind === 'endif' || next.kind === 'endfor') {
        this.read()
        if (next.kind === 'endfor') {
          const node: TemplateFor = {
            type: 'TemplateFor',
            valueVar: open.valueVar,
            collection: open.collection,
            body,
            range: this.p.range(open.range, next.range),
          }
          if (open.keyVar !== undefined) node.keyVar = open.keyVar
          return node
        }
        if (next.kind === 'else') {
          this.p.error('Unexpected else directive', 'An else clause is not expected for a for directive.', next.range)
        } else {
          this.p.error(
            `Unexpected ${next.kind} directive`,
            `Expecting an endfor directive corresponding to the for directive at ${formatRange(open.range)}.`,
            next.range,
          )
        }
        return this.placeholder(next.range)
      }
      body.push(this.part())
    }
  }
}
