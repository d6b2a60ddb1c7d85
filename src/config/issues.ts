/**
 * Turns zod issues from validating an evaluated block body into diagnostics at the place in the file
 * they are about: an unknown attribute at its name (with "did you mean" from the schema's own keys),
 * a missing one at the block header, a wrong value at its expression (or, inside a literal list or
 * object, at the element), a problem with a nested block at that block.
 */
import type {z} from 'zod'
import type {Expression, Range} from './hcl/ast.js'
import type {BodyShape} from './body.js'
import type {DiagnosticBag} from './diagnostic-bag.js'
import {closest} from '../model/suggest.js'
import {kindOf} from './schemas.js'
import {isObjectValue} from './values.js'

type Issue = z.core.$ZodIssue
type AnySchema = z.core.$ZodType

/** The schema an object-like schema wraps, looking through optional, default, pipe, transform and the like. */
function unwrap(schema: AnySchema | undefined): AnySchema | undefined {
  let current = schema
  for (let i = 0; current && i < 20; i++) {
    const def = current._zod.def as unknown as Record<string, unknown> & {type: string}
    if (def.type === 'object' || def.type === 'array' || def.type === 'union') return current
    const next = (def.innerType ?? def.in ?? def.schema) as AnySchema | undefined
    if (def.type === 'lazy' && typeof def.getter === 'function') current = (def.getter as () => AnySchema)()
    else current = next
  }
  return current
}

/** The attribute names an object schema accepts (empty when it cannot tell). */
export function schemaKeys(schema: AnySchema | undefined): string[] {
  const inner = unwrap(schema)
  if (!inner) return []
  const def = inner._zod.def as unknown as {type: string; shape?: Record<string, AnySchema>; options?: AnySchema[]}
  if (def.type === 'object' && def.shape) return Object.keys(def.shape)
  if (def.type === 'union' && def.options) return [...new Set(def.options.flatMap((option) => schemaKeys(option)))]
  return []
}

/** The schema of the value at `path` inside `schema`, as far as it can be followed. */
function schemaAt(schema: AnySchema | undefined, path: readonly PropertyKey[]): AnySchema | undefined {
  let current = schema
  for (const segment of path) {
    const inner = unwrap(current)
    if (!inner) return undefined
    const def = inner._zod.def as unknown as {type: string; shape?: Record<string, AnySchema>; element?: AnySchema}
    if (def.type === 'object' && typeof segment === 'string') current = def.shape?.[segment]
    else if (def.type === 'array' && typeof segment === 'number') current = def.element
    else return undefined
  }
  return current
}

/** Whether the schema wants nested blocks (a list of objects) rather than an attribute. */
function isBlockList(schema: AnySchema | undefined): boolean {
  const inner = unwrap(schema)
  if (!inner || (inner._zod.def as {type: string}).type !== 'array') return false
  const element = unwrap((inner._zod.def as unknown as {element: AnySchema}).element)
  return (element?._zod.def as {type?: string} | undefined)?.type === 'object'
}

/** The range of the part of a literal expression at `path` (an element of a tuple, a value of an object). */
function rangeWithin(expr: Expression, path: readonly PropertyKey[]): Range {
  let current = expr
  for (const segment of path) {
    while (current.type === 'Paren') current = current.expr
    if (current.type === 'Tuple' && typeof segment === 'number' && current.items[segment]) {
      current = current.items[segment] as Expression
      continue
    }
    if (current.type === 'Object' && typeof segment === 'string') {
      const item = current.items.find(
        (entry) =>
          (entry.keyIsIdentifier && entry.key.type === 'Variable' && entry.key.name === segment) ||
          (entry.key.type === 'Template' &&
            entry.key.parts.length === 1 &&
            entry.key.parts[0]?.type === 'TemplateLiteral' &&
            entry.key.parts[0].value === segment),
      )
      if (item) {
        current = item.value
        continue
      }
    }
    break
  }
  return current.range
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment]
    else if (isObjectValue(current) && typeof segment === 'string')
      current = Object.hasOwn(current, segment) ? current[segment] : undefined
    else return undefined
  }
  return current
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`)).join('')
}

/** A zod issue's message, reworded where zod's default wording is not ours. */
function messageOf(issue: Issue, input: unknown): string {
  const found = valueAt(input, issue.path)
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    const wanted = issue.expected === 'boolean' ? 'true or false' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`
    return `expected ${wanted}, got ${kindOf(found)}`
  }
  if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid option')) {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
  }
  if (issue.code === 'invalid_union' && issue.message === 'Invalid input') {
    const inner = issue.errors.flat()[0]
    return inner && inner.message !== 'Invalid input' ? inner.message : `the value (${kindOf(found)}) is not accepted here`
  }
  return issue.message
}

