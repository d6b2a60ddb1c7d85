/**
 * Equality of normalised attribute values (JSON values). Kinds hand the planner canonical forms
 * (sets already sorted), so array order matters here. A property whose value is undefined counts
 * as absent, as it would after a JSON round trip through the state file.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // NaN never comes from JSON; treat it like JSON would (as null) rather than special-casing.
    return false
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const other = b as unknown[]
    if (a.length !== other.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], other[i])) return false
    return true
  }
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  for (const key of Object.keys(left)) {
    if (left[key] !== undefined && !jsonEqual(left[key], right[key])) return false
  }
  for (const key of Object.keys(right)) {
    if (right[key] !== undefined && left[key] === undefined) return false
  }
  return true
}
