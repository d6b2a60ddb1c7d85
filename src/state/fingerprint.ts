/**
 * Fingerprints of robot secrets: what the state, plans and journal hold instead of a secret, so a
 * rotated or drifted declared secret shows in git without the secret ever being written. scrypt
 * with a random salt per fingerprint, parameters recorded in the string so they can be raised later:
 * `scrypt:N=1024,r=8,p=1:<salt base64>:<hash base64>`.
 *
 * Cost: N=1024, r=8 takes about 2 ms and 1 MiB per fingerprint on one core (measured on the 2-core
 * dev machine: 2.1 ms sync, 1.2 ms each when run in parallel), so checking 5,000 declared robot
 * secrets costs ~10 s of CPU serially and ~6 s with the async variants on 2 cores. N=2048 doubled
 * that (5.1 ms) and N=16384, scrypt's interactive-login setting, took 38 ms (over 3 minutes for
 * 5,000). The fingerprint guards against a reader of the state guessing a weak declared secret; it is
 * not a login hash, and a generated secret (32 random characters) cannot be guessed at any cost.
 * `matchFingerprints` checks a batch in parallel and checks a (secret, fingerprint) pair only once,
 * so a robot whose endpoints share one fingerprint costs one check.
 */
import {randomBytes, scrypt, scryptSync, timingSafeEqual} from 'node:crypto'
import {HrepError} from '../model/errors.js'
import type {Secret} from '../model/secret.js'

/** The `origin` of a Secret that hrep generated (src/engine/secrets.ts). */
export const GENERATED_ORIGIN = 'generated'

/** The parameters new fingerprints use. Raising them later keeps old fingerprints readable. */
export const FINGERPRINT_PARAMS = {N: 1024, r: 8, p: 1} as const

/**
 * The parameters for a secret hrep generated itself (32 random letters and digits, ~190 bits): no
 * amount of stretching changes how hard such a secret is to guess, so the cost would buy nothing,
 * while at FINGERPRINT_PARAMS 5,000 generated robot secrets cost ~13 s of CPU per apply (0.05 ms
 * each here). Checking a fingerprint reads its parameters from the string, so both kinds compare alike.
 */
export const GENERATED_FINGERPRINT_PARAMS = {N: 16, r: 8, p: 1} as const

