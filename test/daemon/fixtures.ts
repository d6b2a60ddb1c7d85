/** Small builders for daemon unit tests: changes and cycle reports. */
import {type CycleReport, emptyReport} from '../../src/daemon/report.js'
import type {Change} from '../../src/model/change.js'

/** A change with the fields the daemon reads; `id` follows `address@endpoint`. */
export function change(address: string, endpoint: string, fields: Partial<Change> = {}): Change {
  return {
    id: `${address}@${endpoint}`,
    address,
    endpoint,
    kind: address.slice(0, address.indexOf('.')) as Change['kind'],
    key: address,
    action: 'create',
    diffs: [],
    reason: '',
    dependsOn: [],
    ...fields,
  }
}

/** A finished cycle over `endpoints` (all read unless listed in `unavailable`), with overrides. */
export function report(endpoints: string[], fields: Partial<CycleReport> & {unavailable?: string[]} = {}): CycleReport {
  const {unavailable = [], ...rest} = fields
  const base = emptyReport(1, new Date(), endpoints)
  base.endpoints = endpoints.map((name) => ({name, available: !unavailable.includes(name)}))
  base.status = 'success'
  return {...base, ...rest}
}
