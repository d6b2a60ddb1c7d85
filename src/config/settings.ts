/**
 * The settings blocks into the typed model: `hrep` (global settings and reliability defaults),
 * `endpoint` (each merged with the `hrep` defaults), `replicate` and `import`.
 */
import {resolve} from 'node:path'
import {KIND_NAMES, type KindName} from '../model/change.js'
import {formatAddress} from '../model/address.js'
import {isHrepError, type SourceRange as Range} from '../model/errors.js'
import {isSecret} from '../model/secret.js'
import {DEFAULT_RELIABILITY} from '../reliability/defaults.js'
import type {Kind} from '../kinds/kind.js'
import type {DesiredResource, EndpointConfig, HrepSettings, ImportConfig, ReliabilitySettings, ReplicateConfig} from './model.js'
import {type BodyShape, evaluateBody} from './body.js'
import type {ConfigContext, ResourceInstance} from './context.js'
import type {Block, Expression} from './hcl/ast.js'
import {reportIssues} from './issues.js'
import {type ReliabilityInput, endpointSchema, hrepSchema, importSchema, replicateSchema} from './schemas.js'
import {closest} from '../model/suggest.js'
import {type Value, type ValueObject, containsPoison, isObjectValue, isPoison, setKey} from './values.js'

// Reliability settings when neither the `hrep` block nor the endpoint sets them: the reliability layer's one list.
export {DEFAULT_RELIABILITY}

/** The default state file name, in the config directory. */
export const DEFAULT_STATE_FILE = 'hrep.state.json'

/** `base` with the reliability attributes a block set. */
function mergeReliability(base: ReliabilitySettings, input: ReliabilityInput): ReliabilitySettings {
  const retry = input.retry?.[0] ?? {}
  const merged: ReliabilitySettings = {
    parallelism: input.parallelism ?? base.parallelism,
    timeoutMs: input.timeout ?? base.timeoutMs,
    connectTimeoutMs: input.connect_timeout ?? base.connectTimeoutMs,
    deadlineMs: input.deadline ?? base.deadlineMs,
    rateLimit: input.rate_limit === undefined ? base.rateLimit : (input.rate_limit ?? undefined),
    retry: {
      attempts: retry.attempts ?? base.retry.attempts,
      baseDelayMs: retry.base_delay ?? base.retry.baseDelayMs,
      maxDelayMs: retry.max_delay ?? base.retry.maxDelayMs,
    },
  }
  if (merged.rateLimit === undefined) delete merged.rateLimit
  return merged
}

/**
 * Drops the attributes whose value has an error already reported (so the schema does not report
 * them again), and refuses sensitive values in attributes that are not sensitive (they would reach
 * state, plans or output), reporting each at the attribute that holds it, nested blocks included.
 * Returns the top-level names dropped.
 */
export function prepareInput(
  context: ConfigContext,
  body: ValueObject,
  shape: () => BodyShape,
  sensitive: ReadonlySet<string>,
  what: string,
): ReadonlySet<string> {
  // Made on the first drop: most bodies have none.
  let dropped: Set<string> | undefined
  for (const key in body) {
    const value = body[key] as Value
    if (typeof value !== 'object' || value === null) continue
    const found = inspect(context, value, false)
    if (found & POISONED) {
      dropped ??= new Set()
      dropped.add(key)
      delete body[key]
    } else if (found & SENSITIVE && !sensitive.has(key)) {
      reportSecrets(context, key, value, shape(), what)
      dropped ??= new Set()
      dropped.add(key)
      delete body[key]
    }
  }
  return dropped ?? NOTHING_DROPPED
}

/** What prepareInput returns when it drops nothing. */
export const NOTHING_DROPPED: ReadonlySet<string> = new Set()

/**
 * Whether a resource body can go to its schema as it is: no sensitive attribute holds a Secret (to be
 * revealed for the schema) and prepareInput would drop nothing. The common case, checked without copying.
 */
export function inputIsClean(context: ConfigContext, body: ValueObject, sensitive: ReadonlySet<string>): boolean {
  for (const key in body) {
    const value = body[key] as Value
    if (typeof value !== 'object' || value === null) continue
    const isSensitive = sensitive.has(key)
    if (isSensitive && isSecret(value)) return false
    if (inspect(context, value, false) & (isSensitive ? POISONED : POISONED | SENSITIVE)) return false
  }
  return true
}

