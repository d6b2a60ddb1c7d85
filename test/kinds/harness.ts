/**
 * Runs the kinds against the emulator over real HTTP: one emulator per test file (127.0.0.1, port 0),
 * the real client, and a KindContext like the engine's (fresh `memo` per refresh, bounded concurrency).
 */
import pLimit from 'p-limit'
import {createClient} from '../../src/client/index.js'
import type {EndpointConfig} from '../../src/config/model.js'
import type {HarborClient, RequestOptions} from '../../src/client/types.js'
import {startEmulator} from '../../src/emulator/index.js'
import type {KindContext, LiveObject} from '../../src/kinds/kind.js'
import {kinds} from '../../src/kinds/registry.js'
import type {Attrs, KindName} from '../../src/model/change.js'
import type {EngineEvent} from '../../src/model/events.js'
import {Secret} from '../../src/model/secret.js'

export type Emulator = Awaited<ReturnType<typeof startEmulator>>
export type EmulatorOptions = NonNullable<Parameters<typeof startEmulator>[0]>

export const ADMIN_PASSWORD = 'Harbor12345'

/** An endpoint config for the emulator, with short timeouts and few retries so failures surface fast. */
export function endpointFor(url: string, name = 'primary', username = 'admin', password = ADMIN_PASSWORD): EndpointConfig {
  const at = {line: 1, column: 1, byte: 0}
  return {
    name,
    url,
    username,
    password: new Secret(password, 'test'),
    insecure: false,
    reliability: {
      parallelism: 8,
      timeoutMs: 5_000,
      connectTimeoutMs: 2_000,
      deadlineMs: 10_000,
      retry: {attempts: 2, baseDelayMs: 5, maxDelayMs: 20},
    },
    range: {file: 'test.hcl', start: at, end: at},
  }
}

export interface Harbor {
  emulator: Emulator
  client: HarborClient
  events: EngineEvent[]
  /** A fresh context, as the engine makes one per refresh (the memo is not shared with earlier calls). */
  ctx(): Promise<KindContext>
  /** A fresh context whose client records every request it is asked to send (method, path, query, body). */
  recording(): Promise<{ctx: KindContext; sent: RequestOptions[]}>
  /** `kind.list` in a fresh context, by key. */
  list<A extends Attrs = Attrs>(kind: KindName): Promise<Map<string, LiveObject<A>>>
  close(): Promise<void>
}

/** Starts an emulator and a client logged in as admin (or as `credentials`). */
export async function startHarbor(
  options: EmulatorOptions = {},
  credentials?: {username: string; password: string},
): Promise<Harbor> {
  const emulator = await startEmulator({loginLockMs: 0, ...options})
  const events: EngineEvent[] = []
  const sink = {emit: (event: EngineEvent) => void events.push(event)}
  const client = createClient(endpointFor(emulator.url, 'primary', credentials?.username, credentials?.password), {events: sink})
  const limit = pLimit(8)
  const harbor: Harbor = {
    emulator,
    client,
    events,
    async ctx() {
      return {client, info: await client.info(), limit: (fn) => limit(fn), memo: new Map(), events: sink}
    },
    async recording() {
      const sent: RequestOptions[] = []
      const recorder: HarborClient = Object.create(client)
      recorder.request = (options) => {
        sent.push(options)
        return client.request(options)
      }
      recorder.paginate = (path, query, options) => {
        sent.push({method: 'GET', path, query})
        return client.paginate(path, query, options)
      }
      return {ctx: {...(await harbor.ctx()), client: recorder}, sent}
    },
    async list<A extends Attrs = Attrs>(kind: KindName) {
      const objects = await kinds[kind].list(await harbor.ctx())
      return new Map(objects.map((object) => [object.key, object as LiveObject<A>]))
    },
    async close() {
      await client.close()
      await emulator.stop()
    },
  }
  return harbor
}

/** Desired attrs of a block body, through the kind's schema (as the config loader does). */
export function desired<A extends Attrs = Attrs>(kind: KindName, body: Record<string, unknown>): A {
  return kinds[kind].configSchema.parse(body) as A
}

/** The live attributes the planner compares for `want`: those present in it (undefined = not managed). */
export function managed(live: Attrs, want: Attrs): Attrs {
  return Object.fromEntries(
    Object.keys(want)
      .filter((key) => key !== 'secret')
      .map((key) => [key, live[key]]),
  )
}

/** The desired attrs without sensitive ones, as the loader hands them to the planner. */
export function visible(want: Attrs): Attrs {
  const {secret: _secret, ...rest} = want
  return rest
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & {status?: number; errorClass?: string; code?: string}> {
  try {
    await promise
  } catch (error) {
    return error as Error & {status?: number; errorClass?: string; code?: string}
  }
  throw new Error('expected a rejection, but the promise resolved')
}
