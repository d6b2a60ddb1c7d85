/**
 * One HTTP attempt against one endpoint, on undici 7 with a pooled Agent: builds the request (Basic
 * auth, JSON, `X-Is-Resource-Name`, a fresh `X-Request-ID`, never a cookie), reads the answer, and turns
 * every failure into a classified HarborError with the secrets of the request scrubbed out. Retries,
 * timeouts and breakers are the reliability layer's business, not this file's.
 */
import {randomUUID} from 'node:crypto'
import {readFileSync} from 'node:fs'
import type {Agent} from 'undici'
import type {EndpointConfig} from '../config/model.js'
import {formatRange, HrepError} from '../model/errors.js'
import {classifyStatus, HarborError} from '../reliability/errors.js'
import {parseRetryAfter} from '../reliability/backoff.js'
import {redact} from './redact.js'
import type {HarborResponse, HttpMethod} from './types.js'

/** What one attempt sends; the body is already serialised. */
export interface Outgoing {
  method: HttpMethod
  /** Path under `/api/v2.0`, for errors. */
  path: string
  /** Path plus query string, as sent. */
  target: string
  body?: string
  resourceName: boolean
  /** Secrets the body carries, scrubbed from anything the server sends back. */
  secrets: readonly string[]
}

/** Network failures after which the request provably never reached the server. */
const NOT_SENT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
}

/** Network failures after which the request may have reached the server. */
const MAYBE_SENT: Record<string, string> = {
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'response cut short',
  ETIMEDOUT: 'timed out',
}

/** OpenSSL's certificate verification codes that name no CERT (those that do are matched by pattern). */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'EPROTO',
])

/** A failure of the TLS handshake or of certificate verification: retrying cannot fix it. */
function isTlsFailure(code: string): boolean {
  return code.includes('CERT') || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || TLS_VERIFY_CODES.has(code)
}

