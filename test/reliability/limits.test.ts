import {describe, expect, it} from 'vitest'
import {TokenBucket} from '../../src/reliability/rate-limiter.js'
import {RetryBudget} from '../../src/reliability/retry-budget.js'

function manualClock(start = 0) {
  const clock = {t: start, now: () => clock.t}
  return clock
}

describe('RetryBudget', () => {
  it('allows the minimum on a quiet endpoint, then one retry per request', () => {
    const clock = manualClock()
    const budget = new RetryBudget({ratio: 1, minRetries: 3, windowMs: 10_000}, clock.now)
    const granted = () => Array.from({length: 10}, () => budget.tryRetry()).filter(Boolean).length
    expect(granted()).toBe(3)
    for (let i = 0; i < 5; i++) budget.recordRequest()
    expect(granted()).toBe(5)
  })

  it('forgets what left the window', () => {
    const clock = manualClock(50_000)
    const budget = new RetryBudget({ratio: 0.5, minRetries: 0, windowMs: 10_000}, clock.now)
    for (let i = 0; i < 10; i++) budget.recordRequest()
    expect(Array.from({length: 10}, () => budget.tryRetry()).filter(Boolean).length).toBe(5)
    clock.t += 5_000
    expect(budget.tryRetry()).toBe(false)
    clock.t += 5_000
    // The requests and retries of 10 s ago no longer count.
    expect(budget.tryRetry()).toBe(false)
    for (let i = 0; i < 4; i++) budget.recordRequest()
    expect(Array.from({length: 10}, () => budget.tryRetry()).filter(Boolean).length).toBe(2)
  })
})

describe('TokenBucket', () => {
  it('spaces requests evenly at the rate, in arrival order', () => {
    const clock = manualClock(1_000)
    const bucket = new TokenBucket(20, clock.now)
    expect(Array.from({length: 5}, () => bucket.reserve())).toEqual([0, 50, 100, 150, 200])
    clock.t += 1_000
    // Idle time is not saved up beyond the burst (1).
    expect([bucket.reserve(), bucket.reserve()]).toEqual([0, 50])
  })

  it('lets a burst through after a quiet period when configured', () => {
    const clock = manualClock(1_000)
    const bucket = new TokenBucket(10, clock.now, 3)
    expect(Array.from({length: 4}, () => bucket.reserve())).toEqual([0, 0, 0, 100])
  })

  it('reserves nothing when the wait would exceed the limit', () => {
    const clock = manualClock(0)
    const bucket = new TokenBucket(1, clock.now)
    expect(bucket.reserve()).toBe(0)
    expect(bucket.reserve(500)).toBe(-1)
    expect(bucket.reserve()).toBe(1000)
  })
})
