/**
 * The JSON text of every file hrep keeps on disk (state, saved plans, journal lines): one canonical
 * form (keys sorted by code point at every level, two-space indent, trailing newline) and one way
 * of reporting a file that is not valid JSON or not the expected shape (`file:line:column: why`).
 */
import type {z} from 'zod'
import {HrepError} from '../model/errors.js'

/** A plain JSON value, as read back from any file hrep writes. */
export type JsonValue = null | boolean | number | string | JsonValue[] | {[key: string]: JsonValue}

/**
 * Serialises `value` in the canonical form: object keys sorted at every level (including integer-like
 * keys, which `JSON.stringify` would move first), two-space indent, `undefined` properties dropped
 * as JSON does, one trailing newline when `trailingNewline` (the default). Refuses anything that is not
 * plain JSON (NaN, Infinity, bigint, functions, class instances such as a `Secret`) with an error
 * naming where it sits, so nothing is silently turned into `null` or a placeholder.
 */
export function canonicalJson(
  value: unknown,
  options: {
    indent?: boolean
    trailingNewline?: boolean
    /** Where `value` sits in the document it is part of, for messages (`['resources', 'robot.ci']`). */
    at?: readonly (string | number)[]
  } = {},
): string {
  const indent = options.indent ?? true
  const newline = (options.trailingNewline ?? indent) ? '\n' : ''
  const found = {integerKeys: false}
  let sorted: unknown
  try {
    sorted = sortedCopy(value, found)
  } catch (error) {
    if (!(error instanceof NotJson)) throw error
    const path = [...(options.at ?? []), ...error.segments].map((segment) => formatPathSegment(segment)).join('')
    throw new HrepError('not_json', `cannot write $${path}: ${error.why}`)
  }
  // JSON.stringify keeps insertion order, except that it writes integer-like keys first: only then
  // is the slower writer of our own needed.
  if (!found.integerKeys) return `${indent ? JSON.stringify(sorted, null, 2) : JSON.stringify(sorted)}${newline}`
  const parts: string[] = []
  write(sorted, indent ? '\n' : '', parts, indent)
  return `${parts.join('')}${newline}`
}

/** Thrown inside sortedCopy; collects the path on the way out, so no path is built unless needed. */
class NotJson extends Error {
  readonly segments: (string | number)[] = []
  constructor(readonly why: string) {
    super(why)
  }
}

const INTEGER_LIKE = /^(?:0|[1-9][0-9]*)$/
// Code-unit order equals code-point order unless a key holds a surrogate or U+E000..U+FFFF.
const NOT_BMP_SAFE = /[\uD800-\uFFFF]/

/** A copy of `value` with object keys in code-point order, checked to be plain JSON on the way. */
function sortedCopy(value: unknown, found: {integerKeys: boolean}): unknown {
  if (value === null) return null
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson(`${value} is not a JSON number`)
      return value
    case 'object':
      break
    default:
      throw new NotJson(`a ${typeof value} is not a JSON value`)
  }
  if (Array.isArray(value)) {
    const copy = new Array(value.length)
    for (let index = 0; index < value.length; index++) {
      // JSON.stringify writes holes and undefined items as null; keep arrays the same length.
      const item = value[index]
      try {
        copy[index] = item === undefined ? null : sortedCopy(item, found)
      } catch (error) {
        if (error instanceof NotJson) error.segments.unshift(index)
        throw error
      }
    }
    return copy
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    throw new NotJson(`a ${proto?.constructor?.name ?? 'non-plain'} object is not a JSON value`)
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record).filter((key) => record[key] !== undefined)
  if (keys.some((key) => NOT_BMP_SAFE.test(key))) keys.sort(compareCodePoints)
  else keys.sort()
  const copy: Record<string, unknown> = {}
  for (const key of keys) {
    if (!found.integerKeys && INTEGER_LIKE.test(key)) found.integerKeys = true
    try {
      copy[key] = sortedCopy(record[key], found)
    } catch (error) {
      if (error instanceof NotJson) error.segments.unshift(key)
      throw error
    }
  }
  return copy
}

/** Writes an already checked value with keys in code-point order, whatever JS's own key order. */
function write(value: unknown, newline: string, parts: string[], indent: boolean): void {
  if (value === null || typeof value !== 'object') {
    parts.push(JSON.stringify(value))
    return
  }
  const inner = indent ? `${newline}  ` : ''
  if (Array.isArray(value)) {
    if (value.length === 0) {
      parts.push('[]')
      return
    }
    parts.push('[')
    value.forEach((item, index) => {
      if (index > 0) parts.push(',')
      parts.push(inner)
      write(item, inner, parts, indent)
    })
    parts.push(newline, ']')
    return
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record).sort(compareCodePoints)
  if (keys.length === 0) {
    parts.push('{}')
    return
  }
  parts.push('{')
  keys.forEach((key, index) => {
    if (index > 0) parts.push(',')
    parts.push(inner, JSON.stringify(key), indent ? ': ' : ':')
    write(record[key], inner, parts, indent)
  })
  parts.push(newline, '}')
}

