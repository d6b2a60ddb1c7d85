/**
 * `hrep import ADDR ID`: adopts one existing object into the state for a declared address, on one
 * endpoint (`robot.ci@dr`) or on every endpoint the resource is deployed to where the object exists.
 * The ID is a name (each kind's `parseImportId`), never a numeric id, and must name the object the
 * configuration declares at that address. Nothing in Harbor changes: the next plan shows no change
 * when the configuration matches the object, and the differences when it does not. The state is
 * written once, under the workspace's lock, after an interrupted run's journal was recovered.
 */
import type {DesiredResource, LoadedConfig} from '../config/model.js'
import {closest} from '../model/suggest.js'
import type {Kind} from '../kinds/kind.js'
import {kinds as allKinds} from '../kinds/registry.js'
import {formatAddress, parseAddress} from '../model/address.js'
import type {AttrDiff, KindName} from '../model/change.js'
import {formatRange, HrepError} from '../model/errors.js'
import {diffManaged, SECRET_ATTR, visibleAttrs} from '../plan/diff.js'
import {addressKind} from '../plan/world.js'
import {applyEdits, type State, type StateEdit, type StateEntry} from '../state/index.js'
import {freshContext} from './endpoints.js'
import {isMirrorAddress} from './mirror-address.js'
import {recoverJournal} from './recover.js'
import type {Workspace} from './workspace.js'

export const IMPORT_STATUSES = ['imported', 'managed', 'missing', 'taken', 'unavailable'] as const
/**
 * What happened on one endpoint: `imported`; `managed` (the address is already in the state there);
 * `missing` (no such object there); `taken` (another address manages the object); `unavailable`.
 */
export type ImportStatus = (typeof IMPORT_STATUSES)[number]

export interface ImportOutcome {
  endpoint: string
  status: ImportStatus
  /** One sentence for people. */
  message: string
  /** Harbor's id of the object (imported, managed). */
  id?: string
  /** Where the object differs from the configuration (the next plan updates these). */
  diffs?: AttrDiff[]
}

export interface ImportResult {
  /** The address without endpoint. */
  address: string
  kind: KindName
  key: string
  outcomes: ImportOutcome[]
  /** The state serial after the write (unchanged when nothing was imported). */
  serial: number
}

/** A hint for an all-digit ID, which users often take from Harbor's UI or API. */
const NUMERIC_HINT = (id: string): string =>
  /^\d+$/.test(id.trim()) ? " (the ID is the object's name, not Harbor's numeric id)" : ''

/** The declared resource at `address`, or an HrepError saying what is there instead. */
export function declaredResource(config: LoadedConfig, address: string): DesiredResource {
  const resource = config.resources.find((r) => r.address === address)
  if (resource !== undefined) return resource
  const kind = addressKind(address)
  const block = address.includes('[') ? address.slice(0, address.indexOf('[')) : address
  const replicate = config.replicates.find((r) => isMirrorAddress(address, r.name) && r.kinds.includes(kind as KindName))
  if (replicate !== undefined) {
    throw new HrepError(
      'import_address_mirrored',
      `${address} is mirrored by replicate "${replicate.name}" (${formatRange(replicate.range)}), which adopts existing objects on its targets by itself: run hrep plan`,
    )
  }
  const instances = config.resources.filter((r) => r.address.startsWith(`${block}[`)).map((r) => r.address)
  if (!address.includes('[') && instances.length > 0) {
    throw new HrepError(
      'import_address_unknown',
      `${address} has for_each: import one instance, like ${instances[0]}${instances.length > 1 ? ` (it has ${instances.length})` : ''}`,
    )
  }
  const suggestion = closest(
    address,
    config.resources.map((r) => r.address),
  )
  throw new HrepError(
    'import_address_unknown',
    `${address} is not declared in the configuration${suggestion ? ` (did you mean ${suggestion}?)` : ''}. ` +
      'Declare the resource first (an import adopts an object into a declared resource), or generate declarations with hrep import --all --endpoint NAME --generate-config FILE',
  )
}

/** Which address, if any, the state holds for the object `kind`/`key` on `endpoint`. */
function stateHolder(state: State, kinds: Readonly<Record<KindName, Kind>>, kind: KindName, key: string, endpoint: string) {
  for (const [address, byEndpoint] of Object.entries(state.resources)) {
    if (addressKind(address) !== kind) continue
    const entry = byEndpoint[endpoint]
    if (entry === undefined) continue
    let entryKey: string | undefined = entry.key
    if (entryKey === undefined) {
      try {
        entryKey = kinds[kind].key(entry.attrs)
      } catch {
        continue
      }
    }
    if (entryKey === key) return address
  }
  return undefined
}

/**
 * Imports `id` into `addressText` (see the module comment). Throws an HrepError when the address
 * or the ID is wrong, and when nothing could be imported; otherwise returns each endpoint's outcome.
 */
