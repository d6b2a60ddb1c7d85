import {describe, expect, it} from 'vitest'
import {SENSITIVE} from '../../src/model/secret.js'
import {hasChanges, plan} from '../../src/plan/planner.js'
import type {PlanResult} from '../../src/plan/types.js'
import {input, obj, want} from './fixtures.js'

/** The plan as short lines: `create project.a@p`, `update (import) robot.ci@p`, ... */
function actions(result: PlanResult): string[] {
  return result.changes.map((c) => `${c.action}${c.importing ? ' (import)' : ''} ${c.id}`)
}

const proj = (name: string, extra = {}) => ({name, public: false, ...extra})

function fail(): never {
  throw new Error('no name')
}

describe('plan: one object against live and state', () => {
  it.each([
    {
      scenario: 'desired, not live, not in state → create',
      desired: [want('project.a', 'p', proj('a'))],
      live: {p: []},
      state: [],
      changes: ['create project.a@p'],
      reason: /not on the endpoint/,
    },
    {
      scenario: 'desired equals live and state → nothing',
      desired: [want('project.a', 'p', proj('a'))],
      live: {p: [obj('project', '1', proj('a'))]},
      state: [['project.a', 'p', '1', proj('a')]],
      changes: [],
    },
    {
      scenario: 'a managed attribute differs → update',
      desired: [want('project.a', 'p', proj('a', {public: true}))],
      live: {p: [obj('project', '1', proj('a'))]},
      state: [['project.a', 'p', '1', proj('a')]],
      changes: ['update project.a@p'],
      reason: /^configuration changed$/,
    },
    {
      scenario: 'an attribute absent from desired is not managed → nothing',
      desired: [want('project.a', 'p', {name: 'a'})],
      live: {p: [obj('project', '1', proj('a', {public: true, auto_scan: true}))]},
      state: [['project.a', 'p', '1', {name: 'a'}]],
      changes: [],
    },
    {
      scenario: 'a replaceOn attribute differs → replace',
      desired: [want('oidc_group.g', 'p', {name: 'g', type: 'oidc'})],
      live: {p: [obj('oidc_group', '7', {name: 'g', type: 'ldap'})]},
      state: [['oidc_group.g', 'p', '7', {name: 'g', type: 'ldap'}]],
      changes: ['replace oidc_group.g@p'],
      reason: /type cannot be changed in place/,
    },
    {
      scenario: 'live changed out of band → update (drift)',
      desired: [want('project.a', 'p', proj('a'))],
      live: {p: [obj('project', '1', proj('a', {public: true}))]},
      state: [['project.a', 'p', '1', proj('a')]],
      changes: ['update project.a@p'],
      reason: /^drift: changed outside hrep$/,
    },
    {
      scenario: 'both config and live moved → update naming both',
      desired: [want('project.a', 'p', proj('a', {storage: 3}))],
      live: {p: [obj('project', '1', proj('a', {storage: 2}))]},
      state: [['project.a', 'p', '1', proj('a', {storage: 1})]],
      changes: ['update project.a@p'],
      reason: /configuration changed; drift: changed outside hrep/,
    },
    {
      scenario: 'in state and desired, deleted out of band → create (drift)',
      desired: [want('project.a', 'p', proj('a'))],
      live: {p: []},
      state: [['project.a', 'p', '1', proj('a')]],
      changes: ['create project.a@p'],
      reason: /drift: deleted outside hrep/,
    },
    {
      scenario: 'in state, not desired, live → delete',
      desired: [],
      live: {p: [obj('project', '1', proj('a'))]},
      state: [['project.a', 'p', '1', proj('a')]],
      changes: ['delete project.a@p'],
      reason: /no longer in the configuration/,
    },
    {
      scenario: 'in state, not desired, not live → no change, state forgets it',
      desired: [],
      live: {p: []},
      state: [['project.a', 'p', '1', proj('a')]],
      changes: [],
      drift: ['forget project.a@p'],
    },
    {
      scenario: 'live only (unmanaged, not desired) → ignored',
      desired: [],
      live: {p: [obj('project', '1', proj('library'))]},
      state: [],
      changes: [],
    },
    {
      scenario: 'desired with the key of an unmanaged live object → conflict',
      desired: [want('project.a', 'p', proj('a'))],
      live: {p: [obj('project', '1', proj('a'))]},
      state: [],
      changes: [],
      conflicts: ["hrep import 'project.a@p' a"],
    },
    {
      scenario: 'adopt an unmanaged equal object → importing no-op',
      desired: [want('project.a', 'p', proj('a'), {adopt: true})],
      live: {p: [obj('project', '1', proj('a'))]},
      state: [],
      changes: ['noop (import) project.a@p'],
      reason: /adopting/,
    },
    {
      scenario: 'adopt an unmanaged differing object → importing update',
      desired: [want('project.a', 'p', proj('a', {public: true}), {adopt: true})],
      live: {p: [obj('project', '1', proj('a'))]},
      state: [],
      changes: ['update (import) project.a@p'],
    },
    {
      scenario: 'the address was renamed in the config → taken over, old address forgotten',
      desired: [want('project.b', 'p', proj('a'))],
      live: {p: [obj('project', '1', proj('a'))]},
      state: [['project.a', 'p', '1', proj('a')]],
      changes: ['noop (import) project.b@p'],
      drift: ['forget project.a@p'],
      reason: /moved from project.a/,
    },
    {
      scenario: 'the key changed (rename) → replace of the old object',
      desired: [want('project.a', 'p', proj('b'))],
      live: {p: [obj('project', '1', proj('a'))]},
      state: [['project.a', 'p', '1', proj('a')]],
      changes: ['replace project.a@p'],
      reason: /key changes from "a" to "b"/,
    },
    {
      scenario: 'unchanged object recreated out of band → state records the new id',
      desired: [want('project.a', 'p', proj('a'))],
      live: {p: [obj('project', '9', proj('a'))]},
      state: [['project.a', 'p', '1', proj('a')]],
      changes: [],
      drift: ['refresh project.a@p'],
    },
  ])('$scenario', ({desired, live, state, changes, conflicts = [], drift = [], reason}) => {
    const result = plan(input(desired, live, state as never))
    expect(actions(result)).toEqual(changes)
    expect(result.conflicts.map((c) => c.importCommand)).toEqual(conflicts)
    expect(result.drift.map((d) => `${d.action} ${d.address}@${d.endpoint}`)).toEqual(drift)
    if (reason !== undefined) expect(result.changes[0]?.reason).toMatch(reason)
  })
})

