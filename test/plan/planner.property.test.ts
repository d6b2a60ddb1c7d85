/**
 * Property: for random desired sets, live objects and state, executing the plan's changes against
 * a small Harbor simulator (which deletes children with their parent, as Harbor does) in any order
 * the DAG allows gives every endpoint the desired objects, records them in state, deletes only
 * objects state manages, and leaves nothing for the next plan to do.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {Attrs, Change, KindName} from '../../src/model/change.js'
import {plan} from '../../src/plan/planner.js'
import type {DesiredObject, LiveSnapshot, PlanResult, PruneScope, StateLike} from '../../src/plan/types.js'
import {kinds} from './fixtures.js'

const ENDPOINTS = ['a', 'b'] as const
const PROJECTS = ['n0', 'n1', 'n2']
const GROUPS = ['g0', 'g1']

interface SimObject {
  id: string
  kind: KindName
  key: string
  attrs: Attrs
}

/** One endpoint of the simulated Harbor: objects by `kind\0key`. */
type SimEndpoint = Map<string, SimObject>

const kk = (kind: string, key: string) => `${kind}\u0000${key}`

// --- Generators -------------------------------------------------------------------------------

const projectAttrs = fc.record({name: fc.constantFrom(...PROJECTS), public: fc.boolean()}, {requiredKeys: ['name']})
const groupAttrs = fc.record({name: fc.constantFrom(...GROUPS), type: fc.constantFrom('oidc', 'ldap')})
const robotAttrs = fc.record(
  {
    name: fc.constantFrom('r0', 'r1'),
    project: fc.constantFrom(...PROJECTS),
    level: fc.constantFrom('system', 'project'),
    description: fc.constantFrom('', 'x'),
  },
  {requiredKeys: ['name', 'level']},
)
const memberAttrs = fc.record({
  project: fc.constantFrom(...PROJECTS),
  group: fc.constantFrom(...GROUPS),
  role: fc.constantFrom('developer', 'guest'),
})

const ADDRESSES: Record<KindName, string[]> = {
  project: ['project.p0', 'project.p1', 'project.p2'],
  oidc_group: ['oidc_group.g0', 'oidc_group.g1'],
  robot: ['robot.r0', 'robot.r1'],
  project_member: ['project_member.m0', 'project_member.m1'],
}
const ATTRS: Record<KindName, fc.Arbitrary<Attrs>> = {
  project: projectAttrs,
  oidc_group: groupAttrs,
  robot: robotAttrs,
  project_member: memberAttrs,
}
const KIND_ORDER: KindName[] = ['project', 'oidc_group', 'robot', 'project_member']

/** Per kind, per address: an optional value (absent = not declared / not in state). */
const perAddress = <T>(arb: (kind: KindName) => fc.Arbitrary<T>) =>
  fc.record(
    Object.fromEntries(
      KIND_ORDER.map((kind) => [kind, fc.tuple(...ADDRESSES[kind].map(() => fc.option(arb(kind), {nil: undefined})))]),
    ) as Record<KindName, fc.Arbitrary<(T | undefined)[]>>,
  )

const endpointWorld = fc.record({
  desired: perAddress((kind) =>
    fc.record({
      attrs: ATTRS[kind],
      adopt: fc.boolean(),
      secret: fc.constantFrom(undefined, 'S1', 'S2'),
    }),
  ),
  live: fc.record(
    Object.fromEntries(KIND_ORDER.map((kind) => [kind, fc.array(ATTRS[kind], {maxLength: 4})])) as Record<
      KindName,
      fc.Arbitrary<Attrs[]>
    >,
  ),
  state: perAddress((kind) => fc.record({attrs: ATTRS[kind], sameId: fc.boolean(), fp: fc.constantFrom(undefined, 'S1', 'S2')})),
})

/** Mirror mode's prune scope on one endpoint: kinds, whether it deletes, and which keys it reaches. */
const pruneSpec = fc.option(
  fc.record({
    endpoint: fc.constantFrom(...ENDPOINTS),
    kinds: fc.subarray(['project', 'oidc_group', 'robot', 'project_member'] as KindName[], {minLength: 1}),
    remove: fc.boolean(),
    prefix: fc.constantFrom('', 'n0', 'g', 'r1'),
  }),
  {nil: undefined},
)

