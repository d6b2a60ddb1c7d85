/**
 * The quick state check must never accept what the state schema refuses, and must accept the states
 * hrep writes (or it would be no quicker).
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {secretFingerprint} from '../../src/state/index.js'
import {quickStateCheck} from '../../src/state/quick-check.js'
import {stateSchema} from '../../src/state/schema.js'

const fingerprint = secretFingerprint('Secret-0ne-for-tests')
const validAddress = fc.constantFrom('robot.ci', 'project.team["payments"]', 'project_member.m["team/g:devs"]', 'oidc_group.g[3]')
const validEntry = fc.record(
  {
    id: fc.integer({min: 1}).map(String),
    key: fc.string({minLength: 1}),
    attrs: fc.dictionary(fc.string(), fc.jsonValue(), {maxKeys: 3}),
    secret_fp: fc.constant(fingerprint),
  },
  {requiredKeys: ['id', 'key', 'attrs']},
)
const validState = fc.record(
  {
    version: fc.constant(1),
    lineage: fc.uuid(),
    serial: fc.nat(),
    hrep_version: fc.constant('0.1.0'),
    resources: fc.dictionary(validAddress, fc.dictionary(fc.constantFrom('primary', 'dr', 'h-2'), validEntry, {maxKeys: 3}), {
      maxKeys: 4,
    }),
  },
  {requiredKeys: ['version', 'lineage', 'serial', 'resources']},
)

type Data = Record<string, unknown>

/** One small damage to a valid state: a value of a wrong type, a bad key, an extra field... */
const damaged = fc
  .tuple(validState, fc.constantFrom(...damages()), fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constant('')))
  .map(([state, damage, value]) => damage(structuredClone(state) as Data, value))

function damages(): ((state: Data, value: unknown) => unknown)[] {
  const resources = (state: Data) => state.resources as Record<string, Record<string, Data>>
  const firstEntry = (state: Data): Data | undefined => {
    const [entries] = Object.values(resources(state))
    const [entry] = Object.values(entries ?? {})
    return entry
  }
  const onEntry = (field: string) => (state: Data, value: unknown) => {
    const entry = firstEntry(state)
    if (entry) entry[field] = value
    return state
  }
  return [
    (s, v) => ({...s, version: v}),
    (s, v) => ({...s, lineage: v}),
    (s, v) => ({...s, serial: v}),
    (s, v) => ({...s, hrep_version: v}),
    (s, v) => ({...s, resources: v}),
    (s, v) => ({...s, extra: v}),
    (s, v) => ({...s, resources: {...resources(s), 'not an address': v}}),
    (s, v) => ({...s, resources: {...resources(s), 'robot.ci@dr': {primary: v}}}),
    (s, v) => ({...s, resources: {...resources(s), 'robot.x': {'bad endpoint': v}}}),
    (s, v) => ({...s, resources: {...resources(s), 'robot.y': v}}),
    onEntry('id'),
    onEntry('key'),
    onEntry('attrs'),
    onEntry('secret_fp'),
    onEntry('unknown'),
  ]
}

describe('quickStateCheck', () => {
  it('accepts the valid states hrep writes', () => {
    fc.assert(
      fc.property(validState, (state) => {
        expect(stateSchema.safeParse(state).success).toBe(true)
        expect(quickStateCheck(state)).toBe(true)
      }),
      {numRuns: 300},
    )
  })

  it('never accepts what the schema refuses', () => {
    fc.assert(
      fc.property(damaged, (data) => {
        if (quickStateCheck(data)) expect(stateSchema.safeParse(data).success).toBe(true)
      }),
      {numRuns: 2000},
    )
  })

  it('refuses what JSON cannot hold but an object can', () => {
    expect(quickStateCheck({version: 1, lineage: 'l', serial: 1.5, resources: {}})).toBe(false)
    expect(quickStateCheck({version: 1, lineage: 'l', serial: 0, resources: []})).toBe(false)
    expect(
      quickStateCheck({version: 1, lineage: 'l', serial: 0, resources: {'robot.ci': {primary: {id: '1', key: 'k', attrs: []}}}}),
    ).toBe(false)
    expect(quickStateCheck({version: 1, lineage: 'l', serial: 0, resources: {}})).toBe(true)
  })
})
