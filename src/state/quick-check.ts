/**
 * A fast yes/no check of parsed state file data against the rules of `stateSchema`, for the common
 * case of a valid file: at 50,000 entries zod's parse took longer than `JSON.parse` itself. It accepts
 * only what the schema accepts; anything else (or anything it is unsure of) answers false, and the
 * caller then runs the schema for its precise message. Kept next to the schema it mirrors: a rule
 * added there must be added here (the test compares both on generated files).
 */
import {FINGERPRINT_PATTERN} from './fingerprint.js'
import {isName} from '../model/address.js'
import {STATE_FORMAT_VERSION, stateAddressProblem} from './schema.js'

const TOP_KEYS = new Set(['version', 'lineage', 'serial', 'hrep_version', 'resources'])
const ENTRY_KEYS = new Set(['id', 'key', 'attrs', 'secret_fp', 'secret_pending'])

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

function entryValid(entry: unknown): boolean {
  if (!isRecord(entry)) return false
  for (const key in entry) if (!ENTRY_KEYS.has(key)) return false
  if (!isNonEmptyString(entry.id) || !isNonEmptyString(entry.key) || !isRecord(entry.attrs)) return false
  const fingerprint = entry.secret_fp
  if (entry.secret_pending !== undefined && entry.secret_pending !== true) return false
  return fingerprint === undefined || (typeof fingerprint === 'string' && FINGERPRINT_PATTERN.test(fingerprint))
}

/** True when `data` (from JSON.parse) certainly passes `stateSchema`; false when it may not. */
export function quickStateCheck(data: unknown): boolean {
  if (!isRecord(data)) return false
  for (const key in data) if (!TOP_KEYS.has(key)) return false
  if (data.version !== STATE_FORMAT_VERSION || !isNonEmptyString(data.lineage)) return false
  if (typeof data.serial !== 'number' || !Number.isSafeInteger(data.serial) || data.serial < 0) return false
  if (data.hrep_version !== undefined && typeof data.hrep_version !== 'string') return false
  const resources = data.resources
  if (!isRecord(resources)) return false
  for (const address in resources) {
    if (address === '__proto__' || stateAddressProblem(address) !== undefined) return false
    const entries = resources[address]
    if (!isRecord(entries)) return false
    for (const endpoint in entries) {
      if (endpoint === '__proto__' || !isName(endpoint) || !entryValid(entries[endpoint])) return false
    }
  }
  return true
}