const POISONED = 1
const SENSITIVE = 2

/**
 * What a value holds, in one walk: Poison anywhere (a reference to an instance with an error
 * included), and Secrets outside the references it holds (an endpoint's password stays its own).
 */
function inspect(context: ConfigContext, value: Value, inReference: boolean): number {
  if (typeof value !== 'object' || value === null) return 0
  if (isPoison(value)) return POISONED
  if (isSecret(value)) return inReference ? 0 : SENSITIVE
  const reference = inReference || context.isReferenceValue(value)
  let found = 0
  if (Array.isArray(value)) {
    for (const item of value) found |= inspect(context, item, reference)
  } else {
    for (const key in value) found |= inspect(context, value[key] as Value, reference)
  }
  return found
}

function reportSecrets(context: ConfigContext, key: string, value: Value, shape: BodyShape, what: string): void {
  const blocks = shape.blocks.get(key)
  if (blocks && Array.isArray(value)) {
    value.forEach((item, i) => {
      const inner = blocks.bodies[i]
      if (!inner || !isObjectValue(item)) return
      for (const [innerKey, innerValue] of Object.entries(item)) {
        if (inspect(context, innerValue, false) & SENSITIVE) reportSecrets(context, innerKey, innerValue, inner, what)
      }
    })
    return
  }
  context.diagnostics.error(
    'Sensitive value in a non-sensitive argument',
    shape.attributes.get(key)?.expr.range ?? shape.header,
    `"${key}" of ${what} is not sensitive: it is shown in plans and output or kept in state, so it cannot hold a sensitive value (a sensitive variable, an endpoint password or a robot secret).`,
  )
}

/** The issues not about a dropped attribute (its problem is already reported). */
export function withoutDropped<T extends {path: PropertyKey[]}>(issues: readonly T[], dropped: ReadonlySet<string>): T[] {
  return issues.filter((issue) => !(typeof issue.path[0] === 'string' && dropped.has(issue.path[0])))
}

/** The `hrep` block (or the defaults when there is none) and the base reliability settings. */
export function buildHrepSettings(context: ConfigContext, block: Block | undefined, dir: string): HrepSettings {
  const defaults: HrepSettings = {
    ...DEFAULT_RELIABILITY,
    retry: {...DEFAULT_RELIABILITY.retry},
    state: resolve(dir, DEFAULT_STATE_FILE),
    allowDelete: false,
  }
  delete defaults.rateLimit
  if (!block) return defaults
  const {value: body, shape} = evaluateBody(block.body, block.headerRange, context.evaluator, context.diagnostics, undefined)
  const dropped = prepareInput(context, body, () => shape, new Set(), 'the hrep block')
  const parsed = hrepSchema.safeParse(body)
  if (!parsed.success) {
    reportIssues(
      withoutDropped(parsed.error.issues, dropped),
      {shape, input: body, schema: hrepSchema, what: 'the hrep block'},
      context.diagnostics,
    )
    return defaults
  }
  const data = parsed.data
  return {
    ...mergeReliability(defaults, data),
    state: data.state === undefined ? defaults.state : resolve(dir, data.state),
    ...(data.secret_output === undefined ? {} : {secretOutput: resolve(dir, data.secret_output)}),
    allowDelete: data.allow_delete ?? false,
  }
}

