/**
 * The contract between the kinds and the Harbor client. Kinds only ever see this interface, so the
 * planner can use a kind's pure members with no client behind it and tests can pass their own.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RequestOptions {
  method: HttpMethod
  /** Path under `/api/v2.0`, already containing any ids or (URI-encoded) names: `/projects/team/members`. */
  path: string
  /** Query parameters; `q` is passed raw and the client applies Harbor's double encoding. */
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  /** The path carries a project *name*: send `X-Is-Resource-Name: true` (names may be all digits). */
  resourceName?: boolean
  /**
   * Safe to send again after an ambiguous failure (timeout, reset, 5xx). Defaults: GET, HEAD, PUT,
   * DELETE are; POST and PATCH are not, and the caller looks the object up by name instead.
   */
  idempotent?: boolean
  signal?: AbortSignal
  /**
   * The path's template for metrics and spans (`/projects/{project}/members`); derived from `path` when
   * absent (names after `/projects/`, numeric segments become placeholders).
   */
  route?: string
}

export interface HarborResponse<T = unknown> {
  status: number
  headers: Record<string, string | undefined>
  body: T
}

/** What the client learnt about the instance at first use (`/users/current`, `/systeminfo`, `/configurations`). */
export interface ServerInfo {
  /** As Harbor reports it: `v2.15.2-abcdef12`. */
  harborVersion: string
  version: {major: number; minor: number; patch: number}
  authMode: string
  robotNamePrefix: string
  username: string
  sysadmin: boolean
  /** The credential is a robot account (`/users/current` answered 412). */
  robot?: boolean
  /** The instance is in read-only mode: every write is refused with 403 until an admin turns it off. */
  readOnly?: boolean
}

/** Counters of one client since it was created; `attempts / operations` is the request amplification. */
export interface ClientStats {
  /** Requests asked for (`request()` calls, each page of a list counting once). */
  operations: number
  /** HTTP requests sent, retries included. */
  attempts: number
  retries: number
  /** Operations that ended in an error. */
  failures: number
}

export interface HarborClient {
  /** The endpoint's name in the config (`primary`), used in every error and event. */
  readonly endpoint: string
  /** The base URL, without credentials. */
  readonly url: string
  request<T = unknown>(options: RequestOptions): Promise<HarborResponse<T>>
  /** Every item of a paged list (`page_size=100`, follows `X-Total-Count`). */
  paginate<T = unknown>(
    path: string,
    query?: RequestOptions['query'],
    /** `resourceName`: the path carries a project name (`/projects/team/members`). */
    options?: {signal?: AbortSignal; resourceName?: boolean},
  ): AsyncIterable<T>
  /** Checks credentials and version once (cached); refuses Harbor older than 2.3. */
  info(signal?: AbortSignal): Promise<ServerInfo>
  /** Request counters (absent on test doubles). */
  stats?(): ClientStats
  close(): Promise<void>
}
