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
import type {EventSink} from '../model/events.js'

export interface EndpointSession {
  name: string
  config: EndpointConfig
  client: HarborClient
  /** Set once the endpoint answered `info()`; the kinds run in it. */
  ctx?: KindContext
  /** Why the endpoint cannot be used in this run. */
  unavailable?: string
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
  const sessions = new Map<string, EndpointSession>()
  await Promise.all(
    selected.map(async (endpoint) => {
      const parallelism = options.parallelism ?? endpoint.reliability.parallelism
      const endpointConfig = {...endpoint, reliability: {...endpoint.reliability, parallelism}}
      const client = createClient(endpointConfig, {events: options.events})
      const session: EndpointSession = {name: endpoint.name, config: endpointConfig, client}
      sessions.set(endpoint.name, session)
      try {
        const info: ServerInfo = await client.info(options.signal)
        if (info.readOnly) {
          options.events.emit({
            type: 'warning',
            endpoint: endpoint.name,
            message: 'the instance is in read-only mode: Harbor refuses every change until an administrator turns it off',
          })
        }
        session.ctx = {
          client,
          info,
          limit: pLimit(parallelism),
          memo: new Map(),
          events: options.events,
          signal: options.signal,
        }
      } catch (error) {
        // The planner and the progress lines name the endpoint themselves.
        session.unavailable = (error as Error).message.replace(new RegExp(`^endpoint ${endpoint.name}: `), '')
      }
    }),
  )
  // Keep the config's order, whatever order the checks finished in.
  return new Map(selected.map((endpoint) => [endpoint.name, sessions.get(endpoint.name)!]))
}

/** Closes every client (idempotent). */
export async function closeEndpoints(sessions: Iterable<EndpointSession>): Promise<void> {
  await Promise.all([...sessions].map((session) => session.client.close().catch(() => {})))
}

/** A fresh kind context for a new refresh (the memo must not outlive one read of the endpoint). */
export function freshContext(session: EndpointSession): KindContext | undefined {
  return session.ctx && {...session.ctx, memo: new Map()}
}
