/**
 * Harbor's API contract for the emulator: the committed extract (test/contract/harbor-api.json, made by
 * `npm run spec:extract`) compiled with ajv. It binds and validates request parameters and bodies the
 * way go-swagger does in Harbor (and answers 400/415/422 like it), and checks response bodies when
 * spec checking is on. Validators are compiled on first use and shared by every emulator in the process.
 */
import {readFileSync} from 'node:fs'
import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv'
import {ApiError} from '../errors.js'

/** A non-body parameter of an operation, as the extract keeps it (Swagger 2.0 fields). */
export interface ContractParam {
  name: string
  in: 'path' | 'query' | 'header' | 'formData'
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array'
  format?: string
  required: boolean
  default?: unknown
  maximum?: number
  minimum?: number
  maxLength?: number
  minLength?: number
  pattern?: string
  enum?: unknown[]
}

/** One operation of the extract. */
export interface ContractOperation {
  id: string
  method: string
  path: string
  consumes: string[]
  produces: string[]
  parameters: ContractParam[]
  body?: {name: string; required: boolean; schema: unknown}
  responses: Record<string, {schema?: unknown; headers?: Record<string, {type?: string}>}>
}

interface Extract {
  basePath: string
  definitions: Record<string, unknown>
  operations: Record<string, Omit<ContractOperation, 'id'>>
}

/** Where the committed extract lives, relative to this file in src/ and in dist/. */
export const EXTRACT_URL = new URL('../../../test/contract/harbor-api.json', import.meta.url)

const SCHEMA_ID = 'harbor-api'

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof inner === 'string' ? `${SCHEMA_ID}${inner}` : rewriteRefs(inner)
  }
  return out
}

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** An ajv instance with stubs for the Swagger formats Harbor's spec uses (ajv-formats is not a dependency). */
function createAjv(): Ajv {
  const ajv = new Ajv({allErrors: true, strict: true, allowUnionTypes: true})
  for (const [name, [min, max]] of Object.entries(INT_RANGES)) {
    ajv.addFormat(name, {type: 'number', validate: (n: number) => Number.isInteger(n) && n >= min && n <= max})
  }
  for (const name of ['float', 'float64', 'double']) ajv.addFormat(name, {type: 'number', validate: () => true})
  ajv.addFormat('date-time', DATE_TIME)
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/)
  ajv.addFormat('uri', /^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$/)
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/)
  for (const name of ['password', 'byte', 'binary']) ajv.addFormat(name, () => true)
  return ajv
}

/** The extract compiled for validation; one per process. */
export class Contract {
  readonly basePath: string
  private readonly ajv: Ajv
  private readonly operations = new Map<string, ContractOperation>()
  private readonly validators = new Map<string, ValidateFunction>()

  constructor(extract: Extract) {
    this.basePath = extract.basePath
    this.ajv = createAjv()
    this.ajv.addSchema({$id: SCHEMA_ID, definitions: extract.definitions})
    for (const [id, operation] of Object.entries(extract.operations)) this.operations.set(id, {id, ...operation})
  }

  /** The operation with Harbor's `operationId`, or undefined when the extract does not hold it. */
  operation(id: string): ContractOperation | undefined {
    return this.operations.get(id)
  }

  /** Every operation of the extract. */
  allOperations(): ContractOperation[] {
    return [...this.operations.values()]
  }

  /** A compiled validator for a schema of the extract, cached under `key`. */
  validator(key: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(key)
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(schema) as object)
      this.validators.set(key, validate)
    }
    return validate
  }
}

let loaded: Contract | undefined

/** The process-wide contract, read from the committed extract on first use. */
export function contract(): Contract {
  if (!loaded) loaded = new Contract(JSON.parse(readFileSync(EXTRACT_URL, 'utf8')) as Extract)
  return loaded
}

const TRUE_VALUES = new Set(['true', '1', 'yes', 'ok', 'y', 'on', 'selected', 'checked', 't', 'enabled'])

