/**
 * The per-object rules of a plan on one endpoint: each desired object against the live object with
 * its key and its state entry, then each state entry no longer desired. Produces drafts (changes
 * before the graph is linked; plain no-ops are not kept, importing ones are), conflicts and
 * state-only updates. Pure.
 */
import type {Kind, LiveObject} from '../kinds/kind.js'
import type {AttrDiff, Attrs, Change} from '../model/change.js'
import {creationDiffs, diffManaged, removalDiffs, secretDiff, updateReason, visibleAttrs, withDiff} from './diff.js'
import {jsonEqual} from './equal.js'
import type {Conflict, DesiredObject, PlanWarning, StateUpdate} from './types.js'
import {type EndpointWorld, kindKey, type StateRecord} from './world.js'

/** A change in the making. `removal` is the live object a delete or replace removes (its key may differ from the change's). */
export interface Draft {
  change: Change
  desired?: DesiredObject
  removal?: LiveObject
  /** Id of the change whose removal forced this one (Harbor deletes children with their parent). */
  forcedBy?: string
}

/** A desired object in conflict, kept so that a cascade can still resolve it. */
export interface ConflictDraft {
  conflict: Conflict
  desired: DesiredObject
  live: LiveObject
}

/** The per-object outcome on one endpoint. */
export interface EndpointDrafts {
  drafts: Draft[]
  /** Drafts of desired objects by kindKey of their desired key. */
  byKey: Map<string, Draft>
  /** Delete and replace drafts by kindKey of the live object they remove. */
  byRemovalKey: Map<string, Draft>
  conflicts: Map<string, ConflictDraft>
  drift: StateUpdate[]
  warnings: PlanWarning[]
}

/** Quotes a word for a POSIX shell when it needs quoting. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9._/+:=@%-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

/**
 * The command that adopts the live object with `key` into `address` on `endpoint`. The address is
 * always single-quoted (for_each keys bring brackets and double quotes); the key is used as the
 * import ID, so a kind's `parseImportId` must accept its own keys.
 */
