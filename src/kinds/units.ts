/**
 * Human units in config: storage sizes ("10GiB", "500MB", -1 / "unlimited") and robot durations
 * ("90d", -1 / "never"). Each parser returns the canonical number or an error message (never throws),
 * so zod schemas can report the message at the attribute's location.
 */

/** Harbor's largest storage quota: 1024 TiB (`src/lib/quota_storage_limit.go`). */
export const MAX_STORAGE_BYTES = 1024 * 1024 ** 4

/** Harbor's largest robot duration in days (`isValidDuration`). */
export const MAX_ROBOT_DURATION_DAYS = 2_147_483_646

/** Bytes per unit; decimal (kB, MB, ...) and binary (KiB, MiB, ...), matched case-insensitively. */
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  pib: 1024 ** 5,
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/

/** The result of parsing a unit: the canonical value, or a message saying what is wrong. */
export type Parsed<T> = {ok: true; value: T} | {ok: false; message: string}

/**
 * A project storage limit in bytes: a whole number of bytes, a size with a unit ("10GiB", "1.5 TB",
 * "500MB"), or -1 / "-1" / "unlimited". Fractional results are rounded down to whole bytes.
 * Valid results are -1 or 1 … 1024 TiB, the range Harbor accepts.
 */
export function parseStorageLimit(input: number | string): Parsed<number> {
  let bytes: number
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) return badStorageLimit(input, 'bytes must be a whole number')
    bytes = input
  } else {
    const text = input.trim()
    if (text === '-1' || (text.length === 9 && text.toLowerCase() === 'unlimited')) return {ok: true, value: -1}
    const match = SIZE.exec(text)
    if (!match) return badStorageLimit(input, 'not a size')
    const unit = match[2].toLowerCase()
    const factor = unit === '' ? 1 : SIZE_UNITS[unit]
    if (factor === undefined) {
      return badStorageLimit(input, `unknown unit "${match[2]}" (known: B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB)`)
    }
    bytes = Math.floor(Number(match[1]) * factor)
  }
  if (bytes === -1) return {ok: true, value: -1}
  if (bytes === 0)
    return badStorageLimit(input, '0 is not a limit (Harbor reads it as "use the default"); use "unlimited" for no limit')
  if (bytes < 0) return badStorageLimit(input, 'only -1 (unlimited) may be negative')
  if (bytes > MAX_STORAGE_BYTES) return badStorageLimit(input, 'Harbor allows at most 1024 TiB')
  return {ok: true, value: bytes}
}

// The parsers' messages are made by functions of their own, not closures: a closure (and its
// context) would be made on every call, and a large configuration has thousands of calls.
function badStorageLimit(input: number | string, why: string): Parsed<number> {
  return {
    ok: false,
    message: `invalid storage limit ${JSON.stringify(input)}: ${why}; use bytes, a size like "10GiB" or "500MB", or "unlimited"`,
  }
}

/** Bytes as the largest binary unit that divides them exactly ("10GiB"), for messages and generated config. */
export function formatStorageLimit(bytes: number): string {
  if (bytes === -1) return 'unlimited'
  for (const unit of ['PiB', 'TiB', 'GiB', 'MiB', 'KiB'] as const) {
    const factor = SIZE_UNITS[unit.toLowerCase()]
    if (bytes % factor === 0) return `${bytes / factor}${unit}`
  }
  return `${bytes}B`
}

/**
 * A robot duration in days: a whole number of days, "90d", or -1 / "-1" / "never" for a robot that
 * never expires. Valid results are -1 or 1 … 2147483646, the range Harbor accepts.
 */
export function parseRobotDuration(input: number | string): Parsed<number> {
  let days: number
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) return badDuration(input, 'days must be a whole number')
    days = input
  } else {
    const text = input.trim().toLowerCase()
    if (text === 'never' || text === '-1') return {ok: true, value: -1}
    const match = /^(\d+)\s*d?$/.exec(text)
    if (!match) return badDuration(input, 'not a number of days')
    days = Number(match[1])
  }
  if (days === -1) return {ok: true, value: -1}
  if (days === 0) return badDuration(input, '0 days is not allowed by Harbor')
  if (days < 0) return badDuration(input, 'only -1 (never) may be negative')
  if (days > MAX_ROBOT_DURATION_DAYS) return badDuration(input, `at most ${MAX_ROBOT_DURATION_DAYS} days`)
  return {ok: true, value: days}
}

function badDuration(input: number | string, why: string): Parsed<number> {
  return {ok: false, message: `invalid duration ${JSON.stringify(input)}: ${why}; use days (90 or "90d") or "never" (-1)`}
}

/**
 * A point in time as Unix seconds: a whole number of seconds, or an ISO 8601 date or date-time
 * ("2026-12-31", "2026-12-31T23:59:59Z"; a date alone means midnight UTC).
 */
export function parseUnixSeconds(input: number | string): Parsed<number> {
  if (typeof input === 'number') {
    if (Number.isInteger(input) && input > 0) return {ok: true, value: input}
    return {ok: false, message: `invalid time ${input}: Unix seconds must be a positive whole number`}
  }
  const text = input.trim()
  if (/^\d+$/.test(text)) return parseUnixSeconds(Number(text))
  const ms = /^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(ms)) {
    return {
      ok: false,
      message: `invalid time ${JSON.stringify(input)}: use a date like "2026-12-31", a date-time with a zone, or Unix seconds`,
    }
  }
  return {ok: true, value: Math.floor(ms / 1000)}
}
