/**
 * A secret hrep generated is fingerprinted with cheap parameters (stretching adds nothing to 190
 * random bits); a declared one keeps the full cost. Both are checked the same way.
 */
import {describe, expect, it} from 'vitest'
import {Secret} from '../../src/model/secret.js'
import {
  FINGERPRINT_PARAMS,
  fingerprintMatchesAsync,
  fingerprintOfSecret,
  GENERATED_FINGERPRINT_PARAMS,
  GENERATED_ORIGIN,
} from '../../src/state/index.js'

const params = (fingerprint: string) => fingerprint.split(':')[1]

describe('fingerprintOfSecret', () => {
  it('uses the cheap parameters only for a secret hrep generated', async () => {
    const generated = await fingerprintOfSecret(new Secret('Gen3ratedSecretGen3ratedSecret12', GENERATED_ORIGIN))
    const declared = await fingerprintOfSecret(new Secret('Declared-Secret-1', 'env("CI_SECRET")'))
    const {N, r, p} = GENERATED_FINGERPRINT_PARAMS
    expect(params(generated)).toBe(`N=${N},r=${r},p=${p}`)
    expect(params(declared)).toBe(`N=${FINGERPRINT_PARAMS.N},r=${FINGERPRINT_PARAMS.r},p=${FINGERPRINT_PARAMS.p}`)
    expect(await fingerprintMatchesAsync('Gen3ratedSecretGen3ratedSecret12', generated)).toBe(true)
    expect(await fingerprintMatchesAsync('Gen3ratedSecretGen3ratedSecret13', generated)).toBe(false)
    expect(await fingerprintMatchesAsync('Declared-Secret-1', declared)).toBe(true)
    expect(generated).not.toContain('Gen3rated')
  })
})
