/**
 * Collection constructors: tuples `[...]`, objects `{...}` and the `for` expressions that share
 * their brackets. Newlines are ignored inside tuples and `for`, but separate object items.
 */
import type {Expression, ForExpr, ObjectExpr, ObjectItem, TupleExpr} from './ast.js'
import {parseExpression, placeholder} from './parse-expression.js'
import type {ParserState} from './parser-state.js'
import type {TokenKind} from './token.js'

/** `[a, b, ...]` or `[for ...]`, at its `[`. */
export function parseTuple(p: ParserState): Expression {
  const open = p.read()
  p.pushNewlines(false)
  try {
    if (p.isKeyword(p.peek(), 'for')) return finishFor(p, open)
    const items: Expression[] = []
    let close: number
    for (;;) {
      if (p.peekKind() === 'CBrack') {
        close = p.read()
        break
      }
      const before = p.errorCount
      items.push(parseExpression(p))
      if (p.recovery && p.errorCount > before) {
        close = p.recover('CBrack')
        break
      }
      const next = p.peek()
      if (p.kind(next) === 'CBrack') {
        close = p.read()
        break
      }
      if (p.kind(next) !== 'Comma') {
        if (!p.recovery) {
          if (p.kind(next) === 'EOF') {
            p.error(
              'Unterminated tuple constructor expression',
              'There is no corresponding closing bracket before the end of the file. This may be caused by incorrect bracket nesting elsewhere in this file.',
              open,
            )
          } else {
            p.error('Missing item separator', 'Expected a comma to mark the beginning of the next item.', next)
          }
        }
        close = p.recover('CBrack')
        break
      }
      p.read()
    }
    const tuple: TupleExpr = {type: 'Tuple', items, range: p.range(open, close)}
    return tuple
  } finally {
    p.popNewlines()
  }
}

/** `{k = v, ...}` or `{for ...}`, at its `{`; object items are newline-separated like attributes. */
export function parseObject(p: ParserState): Expression {
  const open = p.read()
  // `for` may follow on a later line: for-expressions ignore newlines, objects do not.
  p.pushNewlines(false)
  const isFor = p.isKeyword(p.peek(), 'for')
  p.popNewlines()
  if (isFor) return finishFor(p, open)

  p.pushNewlines(true)
  const items: ObjectItem[] = []
  let close: number
  for (;;) {
    const next = p.peek()
    if (p.kind(next) === 'Newline') {
      p.read()
      continue
    }
    if (p.kind(next) === 'CBrace') {
      close = p.read()
      break
    }
    // Parentheses force a key to be an expression rather than a literal name.
    const forceExpression = p.kind(next) === 'OParen'
    const before = p.errorCount
    const key = parseExpression(p)
    if (p.recovery && p.errorCount > before) {
      close = p.recover('CBrace')
      break
    }
    const keyIsIdentifier =
      !forceExpression &&
      p.kind(next) === 'Ident' &&
      (key.type === 'Variable' || (key.type === 'Literal' && key.range.end === p.tokens.endPos(next)))

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
          p.error(
            'Unterminated object constructor expression',
            'There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
            open,
          )
        } else {
          p.error(
            'Missing key/value separator',
            'Expected an equals sign ("=") to mark the beginning of the attribute value.',
            sep,
          )
        }
      }
      close = p.recover('CBrace')
      break
    }
    p.read()
    const beforeValue = p.errorCount
    const value = parseExpression(p)
    items.push({key, keyIsIdentifier, value, range: p.range(key.range, value.range)})
    if (p.recovery && p.errorCount > beforeValue) {
      close = p.recover('CBrace')
      break
    }
    const after = p.peek()
    if (p.kind(after) === 'CBrace') {
      close = p.read()
      break
    }
    if (p.kind(after) !== 'Comma' && p.kind(after) !== 'Newline') {
      if (!p.recovery) {
        if (p.kind(after) === 'EOF') {
          p.error(
            'Unterminated object constructor expression',
            'There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
            open,
          )
        } else {
          p.error(
            'Missing attribute separator',
            'Expected a newline or comma to mark the beginning of the next attribute.',
            after,
          )
        }
      }
      close = p.recover('CBrace')
      break
    }
    p.read()
  }
  p.popNewlines()
  const object: ObjectExpr = {type: 'Object', items, range: p.range(open, close)}
  return object
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
