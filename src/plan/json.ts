/**
 * The documented machine-readable plan (`hrep plan --json`, docs/plan.md). snake_case fields, absent
 * values as null, `format_version` bumped on any incompatible change. Never holds a secret: sensitive
 * diffs carry the `(sensitive)` placeholder and any Secret that slipped into attributes is replaced.
 */
import type {AttrDiff, Attrs, Change} from '../model/change.js'
import {summarize, type PlanSummary} from '../model/change.js'
import {isSecret, SENSITIVE} from '../model/secret.js'
import {hasChanges} from './planner.js'
import type {PlanResult, StateUpdate} from './types.js'

/** Bumped when a field changes meaning or is removed; new fields may appear within a version. */
export const PLAN_FORMAT_VERSION = '1'

/** One attribute diff; sensitive values are the `(sensitive)` placeholder, absent ones null. */
export interface JsonAttrDiff {
  path: string
  before: unknown
  after: unknown
  forces_replace: boolean
  sensitive: boolean
}

/** One change to Harbor (see docs/plan.md for each field). */
export interface JsonChange {
  id: string
  address: string
  endpoint: string
  kind: string
  key: string
  action: Change['action']
  importing: boolean
  live_id: string | null
  before: Attrs | null
  after: Attrs | null
  diffs: JsonAttrDiff[]
  reason: string
  depends_on: string[]
}

/** One change to the state alone: `refresh` records `id`/`after`, `forget` drops the entry. */
export interface JsonStateUpdate {
  address: string
  endpoint: string
  kind: string
  key: string
  action: StateUpdate['action']
  id: string | null
  before: Attrs | null
  after: Attrs | null
  diffs: JsonAttrDiff[]
  reason: string
  notable: boolean
}

/** The whole `hrep plan --json` document. */
export interface JsonPlan {
  format_version: string
  refresh_only: boolean
  /** The state the plan was computed from, when the caller knows it. */
  state: {lineage: string; serial: number} | null
  config_hash: string | null
  has_changes: boolean
  summary: PlanSummary
  changes: JsonChange[]
  drift: JsonStateUpdate[]
  conflicts: {
    address: string
    endpoint: string
    kind: string
    key: string
    live_id: string
    message: string
    import_command: string
  }[]
  unavailable: {endpoint: string; message: string}[]
  warnings: {message: string; address: string | null; endpoint: string | null}[]
  /** Mirror mode: objects on a target its source lacks, left alone because prune = false. */
  unmanaged: {endpoint: string; kind: string; key: string; live_id: string; replicate: string; released: string | null}[]
}

/** A JSON-safe deep copy: Secrets become the placeholder, undefined object members are dropped. */
function scrub(value: unknown): unknown {
  if (isSecret(value)) return SENSITIVE
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : scrub(v)))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = scrub(v)
    return out
  }
  return value === undefined ? null : value
}

function attrs(value: Attrs | undefined): Attrs | null {
  return value === undefined ? null : (scrub(value) as Attrs)
}

function diffs(list: readonly AttrDiff[]): JsonAttrDiff[] {
  return list.map((d) => ({
    path: d.path,
    before: d.sensitive ? (d.before === undefined ? null : SENSITIVE) : scrub(d.before),
    after: d.sensitive ? (d.after === undefined ? null : SENSITIVE) : scrub(d.after),
    forces_replace: d.forcesReplace === true,
    sensitive: d.sensitive === true,
  }))
}

/** Builds the JSON plan of `result`; `meta` adds the state identity and config hash when known. */
export function toJsonPlan(
  result: PlanResult,
  meta: {state?: {lineage: string; serial: number}; configHash?: string} = {},
): JsonPlan {
  return {
    format_version: PLAN_FORMAT_VERSION,
    refresh_only: result.refreshOnly,
    state: meta.state === undefined ? null : {lineage: meta.state.lineage, serial: meta.state.serial},
    config_hash: meta.configHash ?? null,
    has_changes: hasChanges(result),
    summary: summarize(result.changes),
    changes: result.changes.map((c) => ({
      id: c.id,
      address: c.address,
      endpoint: c.endpoint,
      kind: c.kind,
      key: c.key,
      action: c.action,
      importing: c.importing === true,
      live_id: c.liveId ?? null,
      before: attrs(c.before),
      after: attrs(c.after),
      diffs: diffs(c.diffs),
      reason: c.reason,
      depends_on: [...c.dependsOn],
    })),
    drift: result.drift.map((d) => ({
      address: d.address,
      endpoint: d.endpoint,
      kind: d.kind,
      key: d.key,
      action: d.action,
      id: d.id ?? null,
      before: attrs(d.before),
      after: attrs(d.after),
      diffs: diffs(d.diffs),
      reason: d.reason,
      notable: d.notable,
    })),
    conflicts: result.conflicts.map((c) => ({
      address: c.address,
      endpoint: c.endpoint,
      kind: c.kind,
      key: c.key,
      live_id: c.liveId,
      message: c.message,
      import_command: c.importCommand,
    })),
    unavailable: result.unavailable.map((u) => ({endpoint: u.endpoint, message: u.message})),
    warnings: result.warnings.map((w) => ({message: w.message, address: w.address ?? null, endpoint: w.endpoint ?? null})),
    unmanaged: (result.unmanaged ?? []).map((u) => ({
      endpoint: u.endpoint,
      kind: u.kind,
      key: u.key,
      live_id: u.liveId,
      replicate: u.owner,
      released: u.released ?? null,
    })),
  }
}
