/**
 * How the emulator turns replies and errors into bytes on the wire, and the small HTTP helpers the
 * server needs (body reading, cookies).
 */
import type {IncomingMessage} from 'node:http'
import type {Reply} from './context.js'
import {ApiError, errorBody} from './errors.js'

const MAX_BODY_BYTES = 10 * 1024 * 1024

/** A response ready to write: status, headers and body bytes. */
export interface Prepared {
  status: number
  headers: Record<string, string>
  body: Buffer
  /** Parsed JSON body, for the spec check. */
  json?: unknown
  hasBody: boolean
}

/** A handler reply as bytes: JSON with go-swagger's trailing newline, text, or nothing. */
export function jsonReply(reply: Reply): Prepared {
  const headers: Record<string, string> = {...(reply.headers ?? {})}
  if (reply.text !== undefined) {
    headers['content-type'] = 'text/plain'
    return {status: reply.status, headers, body: Buffer.from(reply.text), json: reply.text, hasBody: true}
  }
  if (reply.json === undefined) return {status: reply.status, headers, body: Buffer.alloc(0), hasBody: false}
  headers['content-type'] = 'application/json'
  // go-swagger's JSON producer uses json.Encoder: one trailing newline.
  return {status: reply.status, headers, body: Buffer.from(`${JSON.stringify(reply.json)}\n`), json: reply.json, hasBody: true}
}

/** Harbor's error body for an ApiError (or no body when the handler sends none). */
export function errorReply(error: ApiError): Prepared {
  if (error.emptyBody) return {status: error.status, headers: {}, body: Buffer.alloc(0), hasBody: false}
  return {
    status: error.status,
    headers: {'content-type': 'application/json; charset=utf-8'},
    body: Buffer.from(errorBody(error)),
    hasBody: true,
  }
}

const NGINX_TEXT: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
  429: 'Too Many Requests',
}

/** The answer of a failing reverse proxy (nginx HTML) or of Harbor itself (masked 500). */
export function proxyError(status: number, retryAfter?: string): Prepared {
  if (status === 500) {
    const prepared = errorReply(new ApiError('UNKNOWN', 'injected fault'))
    if (retryAfter) prepared.headers['retry-after'] = retryAfter
    return prepared
  }
  const title = `${status} ${NGINX_TEXT[status] ?? 'Error'}`
  const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  const headers: Record<string, string> = {'content-type': 'text/html'}
  if (retryAfter) headers['retry-after'] = retryAfter
  return {status, headers, body: Buffer.from(html), hasBody: true}
}

/** Reads a request body, refusing more than 10 MB (413). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on('end', () =>
      size > MAX_BODY_BYTES
        ? reject(new ApiError('REQUEST_ENTITY_TOO_LARGE', 'request body too large'))
        : resolve(Buffer.concat(chunks)),
    )
    req.on('error', reject)
  })
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The cookies of a `Cookie` header by name. */
export function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return out
}
