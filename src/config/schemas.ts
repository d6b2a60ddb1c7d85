/**
 * Zod schemas of the blocks the loader owns: `hrep`, `endpoint`, `replicate`, `import` and
 * `variable` (resource blocks are validated by their kind's `configSchema`). Inputs are evaluated
 * block bodies: attributes as values, nested blocks as arrays of objects under the block type.
 * Endpoint references (`endpoint.x`) are turned into names before these schemas see them.
 * Messages say what was expected; the loader adds where and what was found.
 */
import {z} from 'zod'
import {KIND_NAMES} from '../model/change.js'
import {Secret, isSecret} from '../model/secret.js'
import {parseDuration} from './duration.js'

/** The message of a wrong-type issue: what was expected and what came. */
function expected(what: string) {
  return (issue: {input?: unknown}) => `expected ${what}, got ${kindOf(issue.input)}`
}

/** A secret-free description of a value's type. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (isSecret(value)) return 'a string'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'boolean') return 'a bool'
  return `a ${typeof value}`
}

/** A whole number; numeric strings (from `--var`) are accepted. */
function wholeNumber(min: number, max: number) {
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z
      .number({error: expected('a whole number')})
      .int({error: 'expected a whole number'})
      .min(min, {error: `must be at least ${min}`})
      .max(max, {error: `must be at most ${max}`}),
  )
}

/** A bool; "true" and "false" strings are accepted. */
function bool() {
  return z.preprocess(
    (value) => (value === 'true' ? true : value === 'false' ? false : value),
    z.boolean({error: expected('true or false')}),
  )
}

/** A duration string (`"30s"`, `"200ms"`, `"10m"`) in milliseconds. */
function duration(minMs = 1) {
  return z.unknown().transform((value, ctx) => {
    if (typeof value !== 'string') {
      ctx.addIssue({code: 'custom', message: `expected a duration string like "30s", "200ms" or "10m", got ${kindOf(value)}`})
      return z.NEVER
    }
    const ms = parseDuration(value)
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a duration; write a number and a unit (ms, s, m, h, d), like "30s" or "1m30s"`,
      })
      return z.NEVER
    }
    if (ms < minMs) {
      ctx.addIssue({code: 'custom', message: `must be at least ${minMs} ms`})
      return z.NEVER
    }
    return ms
  })
}

/** A non-empty string. */
function text(what = 'a string') {
  return z.string({error: expected(what)}).min(1, {error: 'must not be empty'})
}

/** Requests per second, or "unlimited". Output: the number, or null for unlimited. */
function rateLimit() {
  return z.unknown().transform((value, ctx): number | null => {
    if (value === 'unlimited') return null
    const number = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value
    if (typeof number !== 'number' || !(number > 0)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected requests per second (a number above 0) or "unlimited", got ${kindOf(value)}`,
      })
      return z.NEVER
    }
    return number
  })
}

const retrySchema = z
  .strictObject({
    attempts: wholeNumber(1, 100).optional(),
    base_delay: duration().optional(),
    max_delay: duration().optional(),
  })
  .superRefine((retry, ctx) => {
    if (retry.base_delay !== undefined && retry.max_delay !== undefined && retry.base_delay > retry.max_delay) {
      ctx.addIssue({code: 'custom', path: ['base_delay'], message: 'base_delay must not be longer than max_delay'})
    }
  })

/** Output of a `retry { }` block: only what was set. */
export type RetryInput = z.output<typeof retrySchema>

/** The reliability attributes shared by `hrep` and `endpoint`. */
const reliabilityShape = {
  parallelism: wholeNumber(1, 1024).optional(),
  timeout: duration().optional(),
  connect_timeout: duration().optional(),
  deadline: duration().optional(),
  rate_limit: rateLimit().optional(),
  retry: z.array(retrySchema).max(1, {error: 'at most one retry block'}).optional(),
}

/** A deadline shorter than one attempt's timeout would cut every slow attempt short: refuse it. */
function checkDeadline(block: {timeout?: number; deadline?: number}, ctx: z.RefinementCtx): void {
  if (block.timeout !== undefined && block.deadline !== undefined && block.deadline < block.timeout) {
    ctx.addIssue({
      code: 'custom',
      path: ['deadline'],
      message: 'the deadline (all attempts) must not be shorter than the timeout (one attempt)',
    })
  }
}

