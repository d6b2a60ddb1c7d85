/**
 * Expressions of HCL native syntax: conditionals, binary operators by precedence, unary
 * operators, terms (literals, templates, variables, calls, tuples, objects, `for`), and the
 * traversal steps after a term (`.attr`, `[index]`, legacy `.0`, `.*` and `[*]` splats).
 * Structure and error messages follow HashiCorp's hclsyntax parser so both reject the same input
 * at the same place.
 */
import type {
  BinaryOperator,
  CallExpr,
  Expression,
  ForExpr,
  LiteralExpr,
  ObjectExpr,
  ObjectItem,
  SplatItemExpr,
  TupleExpr,
} from './ast.js'
import {parseTemplate} from './parse-template.js'
import type {ParserState} from './parser-state.js'
import type {TokenKind} from './token.js'

/**
 * Binary operators and their precedence, 1 the loosest (`||`) to 6 the tightest (`*`); all are
 * left-associative, as in HCL.
 */
const BINARY: Partial<Record<TokenKind, readonly [BinaryOperator, number]>> = {
  Or: ['||', 1],
  And: ['&&', 2],
  EqualOp: ['==', 3],
  NotEqual: ['!=', 3],
  GreaterThan: ['>', 4],
  GreaterThanEq: ['>=', 4],
  LessThan: ['<', 4],
  LessThanEq: ['<=', 4],
  Plus: ['+', 5],
  Minus: ['-', 5],
  Star: ['*', 6],
  Slash: ['/', 6],
  Percent: ['%', 6],
}

/** Parses one expression at the cursor (a conditional at the loosest level). */
export function parseExpression(p: ParserState): Expression {
  const start = p.peek()
  if (!p.enter(start)) return placeholder(p, start)
  const expr = parseConditional(p, start)
  p.leave()
  return expr
}

function parseConditional(p: ParserState, start: number): Expression {
  const before = p.errorCount
  const condition = parseBinary(p, 1)
  if (p.recovery && p.errorCount > before) return condition
  if (p.peekKind() !== 'Question') return condition
  p.read()

  const thenExpr = parseExpression(p)
  if (p.recovery && p.errorCount > before) return condition

  const colon = p.peek()
  if (p.kind(colon) !== 'Colon') {
    p.error(
      'Missing false expression in conditional',
      'The conditional operator (...?...:...) requires a false expression, delimited by a colon.',
      colon,
    )
    return condition
  }
  p.read()
  const elseExpr = parseExpression(p)
  if (p.recovery && p.errorCount > before) return condition
  // biome-ignore lint/suspicious/noThenProperty: `then` is the AST contract's name for the true branch.
  return {type: 'Conditional', condition, then: thenExpr, else: elseExpr, range: p.range(start, elseExpr.range)}
}

/**
 * Binary operators of precedence `minLevel` and tighter, by precedence climbing: the same
 * left-associative trees as HCL's one-function-per-level parser, with one look-ahead per operand.
 */
function parseBinary(p: ParserState, minLevel: number): Expression {
  const before = p.errorCount
  let lhs = parseWithTraversals(p)
  if (p.recovery && p.errorCount > before) return lhs
  for (;;) {
    const entry = BINARY[p.peekKind()]
    if (entry === undefined || entry[1] < minLevel) return lhs
    p.read()
    const beforeRhs = p.errorCount
    const rhs = parseBinary(p, entry[1] + 1)
    if (p.recovery && p.errorCount > beforeRhs) return lhs
    lhs = {type: 'Binary', op: entry[0], left: lhs, right: rhs, range: p.range(lhs.range, rhs.range)}
  }
}

function parseWithTraversals(p: ParserState): Expression {
  return parseTraversals(p, parseTerm(p))
}

