/**
 * The reliability layer of one endpoint: every Harbor request is an operation run through it.
 *
 *   operation deadline ─┬─ attempt: in-flight limit → rate limit → circuit breaker → HTTP (attempt timeout)
 *                       └─ on failure: classify → retry policy → deadline → retry budget → backoff → again
 *
 * One instance per endpoint lives as long as its client; nothing here is created per request except what
 * a request needs (an AbortController and a timer per attempt). It emits `http.request`, `retry`,
 * `giveup`, `throttle` and `breaker` events and wraps each attempt in an OpenTelemetry span (a no-op
 * unless the process registered an SDK).
 */
import {type Span, SpanKind, SpanStatusCode, trace} from '@opentelemetry/api'
import pLimit, {type LimitFunction} from 'p-limit'
import type {ReliabilitySettings} from '../config/model.js'
import {type EventSink, type GiveUpReason, nullSink} from '../model/events.js'
import {EndpointBreaker, type BreakerState} from './breaker.js'
import {type Clock, systemClock} from './clock.js'
import {type BreakerSettings, DEFAULT_BREAKER, DEFAULT_RETRY_BUDGET, type RetryBudgetSettings} from './defaults.js'
import {HarborError} from './errors.js'
import {TokenBucket} from './rate-limiter.js'
import {RetryBudget} from './retry-budget.js'
import {decideRetry} from './retry-policy.js'

/** One logical request (all its attempts). */
export interface Operation {
  method: string
  /** The path under `/api/v2.0`, for errors and events. */
  path: string
  /** The path's template (`/projects/{project}/members`), for metrics and spans. */
  route: string
  /** Safe to send again after a failure that may have reached Harbor. */
  idempotent: boolean
  signal?: AbortSignal
}

/** What a successful attempt resolves to; a failed one rejects with a HarborError. */
export interface AttemptResult {
  status: number
}

/** Sends one attempt; must abort promptly when `signal` aborts. */
export type SendAttempt<R extends AttemptResult> = (signal: AbortSignal, attempt: number) => Promise<R>

export interface ReliabilityOptions {
  events?: EventSink
  /** Tests pass their own; the default is performance.now() + setTimeout. */
  clock?: Clock
  /** The jitter source (default Math.random). */
  random?: () => number
  breaker?: Partial<BreakerSettings>
  budget?: Partial<RetryBudgetSettings>
}

/** Counters since the client was created, for request amplification (attempts / operations). */
export interface ReliabilityStats {
  operations: number
  attempts: number
  retries: number
  /** Operations that ended in an error. */
  failures: number
}

const tracer = trace.getTracer('hrep')

