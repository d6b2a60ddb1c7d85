/**
 * One circuit breaker per endpoint, on opossum 9. opossum keeps the states (closed, open, half-open),
 * fails fast while open, lets a single probe through after `resetTimeoutMs` and closes on its success.
 * When it opens is decided here: after `failureThreshold` transient failures in a row. opossum's own
 * rule (error percentage over a rolling window) is switched off because it counts a request when it
 * starts and its failure when it ends: against a Harbor that hangs longer than the window it never opens.
 * Any answer from Harbor, 4xx included, ends a run: a 404 says the endpoint is up.
 */
import {EventEmitter} from 'node:events'
import CircuitBreaker from 'opossum'
import {HrepError} from '../model/errors.js'
import type {EventSink} from '../model/events.js'
import type {BreakerSettings} from './defaults.js'
import {EndpointUnavailableError, isHarborError} from './errors.js'

/** The states a breaker reports in `breaker` events. */
export const BREAKER_STATES = ['closed', 'open', 'half-open'] as const
export type BreakerState = (typeof BREAKER_STATES)[number]

type Thunk<T> = () => Promise<T>

/** Requests per statistics bucket of opossum's window (10 buckets). */
const ROTATE_EVERY = 1_000

/** Only a transient failure the caller did not cause counts against the endpoint. */
function isEndpointFailure(error: unknown): boolean {
  return isHarborError(error) && error.errorClass === 'transient' && !error.aborted
}

export class EndpointBreaker {
  readonly endpoint: string
  readonly #breaker: CircuitBreaker<[Thunk<unknown>], unknown>
  readonly #threshold: number
  readonly #events: EventSink
  readonly #rotation = new EventEmitter()
  #fires = 0
  #run = 0
  #openSince: Date | undefined

  constructor(endpoint: string, settings: BreakerSettings, events: EventSink) {
    this.endpoint = endpoint
    this.#threshold = settings.failureThreshold
    this.#events = events
    this.#breaker = new CircuitBreaker((thunk: Thunk<unknown>) => thunk(), {
      name: endpoint,
      // Timeouts are ours (per attempt, AbortSignal); a second timer here would leave requests running.
      timeout: false,
      resetTimeout: settings.resetTimeoutMs,
      // A rate above 100 % cannot happen: opossum never opens by itself, only `open()` below does.
      errorThresholdPercentage: 100,
      // Percentiles sort every latency in the window on each failure; nothing here reads them.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // Filtered errors count as successes: Harbor answered (4xx), or our caller gave up.
      errorFilter: (error: unknown) => !isEndpointFailure(error),
      // opossum's rolling statistics are not used to decide anything here; rotating them by request count
      // instead of by its interval timer keeps their memory bounded with no timer running while idle.
      rotateBucketController: this.#rotation,
    })
    this.#breaker.on('fire', () => {
      if (++this.#fires % ROTATE_EVERY === 0) this.#rotation.emit('rotate')
    })
    this.#breaker.on('failure', () => {
      this.#run++
      if (this.#run >= this.#threshold && this.#breaker.closed) this.#breaker.open()
    })
    this.#breaker.on('success', () => {
      this.#run = 0
    })
    this.#breaker.on('open', () => {
      this.#openSince ??= new Date()
      this.#events.emit({type: 'breaker', endpoint, state: 'open', since: this.#openSince.toISOString()})
    })
    this.#breaker.on('halfOpen', () => {
      this.#events.emit({type: 'breaker', endpoint, state: 'half-open', since: this.#openSince?.toISOString()})
    })
    this.#breaker.on('close', () => {
      this.#run = 0
      this.#openSince = undefined
      this.#events.emit({type: 'breaker', endpoint, state: 'closed'})
    })
  }

  get state(): BreakerState {
    if (this.#breaker.closed) return 'closed'
    return this.#breaker.halfOpen ? 'half-open' : 'open'
  }

  /** When the breaker opened, while it is open or half-open. */
  get openSince(): Date | undefined {
    return this.#openSince
  }

  /**
   * Runs `thunk` (one HTTP attempt) through the breaker. While the breaker is open (or half-open with its
   * probe in flight) it rejects at once with EndpointUnavailableError, naming `method` and `path`.
   */
  async fire<T>(method: string, path: string, thunk: Thunk<T>): Promise<T> {
    try {
      return (await this.#breaker.fire(thunk)) as T
    } catch (error) {
      if (CircuitBreaker.isOurError(error as Error)) {
        if ((error as {code?: string}).code === 'ESHUTDOWN') {
          throw new HrepError('client_closed', `endpoint ${this.endpoint}: ${method} ${path} after the client was closed`)
        }
        throw new EndpointUnavailableError(this.endpoint, method, path, this.#openSince ?? new Date())
      }
      throw error
    }
  }

  /** Stops opossum's timers; the breaker rejects everything afterwards. */
  shutdown(): void {
    this.#breaker.shutdown()
  }
}