/** What a fingerprint string looks like (used by the state, plan and journal schemas). */
export const FINGERPRINT_PATTERN = /^scrypt:N=(\d+),r=(\d+),p=(\d+):([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/

const SALT_BYTES = 16
const HASH_BYTES = 32

interface ParsedFingerprint {
  N: number
  r: number
  p: number
  salt: Buffer
  hash: Buffer
}

/** Reads a fingerprint string, refusing parameters that would be absurdly slow or memory hungry. */
export function parseFingerprint(fingerprint: string): ParsedFingerprint {
  const match = FINGERPRINT_PATTERN.exec(fingerprint)
  const bad = (why: string): never => {
    throw new HrepError('fingerprint_invalid', `invalid secret fingerprint: ${why}`)
  }
  if (match === null) bad('expected scrypt:N=<n>,r=<r>,p=<p>:<salt base64>:<hash base64>')
  const [, n, r, p, salt, hash] = match!
  const parsed = {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt!, 'base64'),
    hash: Buffer.from(hash!, 'base64'),
  }
  if (parsed.N < 2 || parsed.N > 2 ** 20 || (parsed.N & (parsed.N - 1)) !== 0) bad('N must be a power of two up to 2^20')
  if (parsed.r < 1 || parsed.r > 32 || parsed.p < 1 || parsed.p > 16) bad('r must be 1..32 and p 1..16')
  if (parsed.salt.length < 8) bad('the salt must be at least 8 bytes')
  if (parsed.hash.length < 16) bad('the hash must be at least 16 bytes')
  return parsed
}

function scryptOptions(params: {N: number; r: number; p: number}) {
  // Node refuses above maxmem (32 MiB by default); allow what the parameters need plus headroom.
  return {...params, maxmem: 256 * params.N * params.r * params.p + 1024 * 1024}
}

function saltBytes(salt: string | undefined): Buffer {
  if (salt === undefined) return randomBytes(SALT_BYTES)
  const bytes = Buffer.from(salt, 'base64')
  if (bytes.length < 8) throw new HrepError('fingerprint_invalid', 'a fingerprint salt must be at least 8 bytes (base64)')
  return bytes
}

function checkSecret(secret: string): void {
  if (typeof secret !== 'string' || secret === '')
    throw new HrepError('fingerprint_invalid', 'cannot fingerprint an empty secret')
}

function format(params: {N: number; r: number; p: number}, salt: Buffer, hash: Buffer): string {
  return `scrypt:N=${params.N},r=${params.r},p=${params.p}:${salt.toString('base64')}:${hash.toString('base64')}`
}

/**
 * The fingerprint of `secret`: with no `salt` (base64), a fresh random one, so the same secret gives
 * a different string for every resource. Synchronous; prefer the async variant for batches.
 */
export function secretFingerprint(secret: string, salt?: string): string {
  checkSecret(secret)
  const bytes = saltBytes(salt)
  return format(FINGERPRINT_PARAMS, bytes, scryptSync(secret, bytes, HASH_BYTES, scryptOptions(FINGERPRINT_PARAMS)))
}

/** `secretFingerprint` on libuv's thread pool, so many run in parallel without blocking the event loop. */
export async function secretFingerprintAsync(
  secret: string,
  salt?: string,
  params: {N: number; r: number; p: number} = FINGERPRINT_PARAMS,
): Promise<string> {
  checkSecret(secret)
  const bytes = saltBytes(salt)
  return format(params, bytes, await scryptAsync(secret, bytes, HASH_BYTES, params))
}

/**
 * The fingerprint to record for `secret`: GENERATED_FINGERPRINT_PARAMS when hrep generated it
 * (`origin` "generated"), FINGERPRINT_PARAMS for a declared one.
 */
export function fingerprintOfSecret(secret: Secret): Promise<string> {
  return secretFingerprintAsync(
    secret.reveal(),
    undefined,
    secret.origin === GENERATED_ORIGIN ? GENERATED_FINGERPRINT_PARAMS : FINGERPRINT_PARAMS,
  )
}

function scryptAsync(secret: string, salt: Buffer, length: number, params: {N: number; r: number; p: number}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, length, scryptOptions(params), (error, key) => (error ? reject(error) : resolve(key)))
  })
}

/** Whether `secret` is the one `fingerprint` was made from (constant-time comparison). */
export function fingerprintMatches(secret: string, fingerprint: string): boolean {
  checkSecret(secret)
  const parsed = parseFingerprint(fingerprint)
  return timingSafeEqual(scryptSync(secret, parsed.salt, parsed.hash.length, scryptOptions(parsed)), parsed.hash)
}

/** `fingerprintMatches` on the thread pool. */
export async function fingerprintMatchesAsync(secret: string, fingerprint: string): Promise<boolean> {
  checkSecret(secret)
  const parsed = parseFingerprint(fingerprint)
  return timingSafeEqual(await scryptAsync(secret, parsed.salt, parsed.hash.length, parsed), parsed.hash)
}

/**
 * Checks many (secret, fingerprint) pairs in parallel on the thread pool and returns the answers
 * in the same order; a pair that occurs several times (one robot on several endpoints sharing one
 * fingerprint) is computed once.
 */
export async function matchFingerprints(pairs: readonly {secret: string; fingerprint: string}[]): Promise<boolean[]> {
  const byPair = new Map<string, Promise<boolean>>()
  return Promise.all(
    pairs.map(({secret, fingerprint}) => {
      // The map lives only for this call, in memory; the secret is part of the key so two secrets never share an answer.
      const key = `${fingerprint}\u0000${secret}`
      let answer = byPair.get(key)
      if (answer === undefined) {
        answer = fingerprintMatchesAsync(secret, fingerprint)
        byPair.set(key, answer)
      }
      return answer
    }),
  )
}
