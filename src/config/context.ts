/**
 * What names mean during evaluation: `var.x`, `local.x`, `endpoint.x`, `KIND.x`, `each.*`. Locals,
 * endpoints and resources are evaluated lazily, on first reference, and remembered: that evaluates
 * everything in dependency order without sorting, and a reference back to something still being
 * evaluated is a cycle, reported once with its path. While a resource instance is evaluated, every
 * other instance it reads from or embeds is recorded as a reference (for ordering and `--target`).
 */
import {KIND_NAMES, type KindName} from '../model/change.js'
import type {SourceRange as Range} from '../model/errors.js'
import {formatAddress} from '../model/address.js'
import {Secret, isSecret} from '../model/secret.js'
import {type BodyShape, attributeNamed, bodyShape, evaluateBody, evaluateBodyValue} from './body.js'
import type {Declarations, ResourceDeclaration} from './declarations.js'
import type {DiagnosticBag} from './diagnostic-bag.js'
import {type EvalHost, Evaluator, type Located, type Where} from './evaluate.js'
import type {Attribute, Body, Expression} from './hcl/ast.js'
import type {FunctionContext} from './functions.js'
import {closest} from '../model/suggest.js'
import {type Value, type ValueObject, getKey, isObjectValue, isPoison, objectFrom, poison, setKey, typeName} from './values.js'

/** Resource meta-arguments: read by the loader, never passed to a kind's schema. */
export const META_ARGUMENTS = ['for_each', 'endpoints'] as const

const META = new Set<string>(META_ARGUMENTS)

/** What the loader needs to know of a kind while evaluating its blocks. */
export interface KindFacts {
  /** The kind's schema has a `name` attribute (which then defaults to the label or each.key). */
  hasName: boolean
  /** Attributes that are secrets (the kind's `sensitive`). */
  sensitive: ReadonlySet<string>
}

/** One evaluated resource instance (one for_each element). */
export interface ResourceInstance {
  declaration: ResourceDeclaration
  /** The for_each key, when the block has for_each. */
  key?: string
  address: string
  /** The evaluated body, `name` defaulted: what a reference to this instance evaluates to. */
  body: ValueObject
  /** Where the body's parts are written; worked out on first use (only problems need it). */
  readonly shape: BodyShape
  /** Endpoint names, or undefined for every endpoint. */
  endpoints?: string[]
  /** Addresses this instance reads from or embeds, sorted. */
  references: readonly string[]
}

/** An evaluated endpoint block (validated later by the loader). */
export interface EndpointInstance {
  name: string
  body: ValueObject
  shape: BodyShape
  /** The expression of `password`, for the Secret's origin. */
  passwordExpr?: Expression
}

/**
 * Evaluated resource instances and endpoints carry their address or name under these symbols, as
 * non-enumerable properties: no key listing, JSON or schema sees them, and a lookup is a property
 * read (a WeakMap of thousands of entries made every garbage collection slower).
 */
const INSTANCE_ADDRESS = Symbol('hrep.instance')
const ENDPOINT_NAME = Symbol('hrep.endpoint')

/** The one descriptor `mark` defines with (its value set for each call): no object made per mark. */
const MARK: PropertyDescriptor = {value: undefined, enumerable: false}

function mark(object: object, symbol: symbol, value: string): void {
  MARK.value = value
  Object.defineProperty(object, symbol, MARK)
  MARK.value = undefined
}

function instanceAddress(value: object): string | undefined {
  return (value as {[INSTANCE_ADDRESS]?: string})[INSTANCE_ADDRESS]
}

function endpointNameOf(value: object): string | undefined {
  return (value as {[ENDPOINT_NAME]?: string})[ENDPOINT_NAME]
}

/** The state of a node being evaluated (a done node's state is its value). */
const ACTIVE = Symbol('hrep.active')

/** Options of every resource body evaluation: the meta-arguments are the loader's own. */
const SKIP_META = {skip: META}

const ROOTS = new Set<string>(['var', 'local', 'each', 'endpoint', ...KIND_NAMES])

/** The evaluation context of one load; see the module comment. */
export class ConfigContext implements EvalHost {
  readonly evaluator: Evaluator
  readonly endpointInstances = new Map<string, EndpointInstance>()
  /** Every local and endpoint evaluated or being evaluated, by id (`local.x`, `endpoint.x`). */
  private readonly nodes = new Map<string, Value | typeof ACTIVE>()
  /**
   * The same for resource blocks, and their instances, by the declaration's index: thousands of
   * blocks are looked up by position instead of by a joined `kind.name` string in a map.
   */
  private readonly resourceStates: (Value | typeof ACTIVE | undefined)[]
  private readonly resourceInstances: (ResourceInstance[] | undefined)[]
  private readonly stack: string[] = []
  private readonly reportedCycles = new Set<string>()
  /** The reference set of the instance being evaluated, or null inside a local or endpoint. */
  private readonly trackers: (References | null)[] = []

