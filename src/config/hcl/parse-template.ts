/**
 * Templates: quoted strings and heredocs with `${}` interpolations and `%{}` directives. As in
 * HashiCorp's parser this runs in two passes: first a flat list of parts (literal text with
 * escapes decoded and strip markers applied, interpolations, directive markers), then heredoc
 * indent flushing, merging of adjacent text, and nesting of `if`/`for` directives into a tree.
 */
import type {TemplateExpr} from './ast.js'
import {PlainStringNode} from './nodes.js'
import {parseExpression} from './parse-expression.js'
import type {ParserState} from './parser-state.js'
import {type FlatPart, TemplateTreeBuilder, flushHeredoc, meldLiterals, toNFC} from './template-tree.js'
import {trimSpaceEnd, trimSpaceStart} from './text.js'
import type {TokenKind} from './token.js'

/** Parses a quoted string or heredoc at the cursor (its opening token next). */
export function parseTemplate(p: ParserState): TemplateExpr {
  const open = p.read()
  const heredoc = p.kind(open) === 'OHeredoc'
  if (!heredoc) {
    // Fast path for the common `"text"` and `""`: one literal part, nothing to strip or nest.
    const first = p.peek()
    if (p.kind(first) === 'CQuote') {
      p.read()
      return {
        type: 'Template',
        parts: [{type: 'TemplateLiteral', value: '', range: p.emptyRange(first)}],
        range: p.range(open, first),
      }
    }
    if (p.kind(first) === 'QuotedLit' && p.kind(first + 1) === 'CQuote') {
      p.read()
      p.read() // the closing quote, token first + 1
      return new PlainStringNode(p.rangeSource, open, first, toNFC(p.decode(first)))
    }
  }
  const closer: TokenKind = heredoc ? 'CHeredoc' : 'CQuote'
  let flush = false
  let marker = ''
  if (heredoc) {
    const text = p.text(open).replace(/\r?\n$/, '')
    flush = text.startsWith('<<-')
    marker = text.slice(flush ? 3 : 2)
  }
  const flat = parseParts(p, closer)
  if (flush) flushHeredoc(flat)
  const melded = meldLiterals(flat)
  const parts = new TemplateTreeBuilder(p, melded).root()
  const expr: TemplateExpr = {type: 'Template', parts, range: p.range(open, p.prev())}
  if (heredoc) expr.heredoc = {marker, stripIndent: flush}
  return expr
}

/** Pass one: the flat list of parts up to the closing token (always ending with an `end` part). */
function parseParts(p: ParserState, end: TokenKind): FlatPart[] {
  const parts: FlatPart[] = []
  const start = p.peek()
  let ltrimNext = false
  let nextCanTrimPrev = false
  let endTok: number
  for (;;) {
    const next = p.read()
    if (p.kind(next) === end) {
      endTok = next
      break
    }
    const ltrim = ltrimNext
    ltrimNext = false
    const canTrimPrev = nextCanTrimPrev
    nextCanTrimPrev = false

    if (p.kind(next) === 'StringLit' || p.kind(next) === 'QuotedLit') {
      let value = p.decode(next)
      if (ltrim) value = trimSpaceStart(value)
      parts.push({kind: 'literal', value, range: p.range(next)})
      nextCanTrimPrev = true
      continue
    }

    if (p.kind(next) === 'TemplateInterp' || p.kind(next) === 'TemplateControl') {
      const stripLeft = p.length(next) === 3
      // `${~` / `%{~` trims the white space at the end of the literal text just before it.
      if (canTrimPrev && stripLeft) {
        const prev = parts[parts.length - 1]
        if (prev?.kind === 'literal') prev.value = trimSpaceEnd(prev.value)
      }
      p.pushNewlines(false)
      const closed =
        p.kind(next) === 'TemplateInterp'
          ? parseInterpolation(p, next, start, end, stripLeft, parts)
          : parseDirective(p, next, parts)
      p.popNewlines()
      if (closed === 'strip') ltrimNext = true
      continue
    }

    if (!p.recovery) p.error('Unterminated template string', 'No closing marker was found for the string.', next)
    endTok = p.recover(end)
    break
  }
  if (parts.length === 0) {
    // `""` is one empty literal, so a template is never without parts.
    parts.push({kind: 'literal', value: '', range: p.emptyRange(start)})
  }
  parts.push({kind: 'end', range: p.range(endTok)})
  return parts
}

