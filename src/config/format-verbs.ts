/**
 * The `format()` function's specification language, as Terraform has it (Go's fmt, restricted):
 * `%%`, `%v` (`%#v` = JSON), `%t`, `%b`, `%d`, `%o`, `%x`, `%X`, `%e`, `%E`, `%f`, `%g`, `%G`, `%s`,
 * `%q`, with flags `+ - # 0 space`, a width, a `.precision`, and explicit argument indexes `%[2]s`.
 */
import {type Value, convertToBool, convertToNumber, convertToString, isObjectValue, numberToString, revealDeep} from './values.js'

/** A mistake in the format string or its arguments; the caller reports it at the call. */
export class FormatError extends Error {}

const VERB = /%([-+# 0]*)(\[(\d+)\])?(\d+)?(\.(\d*))?([a-zA-Z%])?/y

/** Renders `spec` with `args` (already revealed: no Secret inside). */
export function formatString(spec: string, args: readonly Value[]): string {
  let out = ''
  let next = 0
  let i = 0
  while (i < spec.length) {
    const percent = spec.indexOf('%', i)
    if (percent < 0) {
      out += spec.slice(i)
      break
    }
    out += spec.slice(i, percent)
    VERB.lastIndex = percent
    const match = VERB.exec(spec)
    if (!match || match[7] === undefined)
      throw new FormatError(`unrecognized format verb at offset ${percent} of the format string`)
    i = VERB.lastIndex
    const [, flags = '', , index, width, , precision, verb] = match
    if (verb === '%') {
      out += '%'
      continue
    }
    if (index !== undefined) next = Number(index) - 1
    if (next < 0 || next >= args.length) {
      throw new FormatError(`not enough arguments for "%${verb}" at offset ${percent} (${args.length} given)`)
    }
    const arg = args[next++] as Value
    const rendered = formatOne(verb as string, flags, precision === undefined ? undefined : Number(precision || '0'), arg)
    out += pad(rendered, flags, width === undefined ? 0 : Number(width), 'dboxXeEfgG'.includes(verb as string))
  }
  if (next < args.length && !/%\[\d+\]/.test(spec)) {
    throw new FormatError(`too many arguments: no verb left for argument ${next + 1}`)
  }
  return out
}

function formatOne(verb: string, flags: string, precision: number | undefined, arg: Value): string {
  if (arg === null && verb !== 'v') throw new FormatError(`null value cannot be formatted with %${verb}`)
  switch (verb) {
    case 'v':
      if (flags.includes('#')) return JSON.stringify(arg)
      if (arg === null) return 'null'
      if (Array.isArray(arg) || isObjectValue(arg)) return JSON.stringify(revealDeep(arg))
      return truncate(convertToString(arg) as string, precision)
    case 's': {
      const text = convertToString(arg)
      if (typeof text !== 'string') throw new FormatError(`%s needs a string, number or bool`)
      return truncate(text, precision)
    }
    case 'q': {
      const text = convertToString(arg)
      if (typeof text !== 'string') throw new FormatError(`%q needs a string`)
      return JSON.stringify(truncate(text, precision))
    }
    case 't': {
      const bool = convertToBool(arg)
      if (bool === undefined) throw new FormatError(`%t needs a bool`)
      return String(bool)
    }
    default:
      return formatNumber(verb, flags, precision, arg)
  }
}

function formatNumber(verb: string, flags: string, precision: number | undefined, arg: Value): string {
  const number = convertToNumber(arg)
  if (number === undefined) throw new FormatError(`%${verb} needs a number`)
  const sign = number < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : ''
  const magnitude = Math.abs(number)
  const integerOnly = 'dboxX'.includes(verb)
  if (integerOnly && !Number.isInteger(number)) throw new FormatError(`%${verb} needs a whole number`)
  const big = integerOnly ? BigInt(magnitude) : 0n
  switch (verb) {
    case 'd':
      return sign + big.toString(10)
    case 'b':
      return sign + big.toString(2)
    case 'o':
      return sign + (flags.includes('#') ? '0' : '') + big.toString(8)
    case 'x':
      return sign + (flags.includes('#') ? '0x' : '') + big.toString(16)
    case 'X':
      return sign + (flags.includes('#') ? '0X' : '') + big.toString(16).toUpperCase()
    case 'e':
    case 'E': {
      const text = magnitude.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2')
      return sign + (verb === 'E' ? text.toUpperCase() : text)
    }
    case 'f':
      return sign + magnitude.toFixed(precision ?? 6)
    case 'g':
    case 'G': {
      const text =
        precision === undefined ? numberToString(magnitude) : String(Number(magnitude.toPrecision(Math.max(1, precision))))
      return sign + (verb === 'G' ? text.toUpperCase() : text)
    }
    default:
      throw new FormatError(`unsupported format verb "%${verb}"`)
  }
}

function truncate(text: string, precision: number | undefined): string {
  return precision === undefined ? text : [...text].slice(0, precision).join('')
}

function pad(text: string, flags: string, width: number, numeric: boolean): string {
  const length = [...text].length
  if (length >= width) return text
  if (flags.includes('-')) return text + ' '.repeat(width - length)
  if (flags.includes('0') && numeric) {
    const signed = /^[+\- ]/.test(text)
    return (signed ? text[0] : '') + '0'.repeat(width - length) + (signed ? text.slice(1) : text)
  }
  return ' '.repeat(width - length) + text
}
