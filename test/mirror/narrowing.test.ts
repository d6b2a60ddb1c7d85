/**
 * Narrowing a replicate block, in process against emulated Harbors: a block whose kinds, to,
 * patterns or robot_secrets shrink releases what it no longer reaches (state forgets it, the plan
 * lists it as unmanaged, Harbor keeps it), never deletes it, and never touches the source's robots.
 * And project robots and memberships are planned only where their project is.
 */
import {afterEach, describe, expect, it} from 'vitest'
import type {EmulatorHandle, SeedData} from '../../src/emulator/index.js'
import type {PlanOutcome} from '../../src/engine/workspace.js'
import {type HarborWorld, startHarbors} from '../helpers/harbors.js'
import {changesOf, runsIn} from './runs.js'

function replicateHcl(body: string): string {
  return `replicate "m" {\n  from = endpoint.primary\n${body}}\n`
}

/** A source with one project holding a robot and a group membership, a second project, and a system robot. */
const seed = (): SeedData => ({
  groups: [{name: 'devs'}],
  projects: [{name: 'payments', members: [{group: 'devs', role: 'developer'}]}, {name: 'billing'}],
  robots: [
    {name: 'ci', permissions: [{kind: 'project', namespace: '*', access: ['repository:pull']}]},
    {
      name: 'deploy',
      level: 'project',
      project: 'payments',
      permissions: [{kind: 'project', namespace: 'payments', access: ['repository:pull']}],
    },
  ],
})

/** An emulator's objects as sorted names (group memberships only: the creators' are per instance). */
function inventory(harbor: EmulatorHandle): string[] {
  const projects = harbor.projects().map((p) => `project ${p.name}`)
  const robots = harbor.robots().map((r) => `robot ${r.project ? `${r.project}+${r.name}` : r.name}`)
  const groups = harbor.groups().map((g) => `oidc_group ${g.name}`)
  const members = harbor
    .projects()
    .flatMap((p) => harbor.members(p.name).flatMap((m) => (m.group === undefined ? [] : [`member ${p.name}/${m.group}`])))
  return [...projects, ...robots, ...groups, ...members].sort()
}

