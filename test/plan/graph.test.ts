import {describe, expect, it} from 'vitest'
import type {Change} from '../../src/model/change.js'
import {orderChanges} from '../../src/plan/graph.js'
import {plan} from '../../src/plan/planner.js'
import {input, obj, want} from './fixtures.js'

const member = (project: string, group: string) => ({project, group, role: 'developer'})

/** `id <- dependency, dependency` for each change that has dependencies. */
function edges(changes: Change[]): string[] {
  return changes.filter((c) => c.dependsOn.length > 0).map((c) => `${c.id} <- ${c.dependsOn.join(', ')}`)
}

describe('dependency graph', () => {
  it.each([
    {
      scenario: 'creates: a member waits for its project and group, a project robot for its project',
      desired: [
        want('project.a', 'p', {name: 'a'}),
        want('oidc_group.g', 'p', {name: 'g', type: 'oidc'}),
        want('project_member.m', 'p', member('a', 'g')),
        want('robot.r', 'p', {name: 'r', project: 'a'}),
      ],
      live: [],
      state: [],
      order: ['oidc_group.g@p', 'project.a@p', 'project_member.m@p', 'robot.r@p'],
      edges: ['project_member.m@p <- oidc_group.g@p, project.a@p', 'robot.r@p <- project.a@p'],
    },
    {
      scenario: 'an update of a child does not wait for an update of its parent',
      desired: [
        want('project.a', 'p', {name: 'a', public: true}),
        want('robot.r', 'p', {name: 'r', project: 'a', description: 'new'}),
      ],
      live: [obj('project', '1', {name: 'a', public: false}), obj('robot', '2', {name: 'r', project: 'a', description: 'old'})],
      state: [
        ['project.a', 'p', '1', {name: 'a', public: false}],
        ['robot.r', 'p', '2', {name: 'r', project: 'a', description: 'old'}],
      ],
      order: ['project.a@p', 'robot.r@p'],
      edges: [],
    },
    {
      scenario: 'deletes run in reverse: the project waits for its member and robot',
      desired: [],
      live: [
        obj('project', '1', {name: 'a'}),
        obj('oidc_group', '2', {name: 'g', type: 'oidc'}),
        obj('project_member', '3', member('a', 'g')),
        obj('robot', '4', {name: 'r', project: 'a'}),
      ],
      state: [
        ['project.a', 'p', '1', {name: 'a'}],
        ['oidc_group.g', 'p', '2', {name: 'g', type: 'oidc'}],
        ['project_member.m', 'p', '3', member('a', 'g')],
        ['robot.r', 'p', '4', {name: 'r', project: 'a'}],
      ],
      order: ['project_member.m@p', 'robot.r@p', 'oidc_group.g@p', 'project.a@p'],
      edges: ['oidc_group.g@p <- project_member.m@p', 'project.a@p <- project_member.m@p, robot.r@p'],
    },
    {
      scenario: 'a system robot referencing a new project waits for it (reference, not containment)',
      desired: [want('project.a', 'p', {name: 'a'}), want('robot.ci', 'p', {name: 'ci', pull: ['a']})],
      live: [],
      state: [],
      order: ['project.a@p', 'robot.ci@p'],
      edges: ['robot.ci@p <- project.a@p'],
    },
    {
      scenario: 'project rename: parent and child replaced, child after parent, no cycle',
      desired: [want('project.a', 'p', {name: 'b'}), want('robot.r', 'p', {name: 'r', project: 'b'})],
      live: [obj('project', '1', {name: 'a'}), obj('robot', '2', {name: 'r', project: 'a'})],
      state: [
        ['project.a', 'p', '1', {name: 'a'}],
        ['robot.r', 'p', '2', {name: 'r', project: 'a'}],
      ],
      order: ['project.a@p', 'robot.r@p'],
      edges: ['robot.r@p <- project.a@p'],
    },
    {
      scenario: 'changes on different endpoints never depend on each other',
      desired: [want('project.a', 'x', {name: 'a'}), want('robot.r', 'y', {name: 'r', project: 'a'})],
      live: [],
      state: [],
      order: ['project.a@x', 'robot.r@y'],
      edges: [],
    },
  ])('$scenario', ({desired, live, state, order, edges: expected}) => {
    const endpoints = [...new Set(desired.map((d) => d.endpoint))]
    const liveSpec = Object.fromEntries((endpoints.length ? endpoints : ['p']).map((e) => [e, e === 'p' ? live : []]))
    const result = plan(input(desired, liveSpec, state as never))
    expect(result.changes.map((c) => c.id)).toEqual(order)
    expect(edges(result.changes)).toEqual(expected)
  })

  it('orders by endpoint, then depth, then address', () => {
    const change = (id: string, endpoint: string, dependsOn: string[] = []): Change => ({
      id,
      address: id.split('@')[0]!,
      endpoint,
      kind: 'project',
      key: id,
      action: 'create',
      diffs: [],
      reason: '',
      dependsOn,
    })
    const ordered = orderChanges([
      change('z.c@b', 'b'),
      change('a.a@b', 'b', ['z.c@b']),
      change('m.m@a', 'a'),
      change('b.b@b', 'b'),
    ])
    expect(ordered.map((c) => c.id)).toEqual(['m.m@a', 'b.b@b', 'z.c@b', 'a.a@b'])
  })

  it('names a cycle', () => {
    const change = (id: string, dependsOn: string[]): Change => ({
      id,
      address: id,
      endpoint: 'p',
      kind: 'project',
      key: id,
      action: 'create',
      diffs: [],
      reason: '',
      dependsOn,
    })
    expect(() => orderChanges([change('a', ['b']), change('b', ['c']), change('c', ['a']), change('d', [])])).toThrow(
      'the plan has a dependency cycle: a -> b -> c -> a',
    )
  })
})

