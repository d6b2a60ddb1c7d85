/**
 * Evaluates HCL expressions (the AST of `hcl/ast.ts`) to values. The evaluator knows the language:
 * literals, templates and directives, operators, conditionals, `for` expressions, splats, indexes,
 * attribute access and function calls. What names mean (`var.x`, `local.y`, `endpoint.z`,
 * `project.team`) is the host's business: a root name followed by `.name` is handed to `resolve`.
 * Every problem becomes a diagnostic at the range of the expression at fault, and its value Poison,
 * so that evaluation goes on and later problems are reported too. Nothing here throws on bad input.
 */
import type {Expression, ForExpr, Range, TemplateExpr, TemplatePart} from './hcl/ast.js'
import type {DiagnosticBag} from './diagnostic-bag.js'
import {FUNCTIONS, FUNCTION_NAMES, type FunctionContext, FunctionError} from './functions.js'
import {closest} from '../model/suggest.js'
import {
  type Value,
  type ValueObject,
  containsSecret,
  convertToBool,
  convertToNumber,
  convertToString,
  getKey,
  isObjectValue,
  isPoison,
  objectFrom,
  poison,
  revealDeep,
  sensitize,
  setKey,
  typeName,
  valuesEqual,
} from './values.js'
import {Secret, isSecret} from '../model/secret.js'

/** Where something is written; its range is read only to report a problem. */
export interface Where {
  readonly range: Range
}

/** Where a reference is written: the whole of it and its name. */
export interface Located extends Where {
  readonly nameRange: Range
}

/** Names bound by `for` expressions and template `for` directives (and `each` inside for_each blocks). */
export type Bindings = ReadonlyMap<string, Value>

/** The name the element of a splat is bound to while its traversal is evaluated (not a valid identifier). */
const SPLAT_ITEM = '\u0000splat'

/** Deeper expressions than this are refused rather than risking the stack. */
const MAX_DEPTH = 256

/** What the evaluator asks of the code that gives names their meaning. */
export interface EvalHost {
  readonly diagnostics: DiagnosticBag
  readonly functionContext: FunctionContext
  /** Whether `name` is a root the host resolves (`var`, `local`, `endpoint`, a kind name...). */
  isRoot(name: string): boolean
  /**
   * The value of `root.name`; reports its own errors (and returns Poison) for an unknown name, at
   * `at`'s ranges (read only then: most references are fine, and their ranges are made when read).
   */
  resolve(root: string, name: string, at: Located): Value
  /** A root used without `.name` (`var` alone): the host explains how to use it. */
  bareRoot(root: string, range: Range): void
  /** Every root name, for "did you mean" when a bare name is unknown. */
  rootNames(): Iterable<string>
  /** Called with every object an attribute or element is read from, for reference tracking. */
  onRead?(object: ValueObject | Value[]): void
}

/** Evaluates expressions for one host. Cheap to create; holds no state between calls besides the depth guard. */
export class Evaluator {
  private depth = 0

  constructor(private readonly host: EvalHost) {}

  /** The value of `expr`; Poison (after a diagnostic) when it has an error. */
  evaluate(expr: Expression, bindings: Bindings = EMPTY): Value {
    if (++this.depth > MAX_DEPTH) {
      this.depth--
      return this.error('Expression too deeply nested', expr.range, `Expressions may nest at most ${MAX_DEPTH} levels deep.`)
    }
    try {
      return this.evaluateNode(expr, bindings)
    } finally {
      this.depth--
    }
  }

  private error(summary: string, range: Range, detail?: string): Value {
    this.host.diagnostics.error(summary, range, detail)
    return poison
  }

