/**
 * Fault injection over real HTTP: proxy-style error answers, Retry-After, connection resets, hangs,
 * writes applied before a failed answer, rates that replay with the seed, skip/times, patterns, and
 * rule management at start and at run time.
 */
import {request} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
import {type EmulatorHandle, type EmulatorOptions, startEmulator, validateFaultRule} from '../../src/emulator/index.js'

const AUTH = {authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`}

let running: EmulatorHandle[] = []

async function emulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const handle = await startEmulator({loginLockMs: 0, ...options})
  running.push(handle)
  return handle
}

afterEach(async () => {
  await Promise.all(running.map((handle) => handle.stop()))
  running = []
})

async function call(handle: EmulatorHandle, method: string, path: string, body?: unknown, signal?: AbortSignal) {
  const response = await request(`${handle.url}/api/v2.0${path}`, {
    method: method as 'GET',
    headers: {...AUTH, ...(body === undefined ? {} : {'content-type': 'application/json'})},
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  })
  return {status: response.statusCode, headers: response.headers, text: await response.body.text()}
}

async function statuses(handle: EmulatorHandle, count: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push((await call(handle, 'GET', '/projects')).status)
  return out
}

describe('fault injection', () => {
  it('answers a matching route as a failing proxy would, with Retry-After, and counts it', async () => {
    const handle = await emulator({faults: [{match: 'GET /projects', status: 503, retryAfter: 7}]})
    const failed = await call(handle, 'GET', '/projects')
    expect(failed.status).toBe(503)
    expect(failed.headers['content-type']).toBe('text/html')
    expect(failed.headers['retry-after']).toBe('7')
    expect(failed.text).toContain('503 Service Temporarily Unavailable')
    expect((await call(handle, 'GET', '/systeminfo')).status).toBe(200)
    const counters = handle.faults.counters()
    expect(counters['GET /projects']).toMatchObject({requests: 1, statuses: {'503': 1}, faults: {status: 1}})
    expect(counters['GET /systeminfo']).toMatchObject({requests: 1, statuses: {'200': 1}, faults: {status: 0}})
  })

  it('sends 429 with Retry-After as an HTTP date when asked', async () => {
    const handle = await emulator({faults: [{match: '*', status: 429, retryAfter: 30, retryAfterFormat: 'http-date'}]})
    const before = Date.now()
    const response = await call(handle, 'GET', '/robots')
    expect(response.status).toBe(429)
    const date = Date.parse(String(response.headers['retry-after']))
    // HTTP dates have one-second resolution.
    expect(date).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 29_000)
  })

  it('answers an injected 500 with Harbor masked error body', async () => {
    const handle = await emulator({faults: [{match: 'POST /robots', status: 500}]})
    const response = await call(handle, 'POST', '/robots', {})
    expect(response.status).toBe(500)
    expect(JSON.parse(response.text)).toEqual({errors: [{code: 'UNKNOWN', message: 'internal server error'}]})
  })

  it('resets the connection mid-response', async () => {
    const handle = await emulator({faults: [{match: 'GET /usergroups', reset: true}]})
    await expect(call(handle, 'GET', '/usergroups')).rejects.toThrow()
    expect(handle.requests.at(-1)).toMatchObject({route: 'GET /usergroups', status: 'reset', faulted: true})
    expect((await call(handle, 'GET', '/systeminfo')).status).toBe(200)
  })

  it('hangs until the client gives up, and stop() still returns', async () => {
    const handle = await emulator({faults: [{match: 'GET /projects', hang: true}]})
    await expect(call(handle, 'GET', '/projects', undefined, AbortSignal.timeout(200))).rejects.toThrow()
    expect(handle.faults.counters()['GET /projects']?.faults.hang).toBe(1)
    await handle.stop()
    running = running.filter((h) => h !== handle)
  })

  it('applies the write and then fails the answer (the orphan case), with a status or a reset', async () => {
    const handle = await emulator({faults: [{match: 'POST /projects', afterHandler: 502, times: 1}]})
    const failed = await call(handle, 'POST', '/projects', {project_name: 'orphan-a'})
    expect(failed.status).toBe(502)
    expect(handle.projects().map((p) => p.name)).toContain('orphan-a')
    handle.faults.add({match: 'POST /robots', afterHandler: 'reset'})
    const robot = {
      name: 'orphan-r',
      level: 'system',
      duration: -1,
      permissions: [{kind: 'project', namespace: '*', access: [{resource: 'repository', action: 'pull'}]}],
    }
    await expect(call(handle, 'POST', '/robots', robot)).rejects.toThrow()
    expect(handle.robots().map((r) => r.name)).toContain('orphan-r')
    expect(handle.faults.counters()['POST /robots']?.faults.afterHandler).toBe(1)
  })

  it('adds latency without changing the answer, and counts it', async () => {
    const handle = await emulator({faults: [{id: 'slow', match: 'GET /ping', latencyMs: 20, jitterMs: 10}]})
    const response = await call(handle, 'GET', '/ping')
    expect(response.status).toBe(200)
    expect(response.text).toBe('Pong')
    expect(handle.faults.counters()['GET /ping']?.faults.latency).toBe(1)
    expect(handle.faults.rules()).toEqual([expect.objectContaining({id: 'slow', hits: 1, seen: 1})])
    expect(handle.requests.at(-1)?.faulted).toBe(false)
  })

  it('draws rates from the seeded generator: the same seed replays the same failures', async () => {
    const rule = {match: 'GET /projects', status: 503 as const, rate: 0.5}
    const first = await statuses(await emulator({randomSeed: 42, faults: [rule]}), 24)
    const again = await statuses(await emulator({randomSeed: 42, faults: [rule]}), 24)
    const other = await statuses(await emulator({randomSeed: 7, faults: [rule]}), 24)
    expect(first).toEqual(again)
    expect(first).toContain(200)
    expect(first).toContain(503)
    expect(other).not.toEqual(first)
  })

  it('lets the first `skip` requests through and stops after `times`', async () => {
    const handle = await emulator({faults: [{match: 'GET /projects', status: 503, skip: 1, times: 2}]})
    expect(await statuses(handle, 5)).toEqual([200, 503, 503, 200, 200])
  })

  it('matches method lists, one-segment and rest wildcards, and template segments', async () => {
    const handle = await emulator()
    await call(handle, 'POST', '/projects', {project_name: 'pat'})
    handle.faults.add({match: 'GET,DELETE /projects/*/members', status: 504})
    handle.faults.add({match: '* /usergroups/**', status: 502})
    handle.faults.add({match: 'PUT /projects/{project_name_or_id}', status: 500})
    expect((await call(handle, 'GET', '/projects/pat/members')).status).toBe(504)
    expect((await call(handle, 'DELETE', '/projects/pat/members/1')).status).toBe(200)
    expect((await call(handle, 'GET', '/usergroups/7')).status).toBe(502)
    expect((await call(handle, 'GET', '/usergroups')).status).toBe(200)
    expect((await call(handle, 'PUT', '/projects/pat', {metadata: {auto_scan: 'true'}})).status).toBe(500)
    expect((await call(handle, 'GET', '/projects/pat')).status).toBe(200)
  })

  it('adds, removes and clears rules at run time', async () => {
    const handle = await emulator({faults: [{id: 'start', match: 'GET /projects', status: 503}]})
    expect((await call(handle, 'GET', '/projects')).status).toBe(503)
    handle.faults.remove('start')
    expect((await call(handle, 'GET', '/projects')).status).toBe(200)
    const id = handle.faults.add({match: '*', status: 500})
    expect(handle.faults.rules().map((r) => r.id)).toEqual([id])
    expect((await call(handle, 'GET', '/systeminfo')).status).toBe(500)
    handle.faults.clear()
    expect((await call(handle, 'GET', '/systeminfo')).status).toBe(200)
    expect(handle.stats()['GET /systeminfo']).toMatchObject({requests: 2, statuses: {'500': 1, '200': 1}})
    handle.faults.resetCounters()
    expect(handle.stats()).toEqual({})
  })

  it('rejects malformed rules with a message naming the problem', () => {
    expect(() => validateFaultRule({match: 'GET /x', status: 418})).toThrow(/"status" must be one of 500, 502, 503, 504, 429/)
    expect(() => validateFaultRule({match: 'GET /x', rate: 2})).toThrow(/"rate" must be a number between 0 and 1/)
    expect(() => validateFaultRule({status: 500})).toThrow(/"match" must be a non-empty string/)
    expect(() => validateFaultRule({match: '*', delay: 5}, 'faults.json: rule 2')).toThrow(
      'faults.json: rule 2: unknown field "delay"',
    )
    expect(() => validateFaultRule({match: '*', afterHandler: 'explode'})).toThrow(/"afterHandler" must be one of/)
  })
})
