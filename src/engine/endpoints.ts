/**
 * One connection per configured endpoint: its client, what the client learnt at first use (version,
 * robot prefix), and the context the kinds run in. An endpoint whose credentials, version or network
 * fail is kept as `unavailable` with the reason, so the others can still be planned and applied.
 */
import pLimit from 'p-limit'
import {createClient} from '../client/index.js'
import type {HarborClient, ServerInfo} from '../client/types.js'
import type {EndpointConfig, LoadedConfig} from '../config/model.js'
import type {KindContext} from '../kinds/kind.js'
import type {ErrorClass, EventSink} from '../model/events.js'

export interface EndpointSession {
  name: string
  config: EndpointConfig
  client: HarborClient
  /** Set once the endpoint answered `info()`; the kinds run in it. */
  ctx?: KindContext
  /** Why the endpoint cannot be used in this run. */
  unavailable?: string
  /** The error class of that failure, when it was a Harbor or network error. */
  unavailableClass?: ErrorClass
}

export interface ConnectOptions {
  events: EventSink
  signal?: AbortSignal
  /** Overrides every endpoint's `parallelism` (the `--parallelism` flag). */
  parallelism?: number
  /** Only these endpoints (default: all). */
  only?: readonly string[]
}

/** Creates a client per endpoint and checks each (credentials, version) concurrently. */
export async function connectEndpoints(config: LoadedConfig, options: ConnectOptions): Promise<Map<string, EndpointSession>> {
  const selected = config.endpoints.filter((endpoint) => !options.only || options.only.includes(endpoint.name))
  const sessions = new Map(
    selected.map((endpoint) => {
      const parallelism = options.parallelism ?? endpoint.reliability.parallelism
      const endpointConfig = {...endpoint, reliability: {...endpoint.reliability, parallelism}}
      const session: EndpointSession = {
        name: endpoint.name,
        config: endpointConfig,
        client: createClient(endpointConfig, {events: options.events}),
      }
      return [endpoint.name, session] as const
    }),
  )
  await Promise.all([...sessions.values()].map((session) => checkEndpoint(session, options)))
  return sessions
}

/**
 * Asks an endpoint who it is (once answered, the client caches it) and makes its kind context.
 * Used again on an endpoint that failed earlier: the same client, so its breaker and retry budget
 * remember the outage.
 */
export async function checkEndpoint(session: EndpointSession, options: Pick<ConnectOptions, 'events' | 'signal'>): Promise<void> {
  if (session.ctx !== undefined) return
  try {
    const info: ServerInfo = await session.client.info(options.signal)
    if (info.readOnly) {
      options.events.emit({
        type: 'warning',
        endpoint: session.name,
        message: 'the instance is in read-only mode: Harbor refuses every change until an administrator turns it off',
      })
    }
    session.unavailable = undefined
    session.unavailableClass = undefined
    session.ctx = {
      client: session.client,
      info,
      limit: pLimit(session.config.reliability.parallelism),
      memo: new Map(),
      events: options.events,
    }
  } catch (error) {
    // The planner and the progress lines name the endpoint themselves.
    session.unavailable = (error as Error).message.replace(new RegExp(`^endpoint ${session.name}: `), '')
    session.unavailableClass = (error as {errorClass?: ErrorClass}).errorClass
  }
}

/** Closes every client (idempotent). */
export async function closeEndpoints(sessions: Iterable<EndpointSession>): Promise<void> {
  await Promise.all([...sessions].map((session) => session.client.close().catch(() => {})))
}

/**
 * A fresh kind context for one refresh: its own memo (which must not outlive one read of the
 * endpoint) and the caller's signal (reads stop at once on Ctrl-C; changes in flight do not).
 */
export function freshContext(session: EndpointSession, signal?: AbortSignal): KindContext | undefined {
  return session.ctx && {...session.ctx, memo: new Map(), signal}
}
