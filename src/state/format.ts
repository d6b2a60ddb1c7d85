/**
 * State file text ↔ State. Writing gives the canonical text (sorted keys at every level, two-space
 * indent, one trailing newline: `jq -S .` of the file gives the same bytes); reading checks the
 * format version first, then the schema, and reports any problem as an HrepError naming the file.
 */
import {HrepError} from '../model/errors.js'
import {canonicalJson, describeIssues, parseJsonText} from './json-text.js'
import {quickStateCheck} from './quick-check.js'
import {STATE_FORMAT_VERSION, type State, stateSchema} from './schema.js'

/** The canonical file text of a state. Throws an HrepError for any value that is not plain JSON. */
export function serializeState(state: State): string {
  return canonicalJson(state)
}

/**
 * Parses and validates state file text; `file` is used in messages. Refuses a newer format with a
 * message naming the hrep that wrote it, and reports JSON errors by line:column and schema errors
 * by path. Address maps left empty by a hand edit are dropped.
 */
export function parseState(text: string, file: string): State {
  if (text.trim() === '') {
    throw new HrepError(
      'state_corrupt',
      `state file ${file} is empty. Restore it from ${file}.backup or from version control; delete it only if hrep manages nothing yet.`,
    )
  }
  let data: unknown
  try {
    data = parseJsonText(text, file, 'state_corrupt', 'the state file')
  } catch (error) {
    throw new HrepError(
      'state_corrupt',
      `${(error as Error).message}. The previous version is in ${file}.backup (or in version control); see docs/state.md, "Recovery".`,
    )
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HrepError('state_corrupt', `state file ${file} does not hold a JSON object`)
  }
  const record = data as Record<string, unknown>
  checkVersion(record, {file, what: 'state file', supported: STATE_FORMAT_VERSION, corruptCode: 'state_corrupt'})
  // The quick check answers for a valid file; the schema names what is wrong with any other.
  const result = quickStateCheck(record)
    ? {success: true as const, data: record as unknown as State}
    : stateSchema.safeParse(record)
  if (!result.success) {
    throw new HrepError('state_corrupt', `state file ${file} is not a valid hrep state: ${describeIssues(result.error)}`)
  }
  const resources = result.data.resources as Record<string, Record<string, unknown>>
  for (const address of Object.keys(resources)) if (Object.keys(resources[address]!).length === 0) delete resources[address]
  return result.data as State
}

/**
 * Refuses a file written in a format newer than `supported`, naming the hrep that wrote it (from its
 * `hrep_version` field) and the format this hrep reads. Shared by the state and plan readers.
 */
export function checkVersion(
  record: Record<string, unknown>,
  options: {file: string; what: string; supported: number; corruptCode: string; field?: string},
): void {
  const {file, what, supported} = options
  const field = options.field ?? 'version'
  const version = record[field]
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new HrepError(options.corruptCode, `${what} ${file} has no valid "${field}" field (expected ${supported})`)
  }
  if (version > supported) {
    const writer = typeof record.hrep_version === 'string' ? `hrep ${record.hrep_version}` : 'a newer hrep'
    throw new HrepError(
      'format_too_new',
      `${what} ${file} uses format version ${version}, written by ${writer}; this hrep reads version ${supported} only. ` +
        `Use ${typeof record.hrep_version === 'string' ? `hrep ${record.hrep_version} or later` : 'a newer hrep'}.`,
    )
  }
}