const scenario = fc.record({
  worlds: fc.tuple(endpointWorld, endpointWorld),
  unavailable: fc.boolean(),
  allowDelete: fc.boolean(),
  prune: pruneSpec,
  seed: fc.integer({min: 1, max: 2 ** 31 - 2}),
})

function scopesOf(spec: {endpoint: string; kinds: KindName[]; remove: boolean; prefix: string} | undefined): PruneScope[] {
  if (spec === undefined) return []
  return spec.kinds.map((kind) => ({
    endpoint: spec.endpoint,
    kind,
    owner: 'pm',
    source: 'src',
    delete: spec.remove,
    matches: (object) => object.key.startsWith(spec.prefix),
    address: (key) => `${kind}.pm[${JSON.stringify(key)}]`,
  }))
}

// --- Building consistent inputs ----------------------------------------------------------------

/** Contained parents of an object (where Harbor would delete it with them). */
function parents(kind: KindName, attrs: Attrs): string[] {
  return kinds[kind]
    .dependsOn(attrs)
    .filter((r) => r.contained)
    .map((r) => kk(r.kind, r.key))
}

/** Robots of level system have no project; keep generated attrs consistent with that. */
function tidy(kind: KindName, attrs: Attrs): Attrs {
  if (kind === 'robot' && attrs.level === 'system') {
    const {project: _project, ...rest} = attrs
    return rest
  }
  if (kind === 'robot' && attrs.project === undefined) return {...attrs, level: 'system'}
  return attrs
}

interface Built {
  desired: DesiredObject[]
  secrets: Map<string, string>
  live: Map<string, SimEndpoint>
  state: StateLike
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never

function build(input: Scenario): Built {
  const desired: DesiredObject[] = []
  const secrets = new Map<string, string>()
  const live = new Map<string, SimEndpoint>()
  const state: StateLike = {lineage: 'l', serial: 0, resources: {}}
  let nextId = 1
  ENDPOINTS.forEach((endpoint, index) => {
    const world = input.worlds[index]!
    // Live: parents before children, children only inside existing parents, one object per key.
    const objects: SimEndpoint = new Map()
    for (const kind of KIND_ORDER) {
      for (const raw of world.live[kind]) {
        const attrs = tidy(kind, raw)
        const key = kinds[kind].key(attrs)
        if (objects.has(kk(kind, key))) continue
        if (!parents(kind, attrs).every((p) => objects.has(p))) continue
        objects.set(kk(kind, key), {id: String(nextId++), kind, key, attrs})
      }
    }
    live.set(endpoint, objects)
    // Desired: one address per key, children only inside desired parents (the loader ensures references exist).
    const keys = new Set<string>()
    for (const kind of KIND_ORDER) {
      world.desired[kind].forEach((spec, i) => {
        if (spec === undefined) return
        const address = ADDRESSES[kind][i]!
        const attrs = tidy(kind, spec.attrs)
        const key = kinds[kind].key(attrs)
        if (keys.has(kk(kind, key)) || !parents(kind, attrs).every((p) => keys.has(p))) return
        keys.add(kk(kind, key))
        const object: DesiredObject = {address, endpoint, kind, key, attrs, references: [], adopt: spec.adopt}
        if (kind === 'robot') {
          object.secret = {declared: spec.secret !== undefined}
          if (spec.secret !== undefined) secrets.set(`${address}@${endpoint}`, spec.secret)
        }
        desired.push(object)
      })
    }
    // State: plausible entries, at most one address per key.
    const stateKeys = new Set<string>()
    for (const kind of KIND_ORDER) {
      world.state[kind].forEach((spec, i) => {
        if (spec === undefined) return
        const address = ADDRESSES[kind][i]!
        const attrs = tidy(kind, spec.attrs)
        const key = kinds[kind].key(attrs)
        if (stateKeys.has(kk(kind, key))) return
        stateKeys.add(kk(kind, key))
        const liveObject = objects.get(kk(kind, key))
        const id = liveObject !== undefined && spec.sameId ? liveObject.id : `stale${nextId++}`
        state.resources[address] ??= {}
        state.resources[address][endpoint] = spec.fp === undefined ? {id, attrs} : {id, attrs, secret_fp: `fp:${spec.fp}`}
      })
    }
  })
  return {desired, secrets, live, state}
}

/** What the engine does before planning: match each declared secret against the state's fingerprint. */
function withFingerprints(desired: DesiredObject[], secrets: Map<string, string>, state: StateLike): DesiredObject[] {
  return desired.map((d) => {
    const secret = secrets.get(`${d.address}@${d.endpoint}`)
    if (secret === undefined) return d
    const fp = state.resources[d.address]?.[d.endpoint]?.secret_fp
    return {...d, secret: {declared: true, fingerprintMatches: fp === undefined ? undefined : fp === `fp:${secret}`}}
  })
}

function snapshot(live: Map<string, SimEndpoint>, unavailable: boolean): LiveSnapshot {
  const endpoints: LiveSnapshot['endpoints'] = {}
  for (const [endpoint, objects] of live) {
    if (unavailable && endpoint === 'b') {
      endpoints[endpoint] = {status: 'unavailable', message: 'connection refused'}
      continue
    }
    const byKind: Record<KindName, {id: string; key: string; attrs: Attrs}[]> = {
      project: [],
      oidc_group: [],
      robot: [],
      project_member: [],
    }
    for (const o of objects.values()) byKind[o.kind].push({id: o.id, key: o.key, attrs: structuredClone(o.attrs)})
    endpoints[endpoint] = {status: 'ok', objects: byKind}
  }
  return {endpoints}
}

// --- The simulator ----------------------------------------------------------------------------

class Simulator {
  private nextId = 100_000

