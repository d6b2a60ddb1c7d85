import {describe, expect, it} from 'vitest'
import {Secret} from '../../src/model/secret.js'
import {PLAN_FORMAT_VERSION, toJsonPlan} from '../../src/plan/json.js'
import {plan} from '../../src/plan/planner.js'
import {input, obj, want} from './fixtures.js'

describe('JSON plan', () => {
  it('has the documented shape', () => {
    const result = plan(
      input(
        [
          want('project.a', 'p', {name: 'a'}),
          want('robot.r', 'p', {name: 'r', project: 'a'}, {secret: {declared: true}}),
          want('project.lib', 'p', {name: 'library'}),
        ],
        {p: [obj('project', '3', {name: 'library'}), obj('project', '4', {name: 'old'})], dr: 'timed out'},
        [['project.old', 'p', '4', {name: 'old'}]],
      ),
    )
    const json = toJsonPlan(result, {state: {lineage: 'L', serial: 4}, configHash: 'sha256:abc'})
    expect(json).toMatchObject({
      format_version: PLAN_FORMAT_VERSION,
      refresh_only: false,
      state: {lineage: 'L', serial: 4},
      config_hash: 'sha256:abc',
      has_changes: true,
      summary: {import: 0, add: 2, change: 0, destroy: 1},
      unavailable: [{endpoint: 'dr', message: 'timed out'}],
      conflicts: [
        {
          address: 'project.lib',
          endpoint: 'p',
          kind: 'project',
          key: 'library',
          live_id: '3',
          import_command: "hrep import 'project.lib@p' library",
        },
      ],
    })
    expect(json.changes.map((c) => [c.action, c.id, c.depends_on])).toEqual([
      ['create', 'project.a@p', []],
      ['delete', 'project.old@p', []],
      ['create', 'robot.r@p', ['project.a@p']],
    ])
    expect(json.changes[0]).toEqual({
      id: 'project.a@p',
      address: 'project.a',
      endpoint: 'p',
      kind: 'project',
      key: 'a',
      action: 'create',
      importing: false,
      live_id: null,
      before: null,
      after: {name: 'a'},
      diffs: [{path: 'name', before: null, after: 'a', forces_replace: false, sensitive: false}],
      reason: 'not on the endpoint',
      depends_on: [],
    })
    expect(json.changes[2]!.diffs).toContainEqual({
      path: 'secret',
      before: null,
      after: '(sensitive)',
      forces_replace: false,
      sensitive: true,
    })
    // A JSON round trip changes nothing: no undefined, no class instances.
    expect(JSON.parse(JSON.stringify(json))).toEqual(json)
  })

  it('never carries a secret, even one that slipped into attributes or diffs', () => {
    const result = plan(input([want('robot.r', 'p', {name: 'r', token: new Secret('TopSecret9')})], {p: []}))
    result.changes[0]!.diffs.push({path: 'secret', before: 'OldSecret9', after: 'NewSecret9', sensitive: true})
    const text = JSON.stringify(toJsonPlan(result))
    expect(text).not.toMatch(/TopSecret9|OldSecret9|NewSecret9/)
    expect(text).toContain('"token":"(sensitive)"')
  })

  it('marks a refresh-only plan with drift as having changes', () => {
    const result = plan(input([], {p: []}, [['project.a', 'p', '1', {name: 'a'}]], {refreshOnly: true}))
    const json = toJsonPlan(result)
    expect(json).toMatchObject({refresh_only: true, has_changes: true, changes: [], state: null, config_hash: null})
    expect(json.drift).toEqual([
      {
        address: 'project.a',
        endpoint: 'p',
        kind: 'project',
        key: 'a',
        action: 'forget',
        id: null,
        before: {name: 'a'},
        after: null,
        diffs: [],
        reason: 'deleted outside hrep',
        notable: true,
      },
    ])
  })
})