function networkCodeOf(error: unknown): string | undefined {
  const value = error as {code?: unknown; errors?: Array<{code?: unknown}>; cause?: {code?: unknown}}
  const code = value?.code ?? value?.errors?.[0]?.code ?? value?.cause?.code
  return typeof code === 'string' ? code : undefined
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/

/**
 * The pooled connection to one Harbor. Holds the Basic credentials in a private field that no error,
 * event or inspection ever shows.
 */
export class Transport {
  readonly endpoint: string
  readonly #origin: string
  readonly #basePath: string
  readonly #authorization: string
  /** The password and the Basic token, scrubbed from anything the server sends back. */
  readonly #credentials: readonly string[]
  readonly #agentOptions: Agent.Options
  /** Made on the first request: undici takes ~100 ms to load, which validate, fmt and state never need. */
  #agent: Promise<Agent> | undefined

  /** Reads `ca_file` once; throws an HrepError naming the file when it cannot. */
  constructor(config: EndpointConfig, warn: (message: string) => void) {
    this.endpoint = config.name
    const where = config.range ? `${formatRange(config.range)}: ` : ''
    let url: URL
    try {
      url = new URL(config.url)
    } catch {
      throw new HrepError('endpoint_invalid', `${where}endpoint ${config.name}: url ${JSON.stringify(config.url)} is not a URL`)
    }
    if (url.username !== '' || url.password !== '') {
      throw new HrepError(
        'endpoint_invalid',
        `${where}endpoint ${config.name}: put credentials in username and password, not in the url`,
      )
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new HrepError('endpoint_invalid', `${where}endpoint ${config.name}: url must start with https:// or http://`)
    }
    this.#origin = url.origin
    this.#basePath = `${url.pathname.replace(/\/+$/, '')}/api/v2.0`
    const password = config.password.reveal()
    const token = Buffer.from(`${config.username}:${password}`).toString('base64')
    this.#authorization = `Basic ${token}`
    this.#credentials = [password, token]

    let ca: string | undefined
    if (config.caFile !== undefined) {
      try {
        ca = readFileSync(config.caFile, 'utf8')
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? String(error)
        throw new HrepError(
          'ca_file_unreadable',
          `${where}endpoint ${config.name}: cannot read ca_file ${config.caFile} (${reason})`,
        )
      }
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
        throw new HrepError(
          'ca_file_invalid',
          `${where}endpoint ${config.name}: ca_file ${config.caFile} holds no PEM certificate`,
        )
      }
    }
    if (url.protocol === 'https:' && config.insecure) {
      warn(
        `endpoint ${config.name}: TLS certificate verification is off (insecure = true); anyone on the path can read the password`,
      )
    }
    if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
      warn(`endpoint ${config.name}: ${url.origin} is plain http; the password crosses the network unencrypted`)
    }

    const settings = config.reliability
    this.#agentOptions = {
      connections: Math.max(1, settings.parallelism),
      connect: {
        timeout: settings.connectTimeoutMs,
        ...(url.protocol === 'https:' ? {rejectUnauthorized: !config.insecure, ...(ca === undefined ? {} : {ca})} : {}),
      },
      // Backstops only: the reliability layer's per-attempt AbortSignal normally fires first.
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    }
  }

  #pool(): Promise<Agent> {
    this.#agent ??= import('undici').then(({Agent}) => new Agent(this.#agentOptions))
    return this.#agent
  }

  /** The base URL without credentials, as errors and events name it. */
  get url(): string {
    return this.#origin + this.#basePath.slice(0, -'/api/v2.0'.length)
  }

  /** Sends one attempt; resolves for 2xx, rejects with a classified HarborError for everything else. */
  async send(out: Outgoing, signal: AbortSignal): Promise<HarborResponse> {
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      accept: 'application/json',
      'user-agent': 'hrep',
      'x-request-id': randomUUID(),
    }
    if (out.body !== undefined) headers['content-type'] = 'application/json'
    if (out.resourceName) headers['x-is-resource-name'] = 'true'

    let status: number
    let responseHeaders: Record<string, string | string[] | undefined>
    let text: string
    try {
      const agent = await this.#pool()
      const response = await agent.request({
        origin: this.#origin,
        path: this.#basePath + out.target,
        method: out.method,
        headers,
        body: out.body,
        signal,
      })
      status = response.statusCode
      responseHeaders = response.headers
      text = await response.body.text()
    } catch (error) {
      throw this.#networkError(out, error, headers['x-request-id']!)
    }
    const flat = flattenHeaders(responseHeaders)
    if (status >= 200 && status < 300) return {status, headers: flat, body: parseBody(text, flat['content-type'])}
    throw this.#statusError(out, status, flat, text)
  }

  async close(): Promise<void> {
    await (await this.#agent)?.close()
  }

  #scrub(text: string, out: Outgoing): string {
    return redact(redact(text, this.#credentials), out.secrets)
  }

  #statusError(out: Outgoing, status: number, headers: Record<string, string | undefined>, text: string): HarborError {
    const {code, message} = harborErrorOf(text, headers['content-type'])
    const facts = {
      errorClass: classifyStatus(status),
      endpoint: this.endpoint,
      method: out.method,
      path: out.path,
      status,
      harborCode: code,
      harborMessage: message === undefined ? undefined : this.#scrub(message, out),
      requestId: headers['x-request-id'],
      retryAfterMs: parseRetryAfter(headers['retry-after']),
      // Harbor's API has no rate limiting (NOTES §1.8): a 429 comes from a proxy or gateway that turned
      // the request away before Harbor saw it, so even a POST may be sent again.
      notSent: status === 429,
      hint: undefined as string | undefined,
    }
    if (status >= 300 && status < 400) {
      facts.hint = `the server redirects to ${headers.location ?? 'another address'}; set the endpoint's url to where Harbor answers`
    }
    return new HarborError(facts)
  }

  #networkError(out: Outgoing, error: unknown, requestId: string): HarborError {
    const code = networkCodeOf(error)
    const base = {endpoint: this.endpoint, method: out.method, path: out.path, networkCode: code, cause: error}
    if (code !== undefined && isTlsFailure(code)) {
      return new HarborError({
        ...base,
        errorClass: 'permanent',
        notSent: true,
        detail: 'TLS handshake failed',
        hint:
          code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO'
            ? 'the server does not speak TLS there: check https:// or http:// and the port in url'
            : "set ca_file to the CA that signed Harbor's certificate (or, only for a test instance, insecure = true)",
      })
    }
    if (code !== undefined && code in NOT_SENT) {
      return new HarborError({...base, errorClass: 'transient', notSent: true, detail: NOT_SENT[code]})
    }
    const detail = (code !== undefined && MAYBE_SENT[code]) || this.#scrub((error as Error)?.message ?? String(error), out)
    // Harbor logs the request under the id we sent, if it got that far: worth quoting only now.
    return new HarborError({...base, errorClass: 'transient', notSent: false, detail, requestId})
  }
}

/** undici's headers with repeated ones joined; `Set-Cookie` is dropped, since hrep keeps no cookies. */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {}
  for (const name in headers) {
    if (name === 'set-cookie') continue
    const value = headers[name]
    flat[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

/** A success body: JSON when it looks like JSON, the text otherwise, undefined when empty. */
function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined
  if (contentType?.includes('json') || text[0] === '{' || text[0] === '[') {
    try {
      return JSON.parse(text)
    } catch {
      // Not JSON after all (a proxy's page): hand the text over.
    }
  }
  return text
}

/**
 * Harbor's `{"errors":[{"code","message"}]}` (or a bare `{"code","message"}`), a short plain-text body,
 * or nothing: 400s with an empty body exist (NOTES §1.3), and a proxy's HTML error page says nothing useful.
 */
function harborErrorOf(text: string, contentType: string | undefined): {code?: string; message?: string} {
  if (text === '') return {}
  const trimmed = text.trim()
  if (trimmed[0] === '{') {
    try {
      const parsed = JSON.parse(trimmed) as {
        errors?: Array<{code?: unknown; message?: unknown}>
        code?: unknown
        message?: unknown
      }
      const first = Array.isArray(parsed.errors) ? parsed.errors[0] : parsed
      return {
        code: typeof first?.code === 'string' ? first.code : undefined,
        message: typeof first?.message === 'string' ? first.message.trim() : undefined,
      }
    } catch {
      return {}
    }
  }
  if (contentType?.includes('html') || trimmed[0] === '<') return {}
  const line = trimmed.split('\n')[0]!
  return {message: line.length > 200 ? `${line.slice(0, 200)}...` : line}
}