  constructor(
    readonly live: Map<string, SimEndpoint>,
    readonly state: StateLike,
    readonly secrets: Map<string, string>,
    readonly prune: readonly PruneScope[] = [],
  ) {}

  /** Whether a deleting prune scope reaches this change's object (it need not be in state). */
  private pruned(change: Change): boolean {
    const object = [...this.live.get(change.endpoint)!.values()].find((o) => o.id === change.liveId)
    return this.prune.some(
      (s) =>
        s.delete &&
        s.endpoint === change.endpoint &&
        s.kind === change.kind &&
        s.address(change.key) === change.address &&
        (object === undefined || s.matches(object)),
    )
  }

  private remove(endpoint: string, id: string): void {
    const objects = this.live.get(endpoint)!
    const victim = [...objects.values()].find((o) => o.id === id)
    if (victim === undefined) return // already gone: a delete of a missing object succeeds
    objects.delete(kk(victim.kind, victim.key))
    for (const child of [...objects.values()]) {
      if (parents(child.kind, child.attrs).includes(kk(victim.kind, victim.key))) this.remove(endpoint, child.id)
    }
  }

  private record(change: Change, id: string): void {
    const previous = this.state.resources[change.address]?.[change.endpoint]
    const entry: StateLike['resources'][string][string] = {id, attrs: structuredClone(change.after!)}
    const secret = this.secrets.get(change.id)
    if (change.diffs.some((d) => d.sensitive) && change.kind === 'robot')
      entry.secret_fp = secret ? `fp:${secret}` : 'fp:generated'
    else if (previous?.secret_fp !== undefined) entry.secret_fp = previous.secret_fp
    this.state.resources[change.address] ??= {}
    this.state.resources[change.address]![change.endpoint] = entry
  }

  private create(change: Change): void {
    const objects = this.live.get(change.endpoint)!
    expect(objects.has(kk(change.kind, change.key)), `${change.id}: create of an existing key`).toBe(false)
    for (const parent of parents(change.kind, change.after!)) {
      expect(objects.has(parent), `${change.id}: created before its parent ${parent}`).toBe(true)
    }
    const id = String(this.nextId++)
    objects.set(kk(change.kind, change.key), {id, kind: change.kind, key: change.key, attrs: structuredClone(change.after!)})
    this.record(change, id)
  }

  execute(change: Change): void {
    const objects = this.live.get(change.endpoint)!
    switch (change.action) {
      case 'create':
        this.create(change)
        break
      case 'replace':
        this.remove(change.endpoint, change.liveId!)
        this.create(change)
        break
      case 'update':
      case 'noop': {
        const target = objects.get(kk(change.kind, change.key))
        expect(target?.id, `${change.id}: ${change.action} of a missing object`).toBe(change.liveId)
        if (change.action === 'update') target!.attrs = {...target!.attrs, ...structuredClone(change.after!)}
        this.record(change, change.liveId!)
        break
      }
      case 'delete': {
        const managed = this.state.resources[change.address]?.[change.endpoint]
        const target = [...objects.values()].find((o) => o.id === change.liveId)
        if (managed === undefined) {
          expect(this.pruned(change), `${change.id}: delete of an object neither managed nor pruned`).toBe(true)
        } else if (target !== undefined) expect(target.key).toBe(kinds[change.kind].key(managed.attrs))
        this.remove(change.endpoint, change.liveId!)
        if (managed !== undefined) delete this.state.resources[change.address]![change.endpoint]
        break
      }
    }
  }