describe('narrowing a replicate block', () => {
  let world: HarborWorld
  afterEach(() => world?.close())

  async function setUp(config: string, targets = ['dr']) {
    world = await startHarbors(['primary', ...targets])
    world.harbors.primary!.seed(seed())
    await world.write('mirror.hcl', config)
  }

  const {plan, planAndApply} = runsIn(() => world.dir)
  const forgotten = (outcome: PlanOutcome) =>
    outcome.result.drift
      .filter((d) => d.action === 'forget')
      .map((d) => `${d.address}@${d.endpoint}: ${d.reason}`)
      .sort()
  const addressesIn = async (endpoint: string) =>
    Object.entries((await world.state())!.resources)
      .filter(([, byEndpoint]) => endpoint in byEndpoint)
      .map(([address]) => address)
      .sort()

  it('kinds narrowed with prune = false: released from the state, left on the target, listed unmanaged', async () => {
    await setUp(replicateHcl('  to = [endpoint.dr]\n'))
    await planAndApply()
    const before = inventory(world.harbors.dr!)
    expect(before).toContain('robot payments+deploy')

    await world.write('mirror.hcl', replicateHcl('  to = [endpoint.dr]\n  kinds = ["project"]\n'))
    const narrowed = await plan()
    expect(changesOf(narrowed)).toEqual([])
    expect(forgotten(narrowed)).toEqual([
      'oidc_group.m["devs"]@dr: no longer mirrored by replicate "m" (oidc_group is no longer in its kinds); left on dr, unmanaged',
      'project_member.m["payments/g:devs"]@dr: no longer mirrored by replicate "m" (project_member is no longer in its kinds); left on dr, unmanaged',
      'robot.m["ci"]@dr: no longer mirrored by replicate "m" (robot is no longer in its kinds); left on dr, unmanaged',
      'robot.m["payments+deploy"]@dr: no longer mirrored by replicate "m" (robot is no longer in its kinds); left on dr, unmanaged',
    ])
    expect((narrowed.result.unmanaged ?? []).map((u) => `${u.endpoint} ${u.kind} ${u.key}: ${u.released}`)).toEqual([
      'dr oidc_group devs: oidc_group is no longer in its kinds',
      'dr project_member payments/g:devs: project_member is no longer in its kinds',
      'dr robot ci: robot is no longer in its kinds',
      'dr robot payments+deploy: robot is no longer in its kinds',
    ])
    const notes = narrowed.result.warnings.map((w) => w.message)
    expect(notes).toContain(
      'replicate "m" no longer mirrors 2 object(s) on dr (robot is no longer in its kinds): they are released from the state and left there, unmanaged: robot "ci", robot "payments+deploy"',
    )
    // The source lacks none of them: the "primary does not have" note would not be true.
    expect(notes.filter((n) => n.includes('that primary does not'))).toEqual([])

    await planAndApply()
    expect(inventory(world.harbors.dr!)).toEqual(before)
    expect(await addressesIn('dr')).toEqual(['project.m["billing"]', 'project.m["payments"]'])
    expect(changesOf(await plan())).toEqual([])
  })

  it.each([false, true])('to narrowed (prune = %s): nothing deleted on the target it leaves', async (prune) => {
    await setUp(replicateHcl(`  to = [endpoint.dr, endpoint.edge]\n  prune = ${prune}\n`), ['dr', 'edge'])
    await planAndApply()
    const edge = inventory(world.harbors.edge!)
    expect(edge).toContain('project payments')

    await world.write('mirror.hcl', replicateHcl(`  to = [endpoint.dr]\n  prune = ${prune}\n`))
    const narrowed = await plan()
    expect(changesOf(narrowed)).toEqual([])
    const released = forgotten(narrowed)
    expect(released).toHaveLength(6)
    expect(released.every((r) => r.includes('@edge: no longer mirrored by replicate "m" (edge is no longer in its to)'))).toBe(
      true,
    )
    expect(new Set((narrowed.result.unmanaged ?? []).map((u) => `${u.endpoint} ${u.released}`))).toEqual(
      new Set(['edge edge is no longer in its to']),
    )

    await planAndApply()
    expect(inventory(world.harbors.edge!)).toEqual(edge)
    expect(await addressesIn('edge')).toEqual([])
    expect(await addressesIn('dr')).toHaveLength(6)
    expect(changesOf(await plan())).toEqual([])
  })

  it('to narrowed while the source is down: the target it leaves is released, the one it keeps is held', async () => {
    await setUp(replicateHcl('  to = [endpoint.dr, endpoint.edge]\n  kinds = ["project"]\n  prune = true\n'), ['dr', 'edge'])
    await planAndApply()
    await world.harbors.primary!.stop()
    await world.write('mirror.hcl', replicateHcl('  to = [endpoint.dr]\n  kinds = ["project"]\n  prune = true\n'))
    const narrowed = await plan()
    expect(changesOf(narrowed)).toEqual([])
    expect(forgotten(narrowed).map((f) => f.slice(0, f.indexOf(':')))).toEqual([
      'project.m["billing"]@edge',
      'project.m["payments"]@edge',
    ])
    expect(narrowed.result.warnings.some((w) => w.message.includes('its source primary could not be read'))).toBe(true)
  })

  it('include narrowed with prune = true: released, not deleted (the source still has it)', async () => {
    await setUp(replicateHcl('  to = [endpoint.dr]\n  kinds = ["project"]\n  prune = true\n'))
    await planAndApply()
    await world.write(
      'mirror.hcl',
      replicateHcl('  to = [endpoint.dr]\n  kinds = ["project"]\n  include = ["payments"]\n  prune = true\n'),
    )
    const narrowed = await plan()
    expect(changesOf(narrowed)).toEqual([])
    expect(forgotten(narrowed)).toEqual([
      'project.m["billing"]@dr: no longer mirrored by replicate "m" (its include/exclude patterns leave it out); left on dr, unmanaged',
    ])
    await planAndApply()
    expect(inventory(world.harbors.dr!)).toContain('project billing')
  })

  it('rotate turned off, then robots left out of kinds: never a delete, on the source or the target', async () => {
    const rotate = '  to = [endpoint.dr]\n  kinds = ["project", "robot"]\n  include = ["payments"]\n'
    await setUp(replicateHcl(`${rotate}  robot_secrets = "rotate"\n`))
    await planAndApply()
    expect(await addressesIn('primary')).toEqual(['robot.m["payments+deploy"]'])
    const source = inventory(world.harbors.primary!)

    await world.write('mirror.hcl', replicateHcl(rotate))
    const independent = await plan()
    expect(changesOf(independent)).toEqual([])
    expect(forgotten(independent)).toEqual([
      'robot.m["payments+deploy"]@primary: no longer mirrored by replicate "m" (robot_secrets is no longer "rotate"); left on primary, unmanaged',
    ])
    await planAndApply()
    expect(await addressesIn('primary')).toEqual([])

    // Rotate again (the source's robot back in the state), then drop robots from the kinds at once.
    await world.write('mirror.hcl', replicateHcl(`${rotate}  robot_secrets = "rotate"\n`))
    await planAndApply()
    expect(await addressesIn('primary')).toEqual(['robot.m["payments+deploy"]'])
    await world.write(
      'mirror.hcl',
      replicateHcl('  to = [endpoint.dr]\n  kinds = ["project"]\n  include = ["payments"]\n  robot_secrets = "rotate"\n'),
    )
    const narrowed = await plan()
    expect(changesOf(narrowed)).toEqual([])
    expect(forgotten(narrowed).map((f) => f.slice(0, f.indexOf(':')))).toEqual([
      'robot.m["payments+deploy"]@dr',
      'robot.m["payments+deploy"]@primary',
    ])
    await planAndApply()
    expect(inventory(world.harbors.primary!)).toEqual(source)
    expect(inventory(world.harbors.dr!)).toContain('robot payments+deploy')
    // Nothing was ever deleted on the source.
    expect(world.harbors.primary!.requests.filter((r) => r.method === 'DELETE')).toEqual([])
  })
})

