/**
 * I/O helpers shared by the kinds: paged reads through the endpoint's concurrency limit, lists shared
 * between kinds during one refresh (`ctx.memo`), the id of a created object, and reading the status
 * of a client error. Nothing here opens a connection; everything goes through `ctx.client`.
 */
import {HarborError, isHarborError} from '../client/index.js'
import type {RequestOptions} from '../client/types.js'
import {HrepError} from '../model/errors.js'
import type {ErrorClass} from '../model/events.js'
import type {HarborProject, HarborUserGroup} from './harbor.js'
import type {KindContext} from './kind.js'

/** Every item of a paged Harbor list, read within one slot of the endpoint's limit. */
export function collect<T>(ctx: KindContext, path: string, query?: RequestOptions['query']): Promise<T[]> {
  return ctx.limit(async () => {
    const items: T[] = []
    for await (const item of ctx.client.paginate<T>(path, query, {signal: ctx.signal})) items.push(item)
    return items
  })
}

/** One request within one slot of the endpoint's limit, with the context's abort signal. */
export function send<T>(ctx: KindContext, options: RequestOptions) {
  return ctx.limit(() => ctx.client.request<T>({signal: ctx.signal, ...options}))
}

/** `fn()` once per key for the kinds of one endpoint during one refresh; later callers share the promise. */
export function memoize<T>(ctx: KindContext, key: string, fn: () => Promise<T>): Promise<T> {
  let promise = ctx.memo.get(key) as Promise<T> | undefined
  if (!promise) {
    promise = fn()
    ctx.memo.set(key, promise)
  }
  return promise
}

/** Memo keys, exported so the engine can pre-fill or clear them. */
export const MEMO_PROJECTS = 'projects'
export const MEMO_USER_GROUPS = 'usergroups'
/** Prefix of a group's id by name (`group-id:devs`): what a member create sends as `member_group.id`. */
export const MEMO_GROUP_ID = 'group-id:'

/**
 * Records the id of the group `name` for the other kinds of this endpoint (a created group), or
 * forgets it (`undefined`: a deleted group), so members added in the same run need no lookup.
 */
export function rememberGroupId(ctx: KindContext, name: string, id: number | undefined): void {
  if (id === undefined) ctx.memo.delete(MEMO_GROUP_ID + name)
  else ctx.memo.set(MEMO_GROUP_ID + name, Promise.resolve(id))
}

/**
 * The id of the group `name`, looked up once per endpoint and run (and not at all for a group created
 * in this run); undefined when there is none or the credential may not list groups. A failed lookup
 * is not remembered.
 */
export function groupIdByName(
  ctx: KindContext,
  name: string,
  lookup: () => Promise<number | undefined>,
): Promise<number | undefined> {
  const key = MEMO_GROUP_ID + name
  let pending = ctx.memo.get(key) as Promise<number | undefined> | undefined
  if (pending === undefined) {
    pending = lookup().catch((error: unknown) => {
      if (isForbidden(error)) return undefined
      if (ctx.memo.get(key) === pending) ctx.memo.delete(key)
      throw error
    })
    ctx.memo.set(key, pending)
  }
  return pending
}

/** Every project on the endpoint, read once per refresh and shared by the project, robot and member kinds. */
export function listProjects(ctx: KindContext): Promise<HarborProject[]> {
  // The default with_detail=true is needed: without it Harbor leaves out metadata and the CVE allowlist.
  return memoize(ctx, MEMO_PROJECTS, () => collect<HarborProject>(ctx, '/projects'))
}

/** Every user group the endpoint lists (system admin only), read once per refresh. */
export function listUserGroups(ctx: KindContext): Promise<HarborUserGroup[]> {
  return memoize(ctx, MEMO_USER_GROUPS, () => collect<HarborUserGroup>(ctx, '/usergroups'))
}

/** The HTTP status of a client error, when it has one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const status = (error as {status?: unknown}).status
  return typeof status === 'number' ? status : undefined
}

/** Whether a client error says the object does not exist. */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404
}

/** Whether a client error is an authorisation refusal (the credential may not read this). */
export function isForbidden(error: unknown): boolean {
  const status = statusOf(error)
  return status === 401 || status === 403
}

/** The numeric id at the end of a `Location` header (`/api/v2.0/projects/team/members/9` → "9"). */
export function idFromLocation(headers: Record<string, string | undefined>): string | undefined {
  const location = headers.location ?? headers.Location
  if (!location) return undefined
  const last = location.split('?')[0].replace(/\/+$/, '').split('/').pop()
  return last && /^\d+$/.test(last) ? last : undefined
}

/** A path segment holding a name, percent-encoded (names may hold characters a URL reserves). */
export function segment(name: string): string {
  return encodeURIComponent(name)
}

/**
 * The failed request `error` told in plainer words (`summary` replaces the "returned 409" opening),
 * as a HarborError of `errorClass` that keeps the request's facts, so the engine still classifies it.
 * A non-Harbor error (a test double's) becomes an HrepError with the same words.
 */
export function restated(error: unknown, errorClass: ErrorClass, summary: string): HrepError {
  if (!isHarborError(error)) return new HrepError(errorClass, summary, {cause: error})
  return new HarborError({
    errorClass,
    endpoint: error.endpoint,
    method: error.method,
    path: error.path,
    status: error.status,
    harborCode: error.harborCode,
    harborMessage: error.harborMessage,
    requestId: error.requestId,
    summary,
    cause: error,
  })
}