  /** Runs the changes in a random order that respects `dependsOn`, then the state-only updates. */
  apply(result: PlanResult, seed: number): void {
    let random = seed
    const pending = new Map(result.changes.map((c) => [c.id, c]))
    const done = new Set<string>()
    while (pending.size > 0) {
      const ready = [...pending.values()].filter((c) => c.dependsOn.every((d) => done.has(d)))
      expect(ready.length, 'the DAG has runnable changes').toBeGreaterThan(0)
      random = (random * 48271) % 2147483647
      const next = ready[random % ready.length]!
      this.execute(next)
      pending.delete(next.id)
      done.add(next.id)
    }
    for (const drift of result.drift) {
      const entries = this.state.resources[drift.address]
      if (drift.action === 'forget') {
        if (entries) delete entries[drift.endpoint]
      } else entries![drift.endpoint] = {...entries![drift.endpoint]!, id: drift.id!, attrs: drift.after!}
    }
  }
}

function managedAttrsMatch(live: Attrs, desired: Attrs): boolean {
  return Object.entries(desired).every(([k, v]) => JSON.stringify(live[k]) === JSON.stringify(v))
}

describe('planner property', () => {
  it('applying a plan converges: desired objects exist and are in state, and the next plan is empty', () => {
    fc.assert(
      fc.property(scenario, (generated) => {
        const built = build(generated)
        const options = {allowDelete: generated.allowDelete}
        const prune = scopesOf(generated.prune)
        const first = plan({
          desired: withFingerprints(built.desired, built.secrets, built.state),
          live: snapshot(built.live, generated.unavailable),
          state: structuredClone(built.state),
          kinds,
          options,
          prune,
        })
        const stateBefore = structuredClone(built.state)
        const liveBefore = new Map([...built.live].map(([e, m]) => [e, new Map([...m].map(([k, o]) => [k, {...o}]))]))
        const sim = new Simulator(built.live, built.state, built.secrets, prune)
        sim.apply(first, generated.seed)

        const blocked = new Set(first.conflicts.map((c) => `${c.address}@${c.endpoint}`))
        for (const d of built.desired) {
          const id = `${d.address}@${d.endpoint}`
          if (blocked.has(id) || (generated.unavailable && d.endpoint === 'b')) continue
          const object = built.live.get(d.endpoint)!.get(kk(d.kind, d.key))
          expect(object, `${id} exists`).toBeDefined()
          expect(managedAttrsMatch(object!.attrs, d.attrs), `${id} has the desired attributes`).toBe(true)
          expect(built.state.resources[d.address]?.[d.endpoint]?.id, `${id} is in state`).toBe(object!.id)
        }
        // Unmanaged objects are never deleted explicitly (only by Harbor's cascade from a managed
        // parent), except by a deleting prune scope that reaches them.
        for (const change of first.changes.filter((c) => c.action === 'delete')) {
          if (stateBefore.resources[change.address]?.[change.endpoint] !== undefined) continue
          expect(change.address.includes('.pm['), `${change.id} is a prune delete`).toBe(true)
          expect(generated.prune?.remove && generated.allowDelete).toBe(true)
        }
        // An extra is deleted or listed, never both; nothing is listed for an endpoint without a scope.
        for (const extra of first.unmanaged ?? []) {
          expect(generated.prune?.remove).toBe(false)
          expect(extra.endpoint).toBe(generated.prune?.endpoint)
        }
        // An unavailable endpoint is left exactly as it was.
        if (generated.unavailable) expect(built.live.get('b')).toEqual(liveBefore.get('b'))

        const second = plan({
          desired: withFingerprints(built.desired, built.secrets, built.state),
          live: snapshot(built.live, generated.unavailable),
          state: structuredClone(built.state),
          kinds,
          options,
          prune,
        })
        expect(second.changes.map((c) => `${c.action} ${c.id}: ${c.reason}`)).toEqual([])
        expect(second.drift.map((d) => `${d.action} ${d.address}@${d.endpoint}`)).toEqual([])
        expect(second.conflicts).toEqual(first.conflicts)
      }),
      {numRuns: 400},
    )
  })
})
