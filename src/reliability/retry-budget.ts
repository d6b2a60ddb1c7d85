/**
 * A retry budget per endpoint: retries may be spent only in proportion to the requests the endpoint was
 * asked to make recently, so a failing Harbor sees a bounded multiple of hrep's normal load instead of
 * `attempts` times it (a retry storm). Counts live in one-second buckets of a sliding window; recording
 * is O(1) and a check sums the window's buckets.
 */
import type {RetryBudgetSettings} from './defaults.js'

const BUCKETS = 10

export class RetryBudget {
  readonly #settings: RetryBudgetSettings
  readonly #now: () => number
  readonly #bucketMs: number
  /** Which time slot each bucket currently counts (slot = floor(now / bucketMs)). */
  readonly #slots = new Float64Array(BUCKETS).fill(-1)
  readonly #requests = new Float64Array(BUCKETS)
  readonly #retries = new Float64Array(BUCKETS)

  constructor(settings: RetryBudgetSettings, now: () => number) {
    this.#settings = settings
    this.#now = now
    this.#bucketMs = Math.max(1, settings.windowMs / BUCKETS)
  }

  /** Counts the first attempt of an operation (retries are counted by `tryRetry`). */
  recordRequest(): void {
    this.#requests[this.#bucket()]++
  }

  /** True, and counts the retry, when the window has room for one more; false means: give up now. */
  tryRetry(): boolean {
    const current = this.#bucket()
    const oldest = this.#slots[current]! - BUCKETS
    let requests = 0
    let retries = 0
    for (let i = 0; i < BUCKETS; i++) {
      if (this.#slots[i]! > oldest) {
        requests += this.#requests[i]!
        retries += this.#retries[i]!
      }
    }
    if (retries + 1 > this.#settings.minRetries + this.#settings.ratio * requests) return false
    this.#retries[current]++
    return true
  }

  /** Index of the bucket for now, emptied first when it still holds an older slot. */
  #bucket(): number {
    const slot = Math.floor(this.#now() / this.#bucketMs)
    const index = slot % BUCKETS
    if (this.#slots[index] !== slot) {
      this.#slots[index] = slot
      this.#requests[index] = 0
      this.#retries[index] = 0
    }
    return index
  }
}