/** What the reliability attributes of one block set (undefined = inherited). */
export type ReliabilityInput = {
  parallelism?: number
  timeout?: number
  connect_timeout?: number
  deadline?: number
  rate_limit?: number | null
  retry?: RetryInput[]
}

/** The `hrep { }` block. */
export const hrepSchema = z
  .strictObject({
    state: text('a file path').optional(),
    secret_output: text('a file path').optional(),
    allow_delete: bool().optional(),
    ...reliabilityShape,
  })
  .superRefine(checkDeadline)

/** A password: a string, kept as a Secret. */
function password() {
  return z.unknown().transform((value, ctx): Secret => {
    if (isSecret(value)) {
      if (value.reveal() === '') ctx.addIssue({code: 'custom', message: 'must not be empty'})
      return value
    }
    if (typeof value === 'string') {
      if (value === '') ctx.addIssue({code: 'custom', message: 'must not be empty'})
      return new Secret(value)
    }
    ctx.addIssue({code: 'custom', message: `expected a string, got ${kindOf(value)}`})
    return z.NEVER
  })
}

/** A Harbor base URL: http(s), no query or fragment; `/api/v2.0` and trailing slashes are dropped. */
function harborUrl() {
  return z.unknown().transform((value, ctx): string => {
    if (typeof value !== 'string') {
      ctx.addIssue({code: 'custom', message: `expected a URL like "https://harbor.example.com", got ${kindOf(value)}`})
      return z.NEVER
    }
    let url: URL
    try {
      url = new URL(value)
    } catch {
      ctx.addIssue({code: 'custom', message: `"${value}" is not a URL; write it like "https://harbor.example.com"`})
      return z.NEVER
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({code: 'custom', message: `the URL must start with https:// or http://, not ${url.protocol}//`})
      return z.NEVER
    }
    if (url.username || url.password) {
      ctx.addIssue({code: 'custom', message: 'put credentials in username and password, not in the URL'})
      return z.NEVER
    }
    if (url.search || url.hash) {
      ctx.addIssue({code: 'custom', message: 'the URL must not have a query or a fragment'})
      return z.NEVER
    }
    const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v2\.0$/, '')
    return `${url.protocol}//${url.host}${path}`
  })
}

/** The `endpoint "name" { }` block. */
export const endpointSchema = z
  .strictObject({
    url: harborUrl(),
    username: text(),
    password: password(),
    ca_file: text('a file path').optional(),
    insecure: bool().default(false),
    robot_prefix: text().optional(),
    ...reliabilityShape,
  })
  .superRefine(checkDeadline)

/** How mirror mode treats robot secrets, which a source never reveals. */
export const ROBOT_SECRET_MODES = ['independent', 'rotate'] as const

/** The `replicate "name" { }` block (endpoints already turned into names). */
export const replicateSchema = z.strictObject({
  from: text('an endpoint, like endpoint.primary'),
  to: z
    .array(text('an endpoint, like endpoint.dr'), {error: expected('a list of endpoints, like [endpoint.dr]')})
    .min(1, {error: 'must name at least one endpoint'}),
  kinds: z
    .array(z.enum(KIND_NAMES, {error: `expected one of ${KIND_NAMES.map((k) => `"${k}"`).join(', ')}`}), {
      error: expected('a list of kinds'),
    })
    .min(1, {error: 'must name at least one kind'})
    .optional(),
  include: z.array(text('a name pattern like "team-*"'), {error: expected('a list of name patterns')}).default([]),
  exclude: z.array(text('a name pattern like "tmp-*"'), {error: expected('a list of name patterns')}).default([]),
  prune: bool().default(false),
  robot_secrets: z.enum(ROBOT_SECRET_MODES, {error: 'expected "independent" or "rotate"'}).default('independent'),
})

/** The `import { }` block (`to` already read as an address, `endpoint` as a name). */
export const importSchema = z.strictObject({
  to: z.string(),
  id: text("the object's name on the endpoint"),
  endpoint: text('an endpoint, like endpoint.dr').optional(),
})

/** The `variable "name" { }` block (`type` and `default` are read by the loader itself). */
export const variableSchema = z.strictObject({
  default: z.unknown().optional(),
  type: z.unknown().optional(),
  description: z.string({error: expected('a string')}).optional(),
  sensitive: bool().optional(),
})
