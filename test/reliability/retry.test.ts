/**
 * The retry loop under fake timers: what is retried, after how long, and when it stops. Attempts are
 * stubs here (the HTTP side is covered over real sockets in faults.test.ts), so every wait is exact.
 */
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import type {ReliabilitySettings} from '../../src/config/model.js'
import type {EngineEvent} from '../../src/model/events.js'
import {parseRetryAfter} from '../../src/reliability/backoff.js'
import {DEFAULT_RELIABILITY} from '../../src/reliability/defaults.js'
import {type AttemptResult, EndpointReliability, type Operation} from '../../src/reliability/endpoint-reliability.js'
import {classifyStatus, HarborError, type HarborErrorFacts} from '../../src/reliability/errors.js'

type Outcome = number | HarborError | 'hang'

interface Harness {
  reliability: EndpointReliability
  events: EngineEvent[]
  /** Fake time at which each attempt started. */
  starts: number[]
  run(method?: string, options?: Partial<Operation>): Promise<AttemptResult>
}

let harnesses: EndpointReliability[] = []

beforeEach(() => {
  vi.useFakeTimers({now: Date.parse('2026-11-23T10:00:00Z')})
})

afterEach(() => {
  for (const reliability of harnesses) reliability.close()
  harnesses = []
  vi.useRealTimers()
})

function failure(status: number, extra: Partial<HarborErrorFacts> = {}): HarborError {
  return new HarborError({
    errorClass: classifyStatus(status),
    endpoint: 'dr',
    method: 'GET',
    path: '/projects',
    status,
    notSent: status === 429,
    ...extra,
  })
}

function refused(): HarborError {
  return new HarborError({
    errorClass: 'transient',
    endpoint: 'dr',
    method: 'POST',
    path: '/projects',
    notSent: true,
    networkCode: 'ECONNREFUSED',
    detail: 'connection refused',
  })
}

/**
 * A reliability layer whose attempts answer `outcomes` in turn (the last one repeats): a number is a
 * success with that status, a HarborError is thrown, 'hang' waits until the attempt's signal aborts.
 */
function harness(outcomes: Outcome[], settings: Partial<ReliabilitySettings> = {}, draw = 0.999_999): Harness {
  const events: EngineEvent[] = []
  const starts: number[] = []
  const reliability = new EndpointReliability(
    'dr',
    {...DEFAULT_RELIABILITY, ...settings, retry: {...DEFAULT_RELIABILITY.retry, ...settings.retry}},
    {events: {emit: (event) => events.push(event)}, random: () => draw, breaker: {failureThreshold: 1_000}},
  )
  harnesses.push(reliability)
  const origin = performance.now()
  let next = 0
  const send = (signal: AbortSignal): Promise<AttemptResult> => {
    starts.push(performance.now() - origin)
    const outcome = outcomes[Math.min(next++, outcomes.length - 1)]!
    if (outcome === 'hang') {
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))
    }
    if (typeof outcome === 'number') return Promise.resolve({status: outcome})
    return Promise.reject(outcome)
  }
  return {
    reliability,
    events,
    starts,
    run: (method = 'GET', options = {}) =>
      reliability.run(
        {method, path: '/projects', route: '/projects', idempotent: method !== 'POST' && method !== 'PATCH', ...options},
        send,
      ),
  }
}

/** The error the operation failed with, or undefined; does not move time. */
function outcome(promise: Promise<unknown>): Promise<HarborError | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => error as HarborError,
  )
}

/** Runs the operation to its end on fake time; returns the error it failed with, or undefined. */
async function settle(promise: Promise<unknown>): Promise<HarborError | undefined> {
  const result = outcome(promise)
  await vi.runAllTimersAsync()
  return result
}

const retries = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []))
const giveups = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'giveup' ? [e.reason] : []))

