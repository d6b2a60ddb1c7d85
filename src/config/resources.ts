/**
 * Evaluated resource instances into DesiredResources: each body is validated and normalised by its
 * kind's `configSchema`, sensitive attributes are split off as Secrets, and two instances that would
 * manage the same Harbor object (same kind, same natural key, same endpoint) are refused.
 */
import type {KindName} from '../model/change.js'
import {formatRange} from '../model/errors.js'
import {Secret, isSecret} from '../model/secret.js'
import type {Kind} from '../kinds/kind.js'
import type {DesiredResource} from './model.js'
import type {ConfigContext, ResourceInstance} from './context.js'
import {META_ARGUMENTS, secretOrigin} from './context.js'
import {reportIssues} from './issues.js'
import {NOTHING_DROPPED, inputIsClean, prepareInput, withoutDropped} from './settings.js'
import {type Value, type ValueObject, containsSecret, setKey} from './values.js'

/** The validated resources in declaration order. */
export function buildResources(
  context: ConfigContext,
  kinds: Readonly<Record<KindName, Kind>>,
  allEndpoints: readonly string[],
): DesiredResource[] {
  const resources: DesiredResource[] = []
  // Every resource without `endpoints` shares one list (read-only, frozen so no one can change it for all).
  const everyEndpoint: readonly string[] = Object.freeze([...allEndpoints])
  // kind → key → the resource that claims it on all its endpoints (almost always), or the claims on it.
  const owners = new Map<Kind, Map<string, DesiredResource | Claim[]>>()
  const sensitiveByKind = new Map<Kind, Set<string>>()
  for (const declaration of context.declarations.resources) {
    const kind = kinds[declaration.kind]
    let sensitive = sensitiveByKind.get(kind)
    if (!sensitive) {
      sensitive = new Set(kind.sensitive)
      sensitiveByKind.set(kind, sensitive)
    }
    for (const instance of context.instancesOf(declaration)) {
      const resource = validateInstance(context, kind, sensitive, instance, everyEndpoint)
      if (!resource) continue
      if (claimKeys(context, kind, resource, owners)) resources.push(resource)
    }
  }
  return resources
}

/** Every evaluated resource instance by address, in declaration order (for `import` blocks). */
export function instancesByAddress(context: ConfigContext): Map<string, ResourceInstance> {
  const instances = new Map<string, ResourceInstance>()
  for (const declaration of context.declarations.resources) {
    for (const instance of context.instancesOf(declaration)) instances.set(instance.address, instance)
  }
  return instances
}

/** Sensitive attributes of a kind without any: shared, never written to. */
const NO_SECRETS: Record<string, Secret> = Object.freeze({})

function validateInstance(
  context: ConfigContext,
  kind: Kind,
  sensitive: ReadonlySet<string>,
  instance: ResourceInstance,
  everyEndpoint: readonly string[],
): DesiredResource | undefined {
  const {address, body} = instance
  // What the schema sees: secrets revealed, values with errors and misplaced secrets dropped. The body
  // (what references to the instance read) is copied for that only when something needs to change.
  // No closure is made in this function, which runs for every instance: see ConfigContext.resolve.
  let input: ValueObject = body
  let origins: Map<string, string> | undefined
  let dropped: ReadonlySet<string> = NOTHING_DROPPED
  if (!inputIsClean(context, body, sensitive)) ({input, origins, dropped} = revealedInput(context, instance, sensitive))
  // The kind's quick path answers for a valid body; the schema decides (and words the errors) otherwise.
  let data = dropped.size === 0 ? kind.quickConfig?.(input) : undefined
  if (data === undefined) {
    const parsed = kind.configSchema.safeParse(input)
    if (!parsed.success) {
      reportIssues(
        withoutDropped(parsed.error.issues, dropped),
        {shape: instance.shape, input, schema: kind.configSchema, what: address, address, extraKeys: META_ARGUMENTS},
        context.diagnostics,
      )
      return undefined
    }
    if (dropped.size > 0) return undefined
    data = parsed.data
  }
  // A copy without the sensitive keys, when there are any (not `delete`, which leaves the object in
  // V8's slow dictionary mode).
  let attrs: Record<string, unknown> = data
  if (sensitive.size > 0 && holdsAny(data, kind.sensitive)) {
    attrs = {}
    for (const key in data) if (!sensitive.has(key)) attrs[key] = data[key]
  }
  let secrets: Record<string, Secret> = NO_SECRETS
  for (const key of kind.sensitive) {
    const value = data[key]
    if (value === undefined || value === null) continue
    if (secrets === NO_SECRETS) secrets = {}
    const origin = origins?.get(key)
    const text = isSecret(value) ? value.reveal() : String(value)
    secrets[key] = new Secret(
      text,
      origin && origin !== 'expression' && origin !== 'literal'
        ? origin
        : secretOrigin(instance.shape.attributes.get(key)?.expr, `${address}.${key}`),
    )
  }
  for (const key in attrs) {
    // A guard against a schema that copies a secret out of a referenced object.
    if (containsSecret(attrs[key] as Value)) {
      context.diagnostics.error(
        'Sensitive value in a non-sensitive argument',
        instance.shape.attributes.get(key)?.expr.range ?? instance.shape.header,
        `"${key}" of ${address} holds a sensitive value.`,
        address,
      )
      return undefined
    }
  }
  return {
    address,
    kind: kind.name,
    attrs,
    secrets,
    endpoints: instance.endpoints ?? everyEndpoint,
    references: instance.references,
    // Positions worked out when read, from the file's tokens: the model keeps those, not the syntax tree.
    range: instance.declaration.block.headerRange,
  }
}

