/**
 * A small seeded pseudo-random generator (sfc32), so that every "random" choice the emulator makes
 * (fault rates, jitter, permission order, generated secrets) replays exactly for the same `randomSeed`.
 * Not for cryptography.
 */

/** A deterministic source of numbers in [0, 1). */
export interface Rng {
  /** The next number in [0, 1). */
  next(): number
  /** An integer in [0, max). */
  int(max: number): number
}

/** A generator seeded from `seed`; the same seed always yields the same sequence. */
export function createRng(seed: number): Rng {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const next = (): number => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    let t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    t = (t + d) | 0
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  // Mix the seed in before the first use: sfc32 is weak for its first outputs.
  for (let i = 0; i < 15; i++) next()
  return {next, int: (max) => Math.floor(next() * max)}
}

/** Fisher–Yates shuffle of a copy of `items`, driven by `rng`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const tmp = out[i]!
    out[i] = out[j]!
    out[j] = tmp
  }
  return out
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * A 32-character secret like Harbor's `GenerateRandomString` (alphanumeric), but always holding an
 * upper-case letter, a lower-case letter and a digit, so that it also passes Harbor's PATCH rule.
 */
export function randomSecret(rng: Rng, length = 32): string {
  for (;;) {
    let out = ''
    for (let i = 0; i < length; i++) out += ALNUM[rng.int(ALNUM.length)]
    if (/[A-Z]/.test(out) && /[a-z]/.test(out) && /\d/.test(out)) return out
  }
}
