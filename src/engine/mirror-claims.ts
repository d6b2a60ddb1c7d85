/**
 * The claimed-twice check: one object on one endpoint is answered for by one block, a replicate
 * block or a declared resource, and a resource block may not share a replicate block's addresses.
 * Collects every clash, then throws one ConfigError naming both places of each.
 */
import type {DesiredResource, ReplicateConfig} from '../config/model.js'
import {ConfigError, type Diagnostic, formatRange, type SourceRange} from '../model/errors.js'
import type {DesiredObject} from '../plan/types.js'
import {SHOWN} from './mirror-notes.js'

/** Who claims each (endpoint, kind, key), to report an object claimed twice with both places. */
export class Claims {
  private readonly owners = new Map<string, {label: string; range?: SourceRange}>()
  private readonly diagnostics: Diagnostic[] = []
  private readonly resources: readonly DesiredResource[]

  constructor(resources: readonly DesiredResource[], declared: readonly DesiredObject[]) {
    this.resources = resources
    const ranges = new Map(resources.map((resource) => [resource.address, resource.range]))
    for (const object of declared) {
      this.owners.set(`${object.endpoint}\u0000${object.kind}\u0000${object.key}`, {
        label: object.address,
        range: ranges.get(object.address),
      })
    }
  }

  /** A resource block named like the replicate block would share its addresses. */
  checkNames(replicate: ReplicateConfig): void {
    const clash = this.resources.find(
      (resource) =>
        replicate.kinds.includes(resource.kind) && addressBlock(resource.address) === `${resource.kind}.${replicate.name}`,
    )
    if (clash === undefined) return
    this.diagnostics.push({
      severity: 'error',
      summary: `replicate "${replicate.name}" and ${addressBlock(clash.address)} share their addresses`,
      detail: `Mirrored ${clash.kind} objects are addressed ${clash.kind}.${replicate.name}["<key>"], which ${addressBlock(clash.address)} at ${formatRange(clash.range)} also uses. Rename one of the two blocks.`,
      range: replicate.range,
    })
  }

  /** Records that `replicate` mirrors `object`; a second owner of its (endpoint, kind, key) is a clash. */
  claim(object: DesiredObject, replicate: ReplicateConfig): void {
    const id = `${object.endpoint}\u0000${object.kind}\u0000${object.key}`
    const label = `replicate "${replicate.name}"`
    const owner = this.owners.get(id)
    if (owner === undefined) {
      this.owners.set(id, {label, range: replicate.range})
      return
    }
    if (owner.label === label) return
    const where = owner.range === undefined ? '' : ` at ${formatRange(owner.range)}`
    const verb = owner.label.startsWith('replicate ') ? 'mirrors it too' : 'declares it'
    this.diagnostics.push({
      severity: 'error',
      summary: `${object.kind} "${object.key}" on endpoint ${object.endpoint} is claimed twice`,
      detail: `${label} at ${formatRange(replicate.range)} mirrors it from ${replicate.from}, and ${owner.label}${where} ${verb}. Leave it to one of them: add it to the replicate block's exclude patterns, or remove the other.`,
      range: replicate.range,
      address: object.address,
    })
  }

  /** Throws one ConfigError with the first clashes (and how many more) when there is any. */
  throwIfAny(sources: Record<string, string>): void {
    if (this.diagnostics.length === 0) return
    const shown = this.diagnostics.slice(0, SHOWN)
    if (this.diagnostics.length > SHOWN) {
      shown.push({severity: 'error', summary: `and ${this.diagnostics.length - SHOWN} more objects claimed twice`})
    }
    throw new ConfigError(shown, sources)
  }
}

/** `robot.ci["x"]` → `robot.ci`. */
function addressBlock(address: string): string {
  const bracket = address.indexOf('[')
  return bracket < 0 ? address : address.slice(0, bracket)
}
