/**
 * The values the evaluator computes. HCL's types map onto plain JavaScript: strings, numbers,
 * booleans, null, arrays (lists, tuples and sets; a set is an array kept sorted and unique) and
 * plain objects (maps and objects). Two extra leaves: `Secret` (a sensitive string that every
 * operation carries along as sensitive) and `Poison` (the result of an expression that already
 * produced a diagnostic; everything computed from it is Poison too, so one mistake is reported once).
 */
import {Secret, isSecret} from '../model/secret.js'

/** The marker of a failed evaluation; see the module comment. */
export class Poison {
  // A member of its own, so arrays and objects are not structurally a Poison.
  readonly poison = true as const

  toString(): string {
    return '(error)'
  }
}

/** The one Poison instance. */
export const poison = new Poison()

export type Value = null | string | number | boolean | Secret | Poison | Value[] | ValueObject

/** A map or object value. Keys are set with `setKey`, so `__proto__` is an ordinary key. */
export interface ValueObject {
  [key: string]: Value
}

export function isPoison(value: unknown): value is Poison {
  return value instanceof Poison
}

/** A map or object value (not an array, not a Secret, not null). */
export function isObjectValue(value: unknown): value is ValueObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isSecret(value) && !isPoison(value)
}

/** Sets an own property, even one named `__proto__`. */
export function setKey(object: ValueObject, key: string, value: Value): void {
  if (key === '__proto__') Object.defineProperty(object, key, {value, enumerable: true, writable: true, configurable: true})
  else object[key] = value
}

/** Reads an own property only (never something inherited from Object.prototype). */
export function getKey(object: ValueObject, key: string): Value | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined
}

/** A fresh object from entries, safe for any key. */
export function objectFrom(entries: Iterable<readonly [string, Value]>): ValueObject {
  const object: ValueObject = {}
  for (const [key, value] of entries) setKey(object, key, value)
  return object
}

/** The type of a value as HCL names it, for messages. */
export function typeName(value: Value | undefined): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (isSecret(value)) return 'string'
  if (isPoison(value)) return 'error'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'object') return 'object'
  if (typeof value === 'boolean') return 'bool'
  return typeof value
}

/** Whether a Secret sits anywhere in the value. */
export function containsSecret(value: Value): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (isSecret(value)) return true
  if (Array.isArray(value)) {
    for (const item of value) if (containsSecret(item)) return true
  } else if (!isPoison(value)) {
    for (const key in value) if (containsSecret(value[key] as Value)) return true
  }
  return false
}

/** Whether a Poison sits anywhere in the value. */
export function containsPoison(value: Value): boolean {
  if (isPoison(value)) return true
  if (Array.isArray(value)) return value.some(containsPoison)
  if (isObjectValue(value)) return Object.values(value).some(containsPoison)
  return false
}

/** The value with every Secret replaced by its text; only for code that computes a new sensitive value. */
export function revealDeep(value: Value): Value {
  if (isSecret(value)) return value.reveal()
  if (Array.isArray(value)) return value.map(revealDeep)
  if (isObjectValue(value)) return objectFrom(Object.entries(value).map(([k, v]) => [k, revealDeep(v)]))
  return value
}

/** The value with every string wrapped as a Secret: the result of an operation on a sensitive input. */
export function sensitize(value: Value, origin = 'expression'): Value {
  if (typeof value === 'string') return new Secret(value, origin)
  if (Array.isArray(value)) return value.map((v) => sensitize(v, origin))
  if (isObjectValue(value)) return objectFrom(Object.entries(value).map(([k, v]) => [k, sensitize(v, origin)]))
  return value
}

/** A number in HCL's canonical decimal form (no exponent for integers up to 2^64 or so). */
export function numberToString(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) >= 1e21 && Number.isFinite(value)) return BigInt(value).toString()
  if (Object.is(value, -0)) return '0'
  return String(value)
}

/** Deep equality as HCL's `==`: same type and same content; Secrets compare by their text. */
export function valuesEqual(a: Value, b: Value): boolean {
  const left = isSecret(a) ? a.reveal() : a
  const right = isSecret(b) ? b.reveal() : b
  if (left === right) return true
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, i) => valuesEqual(item, right[i] as Value))
  }
  if (isObjectValue(left) && isObjectValue(right)) {
    const keys = Object.keys(left)
    if (keys.length !== Object.keys(right).length) return false
    return keys.every((key) => Object.hasOwn(right, key) && valuesEqual(left[key] as Value, right[key] as Value))
  }
  return false
}

/** HCL's automatic conversion to string (numbers and bools convert); undefined when not convertible. */
export function convertToString(value: Value): string | Secret | undefined {
  if (typeof value === 'string' || isSecret(value)) return value
  if (typeof value === 'number') return numberToString(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return undefined
}

/** HCL's automatic conversion to number (numeric strings convert); undefined when not convertible. */
export function convertToNumber(value: Value): number | undefined {
  if (typeof value === 'number') return value
  const text = isSecret(value) ? value.reveal() : value
  if (typeof text === 'string' && /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) return Number(text)
  return undefined
}

/** HCL's automatic conversion to bool ("true"/"false" convert); undefined when not convertible. */
export function convertToBool(value: Value): boolean | undefined {
  if (typeof value === 'boolean') return value
  const text = isSecret(value) ? value.reveal() : value
  if (text === 'true') return true
  if (text === 'false') return false
  return undefined
}

/** Sorts and de-duplicates: the canonical form of a set value. */
export function toSet(items: readonly Value[]): Value[] {
  // Keyed by a canonical string, so a set of thousands of names is built in linear time.
  const unique = new Map<string, Value>()
  for (const item of items) {
    const key = setSortKey(item)
    if (!unique.has(key)) unique.set(key, item)
  }
  const values = [...unique.values()]
  // Numbers sort by value; anything else by its canonical text (strings lexically, as Terraform does).
  if (values.every((value) => typeof value === 'number')) return (values as number[]).sort((a, b) => a - b)
  return [...unique.keys()].sort().map((key) => unique.get(key) as Value)
}

function setSortKey(value: Value): string {
  if (typeof value === 'string') return `s${value}`
  if (typeof value === 'number') return `n${value}`
  if (isSecret(value)) return `s${value.reveal()}`
  return `z${JSON.stringify(revealDeep(value))}`
}