/** What is being validated, for messages: `endpoint "primary"`, `robot.ci`. */
export interface IssueContext {
  shape: BodyShape
  input: unknown
  schema: AnySchema
  /** `endpoint "primary"` or a resource address. */
  what: string
  address?: string
  /** Names accepted besides the schema's own (meta-arguments), offered by "did you mean" at the top level. */
  extraKeys?: readonly string[]
}

/** Reports every issue as a diagnostic at its place (see the module comment). */
export function reportIssues(issues: readonly Issue[], context: IssueContext, diagnostics: DiagnosticBag): void {
  for (const issue of issues) reportIssue(issue, context, diagnostics)
}

function reportIssue(issue: Issue, context: IssueContext, diagnostics: DiagnosticBag): void {
  const {address} = context
  let shape = context.shape
  const path = issue.path
  let i = 0
  while (i < path.length) {
    const segment = path[i]
    if (typeof segment !== 'string') break
    const attribute = shape.attributes.get(segment)
    if (attribute) {
      const rest = path.slice(i + 1)
      const range = rangeWithin(attribute.expr, rest)
      const where = rest.length > 0 ? ` (at ${segment}${pathText(rest)})` : ''
      diagnostics.error(`Invalid value for "${segment}"`, range, `${messageOf(issue, context.input)}${where}.`, address)
      return
    }
    const blocks = shape.blocks.get(segment)
    if (blocks) {
      const index = path[i + 1]
      if (typeof index === 'number' && blocks.bodies[index]) {
        shape = blocks.bodies[index] as BodyShape
        i += 2
        continue
      }
      const at = blocks.bodies[1]?.header ?? blocks.typeRange
      diagnostics.error(`Invalid "${segment}" blocks`, at, `${messageOf(issue, context.input)}.`, address)
      return
    }
    // Neither written as an attribute nor as a block: the schema wants something that is missing.
    const wanted = schemaAt(context.schema, path.slice(0, i + 1))
    if (isBlockList(wanted)) {
      diagnostics.error('Missing required block', shape.header, `A "${segment}" block is required in ${context.what}.`, address)
    } else {
      diagnostics.error(
        'Missing required argument',
        shape.header,
        `The argument "${segment}" is required in ${context.what}, but it is not set.`,
        address,
      )
    }
    return
  }
  if (issue.code === 'unrecognized_keys') {
    const known = [...schemaKeys(schemaAt(context.schema, path)), ...(path.length === 0 ? (context.extraKeys ?? []) : [])]
    // Inside a nested block (`retry { }` in `hrep { }`), name that block.
    const nested = path.filter((segment): segment is string => typeof segment === 'string').at(-1)
    const what = nested === undefined ? context.what : `the ${nested} block in ${context.what}`
    for (const key of issue.keys) {
      const suggestion = closest(key, known)
      const hint = suggestion ? ` Did you mean "${suggestion}"?` : ''
      const attribute = shape.attributes.get(key)
      if (attribute) {
        diagnostics.error(
          'Unsupported argument',
          attribute.nameRange,
          `An argument named "${key}" is not expected in ${what}.${hint}`,
          address,
        )
        continue
      }
      const blocks = shape.blocks.get(key)
      diagnostics.error(
        'Unsupported block type',
        blocks?.typeRange ?? shape.header,
        `Blocks of type "${key}" are not expected in ${what}.${hint}`,
        address,
      )
    }
    return
  }
  diagnostics.error(`Invalid ${context.what}`, shape.header, `${messageOf(issue, context.input)}.`, address)
}
