/**
 * Collection constructors: tuples `[...]`, objects `{...}` and the `for` expressions that share
 * their brackets. Tuples and objects read their items through one loop, `readItems`, and differ
 * only in what `ItemSyntax` says: the closing bracket, the item, the messages, and newlines, which
 * are ignored inside tuples and `for` but separate object items.
 */
import type {Expression, ForExpr, ObjectExpr, ObjectItem, TupleExpr} from './ast.js'
import {parseExpression, placeholder} from './parse-expression.js'
import type {ParserState} from './parser-state.js'
import type {TokenKind} from './token.js'

/** `[a, b, ...]` or `[for ...]`, at its `[`. */
export function parseTuple(p: ParserState): Expression {
  const open = p.read()
  if (forFollows(p)) return finishFor(p, open)
  const items: Expression[] = []
  const close = readItems(p, open, TUPLE_ITEMS, items)
  // Exact-size copies of the item lists, as for bodies (parse-body.ts).
  const tuple: TupleExpr = {type: 'Tuple', items: items.slice(), range: p.range(open, close)}
  return tuple
}

/** `{k = v, ...}` or `{for ...}`, at its `{`; object items are newline-separated like attributes. */
export function parseObject(p: ParserState): Expression {
  const open = p.read()
  if (forFollows(p)) return finishFor(p, open)
  const items: ObjectItem[] = []
  const close = readItems(p, open, OBJECT_ITEMS, items)
  const object: ObjectExpr = {type: 'Object', items: items.slice(), range: p.range(open, close)}
  return object
}

/** Whether the keyword `for` comes next, on this line or a later one (a `for` ignores newlines, even in braces). */
function forFollows(p: ParserState): boolean {
  p.pushNewlines(false)
  const isFor = p.isKeyword(p.peek(), 'for')
  p.popNewlines()
  return isFor
}

/** A diagnostic's text, reported at a position the reporter chooses. */
interface Message {
  readonly summary: string
  readonly detail: string
}

/** What sets one kind of collection's items apart; `readItems` does the rest the same way for all. */
interface ItemSyntax<T> {
  /** The closing bracket, which recovery skips to. */
  readonly close: TokenKind
  /** Whether newlines are significant between the brackets; where they are, they separate items as commas do. */
  readonly newlines: boolean
  /** Reported at the opening bracket when the file ends where a separator or the close should be. */
  readonly unterminated: Message
  /** Reported at what stands where a separator or the close should be. */
  readonly missingSeparator: Message
  /**
   * Parses one item, at its first token, onto `items`. False when the list must stop and recover
   * (skip to its close): the item failed and its error is reported, or silenced in recovery mode.
   */
  readonly item: (p: ParserState, items: T[], open: number) => boolean
}

/** Tuples: comma-separated expressions; newlines ignored. */
const TUPLE_ITEMS: ItemSyntax<Expression> = {
  close: 'CBrack',
  newlines: false,
  unterminated: {
    summary: 'Unterminated tuple constructor expression',
    detail:
      'There is no corresponding closing bracket before the end of the file. This may be caused by incorrect bracket nesting elsewhere in this file.',
  },
  missingSeparator: {summary: 'Missing item separator', detail: 'Expected a comma to mark the beginning of the next item.'},
  item: parseTupleItem,
}

/** Objects: `key = value` items separated by commas or newlines. */
const OBJECT_ITEMS: ItemSyntax<ObjectItem> = {
  close: 'CBrace',
  newlines: true,
  unterminated: {
    summary: 'Unterminated object constructor expression',
    detail:
      'There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
  },
  missingSeparator: {
    summary: 'Missing attribute separator',
    detail: 'Expected a newline or comma to mark the beginning of the next attribute.',
  },
  item: parseObjectItem,
}

/**
 * Reads the items of a tuple or object, its opening bracket `open` already read, through the
 * closing bracket, and returns that bracket. Items are separated by a comma (or a significant
 * newline), and one may follow the last item. A failed item or a missing separator ends the list:
 * the cursor skips to the close (`ParserState.recover`, which then returns it or EOF).
 */
function readItems<T>(p: ParserState, open: number, syntax: ItemSyntax<T>, items: T[]): number {
  p.pushNewlines(syntax.newlines)
  try {
    for (;;) {
      const next = p.peekKind()
      // Blank lines between object items; inside tuples the cursor hides newlines.
      if (next === 'Newline') {
        p.read()
        continue
      }
      if (next === syntax.close) return p.read()
      if (!syntax.item(p, items, open)) return p.recover(syntax.close)
      const after = p.peek()
      const kind = p.kind(after)
      if (kind === syntax.close) return p.read()
      if (kind !== 'Comma' && kind !== 'Newline') {
        if (!p.recovery) {
          if (kind === 'EOF') p.error(syntax.unterminated.summary, syntax.unterminated.detail, open)
          else p.error(syntax.missingSeparator.summary, syntax.missingSeparator.detail, after)
        }
        return p.recover(syntax.close)
      }
      p.read()
    }
  } finally {
    p.popNewlines()
  }
}

