import {describe, expect, it} from 'vitest'
import {
  applyEdits,
  emptyState,
  getResource,
  listResources,
  removeResource,
  setResource,
  stateEquals,
} from '../../src/state/index.js'

const entry = (id: string) => ({id, key: `k${id}`, attrs: {name: `n${id}`}})

describe('pure state helpers', () => {
  it('never change their input and share what they did not touch', () => {
    const base = setResource(setResource(emptyState('L'), 'robot.a', 'primary', entry('1')), 'robot.b', 'primary', entry('2'))
    const snapshot = JSON.stringify(base)
    const next = setResource(base, 'robot.a', 'dr', entry('3'))
    expect(JSON.stringify(base)).toBe(snapshot)
    expect(next.resources['robot.b']).toBe(base.resources['robot.b'])
    expect(getResource(next, 'robot.a', 'dr')).toEqual(entry('3'))
    expect(next.lineage).toBe('L')
    expect(next.serial).toBe(0)
  })

  it('forget one endpoint, or a whole address, and drop an address left empty', () => {
    let state = applyEdits(emptyState('L'), [
      {op: 'set', address: 'robot.a', endpoint: 'primary', entry: entry('1')},
      {op: 'set', address: 'robot.a', endpoint: 'dr', entry: entry('2')},
      {op: 'set', address: 'project.p["x"]', endpoint: 'dr', entry: entry('3')},
    ])
    state = removeResource(state, 'robot.a', 'dr')
    expect(Object.keys(state.resources['robot.a']!)).toEqual(['primary'])
    state = removeResource(state, 'robot.a', 'primary')
    expect(state.resources).not.toHaveProperty('robot.a')
    state = removeResource(state, 'project.p["x"]')
    expect(state.resources).toEqual({})
    expect(removeResource(state, 'robot.nothing')).toEqual(state)
  })

  it('refuse keys that cannot be in a state file', () => {
    expect(() => setResource(emptyState(), 'robot.ci@dr', 'dr', entry('1'))).toThrow(/no "@endpoint" part/)
    expect(() => setResource(emptyState(), 'widget.x', 'dr', entry('1'))).toThrow(/unknown kind/)
    expect(() => setResource(emptyState(), 'robot.ci', 'd r', entry('1'))).toThrow(/not an endpoint name/)
    expect(() => setResource(emptyState(), 'robot.ci', 'dr', {id: '', key: 'ci', attrs: {}})).toThrow(/needs a Harbor id/)
  })

  it('compare content, not serial or object identity', () => {
    const a = setResource(emptyState('L'), 'robot.a', 'primary', entry('1'))
    const b = {...setResource(emptyState('L'), 'robot.a', 'primary', {...entry('1'), secret_fp: undefined}), serial: 5}
    expect(stateEquals(a, b)).toBe(true)
    expect(stateEquals(a, setResource(a, 'robot.a', 'primary', entry('2')))).toBe(false)
    expect(stateEquals(a, {...a, lineage: 'M'})).toBe(false)
  })

  it('list instances sorted by address and endpoint, optionally for one endpoint', () => {
    const state = applyEdits(emptyState(), [
      {op: 'set', address: 'robot.b', endpoint: 'primary', entry: entry('1')},
      {op: 'set', address: 'robot.a', endpoint: 'primary', entry: entry('2')},
      {op: 'set', address: 'robot.a', endpoint: 'dr', entry: entry('3')},
    ])
    expect(listResources(state).map((r) => `${r.address}@${r.endpoint}`)).toEqual([
      'robot.a@dr',
      'robot.a@primary',
      'robot.b@primary',
    ])
    expect(listResources(state, {endpoint: 'dr'}).map((r) => r.entry.id)).toEqual(['3'])
  })
})
