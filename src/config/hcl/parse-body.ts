/**
 * Bodies: attributes (`name = expr`, one per line), blocks (`type "label" label {`), block
 * labels, and the one-line block form `b { a = 1 }`. Newline rules, recovery and messages follow
 * HashiCorp's hclsyntax parser.
 */
import type {Attribute, Block, BlockLabel, Body, BodyItem} from './ast.js'
import {AttributeNode, BlockNode, BodyNode, LabelNode} from './nodes.js'
import {parseExpression} from './parse-expression.js'
import type {ParserState} from './parser-state.js'

const UNCLOSED_BLOCK_DETAIL =
  'There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.'

/** Parses body items until `end` (EOF for a file, `}` for a block, whose `{` was just read). */
export function parseBody(p: ParserState, end: 'EOF' | 'CBrace'): Body {
  // This body's items go on the parser's shared list from `base` (nested bodies push theirs above
  // and take them off again), and leave as an exact-size copy: no growing array per body.
  const items = p.bodyItems
  const base = items.length
  // Attributes by name, made only for a long body: a short one is searched (most bodies hold a few).
  let attributes: Map<string, Attribute> | undefined
  const startTok = p.prev()
  let endTok: number
  for (;;) {
    const next = p.peek()
    if (p.kind(next) === end) {
      endTok = p.read()
      break
    }
    if (p.kind(next) === 'Newline') {
      p.read()
      continue
    }
    if (p.kind(next) === 'Ident') {
      const item = parseBodyItem(p)
      if (item === undefined) continue
      if (item.type === 'Attribute') {
        const existing = attributes ? attributes.get(item.name) : attributeNamed(items, base, item.name)
        if (existing) {
          p.error(
            'Attribute redefined',
            `The argument ${JSON.stringify(item.name)} was already set at ${existing.nameRange.file}:${existing.nameRange.start.line}:${existing.nameRange.start.column}. Each argument may be set only once.`,
            item.nameRange,
          )
          continue
        }
        if (attributes) attributes.set(item.name, item)
        else if (items.length - base >= LONG_BODY) attributes = attributesByName(items, base, item)
      }
      items.push(item)
      continue
    }
    const bad = p.read()
    if (!p.recovery) {
      if (p.kind(bad) === 'OQuote') {
        p.error('Invalid argument name', 'Argument names must not be quoted.', bad)
      } else if (p.kind(bad) === 'EOF') {
        if (end === 'CBrace') p.error('Unclosed configuration block', UNCLOSED_BLOCK_DETAIL, startTok)
        else p.error('Unclosed configuration body', 'Found end of file before the end of this configuration body.', startTok)
      } else {
        p.error('Argument or block definition required', 'An argument or block definition is required here.', bad)
      }
    }
    endTok = p.prev()
    p.recover(end)
    break
  }
  const own = items.slice(base)
  items.length = base
  return new BodyNode(p.rangeSource, startTok, endTok, own)
}

/** Bodies with this many items look their attributes up in a Map. */
const LONG_BODY = 16

/** The attribute called `name` among `items` from `base`, if any. */
function attributeNamed(items: readonly BodyItem[], base: number, name: string): Attribute | undefined {
  for (let i = base; i < items.length; i++) {
    const item = items[i] as BodyItem
    if (item.type === 'Attribute' && item.name === name) return item
  }
  return undefined
}

/** The attributes of `items` from `base`, and `added`, by name. */
function attributesByName(items: readonly BodyItem[], base: number, added: Attribute): Map<string, Attribute> {
  const map = new Map<string, Attribute>()
  for (let i = base; i < items.length; i++) {
    const item = items[i] as BodyItem
    if (item.type === 'Attribute') map.set(item.name, item)
  }
  map.set(added.name, added)
  return map
}

