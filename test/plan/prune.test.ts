/**
 * Mirror mode's prune scopes in the planner: extras on a target are deleted (prune = true) or listed
 * as unmanaged (prune = false); objects desired, managed, or outside the scope are never touched;
 * deletes are ordered children first and held when deletes are not allowed; objects a block mirrored
 * earlier and its source lost are released from state under prune = false. Also the rotate marker.
 */
import {describe, expect, it} from 'vitest'
import {formatAddress} from '../../src/model/address.js'
import type {KindName} from '../../src/model/change.js'
import {hasChanges, plan} from '../../src/plan/planner.js'
import type {PlanResult, PruneScope} from '../../src/plan/types.js'
import {input, obj, want} from './fixtures.js'

const proj = (name: string) => ({name, public: false})
const robot = (project: string, name: string) => ({name, project, level: 'project'})
const member = (project: string, group: string) => ({project, group, role: 'developer'})

/** Scopes of a block "m" on endpoint t for `kinds`, reaching objects whose key starts with `team`. */
function scopes(remove: boolean, kinds: KindName[] = ['project', 'robot', 'project_member']): PruneScope[] {
  return kinds.map((kind) => ({
    endpoint: 't',
    kind,
    owner: 'm',
    source: 's',
    delete: remove,
    matches: (live) => live.key.startsWith('team'),
    address: (key) => formatAddress({kind, name: 'm', key}),
  }))
}

function actions(result: PlanResult): string[] {
  return result.changes.map((c) => `${c.action} ${c.id}`)
}

const liveT = [
  obj('project', '1', proj('team-a')),
  obj('project', '2', proj('team-old')),
  obj('project', '3', proj('other')),
  obj('robot', '4', robot('team-old', 'ci')),
  obj('project_member', '5', member('team-old', 'devs')),
  obj('robot', '6', robot('team-a', 'extra')),
]
const desiredT = [want('project.m["team-a"]', 't', proj('team-a'), {adopt: true})]

describe('plan: prune scopes', () => {
  it('with prune = true deletes the extras in scope, children before their project, and nothing else', () => {
    const result = plan({...input(desiredT, {t: liveT}), prune: scopes(true)})
    expect(actions(result).sort()).toEqual([
      'delete project.m["team-old"]@t',
      'delete project_member.m["team-old/g:devs"]@t',
      'delete robot.m["team-a+extra"]@t',
      'delete robot.m["team-old+ci"]@t',
      'noop project.m["team-a"]@t',
    ])
    const byId = new Map(result.changes.map((c) => [c.id, c]))
    const project = byId.get('project.m["team-old"]@t')!
    expect(project.dependsOn).toEqual(['project_member.m["team-old/g:devs"]@t', 'robot.m["team-old+ci"]@t'])
    expect(project.reason).toBe('not on s (replicate "m", prune = true)')
    expect(project.liveId).toBe('2')
    expect(result.unmanaged).toBeUndefined()
  })

  it('with prune = false lists the extras as unmanaged and changes nothing', () => {
    const result = plan({...input(desiredT, {t: liveT}), prune: scopes(false)})
    expect(actions(result)).toEqual(['noop project.m["team-a"]@t'])
    expect(result.unmanaged?.map((u) => `${u.kind} ${u.key} ${u.liveId} ${u.owner}`)).toEqual([
      'project team-old 2 m',
      'project_member team-old/g:devs 5 m',
      'robot team-a+extra 6 m',
      'robot team-old+ci 4 m',
    ])
  })

  it('never prunes an object state manages under another address, nor one another declaration claims', () => {
    const desired = [...desiredT, want('robot.own', 't', robot('team-a', 'extra'))]
    const result = plan({
      ...input(desired, {t: liveT}, [['project.kept', 't', '2', proj('team-old')]]),
      prune: scopes(true, ['project', 'robot']),
    })
    // team-old is managed by project.kept, which is no longer declared: the normal rule deletes it.
    expect(actions(result).sort()).toEqual([
      'delete project.kept@t',
      'delete robot.m["team-old+ci"]@t',
      'noop project.m["team-a"]@t',
    ])
    // robot.own claims team-a+extra (a conflict until imported): not an extra.
    expect(result.conflicts.map((c) => c.address)).toEqual(['robot.own'])
    // The membership is outside these scopes: Harbor's cascade is reported, nothing is planned for it.
    expect(result.warnings.some((w) => w.message.includes('project_member "team-old/g:devs"'))).toBe(true)
  })

  it('holds prune deletes when deletes are not allowed, saying so once per block', () => {
    const result = plan({...input(desiredT, {t: liveT}, [], {allowDelete: false}), prune: scopes(true)})
    expect(result.changes.filter((c) => c.action === 'delete')).toEqual([])
    const notes = result.warnings.filter((w) => w.message.includes('would prune'))
    expect(notes).toHaveLength(1)
    expect(notes[0]!.message).toContain('4 object(s) on t')
  })

  it('prunes nothing on an endpoint no scope names', () => {
    const result = plan({...input([], {t: liveT, u: liveT}), prune: scopes(true).map((s) => ({...s, endpoint: 'u'}))})
    expect(result.changes.every((c) => c.endpoint === 'u')).toBe(true)
    expect(result.changes.length).toBe(5)
  })

  it('releases objects a block mirrored earlier and its source lost when prune = false', () => {
    const state: [string, string, string, Record<string, unknown>][] = [
      ['project.m["team-old"]', 't', '2', proj('team-old')],
      ['robot.m["team-old+ci"]', 't', '4', robot('team-old', 'ci')],
    ]
    const kept = plan({...input(desiredT, {t: liveT}, state), prune: scopes(false)})
    expect(actions(kept)).toEqual(['noop project.m["team-a"]@t'])
    expect(kept.drift.filter((d) => d.action === 'forget').map((d) => d.address)).toEqual([
      'project.m["team-old"]',
      'robot.m["team-old+ci"]',
    ])
    expect(kept.unmanaged?.map((u) => u.key)).toEqual(['team-old', 'team-old/g:devs', 'team-a+extra', 'team-old+ci'])

    const pruned = plan({...input(desiredT, {t: liveT}, state), prune: scopes(true)})
    const project = pruned.changes.find((c) => c.id === 'project.m["team-old"]@t')!
    expect(project.action).toBe('delete')
    expect(project.reason).toBe('no longer on s (replicate "m", prune = true)')
  })

  it('with --target keeps only the prune deletes it names', () => {
    const result = plan({
      ...input(desiredT, {t: liveT}, [], {targets: ['robot.m["team-a+extra"]']}),
      prune: scopes(true),
    })
    expect(actions(result)).toEqual(['delete robot.m["team-a+extra"]@t'])
  })
})

describe('plan: rotating a generated secret', () => {
  const r = {name: 'ci', level: 'system'}
  it('sets a new secret on an existing robot when asked to rotate, and only then', () => {
    const live = {t: [obj('robot', '9', r)]}
    const state: [string, string, string, Record<string, unknown>][] = [['robot.ci', 't', '9', r]]
    const rotated = plan(input([want('robot.ci', 't', r, {secret: {declared: false, rotate: 'rotate it'}})], live, state))
    expect(actions(rotated)).toEqual(['update robot.ci@t'])
    expect(rotated.changes[0]!.diffs).toEqual([{path: 'secret', before: '(sensitive)', after: '(sensitive)', sensitive: true}])
    expect(rotated.changes[0]!.reason).toBe('rotate it')

    const quiet = plan(input([want('robot.ci', 't', r, {secret: {declared: false}})], live, state))
    expect(hasChanges(quiet)).toBe(false)
  })
})
