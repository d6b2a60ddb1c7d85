/**
 * The state file's text, assembled from the text of each address's entries. The text of an address
 * whose entries are unchanged since an earlier write is reused, so a write during a long apply
 * (which changes a few hundred of 50,000 entries) serialises and validates only what changed, and
 * the rest costs one string join. The result is byte for byte `serializeState(state)`.
 *
 * Reuse is keyed by the identity of an address's entries object, which the pure helpers of state.ts
 * share between snapshots when they do not touch it. Only objects that the store has deep-frozen
 * after writing them are remembered, so a remembered text can never go stale.
 */
import {HrepError} from '../model/errors.js'
import {canonicalJson, compareCodePoints, describeIssues} from './json-text.js'
import {type EndpointEntries, endpointEntriesSchema, type State, stateAddressProblem, stateSchema} from './schema.js'

/** An address's value sits two levels deep in the file: `{ "resources": { "<address>": ...`. */
const NESTED = '\n    '
const SEPARATOR = Buffer.from(',\n')
// Code-unit order equals code-point order unless a key holds a surrogate or U+E000..U+FFFF.
const NOT_BMP_SAFE = /[\uD800-\uFFFF]/

const headerSchema = stateSchema.omit({resources: true})

/** One address's line of the file (`    "<address>": {...}`, UTF-8), with the address it was made for. */
interface Line {
  address: string
  bytes: Buffer
}

/** What `build` made: the file's bytes, and the lines made fresh for it (to `remember` once written). */
export interface BuiltStateText {
  bytes: Buffer
  fresh: [EndpointEntries, Line][]
}

export class StateTextCache {
  readonly #lines = new WeakMap<EndpointEntries, Line>()

  /**
   * The canonical text of `state` as UTF-8, every part of it checked against the state schema first
   * (a new or changed address's entries as the exact bytes to be written, parsed back). Throws an
   * HrepError `not_json` for a value that is not plain JSON, `state_invalid` for anything the next
   * read would refuse.
   */
  build(state: State, file: string): BuiltStateText {
    const header = headerSchema.safeParse({
      version: state.version,
      lineage: state.lineage,
      serial: state.serial,
      hrep_version: state.hrep_version,
    })
    if (!header.success) throw invalid(file, describeIssues(header.error))
    const fresh: [EndpointEntries, Line][] = []
    const addresses = Object.keys(state.resources).filter((address) => state.resources[address] !== undefined)
    if (addresses.some((address) => NOT_BMP_SAFE.test(address))) addresses.sort(compareCodePoints)
    else addresses.sort()
    const chunks: Buffer[] = []
    let head = '{\n'
    if (state.hrep_version !== undefined) head += `  "hrep_version": ${JSON.stringify(state.hrep_version)},\n`
    head += `  "lineage": ${JSON.stringify(state.lineage)},\n`
    const tail = `  "serial": ${JSON.stringify(state.serial)},\n  "version": ${JSON.stringify(state.version)}\n}\n`
    if (addresses.length === 0) return {bytes: Buffer.from(`${head}  "resources": {},\n${tail}`), fresh}
    chunks.push(Buffer.from(`${head}  "resources": {\n`))
    for (const [index, address] of addresses.entries()) {
      const entries = state.resources[address]!
      let line = this.#lines.get(entries)
      if (line === undefined || line.address !== address) {
        line = {address, bytes: Buffer.from(`    ${JSON.stringify(address)}: ${fragmentOf(address, entries, file)}`)}
        fresh.push([entries, line])
      }
      if (index > 0) chunks.push(SEPARATOR)
      chunks.push(line.bytes)
    }
    chunks.push(Buffer.from(`\n  },\n${tail}`))
    return {bytes: Buffer.concat(chunks), fresh}
  }

  /** Keeps the lines of a text that was written, for entries objects that are now frozen. */
  remember(fresh: readonly [EndpointEntries, Line][]): void {
    for (const [entries, line] of fresh) if (Object.isFrozen(entries)) this.#lines.set(entries, line)
  }
}

/** The text of one address's entries at its depth in the file, checked as the next read will check it. */
function fragmentOf(address: string, entries: EndpointEntries, file: string): string {
  const at = ['resources', address]
  const problem = stateAddressProblem(address)
  if (problem !== undefined) throw invalid(file, `${describeAt(at)}: invalid address "${address}": ${problem}`)
  const text = canonicalJson(entries, {trailingNewline: false, at})
  const checked = endpointEntriesSchema.safeParse(JSON.parse(text))
  if (!checked.success) throw invalid(file, describeIssues(checked.error, at))
  return text.replaceAll('\n', NESTED)
}

function describeAt(at: readonly string[]): string {
  return `resources[${JSON.stringify(at[1])}]`
}

function invalid(file: string, why: string): HrepError {
  return new HrepError('state_invalid', `refusing to write ${file}: the new state is invalid: ${why}`)
}
