/**
 * The Harbor client of one endpoint: `createClient(endpoint)` gives the HarborClient the kinds use. Every
 * request runs through the endpoint's reliability layer (in-flight limit, rate limit, circuit breaker,
 * retries with backoff and budget, deadline) and ends in a response or a classified HarborError.
 */
import type {EndpointConfig} from '../config/model.js'
import {HrepError} from '../model/errors.js'
import {type EventSink, nullSink} from '../model/events.js'
import type {BreakerSettings, RetryBudgetSettings} from '../reliability/defaults.js'
import {EndpointReliability} from '../reliability/endpoint-reliability.js'
import {isHarborError} from '../reliability/errors.js'
import type {Clock} from '../reliability/clock.js'
import {paginate} from './paginate.js'
import {buildQueryString} from './query.js'
import {serializeBody} from './redact.js'
import {routeTemplate} from './route.js'
import {discoverServerInfo} from './server-info.js'
import {type Outgoing, Transport} from './transport.js'
import type {ClientStats, HarborClient, HarborResponse, HttpMethod, RequestOptions, ServerInfo} from './types.js'

export interface ClientOptions {
  /** Receives `http.request`, `retry`, `giveup`, `breaker`, `throttle` and `warning` events. */
  events?: EventSink
  /** For tests: the clock and jitter source of the retry loop. */
  clock?: Clock
  random?: () => number
  /** For tests: breaker and retry-budget settings other than the defaults. */
  breaker?: Partial<BreakerSettings>
  budget?: Partial<RetryBudgetSettings>
}

/** Methods that are safe to send again after an ambiguous failure unless the caller says otherwise. */
const IDEMPOTENT: Record<HttpMethod, boolean> = {GET: true, HEAD: true, PUT: true, DELETE: true, POST: false, PATCH: false}

const NO_SECRETS: readonly string[] = Object.freeze([])

class Client implements HarborClient {
  readonly endpoint: string
  readonly url: string
  readonly #config: EndpointConfig
  readonly #events: EventSink
  readonly #transport: Transport
  readonly #reliability: EndpointReliability
  #info: Promise<ServerInfo> | undefined

  constructor(config: EndpointConfig, options: ClientOptions) {
    this.endpoint = config.name
    this.#config = config
    this.#events = options.events ?? nullSink
    this.#transport = new Transport(config, (message) => this.#warn(message))
    this.url = this.#transport.url
    this.#reliability = new EndpointReliability(config.name, config.reliability, {
      events: this.#events,
      clock: options.clock,
      random: options.random,
      breaker: options.breaker,
      budget: options.budget,
    })
  }

  request<T = unknown>(options: RequestOptions): Promise<HarborResponse<T>> {
    if (options.path[0] !== '/') throw new TypeError(`path must start with "/": ${options.path}`)
    let secrets = NO_SECRETS
    let body: string | undefined
    if (options.body !== undefined) {
      const collected: string[] = []
      body = serializeBody(options.body, collected)
      if (collected.length > 0) secrets = collected
    }
    const out: Outgoing = {
      method: options.method,
      path: options.path,
      target: options.path + buildQueryString(options.query),
      body,
      resourceName: options.resourceName === true,
      secrets,
    }
    const operation = {
      method: options.method,
      path: options.path,
      route: options.route ?? routeTemplate(options.path),
      idempotent: options.idempotent ?? IDEMPOTENT[options.method],
      signal: options.signal,
    }
    return this.#reliability.run(operation, (signal) => this.#transport.send(out, signal)) as Promise<HarborResponse<T>>
  }

  paginate<T = unknown>(
    path: string,
    query?: RequestOptions['query'],
    options?: {signal?: AbortSignal; resourceName?: boolean},
  ): AsyncIterable<T> {
    return paginate<T>(this, path, query, options)
  }

  info(signal?: AbortSignal): Promise<ServerInfo> {
    if (this.#info === undefined) {
      const pending = discoverServerInfo(this, this.#config, (message) => this.#warn(message), signal)
      this.#info = pending
      // A transient failure (or an abort) is not an answer: the next caller asks again. Rejected
      // credentials or an old version are, and asking again would only extend Harbor's login lockout.
      pending.catch((error) => {
        const definitive = error instanceof HrepError && !(isHarborError(error) && error.errorClass === 'transient')
        if (this.#info === pending && !definitive) this.#info = undefined
      })
    }
    return this.#info
  }

  stats(): ClientStats {
    return this.#reliability.stats()
  }

  async close(): Promise<void> {
    this.#reliability.close()
    await this.#transport.close()
  }

  #warn(message: string): void {
    this.#events.emit({type: 'warning', endpoint: this.endpoint, message})
  }
}

/**
 * A client for one endpoint. Reads `ca_file` now (an HrepError naming the file when it cannot) and warns
 * (a `warning` event) when TLS verification is off or the password would cross the network in clear
 * text. No request is sent until the first call; call `info()` first to check credentials and version.
 */
export function createClient(endpoint: EndpointConfig, options: ClientOptions = {}): HarborClient {
  return new Client(endpoint, options)
}
