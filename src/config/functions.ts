/**
 * The functions a configuration may call. Each one checks its own arguments and throws
 * FunctionError with a message a user can act on; the evaluator reports it at the call (or at the
 * argument at fault). Arguments arrive with Secrets already revealed; the evaluator marks the result
 * sensitive again, so no function needs to know about secrets.
 */
import {readFileSync} from 'node:fs'
import {isAbsolute, resolve} from 'node:path'
import {FormatError, formatString} from './format-verbs.js'
import {
  type Value,
  type ValueObject,
  convertToBool,
  convertToNumber,
  convertToString,
  getKey,
  isObjectValue,
  setKey,
  toSet,
  typeName,
  valuesEqual,
} from './values.js'

/** A function refused its arguments. `argument` is the 0-based index of the one at fault, when one is. */
export class FunctionError extends Error {
  constructor(
    message: string,
    readonly argument?: number,
    /** A summary to use instead of the generic "Error in function call". */
    readonly summary?: string,
  ) {
    super(message)
  }
}

/** What a function may read besides its arguments. */
export interface FunctionContext {
  /** Relative `file()` paths are resolved against this directory (the config directory). */
  baseDir: string
  env: Record<string, string | undefined>
}

export interface FunctionDefinition {
  /** The signature as the docs and messages show it: `join(separator, list...)`. */
  signature: string
  minArgs: number
  /** Infinity for variadic functions. */
  maxArgs: number
  call(args: Value[], context: FunctionContext): Value
}

function str(value: Value, index: number, what = 'string'): string {
  const converted = convertToString(value)
  if (typeof converted !== 'string')
    throw new FunctionError(`argument ${index + 1} must be a ${what}, got ${typeName(value)}`, index)
  return converted
}

function list(value: Value, index: number): Value[] {
  if (!Array.isArray(value)) throw new FunctionError(`argument ${index + 1} must be a list, got ${typeName(value)}`, index)
  return value
}

function object(value: Value, index: number): ValueObject {
  if (!isObjectValue(value))
    throw new FunctionError(`argument ${index + 1} must be a map or object, got ${typeName(value)}`, index)
  return value
}

function fn(signature: string, minArgs: number, maxArgs: number, call: FunctionDefinition['call']): FunctionDefinition {
  return {signature, minArgs, maxArgs, call}
}

