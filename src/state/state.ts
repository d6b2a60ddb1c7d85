/**
 * Pure operations on a State: they never mutate their input and return a new snapshot that shares
 * every untouched part with the old one. `applyEdits` is the batch form (one copy of the address
 * map for any number of edits), so folding 10,000 journal entries into a state stays linear.
 */
import {randomUUID} from 'node:crypto'
import {isName} from '../model/address.js'
import {HrepError} from '../model/errors.js'
import {compareCodePoints} from './json-text.js'
import {type EndpointEntries, STATE_FORMAT_VERSION, type State, type StateEntry, stateAddressProblem} from './schema.js'

/** A state with nothing in it: serial 0 (never written) and, unless given, a fresh random lineage. */
export function emptyState(lineage: string = randomUUID()): State {
  return {version: STATE_FORMAT_VERSION, lineage, serial: 0, resources: {}}
}

/** The entry for one object, or undefined when hrep does not manage it there. */
export function getResource(state: State, address: string, endpoint: string): StateEntry | undefined {
  return state.resources[address]?.[endpoint]
}

/** One edit of the resources: store an entry, or forget one endpoint's object (or all of an address's). */
export type StateEdit =
  | {op: 'set'; address: string; endpoint: string; entry: StateEntry}
  | {op: 'remove'; address: string; endpoint?: string}

/** Records `entry` as the object hrep manages at `address` on `endpoint` (replacing any previous one). */
export function setResource(state: State, address: string, endpoint: string, entry: StateEntry): State {
  return applyEdits(state, [{op: 'set', address, endpoint, entry}])
}

/** Forgets the object at `address` on `endpoint`, or on every endpoint when `endpoint` is omitted. */
export function removeResource(state: State, address: string, endpoint?: string): State {
  return applyEdits(state, [{op: 'remove', address, endpoint}])
}

/**
 * Applies edits in order and returns the new state (the input is untouched; serial and lineage are
 * kept, the store assigns the serial on write). An address left with no endpoint disappears.
 * Throws an HrepError for an address or endpoint that cannot be a state key (a bug in the caller).
 */
export function applyEdits(state: State, edits: readonly StateEdit[]): State {
  if (edits.length === 0) return state
  const resources: Record<string, EndpointEntries> = {...state.resources}
  const copied = new Set<string>()
  const mutable = (address: string): Record<string, StateEntry> => {
    if (!copied.has(address)) {
      resources[address] = {...resources[address]}
      copied.add(address)
    }
    return resources[address] as Record<string, StateEntry>
  }
  for (const edit of edits) {
    if (edit.op === 'set') {
      checkKeys(edit.address, edit.endpoint)
      checkEntry(edit.address, edit.endpoint, edit.entry)
      mutable(edit.address)[edit.endpoint] = edit.entry
    } else if (resources[edit.address] !== undefined) {
      if (edit.endpoint === undefined) {
        delete resources[edit.address]
        copied.delete(edit.address)
        continue
      }
      const entries = mutable(edit.address)
      delete entries[edit.endpoint]
      if (Object.keys(entries).length === 0) {
        delete resources[edit.address]
        copied.delete(edit.address)
      }
    }
  }
  return {...state, resources}
}

function checkKeys(address: string, endpoint: string): void {
  const problem = stateAddressProblem(address)
  if (problem !== undefined) throw new HrepError('state_address_invalid', `cannot store "${address}" in state: ${problem}`)
  if (!isName(endpoint)) {
    throw new HrepError('state_address_invalid', `cannot store ${address} in state: "${endpoint}" is not an endpoint name`)
  }
}

function checkEntry(address: string, endpoint: string, entry: StateEntry): void {
  if (typeof entry?.id !== 'string' || entry.id === '' || typeof entry.key !== 'string' || entry.key === '') {
    throw new HrepError('state_entry_invalid', `cannot store ${address}@${endpoint} in state: it needs a Harbor id and a key`)
  }
  if (typeof entry.attrs !== 'object' || entry.attrs === null || Array.isArray(entry.attrs)) {
    throw new HrepError('state_entry_invalid', `cannot store ${address}@${endpoint} in state: attrs must be an object`)
  }
}

/** True when both states have the same lineage and the same resources (serial and writer ignored). */
export function stateEquals(a: State, b: State): boolean {
  return a.lineage === b.lineage && jsonEqual(a.resources, b.resources)
}

/**
 * Deep equality of JSON-like values as they would be written: a property whose value is undefined
 * counts as absent (JSON drops it), arrays compare in order.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false
    return true
  }
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  let leftCount = 0
  for (const key in left) {
    if (left[key] === undefined) continue
    leftCount++
    if (!jsonEqual(left[key], right[key])) return false
  }
  let rightCount = 0
  for (const key in right) if (right[key] !== undefined) rightCount++
  return leftCount === rightCount
}

/** One managed object, flattened: what `hrep state list` shows. */
export interface ResourceInstance {
  address: string
  endpoint: string
  entry: StateEntry
}

/** Every managed object, sorted by address then endpoint; only `endpoint`'s when given. */
export function listResources(state: State, options: {endpoint?: string} = {}): ResourceInstance[] {
  const out: ResourceInstance[] = []
  for (const address of Object.keys(state.resources).sort(compareCodePoints)) {
    const entries = state.resources[address]!
    for (const endpoint of Object.keys(entries).sort(compareCodePoints)) {
      if (options.endpoint !== undefined && endpoint !== options.endpoint) continue
      out.push({address, endpoint, entry: entries[endpoint]!})
    }
  }
  return out
}

/** Freezes a state and everything in it, so a snapshot handed out cannot be changed by accident. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}
