/**
 * Every default of the reliability layer, in one place so the docs (docs/reliability.md), the config
 * loader and the tests agree. Durations are in milliseconds.
 */
import type {ReliabilitySettings} from '../config/model.js'

/** The user-visible knobs when neither the `hrep` block nor the endpoint sets them. */
export const DEFAULT_RELIABILITY: Readonly<ReliabilitySettings> = Object.freeze({
  parallelism: 8,
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  deadlineMs: 120_000,
  rateLimit: undefined,
  retry: Object.freeze({attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000}),
})

/** When an endpoint's circuit breaker opens, and how long it stays open before one probe is let through. */
export interface BreakerSettings {
  /** Transient failures in a row (no answer from Harbor in between) that open the breaker. */
  failureThreshold: number
  /** Time the breaker stays open before it lets one probe request through (half-open). */
  resetTimeoutMs: number
}

/**
 * 12 in a row: an endpoint that refuses or hangs reaches it within two rounds of `parallelism`
 * requests, while a Harbor answering 25–30 % of requests with 5xx or resets (which retries absorb) reaches
 * it about once in 10,000 runs of 1,500 requests.
 */
export const DEFAULT_BREAKER: Readonly<BreakerSettings> = Object.freeze({failureThreshold: 12, resetTimeoutMs: 10_000})

/** How many retries an endpoint may spend, relative to the requests it was asked to make. */
export interface RetryBudgetSettings {
  /** Retries allowed per first attempt in the window (1 = at most half of what is sent is retries). */
  ratio: number
  /** Retries always allowed per window, so a quiet endpoint can still retry. */
  minRetries: number
  /** Length of the sliding window. */
  windowMs: number
}

/**
 * Retries may at most equal first attempts over the last 10 s (plus 10): a struggling Harbor sees at most
 * twice hrep's normal load, and a Harbor failing 30 % of requests (0.43 retries per request) stays inside it.
 */
export const DEFAULT_RETRY_BUDGET: Readonly<RetryBudgetSettings> = Object.freeze({ratio: 1, minRetries: 10, windowMs: 10_000})

/**
 * Harbor locks a username for 1.5 s after a failed password check, and answers even a correct password
 * with 401 meanwhile (NOTES §1.1): a 401 is retried once, this long after.
 */
export const LOCKOUT_RETRY_DELAY_MS = 2_000

/** Items per page when listing: Harbor's maximum (more is a 422). */
export const PAGE_SIZE = 100
