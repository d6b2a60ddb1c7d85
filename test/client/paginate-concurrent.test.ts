/**
 * Long lists: after pages 1 and 2, the pages the total announces are requested at once (bounded by
 * the endpoint's parallelism) and the items still come out in order; a list that grows while it is
 * read is followed to its end; a failed page fails the list without unhandled rejections.
 */
import {afterEach, describe, expect, it} from 'vitest'
import {createClient} from '../../src/client/harbor-client.js'
import type {HarborClient} from '../../src/client/types.js'
import {endpointConfig, type FakeServer, fastReliability, harborError, json, startServer} from './fake-server.js'

let server: FakeServer | undefined
let client: HarborClient | undefined

afterEach(async () => {
  await client?.close()
  await server?.close()
  client = undefined
  server = undefined
})

const items = Array.from({length: 1_050}, (_, i) => ({id: i + 1}))

/** Answers pages of `list()`, each after `delayMs`, counting the requests in flight at once. */
async function setup(list: () => {id: number}[], options: {delayMs?: number; fail?: number; parallelism?: number} = {}) {
  let inFlight = 0
  const seen = {maxInFlight: 0}
  server = await startServer(async (request, response) => {
    inFlight++
    seen.maxInFlight = Math.max(seen.maxInFlight, inFlight)
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 5))
    inFlight--
    const query = new URL(request.url, 'http://x').searchParams
    const page = Number(query.get('page'))
    if (page === options.fail) return harborError(response, 400, 'BAD_REQUEST', 'no such page')
    const all = list()
    json(response, 200, all.slice((page - 1) * 100, page * 100), {'x-total-count': String(all.length)})
  })
  client = createClient(endpointConfig(server.url, {reliability: {...fastReliability(), parallelism: options.parallelism ?? 4}}))
  return {server, client, seen}
}

const pagesAsked = (requests: FakeServer['requests']) =>
  requests.map((r) => Number(new URL(r.url, 'http://x').searchParams.get('page')))

describe('paging a long list', () => {
  it('reads pages 1 and 2 in turn, then the rest at once within the parallelism, yielding items in order', async () => {
    const {server, client, seen} = await setup(() => items)
    const ids: number[] = []
    for await (const item of client.paginate<{id: number}>('/projects')) ids.push(item.id)
    expect(ids).toEqual(items.map((item) => item.id))
    expect(pagesAsked(server.requests).slice(0, 2)).toEqual([1, 2])
    expect(pagesAsked(server.requests).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    // Several pages were in flight together, never more than the endpoint's parallelism.
    expect(seen.maxInFlight).toBeGreaterThan(1)
    expect(seen.maxInFlight).toBeLessThanOrEqual(4)
  })

  it('follows a list that grew while it was read', async () => {
    let length = 250
    const {server, client} = await setup(() => {
      // Every answer after the second finds 150 more items.
      if (server && server.requests.length > 2) length = 400
      return items.slice(0, length)
    })
    const ids: number[] = []
    for await (const item of client.paginate<{id: number}>('/projects')) ids.push(item.id)
    expect(ids).toEqual(items.slice(0, 400).map((item) => item.id))
    expect(pagesAsked(server.requests)).toEqual([1, 2, 3, 4])
  })

  it('fails the list when a page fails, in order, and leaves no rejection unhandled', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const {client} = await setup(() => items, {fail: 5})
      const ids: number[] = []
      const reading = (async () => {
        for await (const item of client.paginate<{id: number}>('/projects')) ids.push(item.id)
      })()
      await expect(reading).rejects.toThrow(/returned 400/)
      expect(ids).toEqual(items.slice(0, 400).map((item) => item.id))
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})