/** Every endpoint (in declaration order), validated and merged with the `hrep` block's settings. */
export function buildEndpoints(context: ConfigContext, base: ReliabilitySettings, dir: string): EndpointConfig[] {
  const endpoints: EndpointConfig[] = []
  for (const [name, block] of context.declarations.endpoints) {
    const instance = context.endpointInstances.get(name)
    if (!instance) continue
    // Validate a copy: the evaluated body is also what `endpoint.x` references evaluate to.
    const input: ValueObject = {}
    for (const [key, value] of Object.entries(instance.body)) if (key !== 'name') setKey(input, key, value)
    const dropped = prepareInput(context, input, () => instance.shape, new Set(['password']), `endpoint "${name}"`)
    const parsed = endpointSchema.safeParse(input)
    if (!parsed.success) {
      reportIssues(
        withoutDropped(parsed.error.issues, dropped),
        {shape: instance.shape, input, schema: endpointSchema, what: `endpoint "${name}"`},
        context.diagnostics,
      )
      continue
    }
    if (dropped.size > 0) continue
    const data = parsed.data
    if (data.insecure) {
      context.diagnostics.warning(
        'TLS verification is off',
        instance.shape.attributes.get('insecure')?.expr.range,
        `Endpoint "${name}" has insecure = true: hrep will not verify its certificate, so anyone on the network path could read its password. Prefer ca_file.`,
      )
    }
    endpoints.push({
      name,
      url: data.url,
      username: data.username,
      password: data.password,
      ...(data.ca_file === undefined ? {} : {caFile: resolve(dir, data.ca_file)}),
      insecure: data.insecure,
      ...(data.robot_prefix === undefined ? {} : {robotPrefix: data.robot_prefix}),
      reliability: mergeReliability(base, data),
      range: block.headerRange,
    })
  }
  return endpoints
}

/** Every `replicate` block. */
export function buildReplicates(context: ConfigContext): ReplicateConfig[] {
  const replicates: ReplicateConfig[] = []
  for (const [name, block] of context.declarations.replicates) {
    const what = `replicate "${name}"`
    const {value: body, shape} = evaluateBody(block.body, block.headerRange, context.evaluator, context.diagnostics, undefined)
    // Endpoint references become names before the schema sees them.
    const resolved = new Set<string>()
    const from = shape.attributes.get('from')
    if (from && Object.hasOwn(body, 'from') && !containsPoison(body.from as Value)) {
      const endpoint = context.endpointRef(body.from as Value, from.expr.range, 'from')
      if (endpoint === undefined) resolved.add('from')
      else setKey(body, 'from', endpoint)
    }
    const to = shape.attributes.get('to')
    if (to && Object.hasOwn(body, 'to') && !containsPoison(body.to as Value)) {
      const names = context.endpointList(body.to as Value, to.expr, 'to')
      if (names === undefined) resolved.add('to')
      else setKey(body, 'to', names)
    }
    for (const key of resolved) delete body[key]
    const dropped = new Set([...resolved, ...prepareInput(context, body, () => shape, new Set(), what)])
    const parsed = replicateSchema.safeParse(body)
    if (!parsed.success) {
      reportIssues(
        withoutDropped(parsed.error.issues, dropped),
        {shape, input: body, schema: replicateSchema, what},
        context.diagnostics,
      )
      continue
    }
    if (dropped.size > 0) continue
    const data = parsed.data
    if (data.to.includes(data.from)) {
      context.diagnostics.error(
        `Invalid ${what}`,
        to?.expr.range ?? block.headerRange,
        `Endpoint "${data.from}" is the source (from), so it cannot also be a target (to).`,
      )
      continue
    }
    replicates.push({
      name,
      from: data.from,
      to: data.to,
      kinds: data.kinds ?? [...KIND_NAMES],
      include: data.include,
      exclude: data.exclude,
      prune: data.prune,
      robotSecrets: data.robot_secrets,
      range: block.headerRange,
    })
  }
  return replicates
}

/** The address an import's `to` names, read from the expression without evaluating it. */
function addressOf(expr: Expression): string | undefined {
  let key: string | number | undefined
  let target = expr
  if (target.type === 'Index') {
    const k = target.key
    if (k.type === 'Literal' && typeof k.value === 'number' && Number.isInteger(k.value)) key = k.value
    else if (k.type === 'Template' && k.parts.length === 1 && k.parts[0]?.type === 'TemplateLiteral') key = k.parts[0].value
    else return undefined
    target = target.collection
  }
  if (target.type !== 'GetAttr' || target.object.type !== 'Variable') return undefined
  if (!(KIND_NAMES as readonly string[]).includes(target.object.name)) return undefined
  return formatAddress({kind: target.object.name, name: target.name, key})
}

/**
 * Every `import` block: one ImportConfig per endpoint it imports on. The ID must be one the kind
 * reads and name the object the address declares, so `hrep validate` catches a wrong one.
 */
