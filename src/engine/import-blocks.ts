/**
 * Config-driven import, as Terraform's `import` blocks: `import { to = robot.ci  id = "ci"  endpoint = endpoint.dr }`
 * makes the plan adopt the existing object into the state (an importing no-op, or an importing
 * update when it differs from the declaration) instead of reporting a conflict. Once the address is
 * in the state on that endpoint the block does nothing. An ID that names another object than the
 * declaration is refused by the loader; one naming an object that does not exist, at plan time.
 */
import type {ImportConfig, LoadedConfig} from '../config/model.js'
import type {Kind} from '../kinds/kind.js'
import type {KindName} from '../model/change.js'
import {ConfigError, type Diagnostic} from '../model/errors.js'
import type {LiveSnapshot, StateLike} from '../plan/types.js'

/** The import blocks still to carry out in one plan. */
export interface PendingImports {
  /** Whether the plan adopts the live object for `address` on `endpoint`. */
  adopt(address: string, endpoint: string): boolean
  /** Kinds whose objects the pending blocks import, by endpoint (refresh must read them). */
  reads: Map<string, Set<KindName>>
  /** After refresh: throws a ConfigError naming each block whose object does not exist. */
  check(live: LiveSnapshot): void
}

interface Pending {
  block: ImportConfig
  kind: KindName
  key: string
}

/** The import blocks whose address is not yet in the state on their endpoint (the loader checked their IDs). */
export function pendingImports(config: LoadedConfig, state: StateLike, kinds: Readonly<Record<KindName, Kind>>): PendingImports {
  const pending = new Map<string, Pending>()
  const reads = new Map<string, Set<KindName>>()
  const resources = new Map(config.resources.map((resource) => [resource.address, resource]))
  for (const block of config.imports) {
    if (state.resources[block.to]?.[block.endpoint] !== undefined) continue
    const resource = resources.get(block.to)
    if (resource === undefined || kinds[resource.kind] === undefined) continue // the loader already refused it
    pending.set(`${block.to}@${block.endpoint}`, {block, kind: resource.kind, key: block.key})
    const set = reads.get(block.endpoint) ?? new Set<KindName>()
    set.add(resource.kind)
    reads.set(block.endpoint, set)
  }
  return {
    adopt: (address, endpoint) => pending.has(`${address}@${endpoint}`),
    reads,
    check(live) {
      // One block without `endpoint` covers every endpoint of its resource: it imports wherever the
      // object exists (the others get it created), and fails only when it exists on none of them.
      const blocks = new Map<ImportConfig['range'], {pending: Pending[]; found: number; absent: string[]}>()
      for (const item of pending.values()) {
        const group = blocks.get(item.block.range) ?? {pending: [], found: 0, absent: []}
        blocks.set(item.block.range, group)
        group.pending.push(item)
        const snapshot = live.endpoints[item.block.endpoint]
        // An endpoint that could not be read is reported as unavailable; nothing is planned there.
        if (snapshot?.status !== 'ok') continue
        if (snapshot.objects[item.kind]?.some((object) => object.key === item.key)) group.found++
        else group.absent.push(item.block.endpoint)
      }
      const missing: Diagnostic[] = []
      for (const {pending: items, found, absent} of blocks.values()) {
        if (found > 0 || absent.length === 0) continue
        const {block, kind, key} = items[0]!
        missing.push({
          severity: 'error',
          summary: 'Cannot import an object that does not exist',
          detail: `${kind} "${key}" (id = "${block.id}") does not exist on endpoint ${absent.join(', ')}, so it cannot be imported into ${block.to}. Remove the import block to have hrep create it.`,
          range: block.idRange,
          address: block.to,
        })
      }
      if (missing.length > 0) throw new ConfigError(missing, config.sources)
    },
  }
}
