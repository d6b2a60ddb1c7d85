/**
 * Saved plan files (`hrep plan --out FILE`, `hrep apply FILE`): the changes to make, the lineage
 * and serial of the state they were computed from and the hash of the configuration, so apply can
 * refuse a stale plan and say what moved. Never a secret: robot secrets appear only as fingerprints.
 * Written atomically with mode 0600, in the same canonical JSON as the state.
 */
import {randomUUID} from 'node:crypto'
import fs from 'node:fs/promises'
import writeFileAtomic from 'write-file-atomic'
import {z} from 'zod'
import {ACTIONS, type Change, KIND_NAMES} from '../model/change.js'
import type {StateUpdate} from '../plan/types.js'
import {HrepError} from '../model/errors.js'
import {FINGERPRINT_PATTERN} from './fingerprint.js'
import {checkVersion} from './format.js'
import {hrepVersion} from './hrep-version.js'
import {canonicalJson, describeIssues, parseJsonText} from './json-text.js'
import type {State} from './schema.js'

/** The plan file format this hrep reads and writes. */
export const PLAN_FORMAT_VERSION = 1

/** Everything `hrep apply FILE` needs besides the configuration (endpoints, credentials, secrets). */
export interface SavedPlan {
  format_version: typeof PLAN_FORMAT_VERSION
  /** Random id of this plan; the apply journal's `begin` entry records it. */
  id: string
  /** ISO time the plan was made. */
  created: string
  hrep_version: string
  /** Lineage and serial of the state the plan was computed from. */
  lineage: string
  serial: number
  /** `LoadedConfig.hash` of the configuration the plan was computed from. */
  config_hash: string
  /** How the plan was made: `--target` addresses and `--refresh-only`. */
  options: {targets: string[]; refresh_only: boolean}
  /** Endpoints that could not be reached while planning (their changes are absent). */
  unavailable: {endpoint: string; message: string}[]
  /** The changes, in the planner's order, with their DAG in `dependsOn`. */
  changes: Change[]
  /** Changes to the state alone (`PlanResult.drift`): entries to refresh from live or to forget. */
  drift: StateUpdate[]
  /**
   * Fingerprints of the declared robot secrets the plan was made with, by change id (`robot.ci@dr`),
   * so apply can refuse when a declared secret changed since planning. Fingerprints only.
   */
  secret_fingerprints: Record<string, string>
}

const attrsSchema = z.record(z.string(), z.unknown())

// `before`/`after` are absent in the file when undefined in memory (a create has no before).
const attrDiffSchema = z.object({
  path: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  forcesReplace: z.boolean().optional(),
  sensitive: z.boolean().optional(),
})

/** A Change as stored in a plan file (see src/model/change.ts). */
export const changeSchema = z.object({
  id: z.string().min(1),
  address: z.string().min(1),
  endpoint: z.string().min(1),
  kind: z.enum(KIND_NAMES),
  key: z.string(),
  action: z.enum(ACTIONS),
  before: attrsSchema.optional(),
  after: attrsSchema.optional(),
  liveId: z.string().optional(),
  diffs: z.array(attrDiffSchema),
  reason: z.string(),
  importing: z.boolean().optional(),
  dependsOn: z.array(z.string()),
})

/** A StateUpdate as stored in a plan file (see src/plan/types.ts). */
export const stateUpdateSchema = z.object({
  address: z.string().min(1),
  endpoint: z.string().min(1),
  kind: z.enum(KIND_NAMES),
  key: z.string(),
  action: z.enum(['refresh', 'forget']),
  id: z.string().optional(),
  before: attrsSchema.optional(),
  after: attrsSchema.optional(),
  diffs: z.array(attrDiffSchema),
  reason: z.string(),
  notable: z.boolean(),
})

const savedPlanSchema = z.object({
  format_version: z.literal(PLAN_FORMAT_VERSION),
  id: z.string().min(1),
  created: z.string(),
  hrep_version: z.string(),
  lineage: z.string().min(1),
  serial: z.number().int().nonnegative(),
  config_hash: z.string().min(1),
  options: z.object({targets: z.array(z.string()), refresh_only: z.boolean()}),
  unavailable: z.array(z.object({endpoint: z.string(), message: z.string()})),
  changes: z.array(changeSchema),
  drift: z.array(stateUpdateSchema),
  secret_fingerprints: z.record(z.string(), z.string().regex(FINGERPRINT_PATTERN)),
})

/** What a plan is made from; `createSavedPlan` adds the id, time and versions. */
export interface SavedPlanInput {
  state: Pick<State, 'lineage' | 'serial'>
  configHash: string
  changes: readonly Change[]
  drift?: readonly StateUpdate[]
  targets?: readonly string[]
  refreshOnly?: boolean
  unavailable?: readonly {endpoint: string; message: string}[]
  secretFingerprints?: Readonly<Record<string, string>>
}

