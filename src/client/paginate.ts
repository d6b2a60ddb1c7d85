/**
 * Every item of a Harbor list: `page_size=100` (Harbor's maximum), `page` from 1, until a short page or
 * until `page * 100 >= X-Total-Count` (NOTES §1.5: lists default to 10 items, so a client that does not
 * page silently misses data). The `Link` header is not parsed.
 *
 * Pages 1 and 2 are read one after the other; once page 2 proves the server honours `page` (the
 * search endpoints answer every page like page 1), the remaining pages the total announces are
 * requested at once (the client's `parallelism` bounds how many are in flight) and yielded in order.
 * A list of 1,000 projects then costs 3 round trips instead of 10 before the per-project reads can start.
 */
import {HarborError} from '../reliability/errors.js'
import {PAGE_SIZE} from '../reliability/defaults.js'
import type {HarborClient, HarborResponse, RequestOptions} from './types.js'

export interface PageOptions {
  signal?: AbortSignal
  /** The path carries a project name: send `X-Is-Resource-Name: true`. */
  resourceName?: boolean
}

/** A server that sends full pages and no total would otherwise page forever. */
const MAX_PAGES = 100_000

export async function* paginate<T>(
  client: Pick<HarborClient, 'request' | 'endpoint'>,
  path: string,
  query: RequestOptions['query'] = {},
  options: PageOptions = {},
): AsyncGenerator<T> {
  const get = (page: number) =>
    client.request<unknown>({
      method: 'GET',
      path,
      query: {...query, page, page_size: PAGE_SIZE},
      resourceName: options.resourceName,
      signal: options.signal,
    })
  const itemsOf = (response: HarborResponse<unknown>): T[] => {
    const items = response.body ?? []
    if (Array.isArray(items)) return items as T[]
    throw new HarborError({
      errorClass: 'permanent',
      endpoint: client.endpoint,
      method: 'GET',
      path,
      status: response.status,
      requestId: response.headers['x-request-id'],
      detail: 'expected a JSON list',
      summary: `endpoint ${client.endpoint}: GET ${path} did not return a JSON list`,
    })
  }
  const totalOf = (response: HarborResponse<unknown>) => Number(response.headers['x-total-count'])
  const last = (page: number, items: readonly T[], total: number) =>
    items.length < PAGE_SIZE || (Number.isFinite(total) && page * PAGE_SIZE >= total) || page >= MAX_PAGES

  const firstResponse = await get(1)
  const firstItems = itemsOf(firstResponse)
  yield* firstItems
  if (last(1, firstItems, totalOf(firstResponse))) return
  // `/usergroups/search` and `/users/search` ignore `page` (NOTES §1.5): page 2 starts like page 1.
  const firstOfFirstPage = firstItems.length > 0 ? JSON.stringify(firstItems[0]) : undefined
  const repeatsFirstPage = (items: readonly T[]) => items.length > 0 && JSON.stringify(items[0]) === firstOfFirstPage

  let page = 2
  let response = await get(page)
  let items = itemsOf(response)
  if (repeatsFirstPage(items)) return
  yield* items
  let total = totalOf(response)
  if (last(page, items, total)) return

  if (Number.isFinite(total)) {
    const end = Math.min(MAX_PAGES, Math.ceil(total / PAGE_SIZE))
    const pending = Array.from({length: Math.max(0, end - page)}, (_, i) => get(page + 1 + i))
    // Awaited in order below; a page left unread (an early end) must not become an unhandled rejection.
    for (const request of pending) request.catch(() => {})
    for (const request of pending) {
      page++
      response = await request
      items = itemsOf(response)
      if (repeatsFirstPage(items)) return
      yield* items
      total = totalOf(response)
      if (items.length < PAGE_SIZE || page >= MAX_PAGES) return
    }
    if (last(page, items, total)) return
  }
  // No total, or more items than it announced by the time the last page came: one page at a time.
  for (page++; page <= MAX_PAGES; page++) {
    response = await get(page)
    items = itemsOf(response)
    if (repeatsFirstPage(items)) return
    yield* items
    if (last(page, items, totalOf(response))) return
  }
}
