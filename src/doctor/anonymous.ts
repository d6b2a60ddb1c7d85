/**
 * The reads Harbor serves to anyone (`/ping`, `/health`, the public part of `/systeminfo`), sent
 * without credentials. The client always sends Basic auth, and Harbor tries a login for every request
 * that carries credentials: with a wrong password each would count as one more failed login (an LDAP
 * directory may lock the account after a few). Sent anonymously, a wrong password costs doctor exactly
 * the login attempts plan would make (`/users/current` and its one lockout retry). The trust is the
 * client's: `ca_file` alone or the system store, verification off only with `insecure = true`.
 */
import {randomUUID} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {Agent} from 'undici'
import type {EndpointConfig} from '../config/model.js'
import type {Fetched} from './harbor-probe.js'
import {errorCode, formatMs} from './target.js'

/** A GET without credentials that failed: the words for it, and the status when there was an answer. */
export class AnonymousGetError extends Error {
  override name = 'AnonymousGetError'
  readonly status?: number
  constructor(message: string, status?: number) {
    super(message)
    this.status = status
  }
}

/** Anonymous GETs to one endpoint over one pooled connection; `close()` when done. */
export class AnonymousReader {
  readonly #origin: string
  readonly #base: string
  readonly #agent: Agent
  readonly #timeoutMs: number

  /** `endpoint.url` must be a valid http(s) URL (the loader checks it); an unreadable ca_file means no custom CA. */
  constructor(endpoint: Pick<EndpointConfig, 'url' | 'caFile' | 'insecure'>, timeoutMs: number) {
    const url = new URL(endpoint.url)
    this.#origin = url.origin
    this.#base = `${url.pathname.replace(/\/+$/, '')}/api/v2.0`
    this.#timeoutMs = timeoutMs
    let ca: string | undefined
    try {
      ca = endpoint.caFile === undefined ? undefined : readFileSync(endpoint.caFile, 'utf8')
    } catch {
      // The TLS check has already reported it; the handshake will fail and say so.
    }
    this.#agent = new Agent({
      connections: 2,
      connect: {
        timeout: timeoutMs,
        ...(url.protocol === 'https:' ? {rejectUnauthorized: !endpoint.insecure, ...(ca === undefined ? {} : {ca})} : {}),
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
  }

  /** `GET /api/v2.0<path>`: the body (JSON when it is JSON, else text) and the headers of a 2xx answer. */
  async get<T>(path: string, signal?: AbortSignal): Promise<Fetched<T>> {
    const timeout = AbortSignal.timeout(this.#timeoutMs)
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    const where = `GET /api/v2.0${path}`
    try {
      const response = await this.#agent.request({
        origin: this.#origin,
        path: this.#base + path,
        method: 'GET',
        headers: {accept: 'application/json', 'user-agent': 'hrep', 'x-request-id': randomUUID()},
        signal: combined,
      })
      const text = await response.body.text()
      const headers: Record<string, string | undefined> = {}
      for (const [name, value] of Object.entries(response.headers))
        headers[name] = Array.isArray(value) ? value.join(', ') : value
      const status = response.statusCode
      if (status >= 300 && status < 400) {
        const location = headers.location ?? 'another address'
        return {
          ok: false,
          error: new AnonymousGetError(`${where} returned ${status}: the server redirects to ${location}`, status),
        }
      }
      if (status < 200 || status >= 300) return {ok: false, error: new AnonymousGetError(`${where} returned ${status}`, status)}
      return {ok: true, body: parse(text) as T, headers}
    } catch (error) {
      if (timeout.aborted) {
        return {ok: false, error: new AnonymousGetError(`${where} got no answer within ${formatMs(this.#timeoutMs)}`)}
      }
      if (signal?.aborted) return {ok: false, error: new AnonymousGetError(`${where} was interrupted`)}
      const code = errorCode(error) ?? errorCode((error as {cause?: unknown}).cause)
      return {ok: false, error: new AnonymousGetError(`${where} failed: ${(error as Error).message}${code ? ` (${code})` : ''}`)}
    }
  }

  close(): Promise<void> {
    return this.#agent.close()
  }
}

function parse(text: string): unknown {
  const trimmed = text.trim()
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed)
    } catch {
      // A proxy's page that happens to start with a brace: keep the text.
    }
  }
  return text
}
