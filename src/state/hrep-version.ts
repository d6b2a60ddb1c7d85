/**
 * The running hrep's version, read once from package.json; recorded in the state file, saved plans,
 * the lock info and the journal, so a file can say which hrep wrote it.
 */
import {readFileSync} from 'node:fs'

let cached: string | undefined

/** `0.1.0`; `unknown` when package.json cannot be read (never throws). */
export function hrepVersion(): string {
  if (cached === undefined) {
    try {
      // src/state/ and dist/state/ are both two levels below the package root.
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version?: unknown}
      cached = typeof pkg.version === 'string' ? pkg.version : 'unknown'
    } catch {
      cached = 'unknown'
    }
  }
  return cached
}
