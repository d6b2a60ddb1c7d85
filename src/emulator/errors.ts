/**
 * Harbor's error vocabulary (`src/lib/errors`, `src/lib/http/error.go`): an error code maps to an HTTP
 * status, the body is `{"errors":[{"code","message"}]}`, and every 5xx is masked to
 * `UNKNOWN`/`internal server error` before it leaves the server.
 */

/** Harbor's error codes and the status each maps to (`lib/http/error.go: codeMap`). */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  DIGEST_INVALID: 400,
  MANIFEST_INVALID: 400,
  UNSUPPORTED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  DENIED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PRECONDITION: 412,
  VIOLATE_FOREIGN_KEY_CONSTRAINT: 412,
  PROJECTPOLICYVIOLATION: 412,
  REQUEST_ENTITY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_ENTITY: 422,
  TOO_MANY_REQUEST: 429,
  UNKNOWN: 500,
} as const

/** A Harbor error code. */
export type ErrorCode = keyof typeof ERROR_STATUS

/**
 * An error a handler throws to answer with Harbor's error body. `emptyBody` reproduces the handlers
 * that answer with a status and no payload (e.g. `POST /usergroups` without a name).
 */
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly emptyBody: boolean
  /** Raised while binding the request against the spec (go-swagger), not by a handler. */
  fromValidation = false

  constructor(code: ErrorCode, message: string, options: {status?: number; emptyBody?: boolean} = {}) {
    super(message)
    this.code = code
    this.status = options.status ?? ERROR_STATUS[code]
    this.emptyBody = options.emptyBody ?? false
  }
}

/** 400 BAD_REQUEST with Harbor's message. */
export const badRequest = (message: string): ApiError => new ApiError('BAD_REQUEST', message)
/** 400 with no body, as some Harbor handlers answer. */
export const badRequestEmpty = (): ApiError => new ApiError('BAD_REQUEST', '', {emptyBody: true})
/** 401 UNAUTHORIZED `unauthorized` (`handler/base.go: RequireAuthenticated`). */
export const unauthorized = (): ApiError => new ApiError('UNAUTHORIZED', 'unauthorized')
/** 403 FORBIDDEN; `RequireSystemAccess` puts the caller's name in the message, project checks say `forbidden`. */
export const forbidden = (message = 'forbidden'): ApiError => new ApiError('FORBIDDEN', message)
/** 403 DENIED. */
export const denied = (message: string): ApiError => new ApiError('DENIED', message)
/** 404 NOT_FOUND. */
export const notFound = (message: string): ApiError => new ApiError('NOT_FOUND', message)
/** 409 CONFLICT. */
export const conflict = (message: string): ApiError => new ApiError('CONFLICT', message)
/** 412 PRECONDITION. */
export const precondition = (message: string): ApiError => new ApiError('PRECONDITION', message)
/** A plain error without a code: Harbor answers 500 and masks it. */
export const internal = (message: string): ApiError => new ApiError('UNKNOWN', message)

/** Harbor's error body for one error; 5xx messages are masked. */
export function errorBody(error: ApiError): string {
  const masked = error.status >= 500
  return `${JSON.stringify({
    errors: [{code: masked ? 'UNKNOWN' : error.code, message: masked ? 'internal server error' : error.message}],
  })}\n`
}
