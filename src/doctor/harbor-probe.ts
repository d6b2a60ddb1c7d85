/**
 * The Harbor-level reads doctor makes, each turned into a tagged outcome instead of a throw, so the
 * checks can judge them one by one. What needs credentials goes through the client plan and apply use
 * (same TLS trust, Basic auth, headers and error classification): `/users/current`, `/systeminfo`, and
 * `/configurations` for users (robots have no access to it, NOTES §1.1). What Harbor serves to anyone
 * (`/ping`, `/health`, the public `/systeminfo`) is read without credentials (anonymous.ts).
 */
import type {HarborClient, HarborResponse} from '../client/types.js'
import {isHarborError} from '../reliability/errors.js'
import {AnonymousGetError, type AnonymousReader} from './anonymous.js'

/** A read that answered, or the error it ended in. */
export type Fetched<T> = {ok: true; body: T; headers: HarborResponse['headers']} | {ok: false; error: unknown}

/** `/ping` with the local times around it, for the clock check. */
export type PingOutcome = Fetched<unknown> & {
  /** This machine's time (ms since the epoch) when the request was sent and when the answer came. */
  sentAt: number
  receivedAt: number
}

/** Who the credentials are, from `GET /users/current`. */
export type Identity =
  | {kind: 'user'; username: string; sysadmin: boolean}
  /** Harbor answers 412 for robot accounts, which are not users. */
  | {kind: 'robot'}
  /** 401: Harbor treated the request as anonymous (wrong credentials, a locked user, a disabled robot). */
  | {kind: 'rejected'; error: unknown}
  | {kind: 'failed'; error: unknown}

/** The fields of `/systeminfo` doctor uses; anonymous callers get only `auth_mode` and a few others. */
export interface SystemInfoBody {
  harbor_version?: string
  auth_mode?: string
  read_only?: boolean
  project_creation_restriction?: string
  current_time?: string
}

/** `/health`: always 200; `status` tells. */
export interface HealthBody {
  status?: string
  components?: {name?: string; status?: string; error?: string}[]
}

/** `/configurations` as GET returns it: `{key: {value, editable}}`. */
export type ConfigurationsBody = Record<string, {value?: unknown} | undefined>

async function fetchJson<T>(client: HarborClient, path: string, signal?: AbortSignal): Promise<Fetched<T>> {
  try {
    const response = await client.request<T>({method: 'GET', path, signal})
    return {ok: true, body: response.body, headers: response.headers}
  } catch (error) {
    return {ok: false, error}
  }
}

/** `/ping`, without credentials. */
export async function fetchPing(reader: AnonymousReader, signal?: AbortSignal): Promise<PingOutcome> {
  const sentAt = Date.now()
  const outcome = await reader.get<unknown>('/ping', signal)
  return {...outcome, sentAt, receivedAt: Date.now()}
}

/** `GET /users/current` with the credentials: who they are, or how they were refused. */
export async function fetchIdentity(client: HarborClient, signal?: AbortSignal): Promise<Identity> {
  const outcome = await fetchJson<{username?: string; sysadmin_flag?: boolean; admin_role_in_auth?: boolean}>(
    client,
    '/users/current',
    signal,
  )
  if (outcome.ok) {
    // A member of the LDAP or OIDC admin group is a system administrator without the database flag.
    const sysadmin = outcome.body?.sysadmin_flag === true || outcome.body?.admin_role_in_auth === true
    return {kind: 'user', username: outcome.body?.username ?? '', sysadmin}
  }
  const status = isHarborError(outcome.error) ? outcome.error.status : undefined
  if (status === 412) return {kind: 'robot'}
  if (status === 401) return {kind: 'rejected', error: outcome.error}
  return {kind: 'failed', error: outcome.error}
}

/** `/systeminfo` as the credentials see it (the version, read-only mode and more need a login). */
export function fetchSystemInfo(client: HarborClient, signal?: AbortSignal): Promise<Fetched<SystemInfoBody>> {
  return fetchJson<SystemInfoBody>(client, '/systeminfo', signal)
}

/** `/systeminfo` as anyone sees it: enough for the auth mode. */
export function fetchPublicSystemInfo(reader: AnonymousReader, signal?: AbortSignal): Promise<Fetched<SystemInfoBody>> {
  return reader.get<SystemInfoBody>('/systeminfo', signal)
}

/** `/health`, without credentials. */
export function fetchHealth(reader: AnonymousReader, signal?: AbortSignal): Promise<Fetched<HealthBody>> {
  return reader.get<HealthBody>('/health', signal)
}

/** `GET /configurations` (system administrators only): the robot name prefix. */
export function fetchConfigurations(client: HarborClient, signal?: AbortSignal): Promise<Fetched<ConfigurationsBody>> {
  return fetchJson<ConfigurationsBody>(client, '/configurations', signal)
}

/** An error's message, already free of secrets (HarborError redacts; others are network errors). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The HTTP status of a failed read, when it got one. */
export function statusOfError(error: unknown): number | undefined {
  if (error instanceof AnonymousGetError) return error.status
  return isHarborError(error) ? error.status : undefined
}
