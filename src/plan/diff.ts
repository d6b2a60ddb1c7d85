/**
 * The attribute-level diff of one object: which managed attributes differ, which of them force a
 * replacement, and the secret marker. Pure; used by the planner for every desired object.
 */
import type {Kind} from '../kinds/kind.js'
import type {AttrDiff, Attrs} from '../model/change.js'
import {SENSITIVE} from '../model/secret.js'
import {jsonEqual} from './equal.js'

/** The attribute under which a robot's secret shows in diffs. */
export const SECRET_ATTR = 'secret'

/** A shallow copy of `attrs` without sensitive attributes and without undefined values. */
export function visibleAttrs(kind: Pick<Kind, 'sensitive'>, attrs: Attrs): Attrs {
  const out: Attrs = {}
  for (const key of Object.keys(attrs)) {
    if (attrs[key] !== undefined && !kind.sensitive.includes(key)) out[key] = attrs[key]
  }
  return out
}

/**
 * The managed attributes that differ between desired and live, sorted by name. Only attributes
 * present in `desired` are compared: an absent one is not managed. Attributes the kind lists in
 * `replaceOn` carry `forcesReplace`.
 */
export function diffManaged(kind: Pick<Kind, 'sensitive' | 'replaceOn'>, desired: Attrs, live: Attrs): AttrDiff[] {
  const diffs: AttrDiff[] = []
  for (const path of Object.keys(desired)) {
    const after = desired[path]
    if (after === undefined || kind.sensitive.includes(path)) continue
    const before = live[path]
    if (jsonEqual(before, after)) continue
    const diff: AttrDiff = {path, before, after}
    if (kind.replaceOn.includes(path)) diff.forcesReplace = true
    diffs.push(diff)
  }
  return diffs.length > 1 ? diffs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) : diffs
}

/** Every visible attribute of a new object, as diffs from nothing (how a create is shown). */
export function creationDiffs(attrs: Attrs): AttrDiff[] {
  return Object.keys(attrs)
    .sort()
    .map((path) => ({path, before: undefined, after: attrs[path]}))
}

/** Every visible attribute of a removed object, as diffs to nothing (how a delete is shown). */
export function removalDiffs(attrs: Attrs): AttrDiff[] {
  return Object.keys(attrs)
    .sort()
    .map((path) => ({path, before: attrs[path], after: undefined}))
}

/**
 * The marker diff of a robot secret that will be set: values are the `(sensitive)` placeholder,
 * never the secret. `hadOne` says whether the object already has a secret (an update, not a create).
 */
export function secretDiff(hadOne: boolean): AttrDiff {
  return {path: SECRET_ATTR, before: hadOne ? SENSITIVE : undefined, after: SENSITIVE, sensitive: true}
}

/** Inserts `diff` keeping `diffs` sorted by path (diffs are small: a linear insert is fine). */
export function withDiff(diffs: readonly AttrDiff[], diff: AttrDiff): AttrDiff[] {
  const out = diffs.filter((d) => d.path !== diff.path)
  const at = out.findIndex((d) => d.path > diff.path)
  if (at < 0) out.push(diff)
  else out.splice(at, 0, diff)
  return out
}

/**
 * Why a managed object differs, from where each differing attribute moved: the config (state still
 * equals live) or Harbor (state still equals the config), or both. Text for people only.
 */
export function updateReason(diffs: readonly AttrDiff[], stateAttrs: Attrs | undefined): string {
  if (stateAttrs === undefined) return 'differs from the configuration'
  let drifted = false
  let configured = false
  for (const diff of diffs) {
    if (diff.sensitive) continue
    const recorded = stateAttrs[diff.path]
    if (jsonEqual(recorded, diff.after)) drifted = true
    else if (jsonEqual(recorded, diff.before)) configured = true
    else {
      drifted = true
      configured = true
    }
  }
  const parts: string[] = []
  if (configured) parts.push('configuration changed')
  if (drifted) parts.push('drift: changed outside hrep')
  return parts.join('; ')
}
