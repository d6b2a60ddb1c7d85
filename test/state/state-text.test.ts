/**
 * The state text assembled from remembered per-address fragments must be exactly the canonical text
 * of the whole state, whatever was remembered from earlier writes.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {HrepError} from '../../src/model/errors.js'
import {applyEdits, emptyState, serializeState, type State, type StateEdit} from '../../src/state/index.js'
import {StateTextCache} from '../../src/state/state-text.js'
import {deepFreeze} from '../../src/state/state.js'

const address = fc.constantFrom(
  'robot.ci',
  'robot.deploy_2',
  'project.team["payments"]',
  'project.team["ä\u{1F600}"]',
  'project.team["\uE000x"]',
  'oidc_group.devs',
  'project_member.m["team/g:devs"]',
)
const endpoint = fc.constantFrom('primary', 'dr', 'h_3')
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    {depthSize: 'small'},
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), {maxLength: 3}),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('10', '9', '0', 'é', '\u{1F600}')), tie('value'), {maxKeys: 3}),
  ),
})).value
const entry = fc.record({
  id: fc.integer({min: 1, max: 99999}).map(String),
  key: fc.string({minLength: 1}),
  attrs: fc.dictionary(fc.string(), json, {maxKeys: 4}),
})
const edit: fc.Arbitrary<StateEdit> = fc.oneof(
  {weight: 4, arbitrary: fc.record({op: fc.constant('set' as const), address, endpoint, entry})},
  {
    weight: 1,
    arbitrary: fc.record({op: fc.constant('remove' as const), address, endpoint: fc.option(endpoint, {nil: undefined})}),
  },
)

describe('StateTextCache', () => {
  it('builds the canonical text of every state in a run of writes, reusing what earlier writes made', () => {
    fc.assert(
      fc.property(fc.array(fc.array(edit, {maxLength: 6}), {minLength: 1, maxLength: 8}), (batches) => {
        const cache = new StateTextCache()
        let state: State = {...emptyState('lineage-1'), hrep_version: '0.1.0'}
        let reused = 0
        for (const [index, batch] of batches.entries()) {
          const next: State = {...applyEdits(state, batch), serial: index + 1}
          const built = cache.build(next, 'hrep.state.json')
          expect(built.bytes.toString('utf8')).toBe(serializeState(next))
          reused += Object.keys(next.resources).length - built.fresh.length
          // As the store does once the file is written.
          deepFreeze(next)
          cache.remember(built.fresh)
          state = next
        }
        return reused >= 0
      }),
      {numRuns: 300},
    )
  })

  it('reuses the text of unchanged addresses and serialises only the changed one', () => {
    const cache = new StateTextCache()
    const entry = (id: string) => ({id, key: id, attrs: {name: id}})
    let state = emptyState('l')
    for (let i = 0; i < 50; i++)
      state = applyEdits(state, [{op: 'set', address: `robot.r${i}`, endpoint: 'primary', entry: entry(String(i + 1))}])
    const first = cache.build(state, 'f')
    expect(first.fresh).toHaveLength(50)
    deepFreeze(state)
    cache.remember(first.fresh)
    const next = applyEdits(state, [{op: 'set', address: 'robot.r7', endpoint: 'dr', entry: entry('99')}])
    const second = cache.build(next, 'f')
    expect(second.fresh).toHaveLength(1)
    expect(second.bytes.toString('utf8')).toBe(serializeState(next))
  })

  it('does not remember entries that are not frozen (they could still change)', () => {
    const cache = new StateTextCache()
    const state = applyEdits(emptyState('l'), [
      {op: 'set', address: 'robot.ci', endpoint: 'primary', entry: {id: '1', key: 'ci', attrs: {}}},
    ])
    const built = cache.build(state, 'f')
    cache.remember(built.fresh)
    ;(state.resources['robot.ci'] as Record<string, unknown>).dr = {id: '2', key: 'ci', attrs: {}}
    expect(cache.build(state, 'f').bytes.toString('utf8')).toBe(serializeState(state))
  })

  it('refuses what the next read would refuse, naming the path in the file', () => {
    const cache = new StateTextCache()
    const bad = (entry: unknown, where = 'robot.ci') =>
      ({...emptyState('l'), resources: {[where]: {primary: entry}}}) as unknown as State
    const message = (state: State) => {
      try {
        cache.build(state, 'hrep.state.json')
      } catch (error) {
        expect(error).toBeInstanceOf(HrepError)
        return (error as HrepError).message
      }
      throw new Error('expected a refusal')
    }
    expect(message(bad({id: '', key: 'ci', attrs: {}}))).toBe(
      'refusing to write hrep.state.json: the new state is invalid: resources["robot.ci"].primary.id: Harbor id must not be empty',
    )
    expect(message(bad({id: '1', key: 'ci', attrs: {}, extra: 1}))).toMatch(
      /^refusing to write hrep\.state\.json: .*resources\["robot\.ci"\]\.primary/,
    )
    expect(message(bad({id: '1', key: 'ci', attrs: {}}, 'nope.x'))).toMatch(
      /resources\["nope\.x"\]: invalid address "nope\.x": unknown kind/,
    )
    expect(message(bad({id: '1', key: 'ci', attrs: {n: Number.NaN}}))).toBe(
      'cannot write $.resources["robot.ci"].primary.attrs.n: NaN is not a JSON number',
    )
  })
})
