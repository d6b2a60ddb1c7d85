import {describe, expect, it} from 'vitest'
import {
  formatStorageLimit,
  MAX_STORAGE_BYTES,
  parseRobotDuration,
  parseStorageLimit,
  parseUnixSeconds,
} from '../../src/kinds/units.js'

const GiB = 1024 ** 3

describe('parseStorageLimit', () => {
  it.each([
    [1024, 1024],
    ['1024', 1024],
    ['10GiB', 10 * GiB],
    ['10 gib', 10 * GiB],
    ['500MB', 500e6],
    ['1.5TiB', 1.5 * 1024 ** 4],
    ['2KB', 2000],
    ['1PiB', 1024 ** 5],
    [-1, -1],
    ['-1', -1],
    ['unlimited', -1],
    ['Unlimited', -1],
  ])('%j is %d bytes', (input, bytes) => {
    expect(parseStorageLimit(input)).toEqual({ok: true, value: bytes})
  })

  it.each([
    [0, '0 is not a limit'],
    ['0GiB', '0 is not a limit'],
    [-5, 'only -1'],
    [1.5, 'whole number'],
    ['10QB', 'unknown unit "QB"'],
    ['ten GiB', 'not a size'],
    ['1025TiB', 'at most 1024 TiB'],
    [MAX_STORAGE_BYTES + 1, 'at most 1024 TiB'],
  ])('%j is refused with a reason', (input, reason) => {
    const parsed = parseStorageLimit(input)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.message).toContain(reason)
  })

  it('accepts exactly the 1024 TiB maximum', () => {
    expect(parseStorageLimit('1024TiB')).toEqual({ok: true, value: MAX_STORAGE_BYTES})
  })
})

describe('formatStorageLimit', () => {
  it.each([
    [-1, 'unlimited'],
    [10 * GiB, '10GiB'],
    [1536 * 1024 ** 2, '1536MiB'],
    [1000, '1000B'],
  ])('%d is %s', (bytes, text) => {
    expect(formatStorageLimit(bytes)).toBe(text)
    expect(parseStorageLimit(text)).toEqual({ok: true, value: bytes})
  })
})

describe('parseRobotDuration', () => {
  it.each([
    [30, 30],
    ['30', 30],
    ['90d', 90],
    ['90 d', 90],
    [-1, -1],
    ['-1', -1],
    ['never', -1],
    ['Never', -1],
  ])('%j is %d days', (input, days) => {
    expect(parseRobotDuration(input)).toEqual({ok: true, value: days})
  })

  it.each([0, '0d', -2, 1.5, '3w', 2_147_483_647])('%j is refused', (input) => {
    expect(parseRobotDuration(input).ok).toBe(false)
  })
})

describe('parseUnixSeconds', () => {
  it.each([
    [1_800_000_000, 1_800_000_000],
    ['1800000000', 1_800_000_000],
    ['2026-12-31', Date.UTC(2026, 11, 31) / 1000],
    ['2026-12-31T12:00:00Z', Date.UTC(2026, 11, 31, 12) / 1000],
    ['2026-12-31T12:00:00+02:00', Date.UTC(2026, 11, 31, 10) / 1000],
  ])('%j is %d', (input, seconds) => {
    expect(parseUnixSeconds(input)).toEqual({ok: true, value: seconds})
  })

  it.each(['tomorrow', '2026-12-31T12:00:00', 0, -3, 1.5])('%j is refused', (input) => {
    expect(parseUnixSeconds(input).ok).toBe(false)
  })
})