/** Applies every `.attr`, `.N`, `[key]`, `.*` and `[*]` that follows `from`. */
function parseTraversals(p: ParserState, from: Expression): Expression {
  let ret = from
  for (;;) {
    const next = p.peek()
    if (p.kind(next) === 'Dot') {
      const dot = p.read()
      const attr = p.peek()
      if (p.kind(attr) === 'Ident') {
        p.read()
        ret = {type: 'GetAttr', object: ret, name: p.text(attr), nameRange: p.range(attr), range: p.range(from.range, attr)}
      } else if (p.kind(attr) === 'NumberLit') {
        p.read()
        ret = {
          type: 'Index',
          collection: ret,
          key: legacyIndexKey(p, attr, false),
          legacy: true,
          range: p.range(from.range, attr),
        }
      } else if (p.kind(attr) === 'Star') {
        const marker = p.read()
        const item: SplatItemExpr = {type: 'SplatItem', range: p.range(dot, marker)}
        let each: Expression = item
        let last: number = marker
        let abandoned = false
        while (p.peekKind() === 'Dot') {
          p.read()
          const step = p.peek()
          if (p.kind(step) === 'NumberLit') {
            p.read()
            each = {
              type: 'Index',
              collection: each,
              key: legacyIndexKey(p, step, true),
              legacy: true,
              range: p.range(item.range, step),
            }
            last = step
            continue
          }
          if (p.kind(step) !== 'Ident') {
            if (!p.recovery) {
              if (p.kind(step) === 'Star') {
                p.error(
                  'Nested splat expression not allowed',
                  'A splat expression (*) cannot be used inside another attribute-only splat expression.',
                  step,
                )
              } else {
                p.error('Invalid attribute name', 'An attribute name is required after a dot.', attr)
              }
            }
            p.recovery = true
            abandoned = true
            break
          }
          p.read()
          each = {type: 'GetAttr', object: each, name: p.text(step), nameRange: p.range(step), range: p.range(item.range, step)}
          last = step
        }
        if (abandoned) continue
        ret = {type: 'Splat', source: ret, each, full: false, range: p.range(from.range, last)}
      } else {
        p.error('Invalid attribute name', 'An attribute name is required after a dot.', attr)
        p.recovery = true
      }
      continue
    }
    if (p.kind(next) === 'OBrack') {
      const open = p.read()
      if (p.peekKind() === 'Star') {
        p.read()
        let close = p.read()
        if (p.kind(close) !== 'CBrack' && !p.recovery) {
          p.error(
            'Missing close bracket on splat index',
            'The star for a full splat operator must be immediately followed by a closing bracket ("]").',
            close,
          )
          close = p.recover('CBrack')
        }
        const item: SplatItemExpr = {type: 'SplatItem', range: p.range(open, close)}
        if (!p.enter(open)) return ret
        const each = parseTraversals(p, item)
        p.leave()
        ret = {type: 'Splat', source: ret, each, full: true, range: p.range(from.range, each.range)}
        continue
      }
      p.pushNewlines(false)
      const before = p.errorCount
      const key = parseExpression(p)
      let close: number
      if (p.recovery && p.errorCount > before) {
        close = p.recover('CBrack')
      } else {
        close = p.read()
        if (p.kind(close) !== 'CBrack' && !p.recovery) {
          p.error('Missing close bracket on index', 'The index operator must end with a closing bracket ("]").', close)
          close = p.recover('CBrack')
        }
      }
      p.popNewlines()
      ret = {type: 'Index', collection: ret, key, legacy: false, range: p.range(from.range, close)}
      continue
    }
    return ret
  }
}

/** The key of a legacy `.N` index; `.0.1` lexes as one number and is rejected. */
function legacyIndexKey(p: ParserState, tok: number, inSplat: boolean): LiteralExpr {
  const raw = p.text(tok)
  const dot = raw.indexOf('.')
  if (dot >= 0) {
    const first = raw.slice(0, dot)
    const second = raw.slice(dot + 1)
    p.error(
      'Invalid legacy index syntax',
      inSplat
        ? `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax with a full splat expression [*] instead, like [${first}][${second}].`
        : `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [${first}][${second}].`,
      tok,
    )
    return {type: 'Literal', value: null, raw, range: p.range(tok)}
  }
  return numberLiteral(p, tok)
}

function numberLiteral(p: ParserState, tok: number): LiteralExpr {
  const raw = p.text(tok)
  const value = Number(raw)
  if (Number.isNaN(value)) {
    p.error('Invalid number literal', 'Failed to recognize the value of this number literal.', tok)
  }
  return {type: 'Literal', value: Number.isNaN(value) ? null : value, raw, range: p.range(tok)}
}

function placeholder(p: ParserState, from: number, to: number = from): LiteralExpr {
  return {type: 'Literal', value: null, raw: '', range: p.range(from, to)}
}