  constructor(
    readonly declarations: Declarations,
    private readonly variables: ReadonlyMap<string, Value>,
    readonly diagnostics: DiagnosticBag,
    readonly functionContext: FunctionContext,
    /** What the loader needs to know of a kind while evaluating its blocks. */
    private readonly kindFacts: (kind: KindName) => KindFacts,
  ) {
    this.evaluator = new Evaluator(this)
    this.resourceStates = new Array(declarations.resources.length).fill(undefined)
    this.resourceInstances = new Array(declarations.resources.length).fill(undefined)
  }

  /** The evaluated instances of a resource block (none before it is evaluated, or when for_each failed). */
  instancesOf(declaration: ResourceDeclaration): readonly ResourceInstance[] {
    return this.resourceInstances[declaration.index] ?? NO_INSTANCES
  }

  isRoot(name: string): boolean {
    return ROOTS.has(name)
  }

  rootNames(): Iterable<string> {
    return ROOTS
  }

  bareRoot(root: string, range: Range): void {
    const example = root === 'each' ? 'each.key or each.value' : `${root}.NAME`
    this.diagnostics.error(
      'Invalid reference',
      range,
      `"${root}" cannot be used alone; refer to one of its members, like ${example}.`,
    )
  }

  onRead(object: ValueObject | Value[]): void {
    const tracker = this.trackers[this.trackers.length - 1]
    if (!tracker) return
    const address = instanceAddress(object)
    if (address !== undefined) tracker.add(address)
  }

  /** The endpoint name of an evaluated `endpoint.x` value, or undefined for any other value. */
  endpointName(value: Value): string | undefined {
    return typeof value === 'object' && value !== null ? endpointNameOf(value) : undefined
  }

  /** Whether the value is a reference to a resource instance or an endpoint (whose secrets stay theirs). */
  isReferenceValue(value: Value): boolean {
    return (
      typeof value === 'object' && value !== null && (instanceAddress(value) !== undefined || endpointNameOf(value) !== undefined)
    )
  }

  // resolve and resourceValue answer every reference, so neither makes a closure, even on a path it
  // rarely takes: a function that makes one allocates a context for it on every call.
  resolve(root: string, name: string, at: Located): Value {
    switch (root) {
      case 'var': {
        const value = this.variables.get(name)
        if (value !== undefined) return value
        return this.undeclared(
          'input variable',
          `var.${name}`,
          name,
          this.variables.keys(),
          at.nameRange,
          `Declare it with variable "${name}" { }.`,
        )
      }
      case 'local':
        return this.localValue(name, at)
      case 'endpoint':
        return this.endpointValue(name, at)
      case 'each':
        this.diagnostics.error(
          'Reference to "each" outside for_each',
          at.range,
          'each.key and each.value exist only inside a resource block that has for_each.',
        )
        return poison
      default: {
        const declaration = this.declarations.resourcesByKind.get(root)?.get(name)
        if (declaration) return this.resourceValue(declaration, at)
        return this.undeclaredResource(root, name, at)
      }
    }
  }

  private localValue(name: string, at: Located): Value {
    const local = this.declarations.locals.get(name)
    if (!local) return this.undeclared('local value', `local.${name}`, name, this.declarations.locals.keys(), at.nameRange)
    return this.node(`local.${name}`, at, () => this.evaluator.evaluate(local.expr))
  }

  private endpointValue(name: string, at: Located): Value {
    if (!this.declarations.endpoints.has(name)) {
      return this.undeclared('endpoint', `endpoint.${name}`, name, this.declarations.endpoints.keys(), at.nameRange)
    }
    return this.node(`endpoint.${name}`, at, () => this.evaluateEndpoint(name))
  }

  private undeclaredResource(root: string, name: string, at: Located): Value {
    const elsewhere = this.declarations.resources.find((d) => d.name === name)
    return this.undeclared(
      'resource',
      `${root}.${name}`,
      name,
      this.declarations.resourcesByKind.get(root)?.keys() ?? [],
      at.nameRange,
      elsewhere ? `There is a ${elsewhere.kind} named "${name}": ${elsewhere.kind}.${name}.` : undefined,
    )
  }

