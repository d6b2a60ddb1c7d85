/**
 * Type constraints of `variable` blocks (`type = list(string)`), written as HCL type expressions and
 * never evaluated: `string`, `number`, `bool`, `any`, `list(T)`, `set(T)`, `map(T)`,
 * `object({a = T, b = optional(T)})` and `tuple([T, ...])`. A value is converted to its variable's
 * type the way HCL converts (numbers and bools from strings and back), or refused with a reason.
 */
import type {Expression} from './hcl/ast.js'
import {
  type Value,
  convertToBool,
  convertToNumber,
  convertToString,
  isObjectValue,
  isPoison,
  objectFrom,
  setKey,
  toSet,
  typeName,
  type ValueObject,
} from './values.js'

export type TypeConstraint =
  | {kind: 'any' | 'string' | 'number' | 'bool'}
  | {kind: 'list' | 'set' | 'map'; element: TypeConstraint}
  | {kind: 'object'; attributes: Record<string, {type: TypeConstraint; optional: boolean}>}
  | {kind: 'tuple'; elements: TypeConstraint[]}

const PRIMITIVES = ['any', 'string', 'number', 'bool'] as const
const COLLECTIONS = ['list', 'set', 'map'] as const

/** Reads a type expression; returns an error message (and the part at fault) for anything else. */
export function parseTypeExpression(expr: Expression): TypeConstraint | {error: string; at: Expression} {
  if (expr.type === 'Variable') {
    if ((PRIMITIVES as readonly string[]).includes(expr.name)) return {kind: expr.name as (typeof PRIMITIVES)[number]}
    if ((COLLECTIONS as readonly string[]).includes(expr.name)) {
      return {error: `The type "${expr.name}" needs an element type, for example ${expr.name}(string).`, at: expr}
    }
    return {
      error: `"${expr.name}" is not a type; use string, number, bool, any, list(T), set(T), map(T), object({...}) or tuple([...]).`,
      at: expr,
    }
  }
  if (expr.type === 'Call') {
    if ((COLLECTIONS as readonly string[]).includes(expr.name)) {
      if (expr.args.length !== 1) return {error: `${expr.name}(...) takes exactly one element type.`, at: expr}
      const element = parseTypeExpression(expr.args[0] as Expression)
      if ('error' in element) return element
      return {kind: expr.name as (typeof COLLECTIONS)[number], element}
    }
    if (expr.name === 'object') {
      const arg = expr.args[0]
      if (expr.args.length !== 1 || arg?.type !== 'Object')
        return {error: 'object(...) takes one object of attribute types, for example object({name = string}).', at: expr}
      const attributes: Record<string, {type: TypeConstraint; optional: boolean}> = {}
      for (const item of arg.items) {
        const key = item.keyIsIdentifier && item.key.type === 'Variable' ? item.key.name : literalString(item.key)
        if (key === undefined)
          return {error: 'An attribute name of an object type must be a name or a quoted string.', at: item.key}
        let typeExpr = item.value
        let optional = false
        if (typeExpr.type === 'Call' && typeExpr.name === 'optional' && typeExpr.args.length >= 1) {
          optional = true
          typeExpr = typeExpr.args[0] as Expression
        }
        const type = parseTypeExpression(typeExpr)
        if ('error' in type) return type
        attributes[key] = {type, optional}
      }
      return {kind: 'object', attributes}
    }
    if (expr.name === 'tuple') {
      const arg = expr.args[0]
      if (expr.args.length !== 1 || arg?.type !== 'Tuple')
        return {error: 'tuple(...) takes one list of element types, for example tuple([string, number]).', at: expr}
      const elements: TypeConstraint[] = []
      for (const item of arg.items) {
        const type = parseTypeExpression(item)
        if ('error' in type) return type
        elements.push(type)
      }
      return {kind: 'tuple', elements}
    }
    return {error: `"${expr.name}" is not a type constructor; use list, set, map, object or tuple.`, at: expr}
  }
  if (expr.type === 'Paren') return parseTypeExpression(expr.expr)
  return {error: 'A type constraint is a type expression such as string or list(string), not a value.', at: expr}
}