/**
 * What the schema sees of a body that is not clean (see inputIsClean): a copy with its secrets
 * revealed (the schema checks their text against Harbor's rules; the loader wraps them again after)
 * and values with errors and misplaced secrets dropped, with where each secret came from.
 */
function revealedInput(
  context: ConfigContext,
  instance: ResourceInstance,
  sensitive: ReadonlySet<string>,
): {input: ValueObject; origins: Map<string, string> | undefined; dropped: ReadonlySet<string>} {
  const input: ValueObject = {}
  let origins: Map<string, string> | undefined
  for (const key in instance.body) {
    const value = instance.body[key] as Value
    if (sensitive.has(key) && isSecret(value)) {
      origins ??= new Map()
      origins.set(key, value.origin)
      setKey(input, key, value.reveal())
    } else setKey(input, key, value)
  }
  return {input, origins, dropped: prepareInput(context, input, () => instance.shape, sensitive, instance.address)}
}

function holdsAny(data: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const key of keys) if (data[key] !== undefined) return true
  return false
}

/** One resource's claim on a key: the endpoints it manages that object on. */
interface Claim {
  resource: DesiredResource
  endpoints: readonly string[]
}

/** Records which resource manages each (kind, key, endpoint); false after reporting a clash. */
function claimKeys(
  context: ConfigContext,
  kind: Kind,
  resource: DesiredResource,
  owners: Map<Kind, Map<string, DesiredResource | Claim[]>>,
): boolean {
  let key: string
  try {
    key = kind.key(resource.attrs)
  } catch {
    return true
  }
  let byKey = owners.get(kind)
  if (!byKey) {
    byKey = new Map()
    owners.set(kind, byKey)
  }
  const claimed = byKey.get(key)
  if (!claimed) {
    // The first claim is the resource itself: no list and claim made for each of thousands of keys.
    byKey.set(key, resource)
    return true
  }
  let claims: Claim[]
  if (Array.isArray(claimed)) claims = claimed
  else {
    claims = [{resource: claimed, endpoints: claimed.endpoints}]
    byKey.set(key, claims)
  }
  const {endpoints} = resource
  for (let i = 0; i < endpoints.length; i++) {
    const endpoint = endpoints[i] as string
    const owner = ownerOn(claims, endpoint)
    if (owner) {
      context.diagnostics.error(
        'Two resources manage the same object',
        resource.range,
        `${resource.address} and ${owner.address} (${formatRange(owner.range)}) both declare ${kind.name} "${key}" on endpoint "${endpoint}". Each Harbor object is declared once.`,
        resource.address,
      )
      // The endpoints before the clash stay claimed, so a third declaration is reported against this one.
      if (i > 0) claims.push({resource, endpoints: endpoints.slice(0, i)})
      return false
    }
  }
  claims.push({resource, endpoints})
  return true
}

function ownerOn(claims: readonly Claim[], endpoint: string): DesiredResource | undefined {
  for (const claim of claims) if (claim.endpoints.includes(endpoint)) return claim.resource
  return undefined
}
