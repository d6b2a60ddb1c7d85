/**
 * The conformance runner's own logic: version ranges, when a scenario is skipped, the table layout.
 */
import {describe, expect, it} from 'vitest'
import {parseVersion, type Scenario, skipReason, versionSatisfies} from './scenario.js'
import {renderTable} from './table.js'

const scenario = (extra: Partial<Scenario> = {}): Scenario => ({
  name: 'demo',
  covers: '§0',
  expected: 'something',
  run: async () => 'ok',
  ...extra,
})
const info = (version: string, authMode = 'db_auth') => ({
  harborVersion: version,
  version: parseVersion(version),
  authMode,
  robotPrefix: 'robot$',
})

describe('conformance runner', () => {
  it('compares versions against ranges', () => {
    expect(parseVersion('v2.15.2-e7a1c0de')).toEqual([2, 15, 2])
    expect(versionSatisfies([2, 12, 0], '>=2.12')).toBe(true)
    expect(versionSatisfies([2, 11, 9], '>=2.12')).toBe(false)
    expect(versionSatisfies([2, 6, 0], '>=2.3 <2.13')).toBe(true)
    expect(versionSatisfies([2, 13, 0], '>=2.3 <2.13')).toBe(false)
    expect(() => versionSatisfies([2, 0, 0], 'newer')).toThrow(/invalid version range/)
  })

  it('skips scenarios for other versions and auth modes, and everything below 2.3', () => {
    expect(skipReason(scenario(), info('v2.15.2'))).toBeUndefined()
    expect(skipReason(scenario({harborVersion: '>=2.8'}), info('v2.7.1'))).toBe('applies to Harbor >=2.8, target is v2.7.1')
    expect(skipReason(scenario({authModes: ['oidc_auth']}), info('v2.15.2'))).toBe('needs auth_mode oidc_auth, target is db_auth')
    expect(skipReason(scenario(), info('v2.2.0'))).toMatch(/older than 2.3/)
  })

  it('prints one row per scenario with wrapped cells and the match verdict', () => {
    const long = 'x'.repeat(60)
    const table = renderTable([
      {scenario: scenario({name: 'first'}), outcome: 'match', observed: 'fine', ms: 1},
      {scenario: scenario({name: 'second'}), outcome: 'mismatch', observed: long, ms: 1},
    ])
    const lines = table.split('\n')
    expect(lines[0]).toMatch(/^scenario\s+\| expected \(Harbor v\d+\.\d+\.\d+\)\s+\| observed\s+\| match$/)
    expect(table).toMatch(/^first\s+\| something\s+\| fine\s+\| yes$/m)
    expect(table).toMatch(/^second\s+\| something\s+\| x{48} \| NO$/m)
    expect(table).toMatch(/^\s+\|\s+\| x{12}\s+\|$/m)
  })
})