/** go-swagger's `swag.ConvertBool`: a fixed set of words is true, anything else false. */
export function convertBool(text: string): boolean {
  return TRUE_VALUES.has(text.toLowerCase())
}

/** The raw inputs of a request, before binding. */
export interface RawRequest {
  path: Record<string, string>
  query: URLSearchParams
  header: (name: string) => string | undefined
}

function validationFailure(details: string[]): ApiError {
  return new ApiError('UNPROCESSABLE_ENTITY', `validation failure list:\n${details.join('\n')}`)
}

/**
 * Binds the non-body parameters of `operation` as go-swagger does: integers must parse (else 422
 * `must be of type`), booleans use ConvertBool, defaults fill absent values, and maximum, minimum,
 * length and enum constraints give 422 `validation failure list:`. Returns the bound values by name.
 */
export function bindParams(operation: ContractOperation, raw: RawRequest): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  const failures: string[] = []
  for (const param of operation.parameters) {
    let text: string | undefined
    if (param.in === 'path') text = raw.path[param.name]
    else if (param.in === 'query') text = raw.query.get(param.name) ?? undefined
    else if (param.in === 'header') text = raw.header(param.name)
    const where = `${param.name} in ${param.in}`
    // go-swagger: an empty value passes every validation and takes the default.
    if (text === undefined || text === '') {
      if (param.required) failures.push(`${where} is required`)
      else if (param.default !== undefined) values[param.name] = param.default
      continue
    }
    let value: unknown = text
    if (param.type === 'integer' || param.type === 'number') {
      const ok = param.type === 'integer' ? /^[+-]?\d+$/.test(text) : Number.isFinite(Number(text)) && text.trim() !== ''
      if (!ok) {
        failures.push(`${where} must be of type ${param.format ?? (param.type === 'integer' ? 'int64' : 'number')}: "${text}"`)
        continue
      }
      const number = Number(text)
      value = number
      if (param.maximum !== undefined && number > param.maximum) {
        failures.push(`${where} should be less than or equal to ${param.maximum}`)
      }
      if (param.minimum !== undefined && number < param.minimum) {
        failures.push(`${where} should be greater than or equal to ${param.minimum}`)
      }
    } else if (param.type === 'boolean') {
      value = convertBool(text)
    } else if (param.type === 'string') {
      if (param.minLength !== undefined && text.length < param.minLength) {
        failures.push(`${where} should be at least ${param.minLength} chars long`)
      }
      if (param.maxLength !== undefined && text.length > param.maxLength) {
        failures.push(`${where} should be at most ${param.maxLength} chars long`)
      }
      if (param.pattern !== undefined && !new RegExp(param.pattern).test(text)) {
        failures.push(`${where} should match '${param.pattern}'`)
      }
    }
    if (param.enum !== undefined && !param.enum.includes(value)) {
      failures.push(`${where} should be one of ${JSON.stringify(param.enum)}`)
    }
    values[param.name] = value
  }
  if (failures.length > 0) throw validationFailure(failures)
  return values
}

