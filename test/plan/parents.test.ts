/**
 * Plan-time warnings for new objects whose containing parent will not be on the endpoint: a
 * project robot or member whose project is neither there nor created, a membership whose group is
 * neither there nor created (an oidc_auth Harbor creates it, other modes fail the create).
 */
import {describe, expect, it} from 'vitest'
import {plan} from '../../src/plan/planner.js'
import type {PlanResult} from '../../src/plan/types.js'
import {input, obj, want} from './fixtures.js'

const member = (project: string, group: string) => ({project, group, role: 'developer'})

function notes(result: PlanResult): string[] {
  return result.warnings.filter((w) => w.address !== undefined).map((w) => `${w.address}@${w.endpoint}: ${w.message}`)
}

describe('plan: missing parents', () => {
  it('warns about a member and a robot whose project is on neither the endpoint nor the plan', () => {
    const result = plan(
      input(
        [
          want('project.team', 'p', {name: 'team'}),
          want('robot.ci', 'p', {name: 'ci', project: 'team'}),
          want('robot.ci', 'dr', {name: 'ci', project: 'team'}),
          want('oidc_group.devs', 'dr', {name: 'devs', type: 'oidc'}),
          want('project_member.m', 'dr', member('team', 'devs')),
        ],
        {p: [], dr: [obj('project', '7', {name: 'other'})]},
      ),
    )
    expect(notes(result)).toEqual([
      'project_member.m@dr: project_member.m on dr belongs in project "team", which is not on dr and nothing in this plan creates there: the apply will fail at it. Declare the project for dr too, or keep this block off it (endpoints = [...]).',
      'robot.ci@dr: robot.ci on dr belongs in project "team", which is not on dr and nothing in this plan creates there: the apply will fail at it. Declare the project for dr too, or keep this block off it (endpoints = [...]).',
    ])
    // The changes are planned all the same: the warning says what will happen, the apply decides.
    expect(result.changes.map((c) => c.id)).toContain('robot.ci@dr')
  })

  it('says an undeclared, absent group is created only by an oidc_auth Harbor', () => {
    const result = plan(
      input([want('project_member.m', 'p', member('team', 'devs'))], {
        p: [obj('project', '1', {name: 'team'}), obj('oidc_group', '2', {name: 'admins'})],
      }),
    )
    expect(notes(result)).toEqual([
      'project_member.m@p: project_member.m on p is a membership of group "devs", which is not on p and no oidc_group block creates there: an oidc_auth Harbor creates the group with the membership, any other fails this create. Declare the group (oidc_group "..." { name = "devs" }) to be sure.',
    ])
  })

  it('is quiet when the parents are there, created by the plan, or of a kind the refresh did not read', () => {
    const there = plan(
      input([want('project_member.m', 'p', member('team', 'devs'))], {
        p: [obj('project', '1', {name: 'team'}), obj('oidc_group', '2', {name: 'devs'})],
      }),
    )
    expect(notes(there)).toEqual([])
    const created = plan(
      input(
        [
          want('project.team', 'p', {name: 'team'}),
          want('oidc_group.devs', 'p', {name: 'devs', type: 'oidc'}),
          want('project_member.m', 'p', member('team', 'devs')),
        ],
        {p: []},
      ),
    )
    expect(notes(created)).toEqual([])
    // Only robots are declared: the refresh lists no projects, so an unmanaged project is no reason to warn.
    const unread = input([want('robot.ci', 'p', {name: 'ci', project: 'team'})], {p: []})
    const snapshot = unread.live.endpoints.p
    if (snapshot?.status === 'ok') delete snapshot.objects.project
    expect(notes(plan(unread))).toEqual([])
  })

  it('warns when the parent is deleted by the same plan', () => {
    const result = plan(
      input([want('robot.ci', 'p', {name: 'ci', project: 'old'})], {p: [obj('project', '1', {name: 'old'})]}, [
        ['project.old', 'p', '1', {name: 'old'}],
      ]),
    )
    expect(notes(result)).toEqual([
      expect.stringContaining('robot.ci@p: robot.ci on p belongs in project "old", which is not on p'),
    ])
  })
})