describe('backoff', () => {
  it('waits full-jitter delays: below base * 2^(n-1), capped', async () => {
    const h = harness([failure(503)], {retry: {attempts: 7, baseDelayMs: 200, maxDelayMs: 1_000}})
    const error = await settle(h.run())
    expect(error).toMatchObject({errorClass: 'transient', attempts: 7})
    expect(retries(h.events)).toEqual([199, 399, 799, 999, 999, 999])
    // Each attempt started only once its wait was over.
    expect(h.starts).toEqual([0, 199, 598, 1397, 2396, 3395, 4394])
    expect(giveups(h.events)).toEqual(['attempts'])
  })

  it('jitters down to zero', async () => {
    const h = harness([failure(502), failure(504), 200], {}, 0)
    expect(await settle(h.run())).toBeUndefined()
    expect(retries(h.events)).toEqual([0, 0])
    expect(h.starts).toEqual([0, 0, 0])
  })

  it('does not start the next attempt before the wait is over', async () => {
    const h = harness([failure(503), 200], {retry: {attempts: 5, baseDelayMs: 1_000, maxDelayMs: 10_000}})
    const done = h.run()
    await vi.advanceTimersByTimeAsync(998)
    expect(h.starts).toEqual([0])
    await vi.advanceTimersByTimeAsync(1)
    expect(h.starts).toEqual([0, 999])
    await expect(done).resolves.toEqual({status: 200})
  })
})

describe('Retry-After', () => {
  it('wins over backoff in seconds', async () => {
    const h = harness([failure(429, {retryAfterMs: parseRetryAfter('3')}), 200], {
      retry: {attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000},
    })
    expect(await settle(h.run())).toBeUndefined()
    expect(retries(h.events)).toEqual([3_000])
    expect(h.starts).toEqual([0, 3_000])
  })

  it('wins over backoff as an HTTP-date, even beyond the backoff cap', async () => {
    const at = new Date(Date.now() + 12_000).toUTCString()
    const h = harness([failure(503, {retryAfterMs: parseRetryAfter(at)}), 200], {
      retry: {attempts: 5, baseDelayMs: 200, maxDelayMs: 1_000},
    })
    expect(await settle(h.run())).toBeUndefined()
    expect(retries(h.events)).toEqual([12_000])
  })

  it('gives up at once when Retry-After reaches past the deadline', async () => {
    const h = harness([failure(503, {retryAfterMs: 60_000}), 200], {deadlineMs: 30_000})
    const error = await settle(h.run())
    expect(error).toMatchObject({status: 503, attempts: 1, giveUpReason: 'deadline'})
    expect(error!.message).toContain('no time left before the deadline')
    expect(h.starts).toEqual([0])
  })
})

describe('deadline', () => {
  it('never sleeps past the operation deadline', async () => {
    const h = harness([failure(503)], {deadlineMs: 1_000, retry: {attempts: 10, baseDelayMs: 400, maxDelayMs: 10_000}})
    const started = performance.now()
    const error = await settle(h.run())
    // 0: fail, wait 399; 399: fail, the next wait (799) would end at 1,198 > 1,000: give up now.
    expect(h.starts).toEqual([0, 399])
    expect(error).toMatchObject({attempts: 2, giveUpReason: 'deadline'})
    expect(performance.now() - started).toBe(399)
  })

  it('cuts a hanging attempt at the timeout and the last one at the deadline', async () => {
    const h = harness(['hang'], {timeoutMs: 500, deadlineMs: 1_200, retry: {attempts: 10, baseDelayMs: 1, maxDelayMs: 1}}, 0)
    const started = performance.now()
    const error = await settle(h.run())
    expect(h.starts).toEqual([0, 500, 1_000])
    expect(performance.now() - started).toBe(1_200)
    expect(error).toMatchObject({errorClass: 'transient', attempts: 3})
    expect(error!.message).toContain('deadline of 1.2 s exceeded')
  })

  it('reports the attempt timeout in words', async () => {
    const h = harness(['hang'], {timeoutMs: 2_500, retry: {attempts: 1, baseDelayMs: 1, maxDelayMs: 1}})
    const error = await settle(h.run())
    expect(error!.message).toBe(
      'endpoint dr: GET /projects failed: timed out after 2.5 s. Harbor did not answer in time; raise `timeout` if it is slow rather than down',
    )
  })

  it('stops waiting when the caller aborts', async () => {
    const h = harness([failure(503)], {retry: {attempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000}})
    const controller = new AbortController()
    const done = outcome(h.run('GET', {signal: controller.signal}))
    await vi.advanceTimersByTimeAsync(100)
    controller.abort()
    const error = await done
    expect(error).toMatchObject({aborted: true, attempts: 1})
    expect(h.starts).toEqual([0])
  })
})