/** Every function, by name. */
export const FUNCTIONS: Readonly<Record<string, FunctionDefinition>> = {
  env: fn('env(name, default?)', 1, 2, (args, context) => {
    const name = str(args[0] as Value, 0)
    const value = context.env[name]
    if (value !== undefined) return value
    if (args.length === 2) return args[1] as Value
    throw new FunctionError(
      `The environment variable ${name} is not set. Set it, or give a default: env("${name}", "value").`,
      0,
      `Environment variable ${name} is not set`,
    )
  }),
  file: fn('file(path)', 1, 1, (args, context) => {
    const path = str(args[0] as Value, 0)
    const full = isAbsolute(path) ? path : resolve(context.baseDir, path)
    try {
      return readFileSync(full, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable')
      throw new FunctionError(`Cannot read "${path}" (${full}): ${why}.`, 0, 'Cannot read file')
    }
  }),
  toset: fn('toset(list)', 1, 1, (args) => toSet(list(args[0] as Value, 0))),
  tolist: fn('tolist(list)', 1, 1, (args) => [...list(args[0] as Value, 0)]),
  tomap: fn('tomap(object)', 1, 1, (args) => object(args[0] as Value, 0)),
  tostring: fn('tostring(value)', 1, 1, (args) => (args[0] === null ? null : str(args[0] as Value, 0, 'string, number or bool'))),
  tonumber: fn('tonumber(value)', 1, 1, (args) => {
    if (args[0] === null) return null
    const number = convertToNumber(args[0] as Value)
    if (number === undefined) throw new FunctionError(`cannot convert ${typeName(args[0] as Value)} to a number`, 0)
    return number
  }),
  tobool: fn('tobool(value)', 1, 1, (args) => {
    if (args[0] === null) return null
    const bool = convertToBool(args[0] as Value)
    if (bool === undefined)
      throw new FunctionError(
        `cannot convert ${typeName(args[0] as Value)} to a bool (only true, false, "true" and "false" convert)`,
        0,
      )
    return bool
  }),
  lower: fn('lower(string)', 1, 1, (args) => str(args[0] as Value, 0).toLowerCase()),
  upper: fn('upper(string)', 1, 1, (args) => str(args[0] as Value, 0).toUpperCase()),
  trimspace: fn('trimspace(string)', 1, 1, (args) => str(args[0] as Value, 0).trim()),
  replace: fn('replace(string, search, replacement)', 3, 3, (args) => {
    const text = str(args[0] as Value, 0)
    const search = str(args[1] as Value, 1)
    const replacement = str(args[2] as Value, 2)
    if (search.length > 1 && search.startsWith('/') && search.endsWith('/')) {
      let pattern: RegExp
      try {
        pattern = new RegExp(search.slice(1, -1), 'gu')
      } catch {
        throw new FunctionError(`"${search}" is not a valid regular expression`, 1)
      }
      return text.replace(pattern, replacement)
    }
    return search === '' ? text : text.split(search).join(replacement)
  }),
  format: fn('format(spec, values...)', 1, Number.POSITIVE_INFINITY, (args) => {
    try {
      return formatString(str(args[0] as Value, 0), args.slice(1))
    } catch (error) {
      if (error instanceof FormatError) throw new FunctionError(error.message)
      throw error
    }
  }),
  join: fn('join(separator, list...)', 2, Number.POSITIVE_INFINITY, (args) => {
    const separator = str(args[0] as Value, 0)
    const parts: string[] = []
    for (let i = 1; i < args.length; i++) {
      for (const item of list(args[i] as Value, i)) {
        if (item === null) throw new FunctionError(`argument ${i + 1} holds a null element, which cannot be joined`, i)
        parts.push(str(item, i, 'list of strings'))
      }
    }
    return parts.join(separator)
  }),
  split: fn('split(separator, string)', 2, 2, (args) => {
    const separator = str(args[0] as Value, 0)
    const text = str(args[1] as Value, 1)
    return separator === '' ? [...text] : text.split(separator)
  }),
  concat: fn('concat(lists...)', 1, Number.POSITIVE_INFINITY, (args) => args.flatMap((arg, i) => list(arg, i))),
  merge: fn('merge(maps...)', 0, Number.POSITIVE_INFINITY, (args) => {
    const out: ValueObject = {}
    args.forEach((arg, i) => {
      if (arg === null) return
      for (const [key, value] of Object.entries(object(arg, i))) setKey(out, key, value)
    })
    return out
  }),
  length: fn('length(value)', 1, 1, (args) => {
    const value = args[0] as Value
    if (Array.isArray(value)) return value.length
    if (isObjectValue(value)) return Object.keys(value).length
    if (typeof value === 'string') return [...value].length
    throw new FunctionError(`length() takes a list, map, object or string, got ${typeName(value)}`, 0)
  }),
  lookup: fn('lookup(map, key, default?)', 2, 3, (args) => {
    const map = object(args[0] as Value, 0)
    const key = str(args[1] as Value, 1)
    const found = getKey(map, key)
    if (found !== undefined) return found
    if (args.length === 3) return args[2] as Value
    throw new FunctionError(`the map has no element "${key}" and no default was given`, 1)
  }),
  coalesce: fn('coalesce(values...)', 1, Number.POSITIVE_INFINITY, (args) => {
    for (const arg of args) if (arg !== null && arg !== '') return arg
    throw new FunctionError('every argument is null or an empty string')
  }),
  keys: fn('keys(map)', 1, 1, (args) => Object.keys(object(args[0] as Value, 0)).sort()),
  values: fn('values(map)', 1, 1, (args) => {
    const map = object(args[0] as Value, 0)
    return Object.keys(map)
      .sort()
      .map((key) => map[key] as Value)
  }),
  contains: fn('contains(list, value)', 2, 2, (args) =>
    list(args[0] as Value, 0).some((item) => valuesEqual(item, args[1] as Value)),
  ),
  distinct: fn('distinct(list)', 1, 1, (args) => {
    const out: Value[] = []
    for (const item of list(args[0] as Value, 0)) if (!out.some((seen) => valuesEqual(seen, item))) out.push(item)
    return out
  }),
  flatten: fn('flatten(list)', 1, 1, (args) => {
    const out: Value[] = []
    const walk = (items: Value[]): void => {
      for (const item of items)
        if (Array.isArray(item)) walk(item)
        else out.push(item)
    }
    walk(list(args[0] as Value, 0))
    return out
  }),
}

/** The function names, for "did you mean". */
export const FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS)
