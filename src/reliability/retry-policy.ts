/**
 * Whether a failed attempt is tried again, and after how long. Pure: the retry loop asks, then checks
 * the deadline and the retry budget itself.
 *
 * - Only `transient` failures are retried, plus one 401 (Harbor's 1.5 s login lockout, NOTES §1.1).
 * - Reads, and writes that are idempotent (PUT, DELETE), are retried up to `attempts` in all; a write
 *   answered 500 (Harbor's masked internal error, often the same on every try) only once.
 * - A non-idempotent write (POST, PATCH) is resent only when it provably did not reach Harbor
 *   (`notSent`: refused, DNS, connect timeout, 429). Otherwise the verdict is `unsafe` and the caller
 *   looks the object up by name.
 * - The wait is the server's `Retry-After` when it sent one, else full-jitter backoff.
 */
import type {RetrySettings} from '../config/model.js'
import type {GiveUpReason} from '../model/events.js'
import {backoffDelay} from './backoff.js'
import {LOCKOUT_RETRY_DELAY_MS} from './defaults.js'
import {EndpointUnavailableError, type HarborError} from './errors.js'

/** What the loop knows about the operation so far. */
export interface AttemptHistory {
  /** Attempts made, the failed one included (1 after the first). */
  attempt: number
  /** GET or HEAD. */
  read: boolean
  /** Safe to send again after an ambiguous failure. */
  idempotent: boolean
  /** The one lockout retry of a 401 was spent. */
  lockoutRetried: boolean
  /** Retries spent on 500 answers. */
  serverErrorRetries: number
}

export type RetryVerdict =
  | {retry: true; delayMs: number; lockout: boolean}
  /** `reason` is set when a retryable failure stops being retried; absent when the failure is not retryable at all. */
  | {retry: false; reason?: GiveUpReason}

const NO_RETRY: RetryVerdict = {retry: false}

export function decideRetry(
  error: HarborError,
  history: AttemptHistory,
  settings: RetrySettings,
  random: () => number = Math.random,
): RetryVerdict {
  if (error.aborted) return NO_RETRY
  if (error instanceof EndpointUnavailableError) return {retry: false, reason: 'breaker'}
  if (error.status === 401 && !history.lockoutRetried) {
    // Nothing was processed for an unauthenticated request, so even a POST may be resent.
    if (history.attempt >= settings.attempts) return NO_RETRY
    return {retry: true, delayMs: LOCKOUT_RETRY_DELAY_MS, lockout: true}
  }
  if (error.errorClass !== 'transient') return NO_RETRY
  if (!history.idempotent && !error.notSent) return {retry: false, reason: 'unsafe'}
  if (history.attempt >= settings.attempts) return {retry: false, reason: 'attempts'}
  if (!history.read && error.status === 500 && history.serverErrorRetries >= 1) return {retry: false, reason: 'attempts'}
  const delayMs = error.retryAfterMs ?? backoffDelay(history.attempt, settings.baseDelayMs, settings.maxDelayMs, random)
  return {retry: true, delayMs, lockout: false}
}