export function buildImports(
  context: ConfigContext,
  instances: ReadonlyMap<string, ResourceInstance>,
  allEndpoints: readonly string[],
  resources: ReadonlyMap<string, DesiredResource>,
  kinds: Readonly<Record<KindName, Kind>>,
): ImportConfig[] {
  const imports: ImportConfig[] = []
  const seen = new Map<string, Range>()
  for (const block of context.declarations.imports) {
    const what = 'the import block'
    const header = block.headerRange
    const {value: body, shape} = evaluateBody(block.body, header, context.evaluator, context.diagnostics, undefined, {
      raw: new Set(['to']),
    })
    const toAttribute = shape.attributes.get('to')
    const resolved = new Set<string>()
    let failed = false
    let instance: ResourceInstance | undefined
    if (toAttribute) {
      const address = addressOf(toAttribute.expr)
      if (address === undefined) {
        context.diagnostics.error(
          'Invalid import address',
          toAttribute.expr.range,
          'to must be a resource address like robot.ci or project.team["payments"] (written without quotes).',
        )
        failed = true
        resolved.add('to')
      } else {
        instance = instances.get(address)
        if (!instance) {
          const instanceOf = [...instances.keys()].find((key) => key.startsWith(`${address}[`))
          const suggestion = instanceOf === undefined ? closest(address, instances.keys()) : undefined
          context.diagnostics.error(
            instanceOf === undefined ? 'Import to an undeclared resource' : 'Import to a resource with for_each',
            toAttribute.expr.range,
            instanceOf === undefined
              ? `${address} is not declared in the configuration; an import adopts an object into a declared resource.${suggestion ? ` Did you mean ${suggestion}?` : ''}`
              : `${address} has for_each: import one instance, like ${instanceOf}.`,
          )
          failed = true
        }
        setKey(body, 'to', address)
      }
    }
    const endpointAttribute = shape.attributes.get('endpoint')
    if (endpointAttribute && Object.hasOwn(body, 'endpoint') && !containsPoison(body.endpoint as Value)) {
      const name = context.endpointRef(body.endpoint as Value, endpointAttribute.expr.range, 'endpoint')
      if (name === undefined) {
        resolved.add('endpoint')
        delete body.endpoint
      } else setKey(body, 'endpoint', name)
    }
    const dropped = new Set([...resolved, ...prepareInput(context, body, () => shape, new Set(), what)])
    const parsed = importSchema.safeParse(body)
    if (!parsed.success) {
      reportIssues(
        withoutDropped(parsed.error.issues, dropped),
        {shape, input: body, schema: importSchema, what},
        context.diagnostics,
      )
      continue
    }
    if (failed || dropped.size > 0 || !instance) continue
    const data = parsed.data
    const idRange = shape.attributes.get('id')?.expr.range ?? header
    const resource = resources.get(data.to)
    if (resource === undefined) continue // its own block is in error
    const kind = kinds[resource.kind]
    let key: string
    try {
      key = kind.parseImportId(data.id)
    } catch (error) {
      if (!isHrepError(error)) throw error
      context.diagnostics.error('Invalid import ID', idRange, error.message)
      continue
    }
    const expected = kind.key(resource.attrs)
    if (key !== expected) {
      context.diagnostics.error(
        'Import ID does not match the declaration',
        idRange,
        `id = "${data.id}" names ${resource.kind} "${key}", but ${data.to} declares ${resource.kind} "${expected}". Import the object the block declares, or change the declaration.`,
      )
      continue
    }
    const deployed = instance.endpoints ?? allEndpoints
    if (data.endpoint !== undefined && !deployed.includes(data.endpoint)) {
      context.diagnostics.error(
        'Import on an endpoint the resource is not on',
        endpointAttribute?.expr.range ?? header,
        `${data.to} is deployed to ${deployed.join(', ') || 'no endpoint'}, not to "${data.endpoint}".`,
      )
      continue
    }
    for (const endpoint of data.endpoint === undefined ? deployed : [data.endpoint]) {
      const id = `${data.to}@${endpoint}`
      const first = seen.get(id)
      if (first) {
        context.diagnostics.error(
          'Duplicate import',
          toAttribute?.expr.range ?? header,
          `${id} is already imported by the import block at ${first.file}:${first.start.line}:${first.start.column}.`,
        )
        continue
      }
      seen.set(id, header)
      imports.push({to: data.to, id: data.id, key, endpoint, range: header, idRange})
    }
  }
  return imports
}