/** One tuple item: any expression. */
function parseTupleItem(p: ParserState, items: Expression[]): boolean {
  const before = p.errorCount
  items.push(parseExpression(p))
  return !(p.recovery && p.errorCount > before)
}

/** One object item: `key = value` or `key: value`, the key an identifier or any expression. */
function parseObjectItem(p: ParserState, items: ObjectItem[], open: number): boolean {
  const first = p.peek()
  // Parentheses force a key to be an expression rather than a literal name.
  const forceExpression = p.kind(first) === 'OParen'
  const before = p.errorCount
  const key = parseExpression(p)
  if (p.recovery && p.errorCount > before) return false
  const keyIsIdentifier =
    !forceExpression &&
    p.kind(first) === 'Ident' &&
    (key.type === 'Variable' || (key.type === 'Literal' && key.range.end.byte === p.tokens.endPos(first).byte))

  const sep = p.peek()
  if (p.kind(sep) !== 'Equal' && p.kind(sep) !== 'Colon') {
    if (!p.recovery) {
      if (p.kind(sep) === 'Newline' || p.kind(sep) === 'Comma') {
        p.error('Missing attribute value', 'Expected an attribute value, introduced by an equals sign ("=").', sep)
      } else if (p.kind(sep) === 'Ident') {
        p.error(
          'Missing key/value separator',
          'Expected an equals sign ("=") to mark the beginning of the attribute value. If you intended to given an attribute name containing periods or spaces, write the name in quotes to create a string literal.',
          sep,
        )
      } else if (p.kind(sep) === 'EOF') {
        p.error(OBJECT_ITEMS.unterminated.summary, OBJECT_ITEMS.unterminated.detail, open)
      } else {
        p.error('Missing key/value separator', 'Expected an equals sign ("=") to mark the beginning of the attribute value.', sep)
      }
    }
    return false
  }
  p.read()
  const beforeValue = p.errorCount
  const value = parseExpression(p)
  items.push({key, keyIsIdentifier, value, range: p.range(key.range, value.range)})
  return !(p.recovery && p.errorCount > beforeValue)
}

/** `[for ...]` or `{for ...}`, with the opening bracket read and `for` next. */
function finishFor(p: ParserState, open: number): Expression {
  p.pushNewlines(false)
  try {
    p.read() // `for`
    const makeObject = p.kind(open) === 'OBrace'
    const closeKind: TokenKind = makeObject ? 'CBrace' : 'CBrack'
    const fail = (detail: string): Expression => {
      if (!p.recovery) p.error("Invalid 'for' expression", detail, p.peek())
      return placeholder(p, open, p.recover(closeKind))
    }

    if (p.peekKind() !== 'Ident') return fail("For expression requires variable name after 'for'.")
    let valueVar = p.text(p.read())
    let keyVar: string | undefined
    if (p.peekKind() === 'Comma') {
      keyVar = valueVar
      p.read()
      if (p.peekKind() !== 'Ident') return fail('For expression requires value variable name after comma.')
      valueVar = p.text(p.read())
    }
    if (!p.isKeyword(p.peek(), 'in')) return fail("For expression requires the 'in' keyword after its name declarations.")
    p.read()

    const before = p.errorCount
    const collection = parseExpression(p)
    if (p.recovery && p.errorCount > before) return placeholder(p, open, p.recover(closeKind))
    if (p.peekKind() !== 'Colon') return fail('For expression requires a colon after the collection expression.')
    p.read()

    const beforeValue = p.errorCount
    let keyExpr: Expression | undefined
    let valueExpr = parseExpression(p)
    if (p.peekKind() === 'FatArrow') {
      p.read()
      keyExpr = valueExpr
      valueExpr = parseExpression(p)
    }
    if (p.recovery && p.errorCount > beforeValue) return placeholder(p, open, p.recover(closeKind))

    let ellipsis: number | undefined
    if (p.peekKind() === 'Ellipsis') ellipsis = p.read()

    let condition: Expression | undefined
    if (p.isKeyword(p.peek(), 'if')) {
      p.read()
      const beforeCondition = p.errorCount
      condition = parseExpression(p)
      if (p.recovery && p.errorCount > beforeCondition) return placeholder(p, open, p.recover(closeKind))
    }

    let close: number
    if (p.peekKind() === closeKind) {
      close = p.read()
    } else {
      if (!p.recovery) p.error("Invalid 'for' expression", "Extra characters after the end of the 'for' expression.", p.peek())
      close = p.recover(closeKind)
    }

    if (!makeObject) {
      if (keyExpr) p.error("Invalid 'for' expression", 'Key expression is not valid when building a tuple.', keyExpr.range)
      if (ellipsis) p.error("Invalid 'for' expression", 'Grouping ellipsis (...) cannot be used when building a tuple.', ellipsis)
    } else if (!keyExpr) {
      p.error("Invalid 'for' expression", 'Key expression is required when building an object.', valueExpr.range)
    }

    const result: ForExpr = {
      type: 'For',
      keyVar,
      valueVar,
      collection,
      keyExpr,
      valueExpr,
      condition,
      grouping: ellipsis !== undefined,
      range: p.range(open, close),
    }
    return result
  } finally {
    p.popNewlines()
  }
}
