/**
 * A minimal Harbor API caller for the conformance scenarios: undici `request`, Basic auth, no cookie
 * jar, JSON in and out. Deliberately independent of src/client, so the scenarios check Harbor (or the
 * emulator), not our client.
 */
import {Agent, request} from 'undici'

/** A response with its body read. */
export interface ApiResponse {
  status: number
  /** Header names in lower case. */
  headers: Record<string, string>
  text: string
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: scenarios read Harbor's JSON loosely and check every field they use
  json: any
}

/** Options of one call. */
export interface CallOptions {
  /** Query parameters, encoded once. */
  query?: Record<string, string | number | boolean | undefined>
  /** A raw query string appended as is (for `q`, which Harbor decodes twice). */
  rawQuery?: string
  body?: unknown
  /** A raw body sent as is (with `contentType`). */
  rawBody?: string
  contentType?: string
  headers?: Record<string, string>
}

/** Encodes a `q` value twice, as Harbor's UI does (Harbor unescapes it twice). */
export function qParam(raw: string): string {
  return `q=${encodeURIComponent(encodeURIComponent(raw))}`
}

let agent = new Agent({connections: 8, pipelining: 1})

/**
 * Skips TLS certificate verification (HREP_CONFORMANCE_INSECURE=1, for a staging Harbor with a
 * self-signed certificate). Prefer NODE_EXTRA_CA_CERTS=ca.pem, which keeps verification on.
 */
export function useInsecureTls(): void {
  agent = new Agent({connections: 8, pipelining: 1, connect: {rejectUnauthorized: false}})
}

/** Calls one Harbor instance as one user (or anonymously). */
export class HarborApi {
  constructor(
    readonly url: string,
    private readonly credentials?: {username: string; password: string},
  ) {}

  /** The same instance as another user, or anonymous with no arguments. */
  as(username?: string, password?: string): HarborApi {
    return new HarborApi(this.url, username === undefined ? undefined : {username, password: password ?? ''})
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) params.set(key, String(value))
    const parts = [params.toString(), options.rawQuery ?? ''].filter(Boolean)
    const target = `${this.url.replace(/\/$/, '')}/api/v2.0${path}${parts.length ? `?${parts.join('&')}` : ''}`
    const headers: Record<string, string> = {...(options.headers ?? {})}
    if (this.credentials) {
      headers.authorization = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`
    }
    let body: string | undefined
    if (options.rawBody !== undefined) {
      body = options.rawBody
      if (options.contentType) headers['content-type'] = options.contentType
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] = options.contentType ?? 'application/json'
    }
    const response = await request(target, {method: method as 'GET', headers, body, dispatcher: agent})
    const text = await response.body.text()
    const flat: Record<string, string> = {}
    for (const [key, value] of Object.entries(response.headers)) {
      if (value !== undefined) flat[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
    }
    // biome-ignore lint/suspicious/noExplicitAny: see ApiResponse.json
    let json: any
    if (text && (flat['content-type'] ?? '').includes('json')) {
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
    }
    return {status: response.statusCode, headers: flat, text, json}
  }

  get(path: string, options?: CallOptions): Promise<ApiResponse> {
    return this.call('GET', path, options)
  }

  head(path: string, options?: CallOptions): Promise<ApiResponse> {
    return this.call('HEAD', path, options)
  }

  post(path: string, body?: unknown, options: CallOptions = {}): Promise<ApiResponse> {
    return this.call('POST', path, {...options, body})
  }

  put(path: string, body?: unknown, options: CallOptions = {}): Promise<ApiResponse> {
    return this.call('PUT', path, {...options, body})
  }

  patch(path: string, body?: unknown, options: CallOptions = {}): Promise<ApiResponse> {
    return this.call('PATCH', path, {...options, body})
  }

  delete(path: string, options?: CallOptions): Promise<ApiResponse> {
    return this.call('DELETE', path, options)
  }
}

/** The id at the end of a `Location` header. */
export function idFromLocation(response: ApiResponse): number {
  const location = response.headers.location ?? ''
  return Number(location.slice(location.lastIndexOf('/') + 1))
}

/** Closes the shared connection pool (the runner calls it at the end). */
export async function closeConnections(): Promise<void> {
  await agent.close()
}
