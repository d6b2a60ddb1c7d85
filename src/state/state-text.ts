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

const headerSchema = stateSchema.omit({resources: true})

/** What `build` made: the text, and the fragments made fresh for it (to `remember` once written). */
export interface BuiltStateText {
  text: string
  fresh: [EndpointEntries, string][]
}

export class StateTextCache {
  readonly #fragments = new WeakMap<EndpointEntries, string>()

  /**
   * The canonical text of `state`, every part of it checked against the state schema first (a new
   * or changed address's entries as the exact bytes to be written, parsed back). Throws an HrepError
   * `not_json` for a value that is not plain JSON, `state_invalid` for anything the next read would refuse.
   */
  build(state: State, file: string): BuiltStateText {
    const header = headerSchema.safeParse({
      version: state.version,
      lineage: state.lineage,
      serial: state.serial,
      hrep_version: state.hrep_version,
    })
    if (!header.success) throw invalid(file, describeIssues(header.error))
    const fresh: [EndpointEntries, string][] = []
    const addresses = Object.keys(state.resources)
      .filter((address) => state.resources[address] !== undefined)
      .sort(compareCodePoints)
    const parts: string[] = []
    for (const address of addresses) {
      const entries = state.resources[address]!
      let fragment = this.#fragments.get(entries)
      if (fragment === undefined) {
        fragment = fragmentOf(address, entries, file)
        fresh.push([entries, fragment])
      }
      parts.push(`    ${JSON.stringify(address)}: ${fragment}`)
    }
    const lines = ['{']
    if (state.hrep_version !== undefined) lines.push(`  "hrep_version": ${JSON.stringify(state.hrep_version)},`)
    lines.push(`  "lineage": ${JSON.stringify(state.lineage)},`)
    lines.push(parts.length === 0 ? '  "resources": {},' : `  "resources": {\n${parts.join(',\n')}\n  },`)
    lines.push(`  "serial": ${JSON.stringify(state.serial)},`, `  "version": ${JSON.stringify(state.version)}`, '}', '')
    return {text: lines.join('\n'), fresh}
  }

  /** Keeps the fragments of a text that was written, for entries objects that are now frozen. */
  remember(fresh: readonly [EndpointEntries, string][]): void {
    for (const [entries, fragment] of fresh) if (Object.isFrozen(entries)) this.#fragments.set(entries, fragment)
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
