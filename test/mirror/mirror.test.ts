/**
 * Mirror mode end to end, in process, against emulated Harbors: a primary holding 50 projects, 200
 * robots (170 project-level, 30 system-level), 30 OIDC groups and 300 group memberships mirrored onto
 * two empty targets; the second plan is empty; out-of-band changes on a target are reverted; extras
 * on a target are listed (prune = false) or deleted (prune = true); include/exclude patterns hold.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {generateSeed} from '../../src/emulator/index.js'
import {type PlanOutcome, Workspace} from '../../src/engine/workspace.js'
import type {EngineEvent} from '../../src/model/events.js'
import {harborApi, type HarborWorld, startHarbors} from '../helpers/harbors.js'

const SEED = generateSeed({projects: 50, robots: 170, systemRobots: 30, groups: 30, members: 300})

function replicateHcl(extra = ''): string {
  return `
replicate "mirror" {
  from = endpoint.primary
  to   = [endpoint.dr, endpoint.edge]
${extra}}
`
}

/** What an emulator holds, by kind, as sorted names (the creator's memberships left out: they are per instance). */
function inventory(world: HarborWorld, name: string) {
  const harbor = world.harbors[name]!
  const projects = harbor.projects().map((p) => p.name)
  return {
    projects: projects.sort(),
    robots: harbor
      .robots()
      .map((r) => (r.project ? `${r.project}+${r.name}` : r.name))
      .sort(),
    groups: harbor
      .groups()
      .map((g) => g.name)
      .sort(),
    members: projects
      .flatMap((p) =>
        harbor
          .members(p)
          .filter((m) => m.group !== undefined)
          .map((m) => `${p}/${m.group}:${m.role}`),
      )
      .sort(),
  }
}

describe('mirror mode', () => {
  let world: HarborWorld
  let events: EngineEvent[]

  const open = () =>
    Workspace.open({
      configDir: world.dir,
      events: {emit: (event) => events.push(event)},
      operation: 'apply',
      parallelism: Number(process.env.PAR ?? 8),
    })

  async function plan(): Promise<PlanOutcome> {
    const workspace = await open()
    try {
      return await workspace.plan()
    } finally {
      await workspace.close()
    }
  }

  async function planAndApply() {
    const workspace = await open()
    try {
      const outcome = await workspace.plan()
      const applied = await workspace.apply(outcome)
      expect(applied.failed.map((f) => `${f.change.id}: ${f.message}`)).toEqual([])
      return {outcome, applied}
    } finally {
      await workspace.close()
    }
  }

  beforeEach(async () => {
    events = []
    world = await startHarbors(['primary', 'dr', 'edge'])
    world.harbors.primary!.seed(SEED)
  })
  afterEach(() => world.close())

  it('copies a primary onto two empty targets, and the next plan is empty', async () => {
    await world.write('mirror.hcl', replicateHcl())
    const {outcome, applied} = await planAndApply()
    // 50 + 200 + 30 + 300 objects on each of two targets.
    expect(applied.added).toBe(2 * 580)
    expect(outcome.result.conflicts).toEqual([])
    const secretNote = outcome.result.warnings.find((w) => w.message.includes('robot_secrets = "independent"'))
    expect(secretNote?.message).toContain('200 robot(s) created on dr, edge')

    const source = inventory(world, 'primary')
    expect(source.members).toHaveLength(300)
    expect(inventory(world, 'dr')).toEqual(source)
    expect(inventory(world, 'edge')).toEqual(source)

    const second = await plan()
    expect(second.result.changes.map((c) => `${c.action} ${c.id}: ${c.reason}`)).toEqual([])
    expect(second.result.drift.filter((d) => d.notable)).toEqual([])
    expect(second.result.warnings).toEqual([])

    const state = await world.state()
    expect(Object.keys(state!.resources)).toContain('robot.mirror["gen-p-000001+gen-r-000001"]')
    expect(Object.keys(state!.resources)).toContain('project_member.mirror["gen-p-000001/g:gen-g-000001"]')
    console.log('requests', Object.fromEntries(Object.entries(world.harbors).map(([n, h]) => [n, h.requests.length])))
    // The source is read, never written.
    expect(world.harbors.primary!.requests.filter((r) => r.method !== 'GET')).toEqual([])
  })

  it('reverts out-of-band changes on a target and follows changes on the source', async () => {
    await world.write('mirror.hcl', replicateHcl())
    await planAndApply()
    const dr = world.harbors.dr!
    await harborApi(dr, 'PUT', '/projects/gen-p-000002', {metadata: {public: 'true'}})
    const robot = dr.robots().find((r) => r.name === 'gen-s-000001')
    expect(robot).toBeDefined()
    const [listed] = await harborApi<{id: number}[]>(dr, 'GET', '/robots?q=name%3Dgen-s-000001')
    await harborApi(dr, 'DELETE', `/robots/${listed!.id}`)
    await harborApi(world.harbors.primary!, 'PUT', '/projects/gen-p-000003', {metadata: {auto_scan: 'true'}})

    const {outcome} = await planAndApply()
    expect(outcome.result.changes.map((c) => `${c.action} ${c.id}`).sort()).toEqual([
      'create robot.mirror["gen-s-000001"]@dr',
      'update project.mirror["gen-p-000002"]@dr',
      'update project.mirror["gen-p-000003"]@dr',
      'update project.mirror["gen-p-000003"]@edge',
    ])
    expect(inventory(world, 'dr')).toEqual(inventory(world, 'primary'))
    const reverted = await harborApi<{metadata: {public: string}}>(dr, 'GET', '/projects/gen-p-000002')
    expect(reverted.metadata.public).toBe('false')
    expect((await plan()).result.changes).toEqual([])
  })
})