  private evaluateNode(expr: Expression, bindings: Bindings): Value {
    switch (expr.type) {
      case 'Literal':
        return expr.value
      case 'Template':
        return this.template(expr, bindings)
      case 'Paren':
        return this.evaluate(expr.expr, bindings)
      case 'Variable':
        return this.variable(expr.name, expr, bindings)
      case 'SplatItem': {
        const item = bindings.get(SPLAT_ITEM)
        return item === undefined ? this.error('Invalid splat', expr.range) : item
      }
      case 'GetAttr': {
        const root = expr.object
        if (root.type === 'Variable' && !bindings.has(root.name) && this.host.isRoot(root.name)) {
          return this.host.resolve(root.name, expr.name, expr)
        }
        return this.getAttr(this.evaluate(root, bindings), expr.name, expr)
      }
      case 'Index':
        return this.index(expr.collection, expr.key, expr.range, bindings)
      case 'Splat':
        return this.splat(expr.source, expr.each, bindings)
      case 'Call':
        return this.call(expr, bindings)
      case 'Tuple': {
        const items: Value[] = []
        for (const item of expr.items) items.push(this.evaluate(item, bindings))
        return items
      }
      case 'Object':
        return this.object(expr, bindings)
      case 'For':
        return this.forExpr(expr, bindings)
      case 'Conditional': {
        const condition = this.evaluate(expr.condition, bindings)
        if (isPoison(condition)) return poison
        const bool = convertToBool(condition)
        if (bool === undefined) {
          return this.error(
            'Invalid condition',
            expr.condition.range,
            `The condition must be a bool, got ${typeName(condition)}.`,
          )
        }
        return this.evaluate(bool ? expr.then : expr.else, bindings)
      }
      case 'Unary':
        return this.unary(expr.op, expr.operand, expr.range, bindings)
      case 'Binary':
        return this.binary(expr, bindings)
    }
  }

  private variable(name: string, at: Where, bindings: Bindings): Value {
    const bound = bindings.get(name)
    if (bound !== undefined) return bound
    const range = at.range
    if (this.host.isRoot(name)) {
      this.host.bareRoot(name, range)
      return poison
    }
    const candidates = [...this.host.rootNames(), ...[...bindings.keys()].filter((key) => key !== SPLAT_ITEM)]
    const suggestion = closest(name, candidates)
    return this.error(
      'Unknown variable',
      range,
      `There is no variable named "${name}".${suggestion ? ` Did you mean "${suggestion}"?` : ''} References look like var.NAME, local.NAME, endpoint.NAME or KIND.NAME.`,
    )
  }

