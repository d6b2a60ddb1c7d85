/**
 * Expressions of HCL native syntax: conditionals, binary operators by precedence, unary
 * operators, terms (literals, templates, variables, calls, tuples, objects, `for`), and the
 * traversal steps after a term (`.attr`, `[index]`, legacy `.0`, `.*` and `[*]` splats).
 * Structure and error messages follow HashiCorp's hclsyntax parser so both reject the same input
 * at the same place.
 */
import {GetAttrNode, TokenLiteralNode, VariableNode} from './nodes.js'
import type {BinaryOperator, CallExpr, Expression, LiteralExpr, SplatItemExpr} from './ast.js'
import {parseObject, parseTuple} from './parse-collections.js'
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
        ret = new GetAttrNode(p.rangeSource, ret, attr, p.name(attr))
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
  return new TokenLiteralNode(p.rangeSource, tok, Number.isNaN(value) ? null : value, raw)
}

export function placeholder(p: ParserState, from: number, to: number = from): LiteralExpr {
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
      const name = p.name(tok)
      if (name === 'true' || name === 'false') return new TokenLiteralNode(p.rangeSource, tok, name === 'true', name)
      if (name === 'null') return new TokenLiteralNode(p.rangeSource, tok, null, name)
      return new VariableNode(p.rangeSource, tok, name)
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