/** The outcome of checking a body: `body` is what the handler gets; `lenient` lists spec breaks Harbor tolerates. */
export interface BoundBody {
  body: unknown
  /** Spec violations Go's JSON decoding ignores (a `null` where the spec has no x-nullable). */
  lenient: string[]
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function describe(error: ErrorObject, name: string): string {
  const field = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : name
  switch (error.keyword) {
    case 'maxLength':
      return `${field} in body should be at most ${error.params.limit} chars long`
    case 'minLength':
      return `${field} in body should be at least ${error.params.limit} chars long`
    case 'maximum':
      return `${field} in body should be less than or equal to ${error.params.limit}`
    case 'minimum':
      return `${field} in body should be greater than or equal to ${error.params.limit}`
    case 'required':
      return `${field ? `${field}.` : ''}${error.params.missingProperty} in body is required`
    case 'enum':
      return `${field} in body should be one of ${JSON.stringify(error.params.allowedValues)}`
    default:
      return `${field} in body ${error.message ?? 'is invalid'}`
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root
  for (const part of pointer.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return current
}

/**
 * Parses and validates a request body as go-swagger does: a body with a non-JSON Content-Type is 415,
 * malformed JSON or a wrong JSON type is 400 (`parsing <name> body from "" failed, because ...`), a
 * missing required body or a schema constraint is 422. `null` on a non-nullable field is accepted (Go
 * ignores it) but reported in `lenient`.
 */
export function bindBody(
  contractRef: Contract,
  operation: ContractOperation,
  rawBody: Buffer,
  contentType: string | undefined,
): BoundBody {
  const spec = operation.body
  if (!spec) return {body: undefined, lenient: []}
  if (rawBody.length === 0) {
    if (spec.required) throw validationFailure([`${spec.name} in body is required`])
    return {body: undefined, lenient: []}
  }
  const mime = (contentType ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase()
  if (!operation.consumes.includes(mime)) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `unsupported media type "${mime}", only ${JSON.stringify(operation.consumes)} are allowed`,
    )
  }
  let body: unknown
  try {
    body = JSON.parse(rawBody.toString('utf8'))
  } catch (error) {
    throw new ApiError('BAD_REQUEST', `parsing ${spec.name} body from "" failed, because ${(error as Error).message}`)
  }
  const validate = contractRef.validator(`${operation.id}:body`, spec.schema)
  if (validate(body)) return {body, lenient: []}
  const errors = validate.errors ?? []
  const lenient: string[] = []
  const strict: ErrorObject[] = []
  for (const error of errors) {
    if (error.keyword === 'type' && valueAt(body, error.instancePath) === null) lenient.push(describe(error, spec.name))
    else if (error.keyword !== 'anyOf') strict.push(error)
  }
  const typeError = strict.find((error) => error.keyword === 'type')
  if (typeError) {
    const field = typeError.instancePath.slice(1).replace(/\//g, '.') || spec.name
    const actual = jsonTypeOf(valueAt(body, typeError.instancePath))
    throw new ApiError(
      'BAD_REQUEST',
      `parsing ${spec.name} body from "" failed, because json: cannot unmarshal ${actual} into Go value of type ${typeError.params.type} (field ${field})`,
    )
  }
  if (strict.length > 0) throw validationFailure(strict.map((error) => describe(error, spec.name)))
  return {body, lenient}
}

/**
 * Checks one response against the operation's declared responses; returns what is wrong (empty when
 * it conforms). Error statuses the spec does not declare are checked against `Errors`, since Harbor
 * answers them on many paths; an undeclared success status is a violation.
 */
export function checkResponse(
  contractRef: Contract,
  operation: ContractOperation,
  status: number,
  body: unknown,
  hasBody: boolean,
  headers: Record<string, string | undefined>,
): string[] {
  const problems: string[] = []
  const declared = operation.responses[String(status)]
  let schema = declared?.schema
  let key = `${operation.id}:${status}`
  if (!declared) {
    if (status < 400) return [`status ${status} is not declared for ${operation.id}`]
    schema = {$ref: '#/definitions/Errors'}
    key = 'errors'
  } else if (schema === undefined && status >= 400 && hasBody) {
    schema = {$ref: '#/definitions/Errors'}
    key = 'errors'
  }
  if (schema !== undefined) {
    if (!hasBody) {
      if (status < 400) problems.push(`status ${status} declares a body but none was sent`)
    } else {
      const validate = contractRef.validator(key, schema)
      if (!validate(body)) {
        for (const error of validate.errors ?? []) problems.push(`body${error.instancePath} ${error.message}`)
      }
    }
  } else if (hasBody && status < 400) {
    problems.push(`status ${status} declares no body but one was sent`)
  }
  for (const [name, header] of Object.entries(declared?.headers ?? {})) {
    const value = headers[name.toLowerCase()]
    if (value !== undefined && header.type === 'integer' && !/^-?\d+$/.test(value)) {
      problems.push(`header ${name} should be an integer, got "${value}"`)
    }
  }
  return problems
}