/** A saved plan for `input`, stamped with a fresh id, the current time and this hrep's version. */
export function createSavedPlan(input: SavedPlanInput): SavedPlan {
  return {
    format_version: PLAN_FORMAT_VERSION,
    id: randomUUID(),
    created: new Date().toISOString(),
    hrep_version: hrepVersion(),
    lineage: input.state.lineage,
    serial: input.state.serial,
    config_hash: input.configHash,
    options: {targets: [...(input.targets ?? [])], refresh_only: input.refreshOnly ?? false},
    unavailable: [...(input.unavailable ?? [])],
    changes: [...input.changes],
    drift: [...(input.drift ?? [])],
    secret_fingerprints: {...input.secretFingerprints},
  }
}

/**
 * Writes a plan file atomically (temp file, fsync, rename) with mode 0600. The content is validated
 * first, and anything that is not plain JSON (a `Secret` object included) is refused, so a bad
 * plan never replaces a good file.
 */
export async function writePlanFile(path: string, plan: SavedPlan): Promise<void> {
  const text = canonicalJson(plan)
  const checked = savedPlanSchema.safeParse(JSON.parse(text))
  if (!checked.success)
    throw new HrepError('plan_invalid', `refusing to write the plan ${path}: ${describeIssues(checked.error)}`)
  await writeFileAtomic(path, text, {fsync: true, mode: 0o600}).catch((error: Error) => {
    throw new HrepError('plan_write_failed', `cannot write the plan file ${path}: ${error.message}`)
  })
}

/** Reads and validates a plan file; any problem is an HrepError naming the file and what is wrong. */
export async function readPlanFile(path: string): Promise<SavedPlan> {
  let text: string
  try {
    text = await fs.readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${(error as Error).message})`
    throw new HrepError('plan_unreadable', `the plan file ${path} ${why}`)
  }
  return parsePlanText(text, path)
}

/** `readPlanFile` on text already in memory; `file` names it in messages. */
export function parsePlanText(text: string, file: string): SavedPlan {
  if (text.trim() === '') throw new HrepError('plan_corrupt', `the plan file ${file} is empty`)
  const data = parseJsonText(text, file, 'plan_corrupt', 'the plan file')
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HrepError('plan_corrupt', `${file} is not an hrep plan file (it does not hold a JSON object)`)
  }
  const record = data as Record<string, unknown>
  if (!('format_version' in record)) {
    const looksLikeState = 'lineage' in record && 'resources' in record
    throw new HrepError(
      'plan_corrupt',
      looksLikeState
        ? `${file} is a state file, not a saved plan (make one with hrep plan --out FILE)`
        : `${file} is not an hrep plan file (it has no "format_version")`,
    )
  }
  checkVersion(record, {
    file,
    what: 'plan file',
    supported: PLAN_FORMAT_VERSION,
    corruptCode: 'plan_corrupt',
    field: 'format_version',
  })
  const result = savedPlanSchema.safeParse(record)
  if (!result.success) throw new HrepError('plan_corrupt', `the plan file ${file} is damaged: ${describeIssues(result.error)}`)
  return result.data as SavedPlan
}

/** What moved between a saved plan and now. Empty `moved` means the plan can be applied. */
export interface PlanFreshness {
  fresh: boolean
  moved: {
    lineage?: {plan: string; state: string}
    serial?: {plan: number; state: number}
    config?: {plan: string; current: string}
  }
  /** One sentence per thing that moved, for the "stale plan" message; empty when fresh. */
  reasons: string[]
}

/**
 * Compares a saved plan with the state and configuration it is about to be applied to. A plan made
 * before any state existed (serial 0) still fits a state that was never written (serial 0), whatever
 * the lineages, since an unwritten state's lineage is not kept.
 */
export function checkPlanFresh(plan: SavedPlan, state: Pick<State, 'lineage' | 'serial'>, configHash: string): PlanFreshness {
  const moved: PlanFreshness['moved'] = {}
  const reasons: string[] = []
  const bothUnwritten = plan.serial === 0 && state.serial === 0
  // A plan made before any state existed carries the lineage of a state that was never written.
  const madeBeforeState = plan.serial === 0 && state.serial > 0
  if (plan.lineage !== state.lineage && !bothUnwritten && !madeBeforeState) {
    moved.lineage = {plan: plan.lineage, state: state.lineage}
    reasons.push(`it was made for a different state (lineage ${plan.lineage}; this state's lineage is ${state.lineage})`)
  } else if (plan.serial !== state.serial) {
    moved.serial = {plan: plan.serial, state: state.serial}
    reasons.push(`the state changed after it was made (serial ${plan.serial} then, ${state.serial} now)`)
  }
  if (plan.config_hash !== configHash) {
    moved.config = {plan: plan.config_hash, current: configHash}
    reasons.push('the configuration changed after it was made')
  }
  return {fresh: reasons.length === 0, moved, reasons}
}

/** Throws an HrepError (`plan_stale`) saying what moved when the plan cannot be applied as is. */
export function assertPlanFresh(
  plan: SavedPlan,
  state: Pick<State, 'lineage' | 'serial'>,
  configHash: string,
  file = 'the saved plan',
): void {
  const freshness = checkPlanFresh(plan, state, configHash)
  if (!freshness.fresh) {
    throw new HrepError('plan_stale', `${file} is stale: ${freshness.reasons.join('; ')}. Run hrep plan again.`)
  }
}