describe('plan: details', () => {
  it('sets before to live, after to desired, and diffs only managed attributes', () => {
    const result = plan(
      input(
        [want('project.a', 'p', {name: 'a', public: true})],
        {p: [obj('project', '1', {name: 'a', public: false, auto_scan: true})]},
        [['project.a', 'p', '1', {name: 'a', public: false}]],
      ),
    )
    const [change] = result.changes
    expect(change).toMatchObject({
      before: {name: 'a', public: false, auto_scan: true},
      after: {name: 'a', public: true},
      liveId: '1',
      diffs: [{path: 'public', before: false, after: true}],
    })
  })

  it('compares nested values deeply and treats array order as significant', () => {
    const permissions = [{namespace: 'a', access: ['pull', 'push']}]
    const same = plan(
      input(
        [want('robot.ci', 'p', {name: 'ci', permissions})],
        {p: [obj('robot', '1', {name: 'ci', permissions: [{access: ['pull', 'push'], namespace: 'a'}]})]},
        [['robot.ci', 'p', '1', {name: 'ci', permissions}]],
      ),
    )
    expect(same.changes).toEqual([])
    const reordered = plan(
      input(
        [want('robot.ci', 'p', {name: 'ci', permissions})],
        {p: [obj('robot', '1', {name: 'ci', permissions: [{namespace: 'a', access: ['push', 'pull']}]})]},
        [['robot.ci', 'p', '1', {name: 'ci', permissions}]],
      ),
    )
    expect(actions(reordered)).toEqual(['update robot.ci@p'])
  })

  it('marks the attribute whose change changes the key (a rename) as forcing the replacement', () => {
    const result = plan(
      input(
        [want('robot.ci', 'p', {name: 'ci2', project: 'a', description: 'x'})],
        {p: [obj('robot', '1', {name: 'ci', project: 'a', description: 'y'})]},
        [['robot.ci', 'p', '1', {name: 'ci', project: 'a', description: 'y'}]],
      ),
    )
    expect(result.changes[0]!.diffs).toEqual([
      {path: 'description', before: 'y', after: 'x'},
      {path: 'name', before: 'ci', after: 'ci2', forcesReplace: true},
    ])
  })

  it('marks the attribute that forces a replacement', () => {
    const result = plan(
      input(
        [want('robot.ci', 'p', {name: 'ci', level: 'project', description: 'x'})],
        {p: [obj('robot', '1', {name: 'ci', level: 'system', description: 'y'})]},
        [['robot.ci', 'p', '1', {name: 'ci', level: 'system', description: 'y'}]],
      ),
    )
    const diffs = result.changes[0]!.diffs.filter((d) => !d.sensitive)
    expect(diffs).toEqual([
      {path: 'description', before: 'y', after: 'x'},
      {path: 'level', before: 'system', after: 'project', forcesReplace: true},
    ])
  })

  it.each([
    {matches: false, action: 'update', reason: /declared secret changed/},
    {matches: undefined, action: 'update', reason: /not yet set by hrep/},
    {matches: true, action: undefined, reason: undefined},
  ])('robot secret with fingerprintMatches=$matches → $action', ({matches, action, reason}) => {
    const attrs = {name: 'ci', description: ''}
    const result = plan(
      input(
        [want('robot.ci', 'p', attrs, {secret: {declared: true, fingerprintMatches: matches}})],
        {p: [obj('robot', '1', attrs)]},
        [['robot.ci', 'p', '1', attrs, 'scrypt:x']],
      ),
    )
    expect(result.changes[0]?.action).toBe(action)
    if (action !== undefined) {
      expect(result.changes[0]!.reason).toMatch(reason!)
      expect(result.changes[0]!.diffs).toEqual([{path: 'secret', before: SENSITIVE, after: SENSITIVE, sensitive: true}])
    }
  })

  it('shows a created robot with its secret as sensitive and says when hrep generates it', () => {
    const result = plan(input([want('robot.ci', 'p', {name: 'ci'}, {secret: {declared: false}})], {p: []}))
    const [change] = result.changes
    expect(change!.diffs).toContainEqual({path: 'secret', before: undefined, after: SENSITIVE, sensitive: true})
    expect(change!.reason).toMatch(/generates its secret/)
    expect(change!.after).toEqual({name: 'ci'})
  })

  it('never puts sensitive attributes of live objects into before/after', () => {
    const result = plan(
      input(
        [want('robot.ci', 'p', {name: 'ci', description: 'new'})],
        {p: [obj('robot', '1', {name: 'ci', description: 'old', secret: 'LiveSecret1'})]},
        [['robot.ci', 'p', '1', {name: 'ci', description: 'old'}]],
      ),
    )
    expect(JSON.stringify(result)).not.toContain('LiveSecret1')
  })

  it('plans nothing for an unavailable endpoint and still plans the others', () => {
    const desired = [want('project.a', 'p', proj('a')), want('project.a', 'dr', proj('a'))]
    const result = plan(input(desired, {p: [], dr: 'connection refused'}, [['project.old', 'dr', '1', proj('old')]]))
    expect(actions(result)).toEqual(['create project.a@p'])
    expect(result.unavailable).toEqual([{endpoint: 'dr', message: 'connection refused'}])
  })

  it('treats an endpoint refresh did not read, or read without a needed kind, as unavailable', () => {
    const desired = [want('project.a', 'p', proj('a')), want('robot.ci', 'q', {name: 'ci'})]
    const live = {endpoints: {q: {status: 'ok' as const, objects: {project: []}}}}
    const result = plan({...input(desired, {}), live})
    expect(result.changes).toEqual([])
    expect(result.unavailable).toEqual([
      {endpoint: 'p', message: 'it was not refreshed'},
      {endpoint: 'q', message: 'refresh did not read its robot objects'},
    ])
  })

  it('holds deletes when they are not allowed, with a warning', () => {
    const result = plan(
      input([], {p: [obj('project', '1', proj('a'))]}, [['project.a', 'p', '1', proj('a')]], {allowDelete: false}),
    )
    expect(result.changes).toEqual([])
    expect(result.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/deletes are not allowed/)])
  })

  it('uses the key the state records, and warns about state entries it cannot place', () => {
    const planInput = input([], {p: [obj('project', '1', proj('a'))]})
    planInput.state.resources = {
      'project.a': {p: {id: '1', key: 'a', attrs: {}}},
      'project.b': {p: {id: '1', attrs: proj('a')}},
      'project.c': {p: {id: '2', attrs: {}}},
      'widget.w': {p: {id: '3', attrs: {}}},
    }
    planInput.kinds = {...planInput.kinds, project: {...planInput.kinds.project, key: (a) => String(a.name ?? fail())}}
    const result = plan(planInput)
    expect(actions(result)).toEqual(['delete project.a@p', 'delete project.b@p'])
    expect(result.warnings.map((w) => w.message)).toEqual([
      'state has both project.a and project.b for project "a" on p; project.a is used',
      'the state entry of project.c@p has no usable key (no name); it is left alone',
      'state holds widget.w of unknown kind "widget"; it is left alone',
    ])
  })

  it('refuses two desired objects with one key on one endpoint', () => {
    expect(() => plan(input([want('project.a', 'p', proj('x')), want('project.b', 'p', proj('x'))], {p: []}))).toThrow(
      /project.a and project.b both declare project "x" on endpoint p/,
    )
  })

  it('does not mutate its inputs', () => {
    const planInput = input(
      [want('project.a', 'p', proj('a', {public: true})), want('oidc_group.g', 'p', {name: 'g', type: 'oidc'})],
      {p: [obj('project', '1', proj('a')), obj('oidc_group', '2', {name: 'g', type: 'ldap'})]},
      [['project.z', 'p', '3', proj('z')]],
    )
    const copy = structuredClone(planInput.desired)
    const liveCopy = structuredClone(planInput.live)
    const stateCopy = structuredClone(planInput.state)
    const result = plan(planInput)
    for (const change of result.changes) {
      if (change.after) change.after.mutated = true
      if (change.before) change.before.mutated = true
    }
    expect(planInput.desired).toEqual(copy)
    expect(planInput.live).toEqual(liveCopy)
    expect(planInput.state).toEqual(stateCopy)
  })

  it('gives the same output whatever the order of its inputs', () => {
    const desired = [
      want('project.a', 'p', proj('a')),
      want('oidc_group.g', 'p', {name: 'g', type: 'oidc'}),
      want('project_member.m', 'p', {project: 'a', group: 'g', role: 'developer'}),
      want('project.a', 'dr', proj('a')),
      want('robot.r', 'dr', {name: 'r', project: 'a'}),
    ]
    const first = plan(input(desired, {p: [], dr: []}))
    const second = plan(input([...desired].reverse(), {dr: [], p: []}))
    expect(second).toEqual(first)
    expect(first.changes.map((c) => c.id)).toEqual([
      'project.a@dr',
      'robot.r@dr',
      'oidc_group.g@p',
      'project.a@p',
      'project_member.m@p',
    ])
  })

  it('reports whether there is anything to apply', () => {
    expect(hasChanges(plan(input([want('project.a', 'p', proj('a'))], {p: []})))).toBe(true)
    expect(hasChanges(plan(input([], {p: []}, [['project.a', 'p', '1', proj('a')]])))).toBe(false)
  })
})