describe('project robots and memberships on a target without their project', () => {
  let world: HarborWorld
  afterEach(() => world?.close())
  const {plan, planAndApply} = runsIn(() => world.dir)

  it('are not planned there (one note per target), and are once the project exists there', async () => {
    world = await startHarbors(['primary', 'dr'])
    world.harbors.primary!.seed(seed())
    await world.write('mirror.hcl', replicateHcl('  to = [endpoint.dr]\n  kinds = ["robot", "project_member"]\n'))
    // planAndApply fails the test on any failed change.
    const first = await planAndApply()
    expect(first.outcome.result.changes.map((c) => `${c.action} ${c.id}`)).toEqual(['create robot.m["ci"]@dr'])
    const notes = first.outcome.result.warnings.filter((w) => w.message.includes('Harbor needs the project first'))
    expect(notes.map((w) => [w.endpoint, w.message])).toEqual([
      [
        'dr',
        'replicate "m": project "payments" is not on dr and the block does not mirror projects, so 2 object(s) in it are not mirrored there (Harbor needs the project first): robot "payments+deploy", project_member "payments/g:devs"',
      ],
    ])

    // The project (and the group) now exist on dr, unmanaged: the robot and the membership follow.
    world.harbors.dr!.seed({projects: [{name: 'payments'}], groups: [{name: 'devs'}]})
    const second = await planAndApply()
    expect(changesOf(second.outcome)).toEqual([
      'create project_member.m["payments/g:devs"]@dr',
      'create robot.m["payments+deploy"]@dr',
    ])
    expect(second.outcome.result.warnings.filter((w) => w.message.includes('Harbor needs the project first'))).toEqual([])
    const robots = world.harbors.dr!.robots().map((r) => (r.project ? `${r.project}+${r.name}` : r.name))
    expect(robots.sort()).toEqual(['ci', 'payments+deploy'])
    expect(world.harbors.dr!.members('payments').some((m) => m.group === 'devs')).toBe(true)
  })
  it('with rotate, a project robot whose project is on no target is not rotated on the source, until it is', async () => {
    world = await startHarbors(['primary', 'dr'])
    world.harbors.primary!.seed(seed())
    await world.write(
      'mirror.hcl',
      replicateHcl('  to = [endpoint.dr]\n  kinds = ["robot"]\n  include = ["payments"]\n  robot_secrets = "rotate"\n'),
    )
    for (let run = 0; run < 2; run++) {
      const {outcome} = await planAndApply()
      expect(changesOf(outcome)).toEqual([])
    }
    expect(world.harbors.primary!.requests.filter((r) => r.method !== 'GET')).toEqual([])
    // Once dr has the project, the robot is mirrored there and rotated on both.
    world.harbors.dr!.seed({projects: [{name: 'payments'}]})
    expect(changesOf(await plan())).toEqual(['create robot.m["payments+deploy"]@dr', 'update robot.m["payments+deploy"]@primary'])
  })
})
