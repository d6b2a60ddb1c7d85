/**
 * What a handler sees and returns. Handlers are synchronous functions of a bound request (path
 * parameters, query, validated body, caller) over the emulator's state; they return a reply or throw
 * an ApiError, and never touch the socket.
 */
import type {AuthMode, Configuration} from './config.js'
import type {ResolvedOptions} from './options.js'
import {linkHeader, type PageRequest, pageOf, pageRequest} from './query.js'
import type {Caller} from './rbac.js'
import type {Rng} from './rng.js'
import type {ProjectRecord, Store} from './store.js'

/** The mutable state of one emulator instance. */
export interface EmulatorState {
  store: Store
  config: Configuration
  /** Drives permission order and generated secrets (seeded). */
  rng: Rng
  options: ResolvedOptions
  /** The base URL clients use (`http://127.0.0.1:34567`), set once the server listens. */
  externalUrl?: string
  /** Components `/health` reports unhealthy. */
  unhealthy?: Set<string>
  /** Registry URLs (normalised) marked healthy or unhealthy by the test; others follow the default rule. */
  registryHealth?: Map<string, boolean>
}

/** The current `robot_name_prefix`. */
export function robotPrefix(state: EmulatorState): string {
  return state.config.string('robot_name_prefix')
}

/** The current `auth_mode`. */
export function authMode(state: EmulatorState): AuthMode {
  return state.config.string('auth_mode') as AuthMode
}

/** A request after routing, authentication and binding. */
export interface RequestContext {
  method: string
  /** Path under the API base, e.g. `/projects/a/members`. */
  path: string
  /** Path as requested, e.g. `/api/v2.0/projects/a/members` (for Location and Link). */
  fullPath: string
  /** Query parameters, decoded once. */
  query: URLSearchParams
  /** Path parameters, decoded. */
  params: Record<string, string>
  /** Bound non-body parameters by name (spec types and defaults applied). */
  values: Record<string, unknown>
  /** The parsed, validated JSON body, or undefined. */
  body: unknown
  header(name: string): string | undefined
  caller: Caller
  state: EmulatorState
}

/** A handler's answer: a JSON body, a text body, or none. */
export interface Reply {
  status: number
  json?: unknown
  text?: string
  headers?: Record<string, string>
}

/** A route handler. */
export type Handler = (ctx: RequestContext) => Reply

/** 200 with a JSON body. */
export function ok(json: unknown): Reply {
  return {status: 200, json}
}

/** A status with no body (Harbor's usual answer to PUT and DELETE). */
export function empty(status = 200): Reply {
  return {status}
}

/** 201 with `Location` and, for robots, a body. */
export function created(location: string, json?: unknown): Reply {
  return {status: 201, json, headers: {location}}
}

/** A paged list: the page's items plus `X-Total-Count` and (when non-empty) `Link`. */
export function listReply<T, R>(ctx: RequestContext, items: readonly T[], render: (item: T) => R, request?: PageRequest): Reply {
  const page = request ?? pageRequest(ctx.query)
  return pagedReply(ctx, items.length, pageOf(items, page).map(render), page)
}

/** A list answered straight from an index: `total` items match, `pageItems` are the rendered items of `page`. */
export function pagedReply(ctx: RequestContext, total: number, pageItems: readonly unknown[], page: PageRequest): Reply {
  const headers: Record<string, string> = {'x-total-count': String(total)}
  const link = linkHeader(ctx.fullPath, ctx.query, page, total)
  if (link) headers.link = link
  return {status: 200, json: pageItems, headers}
}

/** The `{project_name_or_id}` parameter resolved as Harbor does (`X-Is-Resource-Name`, else numeric = id). */
export function projectFromPath(ctx: RequestContext): ProjectRecord | undefined {
  const raw = ctx.params.project_name_or_id ?? ''
  return ctx.state.store.projectByIdOrName(raw, ctx.values['X-Is-Resource-Name'] === true)
}
