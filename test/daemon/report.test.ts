/** Deriving a cycle's status, drift and held deletes from a plan and the state. */
import {describe, expect, it} from 'vitest'
import {cycleStatus, driftedChanges, splitWarnings, syncedEndpoints} from '../../src/daemon/report.js'
import {kinds} from '../../src/kinds/registry.js'
import {plan} from '../../src/plan/planner.js'
import type {State} from '../../src/state/index.js'
import {change, report} from './fixtures.js'

const state: State = {
  version: 1 as State['version'],
  lineage: 'l',
  serial: 3,
  resources: {
    'robot.ci': {dr: {id: '1', key: 'ci', attrs: {name: 'ci', description: 'CI', disabled: false}}},
    'project.a': {dr: {id: '2', key: 'a', attrs: {name: 'a', public: false}}},
  },
}

describe('driftedChanges', () => {
  it('is the changes that undo a change made on Harbor: a managed object deleted, or changed away from what hrep set', () => {
    const recreate = change('project.a', 'dr', {action: 'create', reason: 'drift: deleted outside hrep'})
    const handEdit = change('robot.ci', 'dr', {action: 'update', diffs: [{path: 'description', before: 'by hand', after: 'CI'}]})
    const configEdit = change('robot.ci', 'dr', {
      id: 'x',
      action: 'update',
      diffs: [{path: 'description', before: 'CI', after: 'new text'}],
    })
    const newlyManaged = change('robot.ci', 'dr', {
      id: 'y',
      action: 'update',
      diffs: [{path: 'level', before: 'system', after: 'project'}],
    })
    const secretOnly = change('robot.ci', 'dr', {
      id: 'z',
      action: 'update',
      diffs: [{path: 'secret', before: 'a', after: 'b', sensitive: true}],
    })
    const fresh = change('robot.new', 'dr', {action: 'create'})
    const otherEndpoint = change('project.a', 'primary', {action: 'create'})
    const imported = change('robot.ci', 'dr', {id: 'i', action: 'update', importing: true, diffs: handEdit.diffs})
    expect(
      driftedChanges([recreate, handEdit, configEdit, newlyManaged, secretOnly, fresh, otherEndpoint, imported], state).map(
        (c) => c.id,
      ),
    ).toEqual([recreate.id, handEdit.id])
  })
})

describe('cycleStatus', () => {
  it('is success, partial or failed from what the cycle met', () => {
    expect(cycleStatus(report(['primary', 'dr']))).toBe('success')
    expect(cycleStatus(report(['primary', 'dr'], {unavailable: ['dr']}))).toBe('partial')
    expect(cycleStatus(report(['primary', 'dr'], {unavailable: ['primary', 'dr']}))).toBe('failed')
    expect(cycleStatus(report(['primary'], {failed: [{change: change('robot.ci', 'primary'), message: 'x'}]}))).toBe('partial')
    expect(cycleStatus(report(['primary'], {skipped: 1}))).toBe('partial')
    expect(cycleStatus(report(['primary'], {error: {message: 'x', errorClass: 'internal'}}))).toBe('failed')
    // Held deletes are the policy at work, not a problem.
    expect(cycleStatus(report(['primary'], {held: [{address: 'robot.old', endpoint: 'primary', kind: 'robot'}]}))).toBe('success')
  })

  it('names the endpoints a cycle fully synced', () => {
    const r = report(['primary', 'dr', 'edge'], {
      unavailable: ['edge'],
      failed: [{change: change('robot.ci', 'dr'), message: 'x'}],
    })
    expect(syncedEndpoints(r)).toEqual(['primary'])
    expect(syncedEndpoints({...r, skippedOn: ['primary']})).toEqual([])
  })
})

describe('splitWarnings', () => {
  it('picks out the deletes the planner held back (its delete_held warnings) from the other warnings', () => {
    // The real planner, with a managed robot that is no longer declared and deletes not allowed.
    const live = {
      robot: [{id: '1', key: 'ci', attrs: {name: 'ci', level: 'system'}}],
      project: [{id: '2', key: 'a', attrs: {name: 'a', public: false}}],
    }
    const result = plan({
      desired: [],
      live: {endpoints: {dr: {status: 'ok', objects: live}}},
      state,
      kinds,
      options: {allowDelete: false},
    })
    const extra = {message: 'project.team@dr is replaced', address: 'project.team', endpoint: 'dr'}
    const split = splitWarnings({...result, warnings: [...result.warnings, extra]})
    expect(split.held).toEqual(
      expect.arrayContaining([
        {address: 'project.a', endpoint: 'dr', kind: 'project'},
        {address: 'robot.ci', endpoint: 'dr', kind: 'robot'},
      ]),
    )
    expect(split.held).toHaveLength(2)
    expect(split.warnings).toEqual([extra])
  })
})
