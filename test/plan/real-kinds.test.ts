/** The planner with the real kinds' pure members: keys, containment, replaceOn and import IDs fit together. */
import {describe, expect, it} from 'vitest'
import {kinds} from '../../src/kinds/registry.js'
import type {Attrs, KindName} from '../../src/model/change.js'
import {plan} from '../../src/plan/planner.js'
import type {DesiredObject, LiveSnapshot, StateLike} from '../../src/plan/types.js'

const parse = (kind: KindName, body: Attrs): Attrs => kinds[kind].configSchema.parse(body) as Attrs

const bodies: [string, KindName, Attrs][] = [
  ['project.team', 'project', {name: 'team', public: false}],
  ['oidc_group.devs', 'oidc_group', {name: 'devs'}],
  [
    'robot.ci',
    'robot',
    {
      name: 'ci',
      level: 'project',
      project: 'team',
      permission: [{kind: 'project', namespace: 'team', access: ['repository:pull']}],
    },
  ],
  ['project_member.devs', 'project_member', {project: 'team', group: 'devs', role: 'developer'}],
]

function desiredOn(endpoint: string): DesiredObject[] {
  return bodies.map(([address, kind, body]) => {
    const attrs = parse(kind, body)
    return {address, endpoint, kind, key: kinds[kind].key(attrs), attrs, references: []}
  })
}

type Objects = Record<KindName, {id: string; key: string; attrs: Attrs}[]>

/** A live snapshot of endpoint `p` and its (mutable) object lists. */
function noLive(): LiveSnapshot & {objects: Objects} {
  const objects: Objects = {project: [], oidc_group: [], robot: [], project_member: []}
  return {endpoints: {p: {status: 'ok', objects}}, objects}
}
const emptyState: StateLike = {lineage: 'l', serial: 0, resources: {}}

describe('planner with the real kinds', () => {
  it('creates a project, a group, a project robot and a member in dependency order', () => {
    const result = plan({desired: desiredOn('p'), live: noLive(), state: emptyState, kinds})
    expect(result.changes.map((c) => `${c.action} ${c.id} <- ${c.dependsOn.join(',')}`)).toEqual([
      'create oidc_group.devs@p <- ',
      'create project.team@p <- ',
      'create project_member.devs@p <- oidc_group.devs@p,project.team@p',
      'create robot.ci@p <- project.team@p',
    ])
  })

  it('deletes them children first', () => {
    const desired = desiredOn('p')
    const live = noLive()
    const state: StateLike = {lineage: 'l', serial: 1, resources: {}}
    desired.forEach((d, i) => {
      live.objects[d.kind].push({id: String(i + 1), key: d.key, attrs: d.attrs})
      state.resources[d.address] = {p: {id: String(i + 1), attrs: d.attrs}}
    })
    const result = plan({desired: [], live, state, kinds})
    expect(result.changes.map((c) => `${c.action} ${c.id} <- ${c.dependsOn.join(',')}`)).toEqual([
      'delete project_member.devs@p <- ',
      'delete robot.ci@p <- ',
      'delete oidc_group.devs@p <- project_member.devs@p',
      'delete project.team@p <- project_member.devs@p,robot.ci@p',
    ])
    // Equal live objects plan nothing.
    expect(plan({desired, live, state, kinds}).changes).toEqual([])
  })

  it('names import commands whose ID each kind accepts as its key', () => {
    const desired = desiredOn('p')
    const live = noLive()
    desired.forEach((d, i) => {
      live.objects[d.kind].push({id: String(i + 1), key: d.key, attrs: d.attrs})
    })
    const result = plan({desired, live, state: emptyState, kinds})
    expect(result.conflicts).toHaveLength(4)
    for (const conflict of result.conflicts) {
      const id = conflict.importCommand.split(' ').at(-1)!.replace(/^'|'$/g, '')
      expect(kinds[conflict.kind].parseImportId(id)).toBe(conflict.key)
    }
  })
})
