/**
 * The reliability layer against real faults over real sockets on 127.0.0.1: statuses, refused
 * connections, resets, hangs, and the circuit breaker opening and closing on them.
 */
import {afterEach, describe, expect, it} from 'vitest'
import {createClient, type ClientOptions} from '../../src/client/harbor-client.js'
import type {HarborClient} from '../../src/client/types.js'
import type {ReliabilitySettings} from '../../src/config/model.js'
import type {EngineEvent} from '../../src/model/events.js'
import {EndpointUnavailableError, HarborError} from '../../src/reliability/errors.js'
import {
  endpointConfig,
  type FakeServer,
  fastReliability,
  type Handler,
  harborError,
  json,
  refusedPort,
  startServer,
} from '../client/fake-server.js'

const servers: FakeServer[] = []
const clients: HarborClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close()
  for (const server of servers.splice(0)) await server.close()
})

async function serve(handler: Handler): Promise<FakeServer> {
  const server = await startServer(handler)
  servers.push(server)
  return server
}

function connect(url: string, reliability: Partial<ReliabilitySettings> = {}, options: ClientOptions = {}) {
  const events: EngineEvent[] = []
  const client = createClient(endpointConfig(url, {name: 'dr', reliability: fastReliability(reliability)}), {
    events: {emit: (event) => events.push(event)},
    ...options,
  })
  clients.push(client)
  return {client, events}
}

async function failure(promise: Promise<unknown>): Promise<HarborError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(HarborError)
    return error as HarborError
  }
  throw new Error('expected the request to fail')
}

const once = {retry: {attempts: 1, baseDelayMs: 1, maxDelayMs: 1}}