describe('cascading deletes', () => {
  it('recreates the members of a replaced group after it', () => {
    const result = plan(
      input(
        [
          want('project.a', 'p', {name: 'a'}),
          want('oidc_group.g', 'p', {name: 'g', type: 'oidc'}),
          want('project_member.m', 'p', member('a', 'g')),
        ],
        {
          p: [
            obj('project', '1', {name: 'a'}),
            obj('oidc_group', '2', {name: 'g', type: 'ldap'}),
            obj('project_member', '3', member('a', 'g')),
          ],
        },
        [
          ['project.a', 'p', '1', {name: 'a'}],
          ['oidc_group.g', 'p', '2', {name: 'g', type: 'ldap'}],
          ['project_member.m', 'p', '3', member('a', 'g')],
        ],
      ),
    )
    expect(result.changes.map((c) => `${c.action} ${c.id} <- ${c.dependsOn.join(',')}`)).toEqual([
      'replace oidc_group.g@p <- ',
      'replace project_member.m@p <- oidc_group.g@p',
    ])
    expect(result.changes[1]!.reason).toBe('Harbor deletes it with oidc_group.g@p, which is replaced')
  })

  it('warns about unmanaged objects Harbor deletes with a deleted project or a replaced group', () => {
    const result = plan(
      input(
        [want('oidc_group.g', 'p', {name: 'g', type: 'oidc'}, {}), want('project.b', 'p', {name: 'b'})],
        {
          p: [
            obj('project', '1', {name: 'a'}),
            obj('robot', '4', {name: 'r', project: 'a'}),
            obj('oidc_group', '2', {name: 'g', type: 'ldap'}),
            obj('project_member', '3', member('b', 'g')),
            obj('project', '5', {name: 'b'}),
          ],
        },
        [
          ['project.a', 'p', '1', {name: 'a'}],
          ['oidc_group.g', 'p', '2', {name: 'g', type: 'ldap'}],
          ['project.b', 'p', '5', {name: 'b'}],
        ],
      ),
    )
    expect(result.changes.map((c) => `${c.action} ${c.id}`)).toEqual(['replace oidc_group.g@p', 'delete project.a@p'])
    expect(result.warnings.map((w) => w.message)).toEqual([
      'Replacing oidc_group.g@p makes Harbor also delete 1 object(s) hrep does not manage: project_member "b/g:g"',
      'Deleting project.a@p makes Harbor also delete 1 object(s) hrep does not manage: robot "a+r"',
    ])
  })

  it('turns a desired member in conflict inside a replaced group into a create after the group', () => {
    const result = plan(
      input(
        [want('oidc_group.g', 'p', {name: 'g', type: 'oidc'}), want('project_member.m', 'p', member('b', 'g'))],
        {
          p: [
            obj('project', '5', {name: 'b'}),
            obj('oidc_group', '2', {name: 'g', type: 'ldap'}),
            obj('project_member', '3', member('b', 'g')),
          ],
        },
        [['oidc_group.g', 'p', '2', {name: 'g', type: 'ldap'}]],
      ),
    )
    expect(result.conflicts).toEqual([])
    expect(result.changes.map((c) => `${c.action} ${c.id} <- ${c.dependsOn.join(',')}`)).toEqual([
      'replace oidc_group.g@p <- ',
      'create project_member.m@p <- oidc_group.g@p',
    ])
  })

  it('does not touch a system robot whose permission names a deleted project', () => {
    const robot = {name: 'ci', pull: ['a']}
    const result = plan(
      input([want('robot.ci', 'p', robot)], {p: [obj('project', '1', {name: 'a'}), obj('robot', '2', robot)]}, [
        ['project.a', 'p', '1', {name: 'a'}],
        ['robot.ci', 'p', '2', robot],
      ]),
    )
    expect(result.changes.map((c) => `${c.action} ${c.id}`)).toEqual(['delete project.a@p'])
    expect(result.warnings).toEqual([])
  })
})