/** Why an attempt's own signal aborted, when it was not the caller. */
class AttemptTimeout {
  constructor(
    readonly kind: 'timeout' | 'deadline',
    readonly ms: number,
  ) {}
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`
}

export class EndpointReliability {
  readonly endpoint: string
  readonly #settings: ReliabilitySettings
  readonly #events: EventSink
  readonly #clock: Clock
  readonly #random: () => number
  readonly #gate: LimitFunction
  readonly #bucket: TokenBucket | undefined
  readonly #breaker: EndpointBreaker
  readonly #budget: RetryBudget
  readonly #stats: ReliabilityStats = {operations: 0, attempts: 0, retries: 0, failures: 0}

  constructor(endpoint: string, settings: ReliabilitySettings, options: ReliabilityOptions = {}) {
    this.endpoint = endpoint
    this.#settings = settings
    this.#events = options.events ?? nullSink
    this.#clock = options.clock ?? systemClock
    this.#random = options.random ?? Math.random
    this.#gate = pLimit(Math.max(1, settings.parallelism))
    const now = () => this.#clock.now()
    this.#bucket = settings.rateLimit === undefined ? undefined : new TokenBucket(settings.rateLimit, now)
    this.#breaker = new EndpointBreaker(endpoint, {...DEFAULT_BREAKER, ...options.breaker}, this.#events)
    this.#budget = new RetryBudget({...DEFAULT_RETRY_BUDGET, ...options.budget}, now)
  }

  get breakerState(): BreakerState {
    return this.#breaker.state
  }

  stats(): ReliabilityStats {
    return {...this.#stats}
  }

  /**
   * Runs one operation to success or to a settled HarborError (attempts and `ambiguous` filled in).
   * Errors that are not HarborErrors (bugs) pass through untouched and are never retried.
   */
  async run<R extends AttemptResult>(op: Operation, send: SendAttempt<R>): Promise<R> {
    const deadlineAt = this.#clock.now() + this.#settings.deadlineMs
    const read = op.method === 'GET' || op.method === 'HEAD'
    const write = WRITE_METHODS.has(op.method)
    const history = {attempt: 0, read, idempotent: op.idempotent, lockoutRetried: false, serverErrorRetries: 0}
    let mayHaveApplied = false
    this.#stats.operations++
    this.#budget.recordRequest()
    for (;;) {
      history.attempt++
      let error: HarborError
      try {
        return await this.#gate(() => this.#attempt(op, send, history.attempt, deadlineAt))
      } catch (thrown) {
        if (!(thrown instanceof HarborError)) throw thrown
        error = thrown
      }
      // An answer other than a transient one means Harbor rejected the write (its transaction rolled back).
      if (write && error.errorClass === 'transient' && !error.notSent) mayHaveApplied = true
      const verdict = decideRetry(error, history, this.#settings.retry, this.#random)
      if (!verdict.retry) return this.#fail(op, error, history.attempt, write && mayHaveApplied, verdict.reason)
      if (this.#clock.now() + verdict.delayMs >= deadlineAt) {
        return this.#fail(op, error, history.attempt, write && mayHaveApplied, 'deadline')
      }
      if (!this.#budget.tryRetry()) return this.#fail(op, error, history.attempt, write && mayHaveApplied, 'budget')
      if (verdict.lockout) history.lockoutRetried = true
      else if (error.status === 500) history.serverErrorRetries++
      this.#stats.retries++
      this.#events.emit({
        type: 'retry',
        endpoint: this.endpoint,
        method: op.method,
        path: op.path,
        attempt: history.attempt,
        delayMs: verdict.delayMs,
        errorClass: error.errorClass,
        status: error.status,
      })
      try {
        await this.#clock.sleep(verdict.delayMs, op.signal)
      } catch {
        throw this.#aborted(op).settle(history.attempt, write && mayHaveApplied)
      }
    }
  }

  /** Stops the breaker's timers. Operations still running finish; new ones fail. */
  close(): void {
    this.#breaker.shutdown()
  }

  #fail(op: Operation, error: HarborError, attempts: number, ambiguous: boolean, reason: GiveUpReason | undefined): never {
    this.#stats.failures++
    error.settle(attempts, ambiguous, reason)
    if (reason !== undefined) {
      this.#events.emit({
        type: 'giveup',
        endpoint: this.endpoint,
        method: op.method,
        path: op.path,
        attempts,
        errorClass: error.errorClass,
        reason,
        status: error.status,
      })
    }
    throw error
  }

  /** One attempt, holding one of the endpoint's `parallelism` slots. */
  async #attempt<R extends AttemptResult>(op: Operation, send: SendAttempt<R>, attempt: number, deadlineAt: number): Promise<R> {
    if (op.signal?.aborted) throw this.#aborted(op)
    if (this.#bucket !== undefined) {
      const wait = this.#bucket.reserve(deadlineAt - this.#clock.now())
      if (wait < 0) throw this.#timeout(op, new AttemptTimeout('deadline', this.#settings.deadlineMs), true)
      if (wait > 0) {
        this.#events.emit({type: 'throttle', endpoint: this.endpoint, waitMs: wait})
        try {
          await this.#clock.sleep(wait, op.signal)
        } catch {
          throw this.#aborted(op)
        }
      }
    }
    return this.#breaker.fire(op.method, op.path, () => this.#timed(op, send, attempt, deadlineAt))
  }

  /** Sends the attempt under its own timer (the attempt timeout or what is left of the deadline). */
  async #timed<R extends AttemptResult>(op: Operation, send: SendAttempt<R>, attempt: number, deadlineAt: number): Promise<R> {
    const remaining = deadlineAt - this.#clock.now()
    if (remaining <= 0) throw this.#timeout(op, new AttemptTimeout('deadline', this.#settings.deadlineMs), true)
    const reason =
      remaining < this.#settings.timeoutMs
        ? new AttemptTimeout('deadline', this.#settings.deadlineMs)
        : new AttemptTimeout('timeout', this.#settings.timeoutMs)
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(reason), Math.min(remaining, this.#settings.timeoutMs))
    const caller = op.signal
    const onCallerAbort = () => controller.abort(caller!.reason)
    caller?.addEventListener('abort', onCallerAbort, {once: true})
    this.#stats.attempts++
    const started = this.#clock.now()
    const span = tracer.startSpan(`${op.method} ${op.route}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'hrep.endpoint': this.endpoint,
        'http.request.method': op.method,
        'http.route': op.route,
        'hrep.attempt': attempt,
      },
    })
    try {
      const result = await send(controller.signal, attempt)
      this.#observe(op, span, started, result.status, attempt)
      return result
    } catch (thrown) {
      // The transport's error names the X-Request-Id it sent, which Harbor's log has if the request got there.
      const requestId = thrown instanceof HarborError ? thrown.requestId : undefined
      const error = controller.signal.aborted
        ? controller.signal.reason instanceof AttemptTimeout
          ? this.#timeout(op, controller.signal.reason, false, requestId)
          : this.#aborted(op)
        : thrown
      this.#observe(op, span, started, error instanceof HarborError ? error.status : undefined, attempt, error)
      throw error
    } finally {
      clearTimeout(timer)
      caller?.removeEventListener('abort', onCallerAbort)
    }
  }

  #observe(op: Operation, span: Span, started: number, status: number | undefined, attempt: number, error?: unknown): void {
    this.#events.emit({
      type: 'http.request',
      endpoint: this.endpoint,
      method: op.method,
      route: op.route,
      status: status ?? 'error',
      ms: Math.round((this.#clock.now() - started) * 1000) / 1000,
      attempt,
    })
    if (status !== undefined) span.setAttribute('http.response.status_code', status)
    if (error !== undefined) {
      span.setStatus({code: SpanStatusCode.ERROR, message: error instanceof HarborError ? error.errorClass : 'error'})
    }
    span.end()
  }

  #timeout(op: Operation, reason: AttemptTimeout, notSent: boolean, requestId?: string): HarborError {
    return new HarborError({
      errorClass: 'transient',
      endpoint: this.endpoint,
      method: op.method,
      path: op.path,
      notSent,
      requestId,
      detail: reason.kind === 'timeout' ? `timed out after ${seconds(reason.ms)}` : `deadline of ${seconds(reason.ms)} exceeded`,
      hint:
        reason.kind === 'timeout'
          ? 'Harbor did not answer in time; raise `timeout` if it is slow rather than down'
          : 'raise `deadline` if the endpoint is slow rather than down',
    })
  }

  #aborted(op: Operation): HarborError {
    return new HarborError({
      errorClass: 'transient',
      endpoint: this.endpoint,
      method: op.method,
      path: op.path,
      aborted: true,
      detail: 'aborted',
    })
  }
}