function parseBodyItem(p: ParserState): BodyItem | undefined {
  const ident = p.read()
  const next = p.peek()
  if (p.kind(next) === 'Equal') return finishAttribute(p, ident, false)
  if (p.kind(next) === 'OQuote' || p.kind(next) === 'OBrace' || p.kind(next) === 'Ident') return finishBlock(p, ident)
  p.recoverAfterBodyItem()
  p.error(
    'Argument or block definition required',
    'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.',
    ident,
  )
  return undefined
}

function finishAttribute(p: ParserState, ident: number, singleLine: boolean): Attribute {
  p.read() // =
  const before = p.errorCount
  const expr = parseExpression(p)
  if (p.recovery && p.errorCount > before) {
    p.recoverAfterBodyItem()
  } else if (!singleLine) {
    const end = p.peek()
    if (p.kind(end) !== 'Newline' && p.kind(end) !== 'EOF') {
      if (!p.recovery) {
        if (p.kind(end) === 'Comma') {
          p.error(
            'Unexpected comma after argument',
            'Argument definitions must be separated by newlines, not commas. An argument definition must end with a newline.',
            end,
          )
        } else {
          p.error('Missing newline after argument', 'An argument definition must end with a newline.', end)
        }
      }
      p.recoverAfterBodyItem()
    } else {
      p.read()
    }
  }
  // The attribute ends with its expression, not with the newline that terminates it.
  return new AttributeNode(p.rangeSource, ident, p.name(ident), expr)
}

function finishBlock(p: ParserState, ident: number): Block {
  // Most blocks have one label: kept apart, so the list is made once at its exact size.
  let firstLabel: BlockLabel | undefined
  let more: BlockLabel[] | undefined
  let open: number
  let headerEnd: number
  for (;;) {
    const tok = p.peek()
    if (p.kind(tok) === 'OBrace') {
      headerEnd = p.prev()
      open = p.read()
      break
    }
    let label: BlockLabel | undefined
    if (p.kind(tok) === 'OQuote') {
      label = parseLabel(p)
    } else if (p.kind(tok) === 'Ident') {
      p.read()
      label = new LabelNode(p.rangeSource, tok, tok, p.text(tok), false)
    }
    if (label !== undefined) {
      if (firstLabel === undefined) firstLabel = label
      else if (more === undefined) more = [label]
      else more.push(label)
      continue
    }
    if (p.kind(tok) === 'Equal') {
      p.error(
        'Invalid block definition',
        'The equals sign "=" indicates an argument definition, and must not be used when defining a block.',
        tok,
      )
    } else if (p.kind(tok) === 'Newline') {
      p.error(
        'Invalid block definition',
        'A block definition must have block content delimited by "{" and "}", starting on the same line as the block header.',
        tok,
      )
    } else if (!p.recovery) {
      p.error('Invalid block definition', 'Either a quoted string block label or an opening brace ("{") is expected here.', tok)
    }
    p.recoverAfterBodyItem()
    const labels = labelList(firstLabel, more)
    const endRange = labels.length > 0 ? labels[labels.length - 1].range : p.range(ident)
    return {
      type: 'Block',
      blockType: p.text(ident),
      typeRange: p.range(ident),
      headerRange: p.range(ident, endRange),
      labels,
      body: {type: 'Body', items: [], range: p.range(ident)},
      openBraceRange: p.range(ident),
      closeBraceRange: endRange,
      range: p.range(ident, endRange),
    }
  }

  const labels = labelList(firstLabel, more)
  let body: Body
  const first = p.peekKind()
  const entered = p.enter(open)
  if (!entered) {
    body = {type: 'Body', items: [], range: p.range(open)}
  } else if (first === 'Newline' || first === 'EOF' || first === 'CBrace') {
    body = parseBody(p, 'CBrace')
  } else {
    body = parseSingleAttributeBody(p, open)
    const after = p.peek()
    if (p.kind(after) === 'CBrace') {
      p.read()
    } else {
      if (p.kind(after) === 'Comma') {
        p.error(
          'Invalid single-argument block definition',
          'Single-line block syntax can include only one argument definition. To define multiple arguments, use the multi-line block syntax with one argument definition per line.',
          after,
        )
      } else if (p.kind(after) === 'Newline') {
        p.error(
          'Invalid single-argument block definition',
          "An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition.",
          after,
        )
      } else if (!p.recovery) {
        if (p.kind(after) === 'EOF') {
          p.error('Unclosed configuration block', UNCLOSED_BLOCK_DETAIL, open)
        } else {
          p.error(
            'Invalid single-argument block definition',
            'A single-line block definition must end with a closing brace immediately after its single argument definition.',
            after,
          )
        }
      }
      p.recover('CBrace')
    }
  }
  if (entered) p.leave()
  const close = p.prev()

  const eol = p.peek()
  if (p.kind(eol) === 'Newline' || p.kind(eol) === 'EOF') {
    p.read()
  } else {
    if (!p.recovery) p.error('Missing newline after block definition', 'A block definition must end with a newline.', eol)
    p.recoverAfterBodyItem()
  }

  return new BlockNode(p.rangeSource, ident, headerEnd, open, close, p.name(ident), labels, body)
}

