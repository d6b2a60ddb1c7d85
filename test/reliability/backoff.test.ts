import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {backoffDelay, parseRetryAfter} from '../../src/reliability/backoff.js'

describe('backoffDelay (full jitter)', () => {
  it('stays in [0, min(cap, base * 2^(n-1))) for every draw', () => {
    fc.assert(
      fc.property(
        fc.integer({min: 1, max: 40}),
        fc.integer({min: 1, max: 5_000}),
        fc.integer({min: 1, max: 60_000}),
        fc.double({min: 0, max: 1, maxExcluded: true, noNaN: true}),
        (attempt, base, cap, draw) => {
          const delay = backoffDelay(attempt, base, cap, () => draw)
          const ceiling = Math.min(cap, base * 2 ** (attempt - 1))
          expect(delay).toBeGreaterThanOrEqual(0)
          expect(delay).toBeLessThan(ceiling)
          expect(Number.isInteger(delay)).toBe(true)
        },
      ),
    )
  })

  it('doubles the ceiling per attempt up to the cap', () => {
    const top = () => 0.999_999
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 200, 10_000, top))).toEqual([199, 399, 799, 1599, 3199, 6399, 9999])
    expect(backoffDelay(60, 200, 10_000, top)).toBe(9999)
  })

  it('can draw zero: the jitter covers the whole range', () => {
    expect(backoffDelay(3, 200, 10_000, () => 0)).toBe(0)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T10:00:00Z')

  it.each([
    ['1', 1000],
    ['120', 120_000],
    [' 0 ', 0],
    ['1.5', 1500],
    ['Mon, 23 Nov 2026 10:00:30 GMT', 30_000],
    ['Monday, 23-Nov-26 10:00:05 GMT', 5000],
    ['Mon, 23 Nov 2026 09:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    ['-1', undefined],
    [undefined, undefined],
  ])('%j → %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })
})