/** `${ expr }`; returns 'strip' when it closed with `~}`. */
function parseInterpolation(
  p: ParserState,
  open: number,
  templateStart: number,
  end: TokenKind,
  stripLeft: boolean,
  parts: FlatPart[],
): 'strip' | 'plain' {
  const expr = parseExpression(p)
  const close = p.peek()
  let strip = false
  if (p.kind(close) !== 'TemplateSeqEnd') {
    if (!p.recovery) {
      if (p.kind(close) === 'EOF') {
        p.error(
          'Unclosed template interpolation sequence',
          'There is no closing brace for this interpolation sequence before the end of the file. This might be caused by incorrect nesting inside the given expression.',
          templateStart,
        )
      } else if (p.kind(close) === 'Colon') {
        p.error(
          'Extra characters after interpolation expression',
          'Template interpolation doesn\'t expect a colon at this location. Did you intend this to be a literal sequence to be processed as part of another language? If so, you can escape it by starting with "$${" instead of just "${".',
          close,
        )
      } else if ((p.kind(close) === 'CQuote' || p.kind(close) === 'OQuote') && end === 'CQuote') {
        p.error(
          'Unclosed template interpolation sequence',
          'There is no closing brace for this interpolation sequence before the end of the quoted template. This might be caused by incorrect nesting inside the given expression.',
          templateStart,
        )
      } else {
        p.error(
          'Extra characters after interpolation expression',
          'Expected a closing brace to end the interpolation expression, but found extra characters.\n\nThis can happen when you include interpolation syntax for another language, such as shell scripting, but forget to escape the interpolation start token. If this is an embedded sequence for another language, escape it by starting with "$${" instead of just "${".',
          close,
        )
      }
    }
    p.recover('TemplateSeqEnd')
  } else {
    p.read()
    strip = p.length(close) === 2
  }
  parts.push({
    kind: 'interp',
    node: {type: 'TemplateInterpolation', expr, stripLeft, stripRight: strip, range: p.range(open, close)},
  })
  return strip ? 'strip' : 'plain'
}

const DIRECTIVE_KEYWORDS = ['if', 'for', 'else', 'endif', 'endfor'] as const

/** `%{ if c }`, `%{ else }`, `%{ endif }`, `%{ for k, v in c }`, `%{ endfor }`. */
function parseDirective(p: ParserState, open: number, parts: FlatPart[]): 'strip' | 'plain' | 'failed' {
  const kw = p.peek()
  if (p.kind(kw) !== 'Ident') {
    if (!p.recovery) {
      p.error(
        'Invalid template directive',
        'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.',
        kw,
      )
    }
    p.recover('TemplateSeqEnd')
    return 'failed'
  }
  p.read()
  const word = p.text(kw)
  switch (word) {
    case 'if': {
      const condition = parseExpression(p)
      parts.push({kind: 'if', condition, range: p.range(open, p.peek())})
      break
    }
    case 'else':
    case 'endif':
    case 'endfor':
      parts.push({kind: word, range: p.range(open, p.peek())})
      break
    case 'for': {
      const fail = (detail: string): 'failed' => {
        if (!p.recovery) p.error("Invalid 'for' directive", detail, p.peek())
        p.recover('TemplateSeqEnd')
        return 'failed'
      }
      if (p.peekKind() !== 'Ident') return fail("For directive requires variable name after 'for'.")
      let valueVar = p.text(p.read())
      let keyVar: string | undefined
      if (p.peekKind() === 'Comma') {
        keyVar = valueVar
        p.read()
        if (p.peekKind() !== 'Ident') return fail('For directive requires value variable name after comma.')
        valueVar = p.text(p.read())
      }
      if (!p.isKeyword(p.peek(), 'in')) return fail("For directive requires 'in' keyword after names.")
      p.read()
      const collection = parseExpression(p)
      parts.push({kind: 'for', keyVar, valueVar, collection, range: p.range(open, p.peek())})
      break
    }
    default: {
      if (!p.recovery) {
        const suggestion = suggest(word, DIRECTIVE_KEYWORDS)
        p.error(
          'Invalid template control keyword',
          `${JSON.stringify(word)} is not a valid template control keyword.${suggestion ? ` Did you mean ${JSON.stringify(suggestion)}?` : ''}`,
          kw,
        )
      }
      p.recover('TemplateSeqEnd')
      return 'failed'
    }
  }
  const close = p.peek()
  if (p.kind(close) !== 'TemplateSeqEnd') {
    if (!p.recovery) {
      p.error(
        `Extra characters in ${word} marker`,
        'Expected a closing brace to end the sequence, but found extra characters.',
        close,
      )
    }
    p.recover('TemplateSeqEnd')
    return 'plain'
  }
  p.read()
  return p.length(close) === 2 ? 'strip' : 'plain'
}

/** The closest candidate by edit distance (at most 2 edits), for "did you mean". */
function suggest(given: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of candidates) {
    const d = editDistance(given, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]
}
