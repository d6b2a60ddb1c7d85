/**
 * The `rate_limit` of an endpoint: a token bucket that hands out send times. Each request reserves the
 * next free slot synchronously, so waiters are served in arrival order and no timer runs while idle.
 */

export class TokenBucket {
  readonly #intervalMs: number
  /** How far behind `now` the next slot may lag: the burst a quiet bucket has saved up. */
  readonly #burstMs: number
  readonly #now: () => number
  #nextSlot = Number.NEGATIVE_INFINITY

  /**
   * `ratePerSecond` > 0. `burst` (default 1) requests may go at once after a quiet period; with 1 the
   * requests are evenly spaced and no second ever holds more than `ratePerSecond` + 1 of them.
   */
  constructor(ratePerSecond: number, now: () => number, burst = 1) {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate limit must be positive, got ${ratePerSecond}`)
    this.#intervalMs = 1000 / ratePerSecond
    this.#burstMs = Math.max(0, burst - 1) * this.#intervalMs
    this.#now = now
  }

  /**
   * Reserves the next slot and returns how long to wait for it (0 = send now). When the wait would be
   * longer than `maxWaitMs` nothing is reserved and -1 is returned.
   */
  reserve(maxWaitMs = Number.POSITIVE_INFINITY): number {
    const now = this.#now()
    const slot = Math.max(this.#nextSlot, now - this.#burstMs)
    const wait = Math.max(0, slot - now)
    if (wait > maxWaitMs) return -1
    this.#nextSlot = slot + this.#intervalMs
    return wait
  }
}