/** A block's labels from the first and the others. */
function labelList(first: BlockLabel | undefined, more: BlockLabel[] | undefined): BlockLabel[] {
  if (first === undefined) return []
  return more === undefined ? [first] : [first, ...more]
}

/** The body of `b { a = 1 }`: exactly one attribute, on the block's line. */
function parseSingleAttributeBody(p: ParserState, open: number): Body {
  const ident = p.read()
  const empty: Body = {type: 'Body', items: [], range: p.range(open, ident)}
  if (p.kind(ident) !== 'Ident') {
    p.recoverAfterBodyItem()
    p.error('Argument or block definition required', 'An argument or block definition is required here.', ident)
    return empty
  }
  const next = p.peek()
  if (p.kind(next) === 'Equal') {
    const attribute = finishAttribute(p, ident, true)
    return {type: 'Body', items: [attribute], range: p.range(open, p.peek())}
  }
  p.recoverAfterBodyItem()
  if (p.kind(next) === 'OQuote' || p.kind(next) === 'OBrace' || p.kind(next) === 'Ident') {
    p.error(
      'Argument definition required',
      `A single-line block definition can contain only a single argument. If you meant to define argument ${JSON.stringify(p.text(ident))}, use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block.`,
      p.range(ident, next),
    )
  } else {
    p.error(
      'Argument or block definition required',
      'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.',
      ident,
    )
  }
  return empty
}

/** A quoted block label: escapes allowed, template sequences not. */
function parseLabel(p: ParserState): BlockLabel {
  const open = p.read()
  let value = ''
  let end: number
  for (;;) {
    const tok = p.read()
    if (p.kind(tok) === 'CQuote') {
      end = tok
      break
    }
    if (p.kind(tok) === 'QuotedLit') {
      value += p.decode(tok)
      continue
    }
    if (p.kind(tok) === 'TemplateInterp' || p.kind(tok) === 'TemplateControl') {
      const which = p.kind(tok) === 'TemplateControl' ? '%' : '$'
      p.error(
        'Invalid string literal',
        `Template sequences are not allowed in this string. To include a literal ${JSON.stringify(which)}, double it (as "${which}${which}") to escape it.`,
        tok,
      )
      value += `${which}{ ... }`
      p.recover('TemplateSeqEnd')
      continue
    }
    if (p.kind(tok) === 'EOF') {
      p.error('Unterminated string literal', 'Unable to find the closing quote mark before the end of the file.', tok)
      end = tok
      break
    }
    p.error('Invalid string literal', 'This item is not valid in a string literal.', tok)
    p.recover('CQuote')
    end = tok
    break
  }
  return new LabelNode(p.rangeSource, open, end, value, true)
}