function literalString(expr: Expression): string | undefined {
  if (expr.type === 'Template' && expr.parts.length === 1 && expr.parts[0]?.type === 'TemplateLiteral') return expr.parts[0].value
  if (expr.type === 'Template' && expr.parts.length === 0) return ''
  return undefined
}

/** The type written back as HCL, for messages. */
export function typeToString(type: TypeConstraint): string {
  switch (type.kind) {
    case 'list':
    case 'set':
    case 'map':
      return `${type.kind}(${typeToString(type.element)})`
    case 'object':
      return `object({${Object.entries(type.attributes)
        .map(([k, a]) => `${k} = ${a.optional ? `optional(${typeToString(a.type)})` : typeToString(a.type)}`)
        .join(', ')}})`
    case 'tuple':
      return `tuple([${type.elements.map(typeToString).join(', ')}])`
    default:
      return type.kind
  }
}

/** Whether a value of this type is written on the command line as plain text (not as an HCL expression). */
export function isPrimitiveType(type: TypeConstraint): boolean {
  return type.kind === 'string' || type.kind === 'number' || type.kind === 'bool'
}

/** The value converted to the type, or a reason it cannot be (which never shows a sensitive value). */
export function convertToType(value: Value, type: TypeConstraint, path = ''): {value: Value} | {error: string} {
  if (isPoison(value) || type.kind === 'any') return {value}
  const at = path === '' ? '' : ` at ${path}`
  if (value === null) return {value}
  const fail = (expected: string) => ({error: `${expected} required${at}, got ${typeName(value)}`})
  switch (type.kind) {
    case 'string': {
      const converted = convertToString(value)
      return converted === undefined ? fail('string') : {value: converted}
    }
    case 'number': {
      const converted = convertToNumber(value)
      return converted === undefined ? fail('number') : {value: converted}
    }
    case 'bool': {
      const converted = convertToBool(value)
      return converted === undefined ? fail('bool') : {value: converted}
    }
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) return fail(type.kind)
      const items: Value[] = []
      for (let i = 0; i < value.length; i++) {
        const converted = convertToType(value[i] as Value, type.element, `${path}[${i}]`)
        if ('error' in converted) return converted
        items.push(converted.value)
      }
      return {value: type.kind === 'set' ? toSet(items) : items}
    }
    case 'map': {
      if (!isObjectValue(value)) return fail('map')
      const out: ValueObject = {}
      for (const [key, item] of Object.entries(value)) {
        const converted = convertToType(item, type.element, `${path}[${JSON.stringify(key)}]`)
        if ('error' in converted) return converted
        setKey(out, key, converted.value)
      }
      return {value: out}
    }
    case 'object': {
      if (!isObjectValue(value)) return fail('object')
      const entries: [string, Value][] = []
      for (const [key, attribute] of Object.entries(type.attributes)) {
        if (!Object.hasOwn(value, key)) {
          if (attribute.optional) {
            entries.push([key, null])
            continue
          }
          return {error: `attribute "${key}" is required${at}`}
        }
        const converted = convertToType(value[key] as Value, attribute.type, path === '' ? key : `${path}.${key}`)
        if ('error' in converted) return converted
        entries.push([key, converted.value])
      }
      const extra = Object.keys(value).find((key) => !Object.hasOwn(type.attributes, key))
      if (extra !== undefined) return {error: `attribute "${extra}" is not expected${at}`}
      return {value: objectFrom(entries)}
    }
    case 'tuple': {
      if (!Array.isArray(value)) return fail('tuple')
      if (value.length !== type.elements.length)
        return {error: `a tuple of ${type.elements.length} elements required${at}, got ${value.length}`}
      const items: Value[] = []
      for (let i = 0; i < value.length; i++) {
        const converted = convertToType(value[i] as Value, type.elements[i] as TypeConstraint, `${path}[${i}]`)
        if ('error' in converted) return converted
        items.push(converted.value)
      }
      return {value: items}
    }
  }
}