/** Orders strings by Unicode code point (what `jq -S` does), not by UTF-16 code unit. */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    // Code-unit order differs from code-point order only between surrogates and U+E000..U+FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000
    }
    return x - y
  }
  return a.length - b.length
}

/** `.name` for identifier-like keys, `["robot.ci"]` otherwise: the path notation of every message. */
export function formatPathSegment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}

/** A zod issue path as `resources["robot.ci"].primary.id` (or `(top level)` for the root). */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  const text = path.map((segment) => formatPathSegment(typeof segment === 'symbol' ? String(segment) : segment)).join('')
  return text === '' ? '(top level)' : text.replace(/^\./, '')
}

/**
 * The first zod issue of a failed parse as one line: `resources["robot.ci"].primary.id: expected string`.
 * `at` is where the parsed value sits in its document, prefixed to the issue's path.
 */
export function describeIssues(error: z.ZodError, at: readonly PropertyKey[] = []): string {
  const [first] = error.issues
  if (first === undefined) return 'does not match the expected shape'
  const more =
    error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : ''
  // A bad record key carries its own reason one level down.
  const inner = first.code === 'invalid_key' ? first.issues[0] : undefined
  const message = (inner ?? first).message.replace(/^Invalid input: /, '')
  return `${formatIssuePath([...at, ...first.path])}: ${message}${more}`
}

/** 1-based line and column (in code points) of a 0-based UTF-16 offset into `text`. */
export function lineColumn(text: string, offset: number): {line: number; column: number} {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return {line, column: [...text.slice(lineStart, offset)].length + 1}
}

/**
 * Parses JSON text, turning a syntax error into an HrepError `code` that names `file:line:column`
 * and what is wrong there (V8's own messages carry no position for some errors and quote the input).
 */
export function parseJsonText(text: string, file: string, code: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    const problem = findJsonSyntaxError(text)
    const {line, column} = lineColumn(text, problem.offset)
    throw new HrepError(code, `${file}:${line}:${column}: ${what} is not valid JSON: ${problem.message}`)
  }
}

/** Where and why `text` is not JSON: a small scanner run only after JSON.parse failed. */
export function findJsonSyntaxError(text: string): {offset: number; message: string} {
  let i = 0
  const fail = (message: string, at = i): never => {
    throw {offset: at, message}
  }
  const describe = (at: number) => (at >= text.length ? 'the end of the file' : `${JSON.stringify(text[at])}`)
  const skip = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const expectValue = (): void => {
    skip()
    if (i >= text.length) fail('the file ends where a value was expected (truncated?)')
    const ch = text[i]!
    if (ch === '{') {
      i++
      skip()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        skip()
        if (text[i] !== '"') fail(`expected a quoted property name, found ${describe(i)}`)
        readString()
        skip()
        if (text[i] !== ':') fail(`expected ":" after the property name, found ${describe(i)}`)
        i++
        expectValue()
        skip()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return
        }
        if (i >= text.length) fail('the file ends inside an object (truncated?)')
        fail(`expected "," or "}" after a property value, found ${describe(i)}`)
      }
    }
    if (ch === '[') {
      i++
      skip()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        expectValue()
        skip()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return
        }
        if (i >= text.length) fail('the file ends inside an array (truncated?)')
        fail(`expected "," or "]" after an array item, found ${describe(i)}`)
      }
    }
    if (ch === '"') {
      readString()
      return
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400))
    if (literal === null) fail(`unexpected ${describe(i)} where a value was expected`)
    i += literal![0].length
  }
  const readString = (): void => {
    const start = i
    i++
    while (i < text.length) {
      const ch = text[i]!
      if (ch === '"') {
        i++
        return
      }
      if (ch === '\\') {
        const escaped = text[i + 1]
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape in a string')
          i += 6
          continue
        }
        if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) fail('invalid escape in a string')
        i += 2
        continue
      }
      if (ch < ' ') fail('a control character (such as a raw newline) inside a string')
      i++
    }
    fail('the file ends inside a string (truncated?)', start)
  }
  try {
    if (text.trim() === '') return {offset: 0, message: 'the file is empty'}
    expectValue()
    skip()
    if (i < text.length) fail(`unexpected ${describe(i)} after the end of the JSON value`)
  } catch (problem) {
    if (typeof problem === 'object' && problem !== null && 'offset' in problem)
      return problem as {offset: number; message: string}
    throw problem
  }
  return {offset: 0, message: 'not valid JSON'}
}
