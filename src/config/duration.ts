/**
 * Durations as people write them in a config: `"30s"`, `"200ms"`, `"10m"`, `"1h30m"`, `"1.5s"`
 * (Go's syntax without micro- and nanoseconds). Parsed to whole milliseconds.
 */

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d)/gy

/** Milliseconds of a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim()
  if (trimmed === '0') return 0
  if (trimmed === '') return undefined
  let total = 0
  PART.lastIndex = 0
  let consumed = 0
  for (let match = PART.exec(trimmed); match; match = PART.exec(trimmed)) {
    total += Number(match[1]) * (UNITS[match[2] as string] as number)
    consumed = PART.lastIndex
  }
  if (consumed !== trimmed.length) return undefined
  return Math.round(total)
}