describe('what is retried', () => {
  it.each([400, 403, 404, 409, 412, 422, 501])('never retries a %i', async (status) => {
    const h = harness([failure(status), 200])
    const error = await settle(h.run())
    expect(error).toMatchObject({status, attempts: 1})
    expect(retries(h.events)).toEqual([])
    expect(giveups(h.events)).toEqual([])
  })

  it('retries reads on every transient failure until attempts run out', async () => {
    const h = harness([failure(500), failure(502), failure(503), failure(504), 200])
    expect(await settle(h.run())).toBeUndefined()
    expect(h.starts).toHaveLength(5)
  })

  it('does not resend a POST that may have reached Harbor: the caller looks it up', async () => {
    const h = harness([failure(503), 201])
    const error = await settle(h.run('POST'))
    expect(h.starts).toHaveLength(1)
    expect(error).toMatchObject({errorClass: 'transient', ambiguous: true, attempts: 1, giveUpReason: 'unsafe'})
    expect(error!.message).toContain('the change may have been applied')
    expect(giveups(h.events)).toEqual(['unsafe'])
  })

  it('resends a POST that provably never left (connection refused, 429)', async () => {
    const h = harness([refused(), failure(429), 201])
    expect(await settle(h.run('POST'))).toBeUndefined()
    expect(h.starts).toHaveLength(3)
  })

  it('resends a PATCH the caller marked idempotent', async () => {
    const h = harness([failure(503), 200])
    expect(await settle(h.run('PATCH', {idempotent: true}))).toBeUndefined()
    expect(h.starts).toHaveLength(2)
  })

  it('retries a write answered 500 only once', async () => {
    const h = harness([failure(500)])
    const error = await settle(h.run('PUT'))
    expect(h.starts).toHaveLength(2)
    expect(error).toMatchObject({status: 500, attempts: 2, ambiguous: true})
  })

  it('does not call a rejected write ambiguous', async () => {
    const h = harness([failure(503), failure(409)])
    const error = await settle(h.run('DELETE'))
    expect(error).toMatchObject({status: 409, attempts: 2, ambiguous: true})
    const clean = harness([failure(422)])
    expect(await settle(clean.run('PUT'))).toMatchObject({status: 422, ambiguous: false})
  })

  it("retries a 401 once, 2 s later, for Harbor's login lockout", async () => {
    const h = harness([failure(401), 200])
    expect(await settle(h.run('POST'))).toBeUndefined()
    expect(h.starts).toEqual([0, 2_000])
    const rejected = harness([failure(401)])
    expect(await settle(rejected.run())).toMatchObject({errorClass: 'auth', attempts: 2})
    expect(rejected.starts).toEqual([0, 2_000])
  })

  it('respects attempts = 1 (no retry at all)', async () => {
    const h = harness([failure(503)], {retry: {attempts: 1, baseDelayMs: 1, maxDelayMs: 1}})
    expect(await settle(h.run())).toMatchObject({attempts: 1, giveUpReason: 'attempts'})
    expect(h.starts).toHaveLength(1)
  })
})

describe('retry budget', () => {
  it('stops a retry storm: an outage costs at most about twice the requests, not `attempts` times', async () => {
    const h = harness([failure(503)], {parallelism: 8}, 0)
    const operations = Array.from({length: 100}, () => settle(h.run()))
    await vi.runAllTimersAsync()
    const errors = await Promise.all(operations)
    expect(errors.every((e) => e?.errorClass === 'transient')).toBe(true)
    // Without the budget: 100 × 5 = 500 attempts. With it: 100 first attempts + at most 100 + 10 retries.
    expect(h.starts.length).toBeLessThanOrEqual(210)
    expect(h.starts.length).toBeGreaterThan(100)
    expect(giveups(h.events)).toContain('budget')
    expect(h.reliability.stats()).toMatchObject({operations: 100, failures: 100})
  })

  it('does not get in the way of a Harbor failing a third of the requests', async () => {
    let n = 0
    // 10 attempts: with 5, one operation in ~250 would meet five failures in a row at this rate.
    const h = harness([failure(503)], {parallelism: 8, retry: {attempts: 10, baseDelayMs: 1, maxDelayMs: 1}}, 0)
    // Every third attempt fails.
    const send = () => (++n % 3 === 0 ? Promise.reject(failure(503)) : Promise.resolve({status: 200}))
    const operations = Array.from({length: 300}, () =>
      settle(h.reliability.run({method: 'GET', path: '/projects', route: '/projects', idempotent: true}, send)),
    )
    await vi.runAllTimersAsync()
    const errors = (await Promise.all(operations)).filter(Boolean)
    expect(errors.map((e) => e!.message)).toEqual([])
    expect(giveups(h.events)).toEqual([])
    expect(h.reliability.stats().retries).toBeGreaterThan(100)
  })
})

