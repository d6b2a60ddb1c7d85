/**
 * Harbor's list parameters: the `q` language (`src/lib/q/builder.go`) with its second unescape, the
 * ORM's filter semantics (`src/lib/orm/query.go: setFilters`: unknown keys silently ignored), `sort`
 * (`setSorts`: unknown keys dropped), `page`/`page_size` paging, and the `X-Total-Count` and relative
 * `Link` headers (`handler/base.go: Links`, `src/lib/link.go`).
 */
import {badRequest} from './errors.js'

/** A value in a range or list: Harbor parses it as time, then int64, then a quote-trimmed string. */
export type QScalar = string | number | Date

/** One parsed `q` condition. */
export type QCondition =
  | {kind: 'exact'; value: string}
  | {kind: 'fuzzy'; value: string}
  | {kind: 'range'; min?: QScalar; max?: QScalar}
  | {kind: 'or'; values: QScalar[]}
  | {kind: 'and'; values: QScalar[]}

/** Parsed `q`: key → condition, in the order given (a repeated key keeps the last, as Go's map does). */
export type QKeywords = Map<string, QCondition>

const EMPTY_KEY_OR_VALUE = 'the query string must contain "=" and the key/value cannot be empty'

/** Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte; undefined on a malformed escape. */
export function queryUnescape(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

function parseScalar(text: string): QScalar {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(text)) {
    const date = new Date(`${text}Z`)
    if (!Number.isNaN(date.getTime())) return date
  }
  if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text)
  return text.replace(/^["']+|["']+$/g, '')
}

function parseCondition(value: string): QCondition {
  if (value.startsWith('[') && value.endsWith(']')) {
    const inner = value.slice(1, -1)
    const tilde = inner.indexOf('~')
    if (tilde < 0) throw badRequest(`invalid range pattern: ${value}`)
    const min = inner.slice(0, tilde).trim()
    const max = inner.slice(tilde + 1).trim()
    if (min === '' && max === '') throw badRequest(`invalid range pattern: ${value}`)
    return {kind: 'range', min: min === '' ? undefined : parseScalar(min), max: max === '' ? undefined : parseScalar(max)}
  }
  if (value.startsWith('{') && value.endsWith('}')) {
    return {kind: 'or', values: value.slice(1, -1).split(' ').filter(Boolean).map(parseScalar)}
  }
  if (value.startsWith('(') && value.endsWith(')')) {
    return {kind: 'and', values: value.slice(1, -1).split(' ').filter(Boolean).map(parseScalar)}
  }
  if (value.startsWith('~')) return {kind: 'fuzzy', value: value.slice(1)}
  return {kind: 'exact', value: value.startsWith('\\') ? value.slice(1) : value}
}

/**
 * Parses a `q` value as the handler receives it (already URL-decoded once by the HTTP layer). Harbor
 * unescapes it a second time (so `+` becomes a space and `%2B` a plus); a malformed escape keeps the
 * text as it was. A term without `=` or with an empty key or value is a 400.
 */
export function parseQ(raw: string | null | undefined): QKeywords {
  const keywords: QKeywords = new Map()
  if (!raw) return keywords
  const text = queryUnescape(raw) ?? raw
  for (const term of text.split(',')) {
    const eq = term.indexOf('=')
    const key = eq < 0 ? '' : term.slice(0, eq)
    const value = eq < 0 ? '' : term.slice(eq + 1)
    if (key === '' || value === '') throw badRequest(EMPTY_KEY_OR_VALUE)
    keywords.set(key, parseCondition(value))
  }
  return keywords
}

/** A filterable or sortable attribute of a listed model: returns the DB value of an item. */
export type FieldGetter<T> = (item: T) => string | number | boolean | undefined

/** The attributes a list accepts in `q` and `sort`, under both the Go field name and the column name. */
export type Fields<T> = Record<string, FieldGetter<T>>

function compare(a: QScalar | boolean | undefined, b: QScalar): number {
  if (a === undefined) return Number.NaN
  if (b instanceof Date) {
    const time = new Date(String(a)).getTime()
    return time - b.getTime()
  }
  if (typeof b === 'number') {
    const number = typeof a === 'number' ? a : Number(a)
    return number - b
  }
  const text = String(a)
  return text < b ? -1 : text > b ? 1 : 0
}

function matchesCondition(actual: string | number | boolean | undefined, condition: QCondition): boolean {
  switch (condition.kind) {
    case 'exact':
      return actual !== undefined && String(actual) === condition.value
    case 'fuzzy':
      return actual !== undefined && String(actual).toLowerCase().includes(condition.value.toLowerCase())
    case 'range':
      return (
        (condition.min === undefined || compare(actual, condition.min) >= 0) &&
        (condition.max === undefined || compare(actual, condition.max) <= 0)
      )
    case 'or':
      return condition.values.some((value) => compare(actual, value) === 0)
    case 'and':
      // The ORM ignores AND lists unless a DAO handles them.
      return true
  }
}

/** Whether `item` satisfies every condition on a known key; unknown keys are ignored, as in Harbor. */
export function matchesQ<T>(item: T, keywords: QKeywords, fields: Fields<T>): boolean {
  for (const [key, condition] of keywords) {
    const getter = fields[key]
    if (getter && !matchesCondition(getter(item), condition)) return false
  }
  return true
}

/** Whether any condition applies to a known key (otherwise an index can answer the list). */
export function hasKnownKeys<T>(keywords: QKeywords, fields: Fields<T>): boolean {
  for (const key of keywords.keys()) if (fields[key]) return true
  return false
}

/** Sorts `items` by `sort=k1,-k2` over known keys; returns `items` unchanged when no key is known. */
export function applySort<T>(items: T[], sort: string | null | undefined, fields: Fields<T>): T[] {
  if (!sort) return items
  const keys = sort
    .split(',')
    .map((raw) => raw.trim())
    .filter(Boolean)
    .map((raw) => ({desc: raw.startsWith('-'), getter: fields[raw.replace(/^-/, '')]}))
    .filter((key): key is {desc: boolean; getter: FieldGetter<T>} => key.getter !== undefined)
  if (keys.length === 0) return items
  return [...items].sort((a, b) => {
    for (const {desc, getter} of keys) {
      const x = getter(a)
      const y = getter(b)
      if (x === y) continue
      const order = x === undefined ? -1 : y === undefined ? 1 : x < y ? -1 : 1
      return desc ? -order : order
    }
    return 0
  })
}

/** Requested paging: `page` ≥ 1, `page_size` 0 (no limit, undocumented) to 100 (checked by the spec). */
export interface PageRequest {
  page: number
  pageSize: number
}

/** Reads `page` and `page_size` (defaults 1 and 10). */
export function pageRequest(query: URLSearchParams): PageRequest {
  const page = Number(query.get('page') ?? 1)
  const pageSize = Number(query.get('page_size') ?? 10)
  return {page: Number.isFinite(page) && page >= 1 ? Math.floor(page) : 1, pageSize: Math.max(0, Math.floor(pageSize))}
}

/** The items of the requested page. */
export function pageOf<T>(items: readonly T[], request: PageRequest): T[] {
  if (request.pageSize === 0) return [...items]
  const start = (request.page - 1) * request.pageSize
  return items.slice(start, start + request.pageSize)
}

/**
 * The `Link` header value for a list (empty when there is no other page): relative URLs (path and
 * query, keys sorted, values unescaped), `prev` when `page>1 && (page-1)*size < total`, `next` when
 * `page*size < total`, joined with `" , "`.
 */
export function linkHeader(fullPath: string, query: URLSearchParams, request: PageRequest, total: number): string {
  if (request.pageSize === 0) return ''
  const link = (page: number, rel: string): string => {
    const params = new Map<string, string>()
    for (const [key, value] of query) if (!params.has(key)) params.set(key, value)
    params.set('page', String(page))
    params.set('page_size', String(request.pageSize))
    const text = [...params.keys()]
      .sort()
      .map((key) => `${key}=${params.get(key)}`)
      .join('&')
    return `<${fullPath}?${text}>; rel="${rel}"`
  }
  const links: string[] = []
  if (request.page > 1 && (request.page - 1) * request.pageSize < total) links.push(link(request.page - 1, 'prev'))
  if (request.page * request.pageSize < total) links.push(link(request.page + 1, 'next'))
  return links.join(' , ')
}