export async function importObject(
  workspace: Workspace,
  addressText: string,
  id: string,
  signal?: AbortSignal,
): Promise<ImportResult> {
  const config = workspace.config
  const parsed = parseAddress(addressText)
  const address = formatAddress({...parsed, endpoint: undefined})
  const resource = declaredResource(config, address)
  const kind = allKinds[resource.kind]
  const key = kind.parseImportId(id)
  const expected = kind.key(resource.attrs)
  if (key !== expected) {
    throw new HrepError(
      'import_id_mismatch',
      `"${id}" names ${resource.kind} "${key}", but ${address} (${formatRange(resource.range)}) declares ${resource.kind} "${expected}": import the object the configuration declares, or change the declaration${NUMERIC_HINT(id)}`,
    )
  }
  const endpoints = targetEndpoints(config, resource, parsed.endpoint)
  const sessions = await workspace.connect(signal)
  await recoverJournal(workspace.store, sessions, allKinds, workspace.events)
  const state = workspace.store.state
  const found = await Promise.all(
    endpoints.map(async (endpoint): Promise<ImportOutcome & {entry?: StateEntry}> => {
      const managed = state.resources[address]?.[endpoint]
      if (managed !== undefined) {
        return {
          endpoint,
          status: 'managed',
          id: managed.id,
          message: `already managed (Harbor id ${managed.id}); to import it again, hrep state rm '${address}@${endpoint}' first`,
        }
      }
      const holder = stateHolder(state, allKinds, resource.kind, key, endpoint)
      if (holder !== undefined) {
        return {endpoint, status: 'taken', message: `${resource.kind} "${key}" is already managed by ${holder} there`}
      }
      const session = sessions.get(endpoint)
      const ctx = session && freshContext(session)
      if (ctx === undefined) {
        return {endpoint, status: 'unavailable', message: `cannot be reached: ${session?.unavailable ?? 'not connected'}`}
      }
      const live = await kind.find({...ctx, signal}, key)
      if (live === undefined || live.key !== key) {
        return {endpoint, status: 'missing', message: `${resource.kind} "${key}" does not exist there${NUMERIC_HINT(id)}`}
      }
      const diffs = diffManaged(kind, resource.attrs, live.attrs)
      const notes: string[] = []
      if (diffs.length > 0)
        notes.push(`it differs from the configuration in ${diffs.map((d) => d.path).join(', ')}; hrep plan shows how`)
      if (resource.secrets[SECRET_ATTR] !== undefined) {
        notes.push('the next apply sets the declared secret (Harbor cannot tell whether it already has it)')
      }
      return {
        endpoint,
        status: 'imported',
        id: live.id,
        diffs,
        message: `imported (Harbor id ${live.id})${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
        // The entry records the object as it is now; the planner compares the configuration with live.
        entry: {id: live.id, key: live.key, attrs: visibleAttrs(kind, live.attrs)},
      }
    }),
  )
  const edits: StateEdit[] = []
  const outcomes: ImportOutcome[] = []
  for (const {entry, ...outcome} of found) {
    if (entry !== undefined) edits.push({op: 'set', address, endpoint: outcome.endpoint, entry})
    outcomes.push(outcome)
  }
  const written = edits.length > 0 ? await workspace.store.write(applyEdits(state, edits)) : {serial: state.serial}
  const result: ImportResult = {address, kind: resource.kind, key, outcomes, serial: written.serial}
  if (edits.length === 0 || (parsed.endpoint !== undefined && outcomes[0]?.status !== 'imported')) {
    const detail = outcomes.map((o) => `${o.endpoint}: ${o.message}`).join('; ')
    throw new ImportFailed(result, `nothing was imported into ${address}: ${detail}`)
  }
  return result
}

/** Nothing could be imported; `result` holds each endpoint's outcome. */
export class ImportFailed extends HrepError {
  override name = 'ImportFailed'
  constructor(
    readonly result: ImportResult,
    message: string,
  ) {
    super('import_failed', message)
  }
}

/** The endpoints an import covers: the one named, or every endpoint of the resource. */
function targetEndpoints(config: LoadedConfig, resource: DesiredResource, named: string | undefined): readonly string[] {
  if (named === undefined) return resource.endpoints
  if (!config.endpoints.some((endpoint) => endpoint.name === named)) {
    const suggestion = closest(
      named,
      config.endpoints.map((e) => e.name),
    )
    throw new HrepError(
      'endpoint_unknown',
      `there is no endpoint "${named}" in the configuration${suggestion ? `; did you mean ${suggestion}?` : ''}`,
    )
  }
  if (!resource.endpoints.includes(named)) {
    throw new HrepError(
      'import_endpoint_invalid',
      `${resource.address} is not deployed to ${named} (its endpoints: ${resource.endpoints.join(', ') || 'none'})`,
    )
  }
  return [named]
}
