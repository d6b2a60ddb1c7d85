/**
 * A set of strings kept in sorted order (code-unit order), for lists that Harbor sorts by name:
 * insert and delete by binary search, in-order iteration and slicing without sorting per request.
 */
export class SortedKeys {
  private readonly keys: string[] = []

  get size(): number {
    return this.keys.length
  }

  /** Adds `key`; a key already present is left alone. */
  add(key: string): void {
    const at = this.lowerBound(key)
    if (this.keys[at] !== key) this.keys.splice(at, 0, key)
  }

  /** Removes `key` if present. */
  delete(key: string): void {
    const at = this.lowerBound(key)
    if (this.keys[at] === key) this.keys.splice(at, 1)
  }

  /** The keys in order (a live view: do not mutate). */
  values(): readonly string[] {
    return this.keys
  }

  private lowerBound(key: string): number {
    let lo = 0
    let hi = this.keys.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.keys[mid]! < key) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