  private undeclared(
    what: string,
    reference: string,
    name: string,
    candidates: Iterable<string>,
    range: Range,
    hint?: string,
  ): Value {
    const suggestion = closest(name, candidates)
    const prefix = reference.slice(0, reference.length - name.length)
    this.diagnostics.error(
      `Reference to undeclared ${what}`,
      range,
      `${reference} is not declared.${suggestion ? ` Did you mean ${prefix}${suggestion}?` : hint ? ` ${hint}` : ''}`,
    )
    return poison
  }

  /** The value of a resource block (an object of instances for for_each), evaluated on first use. */
  private resourceValue(declaration: ResourceDeclaration, at: Where): Value {
    // Most references are to a block already evaluated (see resolve).
    const state = this.resourceStates[declaration.index]
    if (state !== undefined && state !== ACTIVE) return state
    return this.evaluateResourceOnce(declaration, at)
  }

  private evaluateResourceOnce(declaration: ResourceDeclaration, at: Where): Value {
    return this.node(declaration.id, at, () => this.evaluateResource(declaration), declaration.index)
  }

  /**
   * Evaluates a node once; a reference back into a node still being evaluated is a cycle, reported
   * at `at` (whose range is read only then). A resource block's state is kept at its index, `slot`.
   */
  private node(id: string, at: Where, compute: () => Value, slot = -1): Value {
    const state = slot >= 0 ? this.resourceStates[slot] : this.nodes.get(id)
    if (state === ACTIVE) {
      const cycle = [...this.stack.slice(this.stack.indexOf(id)), id]
      const key = [...new Set(cycle)].sort().join(' ')
      if (!this.reportedCycles.has(key)) {
        this.reportedCycles.add(key)
        this.diagnostics.error(
          'Cycle in references',
          at.range,
          `These refer to each other in a loop, so none of them can be evaluated: ${cycle.join(' → ')}.`,
        )
      }
      return poison
    }
    if (state !== undefined) return state
    this.setState(id, slot, ACTIVE)
    this.stack.push(id)
    this.trackers.push(null)
    let value: Value = poison
    try {
      value = compute()
    } finally {
      this.stack.pop()
      this.trackers.pop()
      this.setState(id, slot, value)
    }
    return value
  }

  private setState(id: string, slot: number, state: Value | typeof ACTIVE): void {
    if (slot >= 0) this.resourceStates[slot] = state
    else this.nodes.set(id, state)
  }

  /** Evaluates every local, endpoint and resource, so that errors in unreferenced ones are reported too. */
  evaluateAll(): void {
    // The places given are where a cycle would be reported, which cannot happen at the top of an evaluation.
    for (const [name, local] of this.declarations.locals) this.resolve('local', name, local)
    for (const [name, block] of this.declarations.endpoints)
      this.resolve('endpoint', name, {range: block.typeRange, nameRange: block.typeRange})
    for (const declaration of this.declarations.resources) this.resourceValue(declaration, declaration.block)
  }

  private evaluateEndpoint(name: string): Value {
    const block = this.declarations.endpoints.get(name)!
    const {value: body, shape} = evaluateBody(block.body, block.headerRange, this.evaluator, this.diagnostics, undefined)
    const password = getKey(body, 'password')
    const passwordExpr = shape.attributes.get('password')?.expr
    // The password is a Secret from here on: nothing downstream can print it by accident.
    if (typeof password === 'string')
      setKey(body, 'password', new Secret(password, secretOrigin(passwordExpr, `endpoint.${name}.password`)))
    setKey(body, 'name', name)
    mark(body, ENDPOINT_NAME, name)
    this.endpointInstances.set(name, {name, body, shape, passwordExpr})
    return body
  }

  private evaluateResource(declaration: ResourceDeclaration): Value {
    const attributes = metaArguments(declaration.block.body)
    const forEach = attributes.for_each
    if (!forEach) {
      const instance = this.evaluateInstance(declaration, attributes, undefined, undefined)
      // Exact size: a list grown by push keeps spare slots, and this one lives as long as the load.
      this.resourceInstances[declaration.index] = [instance]
      return instance.body
    }
    const instances: ResourceInstance[] = []
    this.resourceInstances[declaration.index] = instances
    const elements = this.forEachElements(this.evaluator.evaluate(forEach.expr), forEach)
    if (elements === undefined) return poison
    const byKey: [string, Value][] = []
    for (const [key, value] of elements) {
      const instance = this.evaluateInstance(declaration, attributes, key, value)
      instances.push(instance)
      byKey.push([key, instance.body])
    }
    return objectFrom(byKey)
  }

