/**
 * Query strings as Harbor reads them. go-swagger URL-decodes the query once and Harbor's `q` parser
 * decodes `q` a second time (turning `+` into a space), so `q` is encoded twice, as Harbor's own UI
 * does (NOTES §1.6): `name=a+b` must arrive as `q=name%253Da%252Bb`.
 */
import type {RequestOptions} from './types.js'

/** Encodes one `q` value (the raw `k=v,k2=v2` text) for the URL. */
export function encodeQ(raw: string): string {
  return encodeURIComponent(encodeURIComponent(raw))
}

/** `?a=1&q=...` for the defined parameters, in the order given; '' when there are none. */
export function buildQueryString(query: RequestOptions['query']): string {
  if (query === undefined) return ''
  let text = ''
  for (const key in query) {
    const value = query[key]
    if (value === undefined) continue
    const encoded = key === 'q' ? encodeQ(String(value)) : encodeURIComponent(String(value))
    text += `${text === '' ? '?' : '&'}${encodeURIComponent(key)}=${encoded}`
  }
  return text
}
