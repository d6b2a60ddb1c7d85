/**
 * Fans the config's resources out to their endpoints as the planner's DesiredObjects. Pure; the
 * engine passes in what needs I/O or CPU (whether a declared robot secret matches the state's
 * scrypt fingerprint) as a lookup.
 */
import type {DesiredResource} from '../config/model.js'
import type {Kind} from '../kinds/kind.js'
import type {KindName} from '../model/change.js'
import {HrepError} from '../model/errors.js'
import {SECRET_ATTR} from './diff.js'
import type {DesiredObject} from './types.js'

export interface ExpandOptions {
  /**
   * Whether the declared secret of `address` matches the state's `secret_fp` on `endpoint`;
   * undefined when state has no fingerprint there. Called only for resources that declare a secret.
   */
  secretMatches?: (address: string, endpoint: string) => boolean | undefined
  /** Whether to adopt an unmanaged live object with the same key (mirror mode, import blocks). */
  adopt?: (address: string, endpoint: string) => boolean
}

/** One DesiredObject per resource instance and endpoint, in config order. */
export function expandDesired(
  resources: readonly DesiredResource[],
  kinds: Readonly<Record<KindName, Kind>>,
  options: ExpandOptions = {},
): DesiredObject[] {
  const out: DesiredObject[] = []
  for (const resource of resources) {
    const kind = kinds[resource.kind]
    if (kind === undefined) throw new HrepError('kind_unknown', `${resource.address}: unknown kind "${resource.kind}"`)
    const key = kind.key(resource.attrs)
    const hasSecret = kind.sensitive.includes(SECRET_ATTR)
    const declared = resource.secrets[SECRET_ATTR] !== undefined
    for (const endpoint of resource.endpoints) {
      const object: DesiredObject = {
        address: resource.address,
        endpoint,
        kind: resource.kind,
        key,
        attrs: resource.attrs,
        references: resource.references,
      }
      if (hasSecret) {
        object.secret = {declared}
        if (declared) {
          const matches = options.secretMatches?.(resource.address, endpoint)
          if (matches !== undefined) object.secret.fingerprintMatches = matches
        }
      }
      if (options.adopt?.(resource.address, endpoint)) object.adopt = true
      out.push(object)
    }
  }
  return out
}
