/**
 * Resource addresses: `robot.ci`, `project.team["payments"]`, `project.team[0]`, and per endpoint
 * `robot.ci@dr`. The kind is always the first segment, so an address alone tells which kind owns it.
 * Addresses are immutable values; `formatAddress(parseAddress(s)) === s` for every canonical `s`.
 */
import {HrepError} from './errors.js'

export interface Address {
  kind: string
  name: string
  /** The for_each key, when the block has for_each. */
  key?: string | number
  /** The endpoint, in the per-endpoint form `...@dr`. */
  endpoint?: string
}

/**
 * A name as addresses hold it (kind, block, endpoint; variables too): a letter or "_", then letters,
 * digits, "_" or "-". For schemas; code asks `isName`.
 */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** Whether `text` is a name (NAME_PATTERN), checked by a loop: the loader asks it for every block. */
export function isName(text: string): boolean {
  if (text.length === 0) return false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) continue
    if (i > 0 && ((c >= 48 && c <= 57) || c === 45)) continue
    return false
  }
  return true
}

export function formatAddress(address: Address): string {
  let text = `${address.kind}.${address.name}`
  if (typeof address.key === 'number') text += `[${address.key}]`
  else if (typeof address.key === 'string') text += `[${JSON.stringify(address.key)}]`
  if (address.endpoint !== undefined) text += `@${address.endpoint}`
  return text
}

/** The address without its endpoint part. */
export function baseAddress(address: string): string {
  const at = address.lastIndexOf('@')
  const bracket = address.lastIndexOf(']')
  return at > bracket ? address.slice(0, at) : address
}

export function parseAddress(text: string): Address {
  const fail = (why: string): never => {
    throw new HrepError('address_invalid', `invalid resource address "${text}": ${why}`)
  }
  let rest = text.trim()
  let endpoint: string | undefined
  const at = rest.lastIndexOf('@')
  if (at > rest.lastIndexOf(']')) {
    endpoint = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!isName(endpoint)) fail('the endpoint after "@" must be an endpoint name')
  }
  const dot = rest.indexOf('.')
  if (dot < 0) fail('expected KIND.NAME, for example robot.ci')
  const kind = rest.slice(0, dot)
  rest = rest.slice(dot + 1)
  const bracket = rest.indexOf('[')
  const name = bracket < 0 ? rest : rest.slice(0, bracket)
  if (!isName(kind)) fail(`"${kind}" is not a kind name`)
  if (!isName(name)) fail(`"${name}" is not a block name`)
  let key: string | number | undefined
  if (bracket >= 0) {
    if (!rest.endsWith(']')) fail('missing "]"')
    const inner = rest.slice(bracket + 1, -1).trim()
    if (/^\d+$/.test(inner)) key = Number(inner)
    else if (inner.startsWith('"')) {
      try {
        key = JSON.parse(inner) as string
      } catch {
        fail('the key must be a quoted string or a number')
      }
      if (typeof key !== 'string') fail('the key must be a quoted string or a number')
    } else fail('the key must be a quoted string or a number')
  }
  return {kind, name, key, endpoint}
}
