/**
 * The classified error every Harbor request ends in when it fails. It states the facts an operator
 * needs (endpoint, method, path, status, Harbor's error code and message, X-Request-Id, attempts) and
 * never a credential: the client redacts Harbor's message before it gets here, and request bodies and
 * headers are never part of it.
 */
import {HrepError} from '../model/errors.js'
import type {ErrorClass, GiveUpReason} from '../model/events.js'

export {ERROR_CLASSES} from '../model/events.js'

/**
 * The class of an HTTP status: 408/429/500/502/503/504 transient, 409 conflict, 404 not_found, 401/403
 * auth, 400/412/422 invalid, anything else permanent. (408 is a proxy giving up on a slow request: nothing
 * was processed, so it is as transient as a 503.)
 */
export function classifyStatus(status: number): ErrorClass {
  switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return 'transient'
    case 409:
      return 'conflict'
    case 404:
      return 'not_found'
    case 401:
    case 403:
      return 'auth'
    case 400:
    case 412:
    case 422:
      return 'invalid'
    default:
      return 'permanent'
  }
}

/** What is known about one failed request; the client fills it, the retry loop adds attempts. */
export interface HarborErrorFacts {
  errorClass: ErrorClass
  /** The endpoint's name in the config. */
  endpoint: string
  method: string
  /** The path under `/api/v2.0`, without the query. */
  path: string
  status?: number
  /** Harbor's `errors[0].code` (`NOT_FOUND`, `CONFLICT`, `UNKNOWN`). */
  harborCode?: string
  /** Harbor's `errors[0].message`, already redacted. */
  harborMessage?: string
  /** The `X-Request-Id` of the failed attempt (Harbor's log has the details of every 5xx under it). */
  requestId?: string
  /** What failed below HTTP, in words: `connection refused`, `timed out after 30 s`. */
  detail?: string
  /** The system or undici code of a network failure: `ECONNREFUSED`, `UND_ERR_SOCKET`. */
  networkCode?: string
  /**
   * The request provably did not reach Harbor's handlers: connection refused, DNS failure, connect
   * timeout, a 429 from a rate limiter, the circuit breaker. Only such failures make a POST safe to resend.
   */
  notSent?: boolean
  /** The server's `Retry-After`, in milliseconds. */
  retryAfterMs?: number
  /** The caller's signal aborted the request (not a timeout of ours). */
  aborted?: boolean
  /** One sentence on what to do about it. */
  hint?: string
  /** Replaces the `<method> <path> returned <status>` opening when a plainer sentence says it better. */
  summary?: string
  cause?: unknown
}

/** A failed Harbor request, classified. `code` is `harbor_<class>` (`harbor_not_found`). */
export class HarborError extends HrepError {
  override name = 'HarborError'
  readonly errorClass: ErrorClass
  readonly endpoint: string
  readonly method: string
  readonly path: string
  readonly status?: number
  readonly harborCode?: string
  readonly harborMessage?: string
  readonly requestId?: string
  readonly detail?: string
  readonly networkCode?: string
  readonly notSent: boolean
  readonly retryAfterMs?: number
  readonly aborted: boolean
  readonly hint?: string
  readonly summary?: string
  /** Attempts made, the first included (set by the retry loop when it gives up). */
  attempts = 1
  /**
   * The operation was a write and may have been applied although it failed (a POST that timed out, a PUT
   * answered 503): the caller must look the object up by name before doing it again.
   */
  ambiguous = false
  /** Why retrying stopped, when the failure was retryable. */
  giveUpReason?: GiveUpReason

  constructor(facts: HarborErrorFacts, code = `harbor_${facts.errorClass}`) {
    super(code, '', facts.cause === undefined ? {} : {cause: facts.cause})
    this.errorClass = facts.errorClass
    this.endpoint = facts.endpoint
    this.method = facts.method
    this.path = facts.path
    this.status = facts.status
    this.harborCode = facts.harborCode
    this.harborMessage = facts.harborMessage
    this.requestId = facts.requestId
    this.detail = facts.detail
    this.networkCode = facts.networkCode
    this.notSent = facts.notSent ?? false
    this.retryAfterMs = facts.retryAfterMs
    this.aborted = facts.aborted ?? false
    this.hint = facts.hint
    this.summary = facts.summary
    this.message = this.describe()
  }

  /** Records how the operation ended (attempts made, whether a write may have been applied, why retrying stopped) and rewrites the message. */
  settle(attempts: number, ambiguous: boolean, giveUpReason?: GiveUpReason): this {
    this.attempts = attempts
    this.ambiguous = ambiguous
    this.giveUpReason = giveUpReason
    this.message = this.describe()
    return this
  }

  /** `endpoint primary: GET /projects/x returned 404 NOT_FOUND: project x not found [request id 1f3e, after 2 attempts]` */
  protected describe(): string {
    let text = `endpoint ${this.endpoint}: ${this.method} ${this.path}`
    if (this.summary !== undefined) {
      text = this.summary
    } else if (this.status !== undefined) {
      text += ` returned ${this.status}`
      if (this.harborCode) text += ` ${this.harborCode}`
      if (this.harborMessage) text += `: ${this.harborMessage}`
    } else {
      text += ` failed: ${this.detail ?? 'unknown error'}`
      if (this.networkCode) text += ` (${this.networkCode})`
    }
    const notes: string[] = []
    if (this.requestId) notes.push(`request id ${this.requestId}`)
    if (this.attempts > 1) notes.push(`after ${this.attempts} attempts`)
    if (this.giveUpReason === 'deadline') notes.push('no time left before the deadline')
    if (this.giveUpReason === 'budget') notes.push("the endpoint's retry budget is spent")
    if (notes.length > 0) text += ` [${notes.join(', ')}]`
    if (this.ambiguous) text += '; the change may have been applied'
    if (this.hint) text += `. ${this.hint}`
    return text
  }
}

/**
 * The endpoint's circuit breaker is open: the request was not sent. Plan and apply report it for that
 * endpoint and carry on with the others. Class `transient`, code `endpoint_unavailable`.
 */
export class EndpointUnavailableError extends HarborError {
  override name = 'EndpointUnavailableError'
  /** When the breaker opened (the first time, if it re-opened after a failed probe). */
  readonly openSince: Date

  constructor(endpoint: string, method: string, path: string, openSince: Date) {
    super({errorClass: 'transient', endpoint, method, path, notSent: true, detail: 'circuit open'}, 'endpoint_unavailable')
    this.openSince = openSince
    this.message = this.describe()
  }

  /** `endpoint dr unavailable (circuit open since 2026-11-23T11:41:48.000Z)`, whatever the request was. */
  protected override describe(): string {
    // `describe` runs from the base constructor before `openSince` is assigned.
    const since = this.openSince ? this.openSince.toISOString() : 'now'
    return `endpoint ${this.endpoint} unavailable (circuit open since ${since})`
  }
}

export function isHarborError(error: unknown): error is HarborError {
  return error instanceof HarborError
}
