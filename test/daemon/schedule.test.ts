/** The interval between cycles: jittered by ±10 % around the configured value, and wakeable. */
import {describe, expect, it} from 'vitest'
import {DEFAULT_JITTER, jitteredDelay, WakeableTimer} from '../../src/daemon/schedule.js'

describe('jitteredDelay', () => {
  it('spreads the interval over ±10 %, from its lowest to its highest value', () => {
    expect(DEFAULT_JITTER).toBe(0.1)
    expect(jitteredDelay(600_000, DEFAULT_JITTER, () => 0)).toBe(540_000)
    expect(jitteredDelay(600_000, DEFAULT_JITTER, () => 0.5)).toBe(600_000)
    expect(jitteredDelay(600_000, DEFAULT_JITTER, () => 0.999_999)).toBe(660_000)
  })

  it('stays inside the band with a real random source, and uses both sides of it', () => {
    const delays = Array.from({length: 2000}, () => jitteredDelay(10_000))
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(9_000)
    expect(Math.max(...delays)).toBeLessThanOrEqual(11_000)
    expect(delays.some((delay) => delay < 9_500)).toBe(true)
    expect(delays.some((delay) => delay > 10_500)).toBe(true)
  })
})

describe('WakeableTimer', () => {
  it('ends a wait early on wake(), and on its own when the time is up', async () => {
    const timer = new WakeableTimer()
    const long = timer.wait(60_000)
    timer.wake()
    expect(await long).toBe('woken')
    expect(await timer.wait(5)).toBe('elapsed')
    // wake() with no wait running is harmless.
    timer.wake()
  })
})