  /** The (key, each.value) pairs of a for_each value, or undefined after reporting why there are none. */
  private forEachElements(value: Value, attribute: Attribute): [string, Value][] | undefined {
    const range = attribute.expr.range
    if (isPoison(value)) return undefined
    if (isSecret(value) || (Array.isArray(value) && value.some(isSecret))) {
      this.diagnostics.error(
        'Invalid for_each argument',
        range,
        'for_each cannot use a sensitive value: its keys become resource addresses, which are shown everywhere.',
      )
      return undefined
    }
    if (Array.isArray(value)) {
      const seen = new Set<string>()
      const elements: [string, Value][] = []
      for (const item of value) {
        if (isPoison(item)) return undefined
        if (typeof item !== 'string') {
          this.diagnostics.error(
            'Invalid for_each argument',
            range,
            `A list or set given to for_each must hold strings (they become the instance keys), but it holds a ${typeName(item)}. To iterate over objects, give a map: { for x in LIST : x.name => x }.`,
          )
          return undefined
        }
        if (seen.has(item)) {
          this.diagnostics.error(
            'Duplicate for_each key',
            range,
            `The list holds "${item}" more than once; wrap it in toset() to drop duplicates.`,
          )
          return undefined
        }
        seen.add(item)
        elements.push([item, item])
      }
      return elements
    }
    if (isObjectValue(value)) {
      return Object.keys(value)
        .sort()
        .map((key) => [key, value[key] as Value])
    }
    this.diagnostics.error(
      'Invalid for_each argument',
      range,
      `for_each needs a map, or a set or list of strings, got ${value === null ? 'null' : typeName(value)}.`,
    )
    return undefined
  }

  private evaluateInstance(
    declaration: ResourceDeclaration,
    attributes: MetaArguments,
    key: string | undefined,
    eachValue: Value | undefined,
  ): ResourceInstance {
    const {kind, name, block} = declaration
    const address = key === undefined ? declaration.id : formatAddress({kind, name, key})
    const bindings =
      key === undefined
        ? undefined
        : new Map<string, Value>([
            [
              'each',
              objectFrom([
                ['key', key],
                ['value', eachValue as Value],
              ]),
            ],
          ])
    const references = new References()
    this.trackers.push(references)
    let body: ValueObject
    let endpoints: string[] | undefined
    try {
      body = evaluateBodyValue(block.body, this.evaluator, this.diagnostics, bindings, SKIP_META)
      const endpointsAttribute = attributes.endpoints
      if (endpointsAttribute) {
        endpoints = this.endpointList(
          this.evaluator.evaluate(endpointsAttribute.expr, bindings),
          endpointsAttribute.expr,
          'endpoints',
        )
      }
    } finally {
      this.trackers.pop()
    }
    const facts = this.kindFacts(kind)
    if (!Object.hasOwn(body, 'name') && facts.hasName) setKey(body, 'name', key ?? name)
    // Sensitive attributes are Secrets from here on, so a reference (robot.ci.secret) stays one too.
    for (const sensitive of facts.sensitive) {
      const value = getKey(body, sensitive)
      if (typeof value === 'string') {
        const attribute = attributeNamed(block.body, sensitive)
        setKey(body, sensitive, new Secret(value, secretOrigin(attribute?.expr, `${address}.${sensitive}`)))
      }
    }
    this.collectEmbedded(body, references, true)
    mark(body, INSTANCE_ADDRESS, address)
    return new Instance(declaration, key, address, body, endpoints, references.sortedWithout(address))
  }

  /** Records the instances a value embeds (an attribute set to `project.team["a"]`). */
  private collectEmbedded(value: Value, into: References, top = false): void {
    if (typeof value !== 'object' || value === null || isSecret(value) || isPoison(value)) return
    if (!top) {
      const address = instanceAddress(value)
      if (address !== undefined) {
        into.add(address)
        return
      }
      if (endpointNameOf(value) !== undefined) return
    }
    if (Array.isArray(value)) for (const item of value) this.collectEmbedded(item, into)
    else for (const key in value) this.collectEmbedded((value as ValueObject)[key] as Value, into)
  }

  /**
   * Endpoint names from a value written as `[endpoint.a, endpoint.b]` (names as strings are
   * accepted too). Undefined, after a diagnostic, when the value is not such a list.
   */
  endpointList(value: Value, expr: Expression, what: string): string[] | undefined {
    if (isPoison(value)) return undefined
    const items = Array.isArray(value) ? value : undefined
    if (!items) {
      this.diagnostics.error(
        `Invalid ${what}`,
        expr.range,
        `${what} must be a list of endpoints, like [endpoint.primary, endpoint.dr], got ${typeName(value)}.`,
      )
      return undefined
    }
    const names: string[] = []
    for (let i = 0; i < items.length; i++) {
      const itemRange = expr.type === 'Tuple' && expr.items[i] ? (expr.items[i] as Expression).range : expr.range
      const name = this.endpointRef(items[i] as Value, itemRange, what)
      if (name === undefined) return undefined
      if (!names.includes(name)) names.push(name)
    }
    return names
  }

