/**
 * Zod building blocks shared by the kinds' config schemas: Harbor's name rule, references to other
 * resources (which the config loader evaluates to the referenced instance's attribute object), and
 * attributes in human units. Every failure is a zod issue at the attribute's path, so the loader can
 * point at `file:line:column`.
 */
import {z} from 'zod'
import type {Parsed} from './units.js'

/** Harbor's rule for project and robot names (`^[a-z0-9]+(?:[._-][a-z0-9]+)*$`, 1–255 characters). */
export const HARBOR_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/

/** Whether `name` is a valid Harbor project or robot name. */
export function isHarborName(name: string): boolean {
  return name.length >= 1 && name.length <= 255 && HARBOR_NAME.test(name)
}

/** Why `name` is not a valid project or robot name, or undefined when it is. */
export function harborNameProblem(name: string, what: string): string | undefined {
  if (name.length === 0) return `${what} name must not be empty`
  if (name.length > 255) return `${what} name is longer than 255 characters`
  if (!HARBOR_NAME.test(name)) {
    return `${what} name "${name}" is invalid: Harbor allows lower-case letters and digits, separated by single ".", "_" or "-" (for example "team-a")`
  }
  return undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Message for a wrong type; zod reports `undefined` input for a missing attribute, which the loader words itself. */
function typeMessage(expected: string) {
  return (issue: {input?: unknown}) =>
    issue.input === undefined ? 'required attribute is missing' : `expected ${expected}, got ${describe(issue.input)}`
}

/** A short, secret-free description of a value's type for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

/** A Harbor project or robot name (validated with Harbor's rule). */
export function harborName(what: string) {
  return z.string({error: typeMessage(`a ${what} name`)}).check((ctx) => {
    const problem = harborNameProblem(ctx.value, what)
    if (problem) ctx.issues.push({code: 'custom', message: problem, input: ctx.value})
  })
}

/**
 * A project given by name (`"team"`) or by reference (`project.team`, which the loader evaluates to
 * that block's attributes, `name` included). Output: the project name.
 */
export function projectRef() {
  return z.preprocess(
    (value) => (isRecord(value) && typeof value.name === 'string' ? value.name : value),
    z.string({error: typeMessage('a project name or a reference like project.team')}).check((ctx) => {
      const problem = harborNameProblem(ctx.value, 'project')
      if (problem) ctx.issues.push({code: 'custom', message: problem, input: ctx.value})
    }),
  )
}

/** A name given directly, or through a reference to a block with a `name` (then `ref` holds that block's attributes). */
export interface NamedRef {
  name: string
  /** Attributes of the referenced block that the caller asked for (the group's `type`). */
  ref?: Record<string, unknown>
}

/** A name or a reference to a block that has a `name` (groups). Output: `{name, ref?}`. */
export function namedRef(expected: string) {
  return z.unknown().transform((value, ctx): NamedRef => {
    if (typeof value === 'string') {
      if (value.trim() === '') ctx.addIssue({code: 'custom', message: `expected ${expected}, got an empty string`})
      return {name: value}
    }
    if (isRecord(value) && typeof value.name === 'string') return {name: value.name, ref: value}
    ctx.addIssue({code: 'custom', message: typeMessage(expected)({input: value})})
    return z.NEVER
  })
}

/** A value in human units (`number | string`) parsed by `parse` into its canonical number. */
export function unitValue(parse: (input: number | string) => Parsed<number>, expected: string) {
  return z.union([z.number(), z.string()], {error: typeMessage(expected)}).transform((value, ctx) => {
    const parsed = parse(value)
    if (parsed.ok) return parsed.value
    ctx.addIssue({code: 'custom', message: parsed.message})
    return z.NEVER
  })
}

/** A boolean attribute; `"true"`/`"false"` strings are accepted too, as HCL users sometimes quote them. */
export function flag() {
  return z.preprocess(
    (value) => (value === 'true' ? true : value === 'false' ? false : value),
    z.boolean({error: typeMessage('true or false')}),
  )
}

/** Sorted, de-duplicated copy of a list of strings: the canonical form of every set-valued attribute. */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort()
}

/**
 * Where a shared transform reports a problem: `path` inside the block body and a message. The zod
 * schema passes one that adds an issue; a quick path passes one that only notes the failure.
 */
export type IssueSink = (path: (string | number)[], message: string) => void

// ---- Quick twins of the building blocks above, for the kinds' `quickConfig` (see kind.ts). ----
// Each returns the value its schema would produce, or undefined whenever the schema might refuse the
// input (the caller then runs the schema, which says why). None of them reports anything.

/** Whether the quick sink below was called since quickChecked last cleared it. */
let quickIssueRaised = false
/** The one sink every quick path passes, so that no closure is made for each body checked. */
const raiseQuickIssue: IssueSink = () => {
  quickIssueRaised = true
}

/** A shared transform run for a quick path: its result, or undefined when it reported anything. */
export function quickChecked<B, A>(transform: (body: B, issue: IssueSink) => A, body: B): A | undefined {
  const outer = quickIssueRaised
  quickIssueRaised = false
  const attrs = transform(body, raiseQuickIssue)
  const raised = quickIssueRaised
  quickIssueRaised = outer
  return raised ? undefined : attrs
}

/** `flag()`: the boolean, or undefined. */
export function quickFlag(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true
  if (value === false || value === 'false') return false
  return undefined
}

/** `unitValue(parse)`: the canonical number, or undefined. */
export function quickUnit(value: unknown, parse: (input: number | string) => Parsed<number>): number | undefined {
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return undefined
  const parsed = parse(value)
  return parsed.ok ? parsed.value : undefined
}

/** `projectRef()`: the project name, or undefined. */
export function quickProjectRef(value: unknown): string | undefined {
  const name = isRecord(value) && typeof value.name === 'string' ? value.name : value
  return typeof name === 'string' && harborNameProblem(name, 'project') === undefined ? name : undefined
}

/** `namedRef()`: `{name, ref?}`, or undefined. */
export function quickNamedRef(value: unknown): NamedRef | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : {name: value}
  if (isRecord(value) && typeof value.name === 'string') return {name: value.name, ref: value}
  return undefined
}

/** Whether every own enumerable key of `input` is one of `keys` (a strict object's rule). */
export function onlyKeys(input: object, keys: ReadonlySet<string>): boolean {
  for (const key in input) if (!keys.has(key)) return false
  return true
}
