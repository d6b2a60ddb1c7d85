import {describe, expect, it} from 'vitest'
import {formatAddress} from '../../src/model/address.js'
import type {KindName} from '../../src/model/change.js'
import {HrepError} from '../../src/model/errors.js'
import {plan} from '../../src/plan/planner.js'
import type {PruneScope} from '../../src/plan/types.js'
import {input, obj, want} from './fixtures.js'

const member = (project: string, group: string) => ({project, group, role: 'developer'})

/** Everything new on two endpoints, a stale project to delete with a robot inside, one conflict. */
function scenario(targets: string[]) {
  const desired = [
    want('project.team["a"]', 'p', {name: 'a'}),
    want('project.team["b"]', 'p', {name: 'b'}),
    want('oidc_group.g', 'p', {name: 'g', type: 'oidc'}),
    want('project_member.m', 'p', member('a', 'g'), {references: ['project.team["a"]', 'oidc_group.g']}),
    want('robot.ci', 'p', {name: 'ci'}),
    want('project.team["a"]', 'dr', {name: 'a'}),
    want('project.lib', 'dr', {name: 'library'}),
  ]
  return plan(
    input(
      desired,
      {
        p: [obj('project', '1', {name: 'old'}), obj('robot', '2', {name: 'r', project: 'old'})],
        dr: [obj('project', '3', {name: 'library'})],
      },
      [
        ['project.old', 'p', '1', {name: 'old'}],
        ['robot.r', 'p', '2', {name: 'r', project: 'old'}],
      ],
      {targets},
    ),
  )
}

describe('--target', () => {
  it.each([
    {targets: ['robot.ci'], changes: ['robot.ci@p']},
    {
      targets: ['project_member.m'],
      changes: ['oidc_group.g@p', 'project.team["a"]@p', 'project_member.m@p'],
    },
    {targets: ['project.team'], changes: ['project.team["a"]@dr', 'project.team["a"]@p', 'project.team["b"]@p']},
    {targets: ['project.team["a"]@dr'], changes: ['project.team["a"]@dr']},
    {targets: ['project.old'], changes: ['robot.r@p', 'project.old@p']},
    {targets: ['robot.ci@dr'], changes: []},
  ])('$targets → $changes', ({targets, changes}) => {
    const result = scenario(targets)
    expect(result.changes.map((c) => c.id)).toEqual(changes)
    for (const change of result.changes) {
      for (const dep of change.dependsOn) expect(result.changes.map((c) => c.id)).toContain(dep)
    }
  })

  it('keeps the conflicts of targeted objects only', () => {
    expect(scenario(['project.lib']).conflicts.map((c) => c.address)).toEqual(['project.lib'])
    expect(scenario(['robot.ci']).conflicts).toEqual([])
  })

  it('warns that targeting is in effect, and about a target that names nothing', () => {
    expect(scenario(['robot.ci']).warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^resource targeting is in effect/),
    ])
    expect(scenario(['robot.nope']).warnings.map((w) => w.message)).toEqual([
      '--target robot.nope matches nothing in the configuration or the state',
    ])
  })

  it('keeps the unmanaged objects of a targeted replicate block, and only those', () => {
    const scope = (kind: KindName, owner: string): PruneScope => ({
      endpoint: 't',
      kind,
      owner,
      source: 's',
      delete: false,
      matches: (live) => live.key.startsWith(owner),
      address: (key) => formatAddress({kind, name: owner, key}),
    })
    const live = {t: [obj('project', '1', {name: 'm-extra'}), obj('project', '2', {name: 'n-extra'})]}
    const run = (targets: string[]) =>
      plan({
        ...input([want('robot.ci', 't', {name: 'ci'})], live, [], {targets}),
        prune: [scope('project', 'm'), scope('project', 'n')],
      })
    expect(run([]).unmanaged?.map((u) => u.address)).toEqual(['project.m["m-extra"]', 'project.n["n-extra"]'])
    expect(run(['project.m']).unmanaged?.map((u) => u.address)).toEqual(['project.m["m-extra"]'])
    expect(run(['project.m']).warnings.map((w) => w.message)).not.toContain(
      '--target project.m matches nothing in the configuration or the state',
    )
    expect(run(['robot.ci']).unmanaged).toBeUndefined()
  })

  it('rejects a malformed target with an HrepError', () => {
    expect(() => scenario(['robot'])).toThrow(HrepError)
    expect(() => scenario(['robot'])).toThrow(/invalid resource address "robot"/)
  })
})

describe('--refresh-only', () => {
  it('plans no change to Harbor and reports drift between state and live', () => {
    const result = plan(
      input(
        [want('project.a', 'p', {name: 'a', public: true}), want('project.new', 'p', {name: 'new'})],
        {p: [obj('project', '1', {name: 'a', public: false, auto_scan: true}), obj('project', '9', {name: 'b'})]},
        [
          ['project.a', 'p', '1', {name: 'a', public: true}],
          ['project.b', 'p', '2', {name: 'b'}],
          ['project.gone', 'p', '3', {name: 'gone'}],
        ],
        {refreshOnly: true},
      ),
    )
    expect(result.refreshOnly).toBe(true)
    expect(result.changes).toEqual([])
    expect(result.drift).toEqual([
      {
        address: 'project.a',
        endpoint: 'p',
        kind: 'project',
        key: 'a',
        action: 'refresh',
        id: '1',
        before: {name: 'a', public: true},
        after: {name: 'a', public: false},
        diffs: [{path: 'public', before: true, after: false}],
        reason: 'changed outside hrep',
        notable: true,
      },
      expect.objectContaining({address: 'project.b', action: 'refresh', id: '9', reason: expect.stringMatching(/recreated/)}),
      expect.objectContaining({address: 'project.gone', action: 'forget', reason: 'deleted outside hrep'}),
    ])
  })

  it('reports nothing when state matches live', () => {
    const result = plan(
      input([], {p: [obj('project', '1', {name: 'a', public: false})]}, [['project.a', 'p', '1', {name: 'a'}]], {
        refreshOnly: true,
      }),
    )
    expect(result.drift).toEqual([])
  })
})