  /** One endpoint name from `endpoint.x` (or the name as a string). */
  endpointRef(value: Value, range: Range, what: string): string | undefined {
    if (isPoison(value)) return undefined
    const fromReference = this.endpointName(value)
    if (fromReference !== undefined) return fromReference
    if (typeof value === 'string') {
      if (this.declarations.endpoints.has(value)) return value
      const suggestion = closest(value, this.declarations.endpoints.keys())
      this.diagnostics.error(
        'Reference to undeclared endpoint',
        range,
        `No endpoint "${value}" is declared.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
      )
      return undefined
    }
    this.diagnostics.error(`Invalid ${what}`, range, `Expected an endpoint, like endpoint.primary, got ${typeName(value)}.`)
    return undefined
  }
}

/** The meta-arguments written in a resource body. */
interface MetaArguments {
  for_each?: Attribute
  endpoints?: Attribute
}

/** What metaArguments returns for the usual body without any; never written to. */
const NO_META: MetaArguments = Object.freeze({})

function metaArguments(body: Body): MetaArguments {
  let found = NO_META
  for (const item of body.items) {
    if (item.type !== 'Attribute' || (item.name !== 'for_each' && item.name !== 'endpoints')) continue
    if (found === NO_META) found = {}
    found[item.name] = item
  }
  return found
}

/** The addresses one instance reads from or embeds, collected while it is evaluated. */
class References {
  // Made on the first address: most instances (projects, groups) reference nothing. A list: most
  // of the rest reference one to three, and a set's table for each was ~0.3 MB of a large load.
  private list: string[] | undefined
  /** The list's addresses, once it is too long to search (`[for p in project.all : p.name]`). */
  private seen: Set<string> | undefined

  add(address: string): void {
    const list = this.list
    if (list === undefined) {
      this.list = [address]
      return
    }
    if (this.seen ? this.seen.has(address) : list.includes(address)) return
    // A second address makes a list of two: push would grow it to room for seventeen.
    if (list.length === 1) {
      this.list = [list[0] as string, address]
      return
    }
    list.push(address)
    if (this.seen) this.seen.add(address)
    else if (list.length > 16) this.seen = new Set(list)
  }

  /** The addresses, sorted, without `address` (an instance does not reference itself). */
  sortedWithout(address: string): readonly string[] {
    const list = this.list
    if (list === undefined) return NO_REFERENCES
    const at = list.indexOf(address)
    if (at >= 0) list.splice(at, 1)
    if (list.length === 0) return NO_REFERENCES
    // Most lists hold one or two: put in order without sort, which allocates on every call.
    if (list.length > 2) return list.sort()
    if (list.length === 2 && (list[1] as string) < (list[0] as string)) list.reverse()
    return list
  }
}

/** The instances of a block not evaluated; never written to. */
const NO_INSTANCES: readonly ResourceInstance[] = Object.freeze([])

/** The references of an instance that has none; never written to. */
const NO_REFERENCES: readonly string[] = Object.freeze([])

/** A ResourceInstance whose shape is worked out on first use. */
class Instance implements ResourceInstance {
  private cachedShape: BodyShape | undefined

  constructor(
    readonly declaration: ResourceDeclaration,
    readonly key: string | undefined,
    readonly address: string,
    readonly body: ValueObject,
    readonly endpoints: string[] | undefined,
    readonly references: readonly string[],
  ) {}

  get shape(): BodyShape {
    this.cachedShape ??= bodyShape(this.declaration.block.body, this.declaration.block.headerRange, {skip: META})
    return this.cachedShape
  }
}

/** Where a secret came from, for messages: `env("X")`, `file("x")`, `var.x`, or the attribute's address. */
export function secretOrigin(expr: Expression | undefined, fallback: string): string {
  if (!expr) return fallback
  if (expr.type === 'Call' && (expr.name === 'env' || expr.name === 'file') && expr.args[0]?.type === 'Template') {
    const part = expr.args[0].parts[0]
    if (expr.args[0].parts.length === 1 && part?.type === 'TemplateLiteral') return `${expr.name}(${JSON.stringify(part.value)})`
  }
  if (expr.type === 'GetAttr' && expr.object.type === 'Variable' && expr.object.name === 'var') return `var.${expr.name}`
  return fallback
}