export function importCommand(address: string, endpoint: string, key: string): string {
  return `hrep import '${`${address}@${endpoint}`.replaceAll("'", `'\\''`)}' ${shellQuote(key)}`
}

function baseChange(object: {address: string; endpoint: string; kind: Change['kind']; key: string}): Change {
  return {
    id: `${object.address}@${object.endpoint}`,
    address: object.address,
    endpoint: object.endpoint,
    kind: object.kind,
    key: object.key,
    action: 'noop',
    diffs: [],
    reason: '',
    dependsOn: [],
  }
}

/** The no-op change of a desired object that equals its live object (kept only when a cascade needs it). */
export function noopChange(desired: DesiredObject, live: LiveObject): Change {
  return {...baseChange(desired), liveId: live.id}
}

/** A create of `desired`, showing every attribute and the secret marker. */
export function createDraft(kind: Kind, desired: DesiredObject, reason: string): Draft {
  const after = visibleAttrs(kind, desired.attrs)
  let diffs = creationDiffs(after)
  let why = reason
  if (desired.secret !== undefined) {
    diffs = withDiff(diffs, secretDiff(false))
    if (!desired.secret.declared) why += '; hrep generates its secret'
  }
  return {change: {...baseChange(desired), action: 'create', after, diffs, reason: why}, desired}
}

/**
 * Turns `draft` into a replace of `removal`: delete that live object, then create the desired one.
 * The secret marker is added because the new object needs its secret set.
 */
export function makeReplace(kind: Kind, draft: Draft, removal: LiveObject, reason: string, warnings: PlanWarning[]): void {
  const desired = draft.desired!
  const change = draft.change
  change.action = 'replace'
  change.before = visibleAttrs(kind, removal.attrs)
  change.after = visibleAttrs(kind, desired.attrs)
  change.liveId = removal.id
  change.reason = reason
  delete change.importing
  if (change.diffs.length === 0) change.diffs = diffManaged(kind, desired.attrs, removal.attrs)
  if (desired.secret !== undefined) {
    change.diffs = withDiff(change.diffs, secretDiff(false))
    if (!desired.secret.declared) {
      warnings.push({
        message: `${change.id} is replaced: hrep generates a new secret for it and the old one stops working`,
        address: change.address,
        endpoint: change.endpoint,
      })
    }
  }
  draft.removal = removal
}

/**
 * Compares a desired object with the live object that has its key: update, replace, an importing
 * no-op, or undefined for a plain no-op (then only stale state bookkeeping is recorded).
 * `record` is the state entry of this address when it manages this very object.
 */
function compareExisting(
  kind: Kind,
  desired: DesiredObject,
  live: LiveObject,
  record: StateRecord | undefined,
  importing: string | undefined,
  out: EndpointDrafts,
): Draft | undefined {
  const change = baseChange(desired)
  const draft: Draft = {change, desired}
  change.liveId = live.id
  let diffs = diffManaged(kind, desired.attrs, live.attrs)
  const forcing = diffs.filter((d) => d.forcesReplace).map((d) => d.path)
  if (forcing.length > 0) {
    change.diffs = diffs
    makeReplace(kind, draft, live, `${forcing.join(', ')} cannot be changed in place`, out.warnings)
    return draft
  }
  const reasons: string[] = []
  if (importing !== undefined) reasons.push(importing)
  if (diffs.length > 0) reasons.push(updateReason(diffs, record?.entry.attrs))
  const secret = desired.secret
  const pending = secret !== undefined && record?.entry.secret_pending === true && record.entry.id === live.id
  if (pending) {
    diffs = withDiff(diffs, secretDiff(true))
    reasons.push(`hrep created it but could not set its secret${secret.declared ? '' : '; hrep generates one'}`)
  } else if (secret?.declared && secret.fingerprintMatches !== true) {
    diffs = withDiff(diffs, secretDiff(true))
    reasons.push(secret.fingerprintMatches === false ? 'the declared secret changed' : 'its secret is not yet set by hrep')
  } else if (secret !== undefined && !secret.declared && secret.rotate !== undefined) {
    diffs = withDiff(diffs, secretDiff(true))
    reasons.push(secret.rotate)
  }
  const idMoved = record !== undefined && record.entry.id !== live.id
  if (idMoved) reasons.push(`recreated outside hrep (Harbor id ${record.entry.id} is now ${live.id})`)
  change.diffs = diffs
  change.action = diffs.length > 0 ? 'update' : 'noop'
  change.reason = reasons.join('; ')
  if (importing !== undefined) change.importing = true
  if (change.action === 'noop' && importing === undefined) {
    // Unchanged in Harbor (the common case at scale: no copies unless state lags behind).
    if (record !== undefined && (idMoved || !jsonEqual(record.entry.attrs, desired.attrs))) {
      const after = visibleAttrs(kind, desired.attrs)
      out.drift.push({
        address: desired.address,
        endpoint: desired.endpoint,
        kind: desired.kind,
        key: desired.key,
        action: 'refresh',
        id: live.id,
        before: record.entry.attrs,
        after,
        diffs: diffManaged(kind, after, record.entry.attrs),
        reason: idMoved ? change.reason : 'state records the configuration Harbor already has',
        notable: idMoved,
      })
    }
    return undefined
  }
  change.before = visibleAttrs(kind, live.attrs)
  change.after = visibleAttrs(kind, desired.attrs)
  return draft
}

function conflictOf(desired: DesiredObject, live: LiveObject, managedBy?: string): Conflict {
  const owner = managedBy === undefined ? 'is not managed by hrep' : `is managed by ${managedBy}`
  return {
    address: desired.address,
    endpoint: desired.endpoint,
    kind: desired.kind,
    key: desired.key,
    liveId: live.id,
    message: `${desired.kind} "${desired.key}" already exists on ${desired.endpoint} and ${owner}`,
    importCommand: importCommand(desired.address, desired.endpoint, desired.key),
  }
}

function addDraft(out: EndpointDrafts, draft: Draft | undefined): void {
  if (draft === undefined) return
  out.drafts.push(draft)
  out.byKey.set(kindKey(draft.change.kind, draft.change.key), draft)
  if (draft.removal !== undefined) out.byRemovalKey.set(kindKey(draft.change.kind, draft.removal.key), draft)
}

/** Applies the per-object rules to every desired object and every state entry of one endpoint. */
export function planEndpointObjects(
  world: EndpointWorld,
  kinds: Readonly<Record<string, Kind>>,
  allowDelete: boolean,
): EndpointDrafts {
  const out: EndpointDrafts = {
    drafts: [],
    byKey: new Map(),
    byRemovalKey: new Map(),
    conflicts: new Map(),
    drift: [],
    warnings: [],
  }
  for (const desired of world.desired.values()) {
    const kind = kinds[desired.kind]!
    const id = kindKey(desired.kind, desired.key)
    const live = world.live.get(id)
    const record = world.state.get(desired.address)

    if (record !== undefined && record.key === desired.key) {
      if (live !== undefined) addDraft(out, compareExisting(kind, desired, live, record, undefined, out))
      else addDraft(out, createDraft(kind, desired, 'drift: deleted outside hrep'))
      continue
    }

    if (live !== undefined) {
      // The key is taken on Harbor by an object this address does not manage (yet).
      const other = world.stateByKey.get(id)
      if (other !== undefined && other.address !== desired.address) {
        const from = other.address
        addDraft(out, compareExisting(kind, desired, live, undefined, `moved from ${from} in state`, out))
      } else if (desired.adopt) {
        addDraft(out, compareExisting(kind, desired, live, undefined, 'adopting the existing object', out))
      } else {
        out.conflicts.set(id, {conflict: conflictOf(desired, live), desired, live})
      }
      if (record !== undefined) {
        out.warnings.push({
          message: `${desired.address}@${desired.endpoint} no longer tracks its previous ${desired.kind} "${record.key}", which stays on Harbor`,
          address: desired.address,
          endpoint: desired.endpoint,
        })
      }
      continue
    }

    if (record === undefined) {
      addDraft(out, createDraft(kind, desired, 'not on the endpoint'))
      continue
    }

    // The address is in state under another key: Harbor cannot rename, so replace the old object.
    const oldId = kindKey(record.kind, record.key)
    const oldLive = world.live.get(oldId)
    const claimedBy = world.desired.get(oldId)
    if (oldLive !== undefined && claimedBy === undefined) {
      const draft = createDraft(kind, desired, '')
      draft.change.diffs = markKeyDiffs(kind, desired, oldLive, diffManaged(kind, desired.attrs, oldLive.attrs))
      makeReplace(
        kind,
        draft,
        oldLive,
        `key changes from "${record.key}" to "${desired.key}" (Harbor cannot rename in place)`,
        out.warnings,
      )
      addDraft(out, draft)
    } else if (oldLive !== undefined) {
      addDraft(out, createDraft(kind, desired, `its previous object "${record.key}" is taken over by ${claimedBy!.address}`))
    } else {
      addDraft(out, createDraft(kind, desired, `its previous object "${record.key}" no longer exists`))
    }
  }

  for (const record of world.state.values()) {
    if (world.desiredByAddress.has(record.address)) continue
    const kind = kinds[record.kind]!
    const id = kindKey(record.kind, record.key)
    const claimedBy = world.desired.get(id)
    const live = world.live.get(id)
    if (claimedBy !== undefined) {
      out.drift.push(forget(record, `moved to ${claimedBy.address}`))
    } else if (live === undefined) {
      out.drift.push(forget(record, 'deleted outside hrep'))
    } else if (!allowDelete) {
      out.warnings.push({
        message: `${record.address}@${record.endpoint} is no longer in the configuration, but deletes are not allowed: it stays`,
        address: record.address,
        endpoint: record.endpoint,
        code: 'delete_held',
      })
    } else {
      const change = baseChange(record)
      change.action = 'delete'
      change.before = visibleAttrs(kind, live.attrs)
      change.liveId = live.id
      change.diffs = removalDiffs(change.before)
      change.reason = 'no longer in the configuration'
      if (record.entry.id !== live.id) change.reason += ` (Harbor id ${record.entry.id} is now ${live.id})`
      addDraft(out, {change, removal: live})
    }
  }
  return out
}

/**
 * Marks as forcing the replacement each differing attribute that is part of the key: with its old
 * value put back, the key would differ from the desired one.
 */
function markKeyDiffs(kind: Kind, desired: DesiredObject, old: LiveObject, diffs: AttrDiff[]): AttrDiff[] {
  return diffs.map((diff) => {
    if (diff.forcesReplace) return diff
    let key: string | undefined
    try {
      key = kind.key({...desired.attrs, [diff.path]: old.attrs[diff.path]})
    } catch {
      return diff
    }
    return key === desired.key ? diff : {...diff, forcesReplace: true}
  })
}

/** A state entry to drop: its object is gone from Harbor, or another address took it over. */
export function forget(record: StateRecord, reason: string): StateUpdate {
  return {
    address: record.address,
    endpoint: record.endpoint,
    kind: record.kind,
    key: record.key,
    action: 'forget',
    before: record.entry.attrs as Attrs,
    diffs: [],
    reason,
    notable: true,
  }
}
