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
import {headerRange} from './body.js'
import {reportIssues} from './issues.js'
import {prepareInput} from './settings.js'
import {type Value, type ValueObject, containsSecret, setKey} from './values.js'

/** The validated resources in declaration order, and every instance by address. */
export function buildResources(
  context: ConfigContext,
  kinds: Readonly<Record<KindName, Kind>>,
  allEndpoints: readonly string[],
): {resources: DesiredResource[]; instances: Map<string, ResourceInstance>} {
  const resources: DesiredResource[] = []
  const instances = new Map<string, ResourceInstance>()
  // kind → endpoint → key → the resource that declares it.
  const owners = new Map<Kind, Map<string, Map<string, DesiredResource>>>()
  const sensitiveByKind = new Map<Kind, Set<string>>()
  for (const [id, declaration] of context.declarations.resources) {
    const kind = kinds[declaration.kind]
    let sensitive = sensitiveByKind.get(kind)
    if (!sensitive) {
      sensitive = new Set(kind.sensitive)
      sensitiveByKind.set(kind, sensitive)
    }
    for (const instance of context.instances.get(id) ?? []) {
      instances.set(instance.address, instance)
      const resource = validateInstance(context, kind, sensitive, instance, allEndpoints)
      if (!resource) continue
      if (claimKeys(context, kind, resource, owners)) resources.push(resource)
    }
  }
  return {resources, instances}
}

function validateInstance(
  context: ConfigContext,
  kind: Kind,
  sensitive: ReadonlySet<string>,
  instance: ResourceInstance,
  allEndpoints: readonly string[],
): DesiredResource | undefined {
  const {address, body} = instance
  const input: ValueObject = {}
  let origins: Map<string, string> | undefined
  for (const key in body) {
    const value = body[key] as Value
    if (sensitive.has(key) && isSecret(value)) {
      // The schema checks the secret's text (Harbor's rules); the loader wraps it again right after.
      origins ??= new Map()
      origins.set(key, value.origin)
      setKey(input, key, value.reveal())
    } else setKey(input, key, value)
  }
  const dropped = prepareInput(context, input, () => instance.shape, sensitive, address)
  // The kind's quick path answers for a valid body; the schema decides (and words the errors) otherwise.
  let data = dropped.size === 0 ? kind.quickConfig?.(input) : undefined
  if (data === undefined) {
    const parsed = kind.configSchema.safeParse(input)
    if (!parsed.success) {
      const issues = parsed.error.issues.filter((issue) => !(typeof issue.path[0] === 'string' && dropped.has(issue.path[0])))
      reportIssues(
        issues,
        {shape: instance.shape, input, schema: kind.configSchema, what: address, address, extraKeys: META_ARGUMENTS},
        context.diagnostics,
      )
      return undefined
    }
    if (dropped.size > 0) return undefined
    data = parsed.data
  }
  const attrs: Record<string, unknown> = sensitive.size > 0 ? {...data} : data
  const secrets: Record<string, Secret> = {}
  for (const key of sensitive) {
    const value = attrs[key]
    delete attrs[key]
    if (value === undefined || value === null) continue
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
    endpoints: instance.endpoints ?? [...allEndpoints],
    references: instance.references.size === 0 ? [] : [...instance.references].sort(),
    range: headerRange(instance.declaration.block),
  }
}

/** Records which resource manages each (kind, key, endpoint); false after reporting a clash. */
function claimKeys(
  context: ConfigContext,
  kind: Kind,
  resource: DesiredResource,
  owners: Map<Kind, Map<string, Map<string, DesiredResource>>>,
): boolean {
  let key: string
  try {
    key = kind.key(resource.attrs)
  } catch {
    return true
  }
  let byEndpoint = owners.get(kind)
  if (!byEndpoint) {
    byEndpoint = new Map()
    owners.set(kind, byEndpoint)
  }
  for (const endpoint of resource.endpoints) {
    let byKey = byEndpoint.get(endpoint)
    if (!byKey) {
      byKey = new Map()
      byEndpoint.set(endpoint, byKey)
    }
    const owner = byKey.get(key)
    if (owner) {
      context.diagnostics.error(
        'Two resources manage the same object',
        resource.range,
        `${resource.address} and ${owner.address} (${formatRange(owner.range)}) both declare ${kind.name} "${key}" on endpoint "${endpoint}". Each Harbor object is declared once.`,
        resource.address,
      )
      return false
    }
    byKey.set(key, resource)
  }
  return true
}
