import {scryptSync} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {
  FINGERPRINT_PARAMS,
  FINGERPRINT_PATTERN,
  fingerprintMatches,
  fingerprintMatchesAsync,
  matchFingerprints,
  secretFingerprint,
  secretFingerprintAsync,
} from '../../src/state/index.js'

const secret = 'Ci-Robot-Secret-42'

describe('secret fingerprints', () => {
  it('match the secret they were made from, and no other', () => {
    const fp = secretFingerprint(secret)
    expect(fp).toMatch(FINGERPRINT_PATTERN)
    expect(fp.startsWith(`scrypt:N=${FINGERPRINT_PARAMS.N},r=${FINGERPRINT_PARAMS.r},p=${FINGERPRINT_PARAMS.p}:`)).toBe(true)
    expect(fp).not.toContain(secret)
    expect(fingerprintMatches(secret, fp)).toBe(true)
    expect(fingerprintMatches(`${secret}x`, fp)).toBe(false)
    expect(fingerprintMatches(secret.toLowerCase(), fp)).toBe(false)
  })

  it('use a fresh salt each time, so one secret on two robots gives two fingerprints', () => {
    const a = secretFingerprint(secret)
    const b = secretFingerprint(secret)
    expect(a).not.toBe(b)
    expect(fingerprintMatches(secret, a) && fingerprintMatches(secret, b)).toBe(true)
  })

  it('are reproducible with a given salt, sync and async alike', async () => {
    const salt = Buffer.from('0123456789abcdef').toString('base64')
    const fp = secretFingerprint(secret, salt)
    expect(secretFingerprint(secret, salt)).toBe(fp)
    expect(await secretFingerprintAsync(secret, salt)).toBe(fp)
    expect(fp.split(':')[2]).toBe(salt)
    expect(await fingerprintMatchesAsync(secret, fp)).toBe(true)
    expect(await fingerprintMatchesAsync('Other-Secret-1', fp)).toBe(false)
  })

  it('honour the parameters recorded in the fingerprint', () => {
    // A fingerprint made with other (older or newer) parameters still verifies.
    const other = FINGERPRINT_PARAMS.N * 2
    const salt = Buffer.from('saltsaltsaltsalt')
    const hash = scryptSync(secret, salt, 32, {N: other, r: 8, p: 1}).toString('base64')
    const fp = `scrypt:N=${other},r=8,p=1:${salt.toString('base64')}:${hash}`
    expect(fingerprintMatches(secret, fp)).toBe(true)
    // The same hash read with different parameters does not match.
    expect(fingerprintMatches(secret, fp.replace(`N=${other}`, `N=${FINGERPRINT_PARAMS.N}`))).toBe(false)
  })

  it('batch-check pairs in order, each distinct pair once', async () => {
    const one = secretFingerprint(secret)
    const two = secretFingerprint('Second-Secret-7')
    const answers = await matchFingerprints([
      {secret, fingerprint: one},
      {secret, fingerprint: one},
      {secret: 'Second-Secret-7', fingerprint: one},
      {secret: 'Second-Secret-7', fingerprint: two},
    ])
    expect(answers).toEqual([true, true, false, true])
  })

  it('refuse a malformed fingerprint or an empty secret, without echoing the secret', () => {
    expect(() => fingerprintMatches(secret, 'sha256:abc')).toThrow(/invalid secret fingerprint/)
    expect(() => fingerprintMatches(secret, 'scrypt:N=3,r=8,p=1:c2FsdHNhbHQ=:aGFzaGhhc2hoYXNoaGFzaA==')).toThrow(/power of two/)
    expect(() => fingerprintMatches(secret, `scrypt:N=${2 ** 22},r=8,p=1:c2FsdHNhbHQ=:aGFzaGhhc2hoYXNoaGFzaA==`)).toThrow(
      /up to 2\^20/,
    )
    expect(() => secretFingerprint('')).toThrow(/empty secret/)
    const error = (() => {
      try {
        fingerprintMatches(secret, 'nope')
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(Error)
    expect(String(error)).not.toContain(secret)
  })
})
