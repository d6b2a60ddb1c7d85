/**
 * Every item of a Harbor list: `page_size=100` (Harbor's maximum), `page` from 1, until a short page or
 * until `page * 100 >= X-Total-Count` (NOTES §1.5: lists default to 10 items, so a client that does not
 * page silently misses data). The `Link` header is not parsed.
 */
import {HarborError} from '../reliability/errors.js'
import {PAGE_SIZE} from '../reliability/defaults.js'
import type {HarborClient, RequestOptions} from './types.js'

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
  let firstOfFirstPage: string | undefined
  for (let page = 1; page <= MAX_PAGES; page++) {
    const response = await client.request<unknown>({
      method: 'GET',
      path,
      query: {...query, page, page_size: PAGE_SIZE},
      resourceName: options.resourceName,
      signal: options.signal,
    })
    const items = response.body ?? []
    if (!Array.isArray(items)) {
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
    // `/usergroups/search` and `/users/search` ignore `page` (NOTES §1.5): page 2 starts like page 1.
    const first = items.length > 0 ? JSON.stringify(items[0]) : undefined
    if (page === 1) firstOfFirstPage = first
    else if (first !== undefined && first === firstOfFirstPage) return
    yield* items as T[]
    const total = Number(response.headers['x-total-count'])
    if (items.length < PAGE_SIZE || (Number.isFinite(total) && page * PAGE_SIZE >= total)) return
  }
}
