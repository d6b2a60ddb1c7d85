/**
 * The state file's shape: what hrep manages, by resource address and endpoint, with Harbor's id,
 * the natural key and the last applied attributes. The zod schema is the one gate every state read
 * passes; the TypeScript types are readonly because a State is an immutable snapshot (change it
 * only through the pure helpers in state.ts). Any new field bumps STATE_FORMAT_VERSION.
 */
import {z} from 'zod'
import {NAME_PATTERN, baseAddress, formatAddress, parseAddress} from '../model/address.js'
import {type Attrs, KIND_NAMES, type KindName} from '../model/change.js'
import {FINGERPRINT_PATTERN} from './fingerprint.js'

/** The state format this hrep reads and writes. A file with a higher `version` is refused. */
export const STATE_FORMAT_VERSION = 1

/** What hrep knows about one managed object on one endpoint. */
export interface StateEntry {
  /** Harbor's id of the object on this endpoint (ids differ between endpoints). */
  readonly id: string
  /** The object's natural key on the endpoint (its name; `team+ci` for a project robot, see each kind). */
  readonly key: string
  /** The normalised attributes hrep last applied or imported (never a secret). */
  readonly attrs: Readonly<Attrs>
  /** scrypt fingerprint of the robot secret hrep set (see fingerprint.ts); never the secret itself. */
  readonly secret_fp?: string
  /**
   * hrep created this robot but could not set its secret (the PATCH failed, or the run was killed
   * before it could tell): nobody knows the robot's secret, so the next plan sets one.
   */
  readonly secret_pending?: true
}

/** One resource address's objects, by endpoint name. Never empty in a State. */
export type EndpointEntries = Readonly<Record<string, StateEntry>>

/** Everything in the state file. */
export interface State {
  readonly version: typeof STATE_FORMAT_VERSION
  /** Set when a state is first created and never changed; tells two unrelated states apart. */
  readonly lineage: string
  /** Goes up by one with every write that changes `resources`; 0 = never written. */
  readonly serial: number
  /** The hrep that last wrote the file (tells a user which hrep reads a newer format). */
  readonly hrep_version?: string
  /** By resource address without endpoint (`project.team["payments"]`), then by endpoint name. */
  readonly resources: Readonly<Record<string, EndpointEntries>>
}

/** The kind named by a state address (`robot.ci` → `robot`); undefined when it names no known kind. */
export function kindOfAddress(address: string): KindName | undefined {
  const kind = address.slice(0, address.indexOf('.'))
  return (KIND_NAMES as readonly string[]).includes(kind) ? (kind as KindName) : undefined
}

/** Why `address` cannot be a key of `resources`, or undefined when it can. */
export function stateAddressProblem(address: string): string | undefined {
  try {
    const parsed = parseAddress(address)
    if (parsed.endpoint !== undefined || baseAddress(address) !== address) {
      return 'a state address has no "@endpoint" part (endpoints are the keys inside it)'
    }
    if (formatAddress(parsed) !== address) return `not in canonical form (expected ${formatAddress(parsed)})`
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
  if (kindOfAddress(address) === undefined) return `unknown kind (expected one of ${KIND_NAMES.join(', ')})`
  return undefined
}

const addressKey = z.string().superRefine((address, ctx) => {
  const problem = stateAddressProblem(address)
  if (problem !== undefined) ctx.addIssue({code: 'custom', message: `invalid address "${address}": ${problem}`})
})

const endpointKey = z.string().regex(NAME_PATTERN, 'an endpoint name (letters, digits, "_" and "-")')

/** One entry; strict, so a misspelt field in a hand-edited file is reported, not dropped. */
export const stateEntrySchema = z.strictObject({
  id: z.string().min(1, 'Harbor id must not be empty'),
  key: z.string().min(1, 'key must not be empty'),
  // JSON.parse only ever yields JSON values, so the attributes need no deeper (and costly) check.
  attrs: z.record(z.string(), z.unknown()),
  secret_fp: z.string().regex(FINGERPRINT_PATTERN, 'an scrypt fingerprint (scrypt:N=..,r=..,p=..:salt:hash)').optional(),
  secret_pending: z.literal(true).optional(),
})

/** One address's objects by endpoint (the value under an address in `resources`). */
export const endpointEntriesSchema = z.record(endpointKey, stateEntrySchema)

/** The whole file, once its `version` is known to be STATE_FORMAT_VERSION. */
export const stateSchema = z.strictObject({
  version: z.literal(STATE_FORMAT_VERSION),
  lineage: z.string().min(1, 'lineage must not be empty'),
  serial: z.number().int().nonnegative(),
  hrep_version: z.string().optional(),
  resources: z.record(addressKey, endpointEntriesSchema),
})
