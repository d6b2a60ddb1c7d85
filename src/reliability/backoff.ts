/**
 * How long to wait before the next attempt: exponential backoff with full jitter, unless the server
 * said how long (`Retry-After`), which then wins.
 */

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniform draw in
 * `[0, min(cap, base * 2^(failedAttempt-1)))`, so clients that failed together do not retry together.
 * `failedAttempt` is 1 for the first attempt. The result is a whole number of milliseconds below the ceiling.
 */
export function backoffDelay(failedAttempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, failedAttempt - 1))
  return Math.floor(random() * ceiling)
}

const SECONDS = /^\d+(?:\.\d+)?$/

/**
 * Milliseconds to wait according to a `Retry-After` header: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`) measured from `wallNowMs`. A date in the past gives 0; a value that
 * is neither gives undefined (the header is then ignored).
 */
export function parseRetryAfter(value: string | undefined, wallNowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (text === '') return undefined
  if (SECONDS.test(text)) return Math.round(Number(text) * 1000)
  // An HTTP-date always names a month or weekday; this keeps Date.parse from reading "12" as a year.
  if (!/[a-z]/i.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - wallNowMs)
}
