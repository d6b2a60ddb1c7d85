/**
 * The spec-check helper for tests that talk to something other than the emulator (a hand-made fake
 * server, a recorded response): checks a request body or a response against Harbor's spec extract
 * (test/contract/harbor-api.json) with the same ajv conversion the emulator uses. Returns the list of
 * problems, empty when the value conforms.
 */
import {bindBody, checkResponse, contract} from '../../src/emulator/spec/contract.js'
import {ApiError} from '../../src/emulator/errors.js'

function operationOrThrow(operationId: string) {
  const operation = contract().operation(operationId)
  if (!operation)
    throw new Error(`operation ${operationId} is not in test/contract/harbor-api.json (add it to scripts/spec-extract.ts)`)
  return operation
}

/** Problems with a request body for a Harbor operation (by operationId), as go-swagger would see them. */
export function requestBodyProblems(operationId: string, body: unknown): string[] {
  const operation = operationOrThrow(operationId)
  try {
    const bound = bindBody(contract(), operation, Buffer.from(body === undefined ? '' : JSON.stringify(body)), 'application/json')
    return bound.lenient
  } catch (error) {
    if (error instanceof ApiError) return [`${error.status} ${error.code}: ${error.message}`]
    throw error
  }
}

/** Problems with a response (status and parsed JSON body, undefined for none) of a Harbor operation. */
export function responseProblems(
  operationId: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): string[] {
  return checkResponse(contract(), operationOrThrow(operationId), status, body, body !== undefined, headers)
}
