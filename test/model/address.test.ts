/**
 * Addresses: the name check every loader, state and CLI path shares (isName, a loop standing in for
 * NAME_PATTERN), and parse/format round trips.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {NAME_PATTERN, formatAddress, isName, parseAddress} from '../../src/model/address.js'

describe('isName', () => {
  it('agrees with NAME_PATTERN on names, near-names and arbitrary text', () => {
    const nameChar = fc.constantFrom(...'abcxyzABCXYZ019_-.$ é\u00ff'.split(''))
    const arbitrary = fc.oneof(
      fc.string(),
      fc.string({unit: nameChar, maxLength: 12}),
      fc.string({unit: 'grapheme', maxLength: 6}),
    )
    fc.assert(
      fc.property(arbitrary, (text) => {
        expect(isName(text)).toBe(NAME_PATTERN.test(text))
      }),
      {numRuns: 5000},
    )
  })

  it('accepts the usual names and refuses the rest', () => {
    for (const name of ['a', '_', 'team-1', 'CI_robot', 'x_-9']) expect(isName(name)).toBe(true)
    for (const name of ['', '1a', '-a', 'a.b', 'a b', 'é', 'a$']) expect(isName(name)).toBe(false)
  })
})

describe('addresses', () => {
  it('parse what they format, with keys and endpoints', () => {
    for (const address of [
      {kind: 'robot', name: 'ci'},
      {kind: 'project', name: 'team', key: 'payments'},
      {kind: 'project', name: 'team', key: 0},
      {kind: 'robot', name: 'ci', endpoint: 'dr'},
    ]) {
      expect(parseAddress(formatAddress(address))).toEqual(address)
    }
  })
})