describe('classification over HTTP', () => {
  it.each([
    [400, 'invalid'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not_found'],
    [405, 'permanent'],
    [409, 'conflict'],
    [412, 'invalid'],
    [415, 'permanent'],
    [422, 'invalid'],
    [429, 'transient'],
    [500, 'transient'],
    [501, 'permanent'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
  ])('%i is %s', async (status, errorClass) => {
    const server = await serve((_request, response) => harborError(response, status, 'CODE', 'message'))
    const {client} = connect(server.url, once)
    const error = await failure(client.request({method: 'GET', path: '/projects'}))
    expect(error).toMatchObject({errorClass, status, code: `harbor_${errorClass}`, harborCode: 'CODE', endpoint: 'dr'})
  })

  it('reads Retry-After in seconds and as an HTTP-date', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString()
    const server = await serve((request, response) =>
      harborError(response, request.url.includes('date') ? 503 : 429, 'TOO_MANY_REQUEST', 'slow down', {
        'retry-after': request.url.includes('date') ? at : '7',
      }),
    )
    const {client} = connect(server.url, once)
    expect((await failure(client.request({method: 'GET', path: '/seconds'}))).retryAfterMs).toBe(7_000)
    const dated = await failure(client.request({method: 'GET', path: '/date'}))
    expect(dated.retryAfterMs).toBeGreaterThan(55_000)
    expect(dated.retryAfterMs).toBeLessThanOrEqual(60_000)
  })

  it('calls a refused connection transient and not sent, and retries it', async () => {
    const port = await refusedPort()
    const {client, events} = connect(`http://127.0.0.1:${port}`)
    const error = await failure(client.request({method: 'POST', path: '/projects', body: {project_name: 'x'}}))
    expect(error).toMatchObject({
      errorClass: 'transient',
      notSent: true,
      networkCode: 'ECONNREFUSED',
      attempts: 5,
      ambiguous: false,
    })
    expect(error.message).toBe(`endpoint dr: POST /projects failed: connection refused (ECONNREFUSED) [after 5 attempts]`)
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(4)
  })

  it('calls a reset ambiguous for a POST and does not resend it', async () => {
    const server = await serve((_request, response) => {
      response.socket?.destroy()
    })
    const {client} = connect(server.url)
    const error = await failure(client.request({method: 'POST', path: '/projects', body: {project_name: 'x'}}))
    expect(error).toMatchObject({errorClass: 'transient', notSent: false, ambiguous: true, attempts: 1})
    expect(server.requests).toHaveLength(1)
  })

  it('resends a GET after a reset and succeeds', async () => {
    let calls = 0
    const server = await serve((_request, response) => {
      if (++calls < 3) response.socket?.destroy()
      else json(response, 200, [{name: 'a'}])
    })
    const {client} = connect(server.url)
    expect((await client.request({method: 'GET', path: '/projects'})).body).toEqual([{name: 'a'}])
    expect(server.requests).toHaveLength(3)
  })

  it('cuts a hanging Harbor at the attempt timeout', async () => {
    const server = await serve(() => {
      // never answers
    })
    const {client} = connect(server.url, {timeoutMs: 100, retry: {attempts: 2, baseDelayMs: 1, maxDelayMs: 1}})
    const error = await failure(client.request({method: 'GET', path: '/projects'}))
    expect(error).toMatchObject({errorClass: 'transient', attempts: 2})
    expect(error.message).toContain('timed out after 100 ms')
    expect(server.requests).toHaveLength(2)
  })
})

describe('circuit breaker over HTTP', () => {
  const states = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'breaker' ? [e.state] : []))
  const sent = (events: EngineEvent[]) => events.filter((e) => e.type === 'http.request').length

  it('opens against a refusing port within a bounded number of requests, then fails fast', async () => {
    const port = await refusedPort()
    const {client, events} = connect(`http://127.0.0.1:${port}`, {parallelism: 4})
    const results = await Promise.allSettled(Array.from({length: 40}, () => client.request({method: 'GET', path: '/projects'})))
    expect(states(events)).toEqual(['open'])
    // 12 failures in a row open it; the requests already in flight then finish.
    const openedAt = events.findIndex((e) => e.type === 'breaker')
    expect(events.slice(0, openedAt).filter((e) => e.type === 'http.request')).toHaveLength(12)
    expect(sent(events)).toBeLessThanOrEqual(12 + 4)
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as HarborError) : undefined))
    const unavailable = reasons.filter((e) => e instanceof EndpointUnavailableError)
    expect(unavailable.length).toBeGreaterThan(30)
    expect(unavailable[0]!.message).toMatch(/^endpoint dr unavailable \(circuit open since .+Z\)$/)
  })

  it('opens against a hanging Harbor, bounded by the attempt timeout', async () => {
    const server = await serve(() => {
      // never answers
    })
    const {client, events} = connect(server.url, {parallelism: 8, timeoutMs: 150})
    const results = await Promise.allSettled(Array.from({length: 30}, () => client.request({method: 'GET', path: '/robots'})))
    expect(states(events)).toEqual(['open'])
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
    // The 12 timeouts that open it, plus what held the other slots of the 8 meanwhile.
    expect(server.requests.length).toBeGreaterThanOrEqual(12)
    expect(server.requests.length).toBeLessThanOrEqual(12 + 8)
  })

  it('probes after the reset timeout and closes when the endpoint is back', async () => {
    let up = false
    const server = await serve((_request, response) => {
      if (up) json(response, 200, [])
      else harborError(response, 503, 'UNKNOWN', 'restarting')
    })
    const {client, events} = connect(server.url, once, {breaker: {failureThreshold: 3, resetTimeoutMs: 200}})
    for (let i = 0; i < 3; i++) await failure(client.request({method: 'GET', path: '/projects'}))
    expect(await failure(client.request({method: 'GET', path: '/projects'}))).toBeInstanceOf(EndpointUnavailableError)
    up = true
    const deadline = Date.now() + 5_000
    while (!states(events).includes('half-open') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect((await client.request({method: 'GET', path: '/projects'})).status).toBe(200)
    expect(states(events)).toEqual(['open', 'half-open', 'closed'])
    expect(server.requests).toHaveLength(4)
  })

  it('keeps one endpoint failing fast while another carries on', async () => {
    const healthy = await serve((_request, response) => json(response, 200, []))
    const port = await refusedPort()
    const primary = connect(healthy.url)
    const dr = connect(`http://127.0.0.1:${port}`, {}, {breaker: {failureThreshold: 3}})
    await Promise.allSettled(Array.from({length: 10}, () => dr.client.request({method: 'GET', path: '/projects'})))
    expect(states(dr.events)).toEqual(['open'])
    const ok = await Promise.all(Array.from({length: 10}, () => primary.client.request({method: 'GET', path: '/projects'})))
    expect(ok.every((r) => r.status === 200)).toBe(true)
    expect(states(primary.events)).toEqual([])
  })
})