  /** `object.name` on an evaluated value; a problem is reported at `at.nameRange`. */
  getAttr(object: Value, name: string, at: {readonly nameRange: Range}): Value {
    if (isPoison(object)) return poison
    if (object === null)
      return this.error('Attempt to get attribute from null value', at.nameRange, `There is no attribute "${name}" of null.`)
    if (isObjectValue(object)) {
      this.host.onRead?.(object)
      const value = getKey(object, name)
      if (value !== undefined) return value
      const suggestion = closest(name, Object.keys(object))
      return this.error(
        'Unsupported attribute',
        at.nameRange,
        `This object has no attribute "${name}".${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
      )
    }
    if (Array.isArray(object)) {
      return this.error(
        'Unsupported attribute',
        at.nameRange,
        `A list has no attributes. To read "${name}" from every element, use a splat: [*].${name}; for one element, index it first: [0].${name}.`,
      )
    }
    return this.error('Unsupported attribute', at.nameRange, `A ${typeName(object)} has no attributes.`)
  }

  private index(collectionExpr: Expression, keyExpr: Expression, range: Range, bindings: Bindings): Value {
    if (collectionExpr.type === 'Variable' && !bindings.has(collectionExpr.name) && this.host.isRoot(collectionExpr.name)) {
      this.host.bareRoot(collectionExpr.name, collectionExpr.range)
      return poison
    }
    const collection = this.evaluate(collectionExpr, bindings)
    const key = this.evaluate(keyExpr, bindings)
    if (isPoison(collection) || isPoison(key)) return poison
    if (collection === null) return this.error('Attempt to index null value', range, 'This value is null, so it has no elements.')
    if (key === null) return this.error('Invalid index', keyExpr.range, 'An index cannot be null.')
    if (Array.isArray(collection)) {
      this.host.onRead?.(collection)
      const position = convertToNumber(key)
      if (position === undefined || !Number.isInteger(position)) {
        return this.error('Invalid index', keyExpr.range, `A list is indexed by a whole number, got ${typeName(key)}.`)
      }
      if (position < 0 || position >= collection.length) {
        return this.error(
          'Invalid index',
          keyExpr.range,
          `The index ${position} is out of range: the list has ${collection.length} element${collection.length === 1 ? '' : 's'}.`,
        )
      }
      return collection[position] as Value
    }
    if (isObjectValue(collection)) {
      this.host.onRead?.(collection)
      const name = convertToString(key)
      if (name === undefined)
        return this.error('Invalid index', keyExpr.range, `A map is indexed by a string, got ${typeName(key)}.`)
      const text = isSecret(name) ? name.reveal() : name
      const value = getKey(collection, text)
      if (value !== undefined) return value
      const suggestion = isSecret(name) ? undefined : closest(text, Object.keys(collection))
      return this.error(
        'Invalid index',
        keyExpr.range,
        isSecret(name)
          ? 'The map has no element with the given (sensitive) key.'
          : `The map has no element "${text}".${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
      )
    }
    return this.error('Invalid index', range, `A ${typeName(collection)} cannot be indexed.`)
  }

  private splat(sourceExpr: Expression, each: Expression, bindings: Bindings): Value {
    const source = this.evaluate(sourceExpr, bindings)
    if (isPoison(source)) return poison
    if (source === null) return []
    const items = Array.isArray(source) ? source : [source]
    const out: Value[] = []
    for (const item of items) {
      const scoped = new Map(bindings)
      scoped.set(SPLAT_ITEM, item)
      out.push(this.evaluate(each, scoped))
    }
    return out
  }

  private call(expr: Extract<Expression, {type: 'Call'}>, bindings: Bindings): Value {
    const definition = Object.hasOwn(FUNCTIONS, expr.name) ? FUNCTIONS[expr.name] : undefined
    if (definition === undefined) {
      const suggestion = closest(expr.name, FUNCTION_NAMES)
      for (const arg of expr.args) this.evaluate(arg, bindings)
      return this.error(
        'Call to unknown function',
        expr.nameRange,
        `There is no function named "${expr.name}".${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
      )
    }
    let args = expr.args.map((arg) => this.evaluate(arg, bindings))
    if (args.some(isPoison)) return poison
    if (expr.expandFinal) {
      const last = args[args.length - 1]
      if (!Array.isArray(last)) {
        const lastExpr = expr.args[expr.args.length - 1] as Expression
        return this.error(
          'Invalid expanding argument',
          lastExpr.range,
          `The value after "..." must be a list, got ${typeName(last ?? null)}.`,
        )
      }
      args = [...args.slice(0, -1), ...last]
    }
    if (args.length < definition.minArgs || args.length > definition.maxArgs) {
      const expected =
        definition.minArgs === definition.maxArgs
          ? `${definition.minArgs}`
          : definition.maxArgs === Number.POSITIVE_INFINITY
            ? `at least ${definition.minArgs}`
            : `${definition.minArgs} to ${definition.maxArgs}`
      return this.error(
        'Wrong number of arguments',
        expr.range,
        `${expr.name}() takes ${expected} argument${expected === '1' ? '' : 's'}, got ${args.length}. Usage: ${definition.signature}.`,
      )
    }
    // Function results are computed on plain text; anything computed from a secret is a secret.
    const sensitive = args.some(containsSecret)
    const plain = sensitive ? args.map(revealDeep) : args
    try {
      const result = definition.call(plain, this.host.functionContext)
      return sensitive ? sensitize(result) : result
    } catch (error) {
      if (!(error instanceof FunctionError)) throw error
      const at = error.argument === undefined ? undefined : expr.args[Math.min(error.argument, expr.args.length - 1)]
      // A message about sensitive arguments could quote them: say only what failed.
      const detail = sensitive
        ? `${expr.name}() refused its arguments. One of them is sensitive, so the reason is not shown.`
        : error.summary
          ? error.message
          : `${expr.name}(): ${error.message}`
      return this.error(error.summary ?? 'Error in function call', (at ?? expr).range, detail)
    }
  }

  private object(expr: Extract<Expression, {type: 'Object'}>, bindings: Bindings): Value {
    const out: ValueObject = {}
    let failed = false
    for (const item of expr.items) {
      let key: string | undefined
      if (item.keyIsIdentifier && item.key.type === 'Variable') key = item.key.name
      else if (item.keyIsIdentifier && item.key.type === 'Literal') key = item.key.raw
      else if (item.key.type === 'GetAttr' || item.key.type === 'Index') {
        this.error(
          'Ambiguous attribute key',
          item.key.range,
          'A key written as a reference is ambiguous. To use the value of the reference as the key, wrap it in parentheses.',
        )
        failed = true
        continue
      } else {
        const value = this.evaluate(item.key, bindings)
        if (isPoison(value)) {
          failed = true
          continue
        }
        const converted = value === null ? undefined : convertToString(value)
        if (converted === undefined || isSecret(converted)) {
          this.error(
            'Invalid object key',
            item.key.range,
            `An object key must be a string, got ${isSecret(converted) ? 'a sensitive value' : typeName(value)}.`,
          )
          failed = true
          continue
        }
        key = converted
      }
      setKey(out, key, this.evaluate(item.value, bindings))
    }
    return failed ? poison : out
  }

  private forExpr(expr: ForExpr, bindings: Bindings): Value {
    const collection = this.evaluate(expr.collection, bindings)
    if (isPoison(collection)) return poison
    const entries = this.iterate(collection, expr.collection.range)
    if (entries === undefined) return poison
    const tupleOut: Value[] = []
    const objectOut = new Map<string, Value>()
    const grouped = new Map<string, Value[]>()
    for (const [elementKey, element] of entries) {
      const scoped = new Map(bindings)
      if (expr.keyVar !== undefined) scoped.set(expr.keyVar, elementKey)
      scoped.set(expr.valueVar, element)
      if (expr.condition) {
        const keep = this.evaluate(expr.condition, scoped)
        if (isPoison(keep)) return poison
        const bool = convertToBool(keep)
        if (bool === undefined)
          return this.error(
            'Invalid for expression condition',
            expr.condition.range,
            `The condition must be a bool, got ${typeName(keep)}.`,
          )
        if (!bool) continue
      }
      if (expr.keyExpr === undefined) {
        tupleOut.push(this.evaluate(expr.valueExpr, scoped))
        continue
      }
      const keyValue = this.evaluate(expr.keyExpr, scoped)
      if (isPoison(keyValue)) return poison
      const keyText = keyValue === null ? undefined : convertToString(keyValue)
      if (typeof keyText !== 'string') {
        return this.error(
          'Invalid object key',
          expr.keyExpr.range,
          `A key must be a string, got ${keyValue === null ? 'null' : isSecret(keyText) ? 'a sensitive value' : typeName(keyValue)}.`,
        )
      }
      const value = this.evaluate(expr.valueExpr, scoped)
      if (expr.grouping) {
        const group = grouped.get(keyText)
        if (group) group.push(value)
        else grouped.set(keyText, [value])
      } else {
        if (objectOut.has(keyText)) {
          return this.error(
            'Duplicate object key',
            expr.keyExpr.range,
            `Two elements produce the key "${keyText}". Add "..." after the value expression to group values by key.`,
          )
        }
        objectOut.set(keyText, value)
      }
    }
    if (expr.keyExpr === undefined) return tupleOut
    return objectFrom(expr.grouping ? grouped : objectOut)
  }

  /** The (key, value) pairs of a collection: index and element of a list, key and value of a map in key order. */
  iterate(collection: Value, range: Range): [Value, Value][] | undefined {
    if (Array.isArray(collection)) return collection.map((item, i) => [i, item])
    if (isObjectValue(collection)) {
      return Object.keys(collection)
        .sort()
        .map((key) => [key, collection[key] as Value])
    }
    this.error(
      'Iteration over a non-collection',
      range,
      `A for expression needs a list, set or map, got ${typeName(collection)}.`,
    )
    return undefined
  }

  private unary(op: '!' | '-', operandExpr: Expression, range: Range, bindings: Bindings): Value {
    const operand = this.evaluate(operandExpr, bindings)
    if (isPoison(operand)) return poison
    if (op === '!') {
      const bool = convertToBool(operand)
      if (bool === undefined)
        return this.error('Invalid operand', range, `The operand of "!" must be a bool, got ${typeName(operand)}.`)
      return !bool
    }
    const number = convertToNumber(operand)
    if (number === undefined)
      return this.error('Invalid operand', range, `The operand of "-" must be a number, got ${typeName(operand)}.`)
    return -number
  }

  private binary(expr: Extract<Expression, {type: 'Binary'}>, bindings: Bindings): Value {
    const {op} = expr
    const left = this.evaluate(expr.left, bindings)
    if (op === '&&' || op === '||') {
      if (isPoison(left)) return poison
      const l = convertToBool(left)
      if (l === undefined)
        return this.error('Invalid operand', expr.left.range, `The operands of "${op}" must be bools, got ${typeName(left)}.`)
      // Short-circuit as HCL 2.24 does: `var.x != null && var.x.y` must not fail when x is null.
      if (op === '&&' && !l) return false
      if (op === '||' && l) return true
      const right = this.evaluate(expr.right, bindings)
      if (isPoison(right)) return poison
      const r = convertToBool(right)
      if (r === undefined)
        return this.error('Invalid operand', expr.right.range, `The operands of "${op}" must be bools, got ${typeName(right)}.`)
      return r
    }
    const right = this.evaluate(expr.right, bindings)
    if (isPoison(left) || isPoison(right)) return poison
    if (op === '==') return valuesEqual(left, right)
    if (op === '!=') return !valuesEqual(left, right)
    const l = convertToNumber(left)
    if (l === undefined) return this.error('Invalid operand', expr.left.range, operandDetail(op, left))
    const r = convertToNumber(right)
    if (r === undefined) return this.error('Invalid operand', expr.right.range, operandDetail(op, right))
    switch (op) {
      case '+':
        return l + r
      case '-':
        return l - r
      case '*':
        return l * r
      case '/':
        return r === 0 ? this.error('Division by zero', expr.right.range, 'The divisor is zero.') : l / r
      case '%':
        return r === 0 ? this.error('Division by zero', expr.right.range, 'The divisor of "%" is zero.') : l % r
      case '<':
        return l < r
      case '<=':
        return l <= r
      case '>':
        return l > r
      case '>=':
        return l >= r
    }
  }

  private template(expr: TemplateExpr, bindings: Bindings): Value {
    if (expr.literal !== undefined) return expr.literal
    const parts = expr.parts
    const only = parts.length === 1 ? parts[0] : undefined
    // A template that is one interpolation and nothing else yields the value itself, not a string.
    if (only?.type === 'TemplateInterpolation' && expr.heredoc === undefined) return this.evaluate(only.expr, bindings)
    if (only?.type === 'TemplateLiteral') return only.value
    const state = {text: '', sensitive: false, failed: false}
    this.templateParts(parts, bindings, state)
    if (state.failed) return poison
    return state.sensitive ? new Secret(state.text, 'expression') : state.text
  }

  private templateParts(
    parts: TemplatePart[],
    bindings: Bindings,
    state: {text: string; sensitive: boolean; failed: boolean},
  ): void {
    // After a failure the remaining parts are still evaluated, so that their errors are reported too.
    for (const part of parts) {
      switch (part.type) {
        case 'TemplateLiteral':
          state.text += part.value
          break
        case 'TemplateInterpolation': {
          const value = this.evaluate(part.expr, bindings)
          if (isPoison(value)) {
            state.failed = true
            break
          }
          if (value === null) {
            this.error(
              'Invalid template interpolation value',
              part.expr.range,
              'The value is null; a string template cannot include null.',
            )
            state.failed = true
            break
          }
          const text = convertToString(value)
          if (text === undefined) {
            this.error(
              'Invalid template interpolation value',
              part.expr.range,
              `A string template can include strings, numbers and bools, not a ${typeName(value)}.`,
            )
            state.failed = true
            break
          }
          if (isSecret(text)) {
            state.sensitive = true
            state.text += text.reveal()
          } else state.text += text
          break
        }
        case 'TemplateIf': {
          const condition = this.evaluate(part.condition, bindings)
          if (isPoison(condition)) {
            state.failed = true
            break
          }
          const bool = convertToBool(condition)
          if (bool === undefined) {
            this.error(
              'Invalid template if condition',
              part.condition.range,
              `The condition must be a bool, got ${typeName(condition)}.`,
            )
            state.failed = true
            break
          }
          this.templateParts(bool ? part.then : (part.else ?? []), bindings, state)
          break
        }
        case 'TemplateFor': {
          const collection = this.evaluate(part.collection, bindings)
          const entries = isPoison(collection) ? undefined : this.iterate(collection, part.collection.range)
          if (entries === undefined) {
            state.failed = true
            break
          }
          for (const [key, value] of entries) {
            const scoped = new Map(bindings)
            if (part.keyVar !== undefined) scoped.set(part.keyVar, key)
            scoped.set(part.valueVar, value)
            this.templateParts(part.body, scoped, state)
          }
          break
        }
      }
    }
  }
}

const EMPTY: Bindings = new Map()

function operandDetail(op: string, value: Value): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL template syntax, shown to the user
  return `The operands of "${op}" must be numbers, got ${typeName(value)}.${typeof value === 'string' && op === '+' ? ' To join strings, use a template: "${a}${b}".' : ''}`
}