describe('rate limit', () => {
  it('sends at most rate_limit requests per second, in order, and reports the waits', async () => {
    const h = harness([200], {rateLimit: 10, parallelism: 4})
    const order: number[] = []
    const operations = Array.from({length: 25}, (_, i) => h.run().then(() => order.push(i)))
    await vi.advanceTimersByTimeAsync(0)
    expect(h.starts).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(h.starts).toHaveLength(11)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(h.starts).toHaveLength(21)
    await vi.runAllTimersAsync()
    await Promise.all(operations)
    expect(order).toEqual(Array.from({length: 25}, (_, i) => i))
    const waits = h.events.flatMap((e) => (e.type === 'throttle' ? [e.waitMs] : []))
    expect(waits.length).toBeGreaterThanOrEqual(24)
    // Four requests hold the endpoint's slots at a time, so a reserved send time lies at most 4 × 100 ms ahead.
    expect(waits.every((w) => w > 0 && w <= 400)).toBe(true)
  })
})

describe('circuit breaker', () => {
  function breakerHarness(outcomes: Outcome[]) {
    const events: EngineEvent[] = []
    let next = 0
    let sent = 0
    const reliability = new EndpointReliability(
      'dr',
      {...DEFAULT_RELIABILITY, retry: {attempts: 1, baseDelayMs: 1, maxDelayMs: 1}},
      {events: {emit: (event) => events.push(event)}, breaker: {failureThreshold: 3, resetTimeoutMs: 5_000}},
    )
    harnesses.push(reliability)
    const send = (): Promise<AttemptResult> => {
      sent++
      const outcome = outcomes[Math.min(next++, outcomes.length - 1)]!
      return typeof outcome === 'number' ? Promise.resolve({status: outcome}) : Promise.reject(outcome)
    }
    const run = () => outcome(reliability.run({method: 'GET', path: '/projects', route: '/projects', idempotent: true}, send))
    const states = () => events.flatMap((e) => (e.type === 'breaker' ? [e.state] : []))
    return {reliability, run, states, sent: () => sent}
  }

  it('opens after a run of transient failures and then fails fast without sending', async () => {
    const b = breakerHarness([failure(503), failure(503), failure(503), 200])
    for (let i = 0; i < 3; i++) await b.run()
    expect(b.reliability.breakerState).toBe('open')
    const error = await b.run()
    expect(error!.message).toMatch(/^endpoint dr unavailable \(circuit open since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\)$/)
    expect(error).toMatchObject({code: 'endpoint_unavailable', errorClass: 'transient', notSent: true})
    expect(b.sent()).toBe(3)
  })

  it('probes half-open after the reset timeout and closes on success', async () => {
    const b = breakerHarness([failure(503), failure(503), failure(503), 200])
    for (let i = 0; i < 3; i++) await b.run()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(b.reliability.breakerState).toBe('half-open')
    expect(await b.run()).toBeUndefined()
    expect(b.reliability.breakerState).toBe('closed')
    expect(b.states()).toEqual(['open', 'half-open', 'closed'])
  })

  it('opens again when the probe fails', async () => {
    const b = breakerHarness([failure(503)])
    for (let i = 0; i < 3; i++) await b.run()
    await vi.advanceTimersByTimeAsync(5_000)
    await b.run()
    expect(b.reliability.breakerState).toBe('open')
    expect(b.states()).toEqual(['open', 'half-open', 'open'])
    expect(b.sent()).toBe(4)
  })

  it('is not tripped by 4xx answers, and any answer ends a run', async () => {
    const b = breakerHarness([
      failure(404),
      failure(409),
      failure(401),
      failure(503),
      failure(503),
      failure(400),
      failure(503),
      failure(503),
      200,
    ])
    for (let i = 0; i < 9; i++) await b.run()
    expect(b.reliability.breakerState).toBe('closed')
    expect(b.states()).toEqual([])
  })
})