function parseTerm(p: ParserState): Expression {
  const start = p.peek()
  switch (p.kind(start)) {
    case 'OParen': {
      const open = p.read()
      p.pushNewlines(false)
      const before = p.errorCount
      const expr = parseExpression(p)
      if (p.errorCount > before) {
        p.recover('CParen')
        p.popNewlines()
        return expr
      }
      const close = p.peek()
      if (p.kind(close) !== 'CParen') {
        p.error('Unbalanced parentheses', 'Expected a closing parenthesis to terminate the expression.', close)
        p.recovery = true
      }
      const cparen = p.read()
      p.popNewlines()
      return {type: 'Paren', expr, range: p.range(open, cparen)}
    }
    case 'NumberLit':
      return numberLiteral(p, p.read())
    case 'Ident': {
      const tok = p.read()
      const after = p.peekKind()
      if (after === 'OParen' || after === 'DoubleColon') return finishCall(p, tok)
      const name = p.text(tok)
      if (name === 'true' || name === 'false') return {type: 'Literal', value: name === 'true', raw: name, range: p.range(tok)}
      if (name === 'null') return {type: 'Literal', value: null, raw: name, range: p.range(tok)}
      return {type: 'Variable', name, range: p.range(tok)}
    }
    case 'OQuote':
    case 'OHeredoc':
      return parseTemplate(p)
    case 'Minus':
    case 'Bang': {
      const tok = p.read()
      if (!p.enter(tok)) return placeholder(p, tok)
      // Only a term and its traversals: `-46+5` is `(-46)+5`.
      const operand = parseWithTraversals(p)
      p.leave()
      return {type: 'Unary', op: p.kind(tok) === 'Minus' ? '-' : '!', operand, range: p.range(tok, operand.range)}
    }
    case 'OBrack':
      return parseTuple(p)
    case 'OBrace':
      return parseObject(p)
    default:
      if (!p.recovery) {
        if (p.kind(start) === 'EOF') {
          p.error('Missing expression', 'Expected the start of an expression, but found the end of the file.', start)
        } else {
          p.error('Invalid expression', 'Expected the start of an expression, but found an invalid expression token.', start)
        }
      }
      p.recovery = true
      return placeholder(p, start)
  }
}

/** `name(args)` or `ns::name(args)`, with the name token already read. */
function finishCall(p: ParserState, nameTok: number): Expression {
  let open = p.read()
  let name = p.text(nameTok)
  let nameEnd: number = nameTok
  while (p.kind(open) === 'DoubleColon') {
    const part = p.read()
    if (p.kind(part) !== 'Ident') {
      p.error(
        'Missing function name',
        'Function scope resolution symbol :: must be followed by a function name in this scope.',
        part,
      )
      p.recoverOver('OParen')
      return placeholder(p, nameTok, part)
    }
    name += `::${p.text(part)}`
    nameEnd = part
    open = p.read()
  }
  if (p.kind(open) !== 'OParen') {
    p.error(
      'Missing open parenthesis',
      'Function selector must be followed by an open parenthesis to begin the function call.',
      open,
    )
    p.recoverOver('OParen')
    return placeholder(p, nameTok, open)
  }

  const args: Expression[] = []
  let expandFinal = false
  let close: number | undefined
  p.pushNewlines(false)
  for (;;) {
    if (p.peekKind() === 'CParen') {
      close = p.read()
      break
    }
    const before = p.errorCount
    args.push(parseExpression(p))
    if (p.recovery && p.errorCount > before) {
      const recovered = p.recover('CParen')
      if (p.kind(recovered) === 'CParen') close = recovered
      break
    }
    const sep = p.read()
    if (p.kind(sep) === 'CParen') {
      close = sep
      break
    }
    if (p.kind(sep) === 'Ellipsis') {
      expandFinal = true
      if (p.peekKind() !== 'CParen') {
        if (!p.recovery) {
          p.error(
            'Missing closing parenthesis',
            'An expanded function argument (with ...) must be immediately followed by closing parentheses.',
            sep,
          )
        }
        close = p.recover('CParen')
      } else {
        close = p.read()
      }
      break
    }
    if (p.kind(sep) !== 'Comma') {
      if (p.kind(sep) === 'EOF') {
        p.error(
          'Unterminated function call',
          'There is no closing parenthesis for this function call before the end of the file. This may be caused by incorrect parenthesis nesting elsewhere in this file.',
          p.range(nameTok, open),
        )
      } else {
        p.error('Missing argument separator', 'A comma is required to separate each function argument from the next.', sep)
      }
      close = p.recover('CParen')
      break
    }
    if (p.peekKind() === 'CParen') {
      close = p.read()
      break
    }
  }
  p.popNewlines()
  const end = close ?? p.prev()
  const call: CallExpr = {
    type: 'Call',
    name,
    nameRange: p.range(nameTok, nameEnd),
    args,
    expandFinal,
    range: p.range(nameTok, end),
  }
  return call
}

function parseTuple(p: ParserState): Expression {
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

function parseObject(p: ParserState): Expression {
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
