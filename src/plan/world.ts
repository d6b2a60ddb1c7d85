/**
 * The planner's indexes over its inputs, built once per plan in linear time: live objects, state
 * entries and desired objects by (endpoint, kind, key), and which endpoints can be planned. Keys
 * are matched by natural key, never by Harbor's numeric id.
 */
import type {Kind, LiveObject} from '../kinds/kind.js'
import type {KindName} from '../model/change.js'
import {HrepError} from '../model/errors.js'
import type {DesiredObject, PlanInput, PlanWarning, StateEntryLike, UnavailableEndpoint} from './types.js'

/** `kind\0key`: one map key for (kind, natural key) within an endpoint. */
export function kindKey(kind: string, key: string): string {
  return `${kind}\u0000${key}`
}

/** The kind named by an address's first segment (`robot.ci` → `robot`). */
export function addressKind(address: string): string {
  const dot = address.indexOf('.')
  return dot < 0 ? address : address.slice(0, dot)
}

/** A state entry of one address on one endpoint, with its key resolved. */
export interface StateRecord {
  address: string
  endpoint: string
  kind: KindName
  key: string
  entry: StateEntryLike
}

/** Everything known about one endpoint that can be planned. */
export interface EndpointWorld {
  name: string
  /** Live objects by kindKey. */
  live: Map<string, LiveObject>
  /** Live objects by kind (the refresh's lists). */
  liveByKind: Partial<Record<KindName, readonly LiveObject[]>>
  /** Desired objects by kindKey. */
  desired: Map<string, DesiredObject>
  /** Desired objects by address. */
  desiredByAddress: Map<string, DesiredObject>
  /** State records by address. */
  state: Map<string, StateRecord>
  /** State records by kindKey; when state (inconsistently) has two addresses on one key, the first. */
  stateByKey: Map<string, StateRecord>
}

export interface World {
  kinds: Readonly<Record<KindName, Kind>>
  /** Endpoints that can be planned, sorted by name. */
  endpoints: EndpointWorld[]
  unavailable: UnavailableEndpoint[]
  warnings: PlanWarning[]
}

function emptyEndpoint(name: string): EndpointWorld {
  return {
    name,
    live: new Map(),
    liveByKind: {},
    desired: new Map(),
    desiredByAddress: new Map(),
    state: new Map(),
    stateByKey: new Map(),
  }
}

/**
 * Indexes the inputs. Throws an HrepError when two desired objects claim the same key on one
 * endpoint (the config would fight itself). An endpoint is unavailable when refresh failed on it,
 * did not read it, or did not read a kind that the config or state has there.
 */
export function buildWorld(input: PlanInput): World {
  const {kinds} = input
  const warnings: PlanWarning[] = []
  const worlds = new Map<string, EndpointWorld>()
  const at = (endpoint: string): EndpointWorld => {
    let world = worlds.get(endpoint)
    if (world === undefined) {
      world = emptyEndpoint(endpoint)
      worlds.set(endpoint, world)
    }
    return world
  }

  for (const object of input.desired) {
    const world = at(object.endpoint)
    const id = kindKey(object.kind, object.key)
    const other = world.desired.get(id)
    if (other !== undefined) {
      throw new HrepError(
        'plan_duplicate_key',
        `${other.address} and ${object.address} both declare ${object.kind} "${object.key}" on endpoint ${object.endpoint}`,
      )
    }
    if (world.desiredByAddress.has(object.address)) {
      throw new HrepError('plan_duplicate_address', `${object.address} is declared twice on endpoint ${object.endpoint}`)
    }
    world.desired.set(id, object)
    world.desiredByAddress.set(object.address, object)
  }

  for (const [address, byEndpoint] of Object.entries(input.state.resources)) {
    const kindName = addressKind(address) as KindName
    const kind = kinds[kindName]
    for (const [endpoint, entry] of Object.entries(byEndpoint)) {
      if (kind === undefined) {
        warnings.push({message: `state holds ${address} of unknown kind "${kindName}"; it is left alone`, address, endpoint})
        continue
      }
      let key = entry.key
      if (key === undefined) {
        try {
          key = kind.key(entry.attrs)
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error)
          warnings.push({
            message: `the state entry of ${address}@${endpoint} has no usable key (${why}); it is left alone`,
            address,
            endpoint,
          })
          continue
        }
      }
      const world = at(endpoint)
      const record: StateRecord = {address, endpoint, kind: kindName, key, entry}
      world.state.set(address, record)
      const id = kindKey(kindName, key)
      const first = world.stateByKey.get(id)
      if (first === undefined) world.stateByKey.set(id, record)
      else {
        warnings.push({
          message: `state has both ${first.address} and ${address} for ${kindName} "${key}" on ${endpoint}; ${first.address} is used`,
          address,
          endpoint,
        })
      }
    }
  }

  for (const name of Object.keys(input.live.endpoints)) at(name)

  const endpoints: EndpointWorld[] = []
  const unavailable: UnavailableEndpoint[] = []
  for (const name of [...worlds.keys()].sort()) {
    const world = worlds.get(name)!
    const snapshot = input.live.endpoints[name]
    if (snapshot === undefined) {
      unavailable.push({endpoint: name, message: 'it was not refreshed'})
      continue
    }
    if (snapshot.status === 'unavailable') {
      unavailable.push({endpoint: name, message: snapshot.message})
      continue
    }
    const missing = missingKinds(world, snapshot.objects)
    if (missing.length > 0) {
      unavailable.push({endpoint: name, message: `refresh did not read its ${missing.join(', ')} objects`})
      continue
    }
    world.liveByKind = snapshot.objects
    for (const [kindName, objects] of Object.entries(snapshot.objects)) {
      for (const object of objects ?? []) {
        const id = kindKey(kindName, object.key)
        if (world.live.has(id)) {
          warnings.push({
            message: `${name} has two ${kindName} objects with key "${object.key}"; the first is used`,
            endpoint: name,
          })
          continue
        }
        world.live.set(id, object)
      }
    }
    endpoints.push(world)
  }
  return {kinds, endpoints, unavailable, warnings}
}

function missingKinds(world: EndpointWorld, objects: Partial<Record<KindName, readonly LiveObject[]>>): string[] {
  const needed = new Set<string>()
  for (const object of world.desired.values()) needed.add(object.kind)
  for (const record of world.state.values()) needed.add(record.kind)
  return [...needed].filter((kind) => objects[kind as KindName] === undefined).sort()
}
