/**
 * `hrep import ADDR ID` in process against emulated Harbors: every kind imported by name (robots
 * short and full), the next plan empty when the configuration matches and showing the differences
 * when it does not; every endpoint of the resource without "@"; and each refusal (undeclared
 * address with a suggestion, for_each without a key, an ID naming another object, an address
 * already managed, an object managed by another address, an object that does not exist).
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ImportFailed, importObject} from '../../src/engine/import.js'
import {type PlanOutcome, Workspace} from '../../src/engine/workspace.js'
import {HrepError} from '../../src/model/errors.js'
import {acquireLock} from '../../src/state/index.js'
import {type HarborWorld, startHarbors} from '../helpers/harbors.js'

const CONFIG = `
project "team" {
  for_each = toset(["payments"])
  name     = each.key
  public   = true
}

oidc_group "devs" {
  name = "platform-devs"
}

project_member "devs" {
  project = project.team["payments"]
  group   = oidc_group.devs
  role    = "developer"
}

robot "ci" {
  description = "CI"
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}

robot "deploy" {
  project = project.team["payments"]
  permission {
    access = ["repository:pull"]
  }
}
`

/** The same objects, as they exist on dr before hrep knows them; `description` differs for robot.ci when asked. */
function seed(ciDescription = 'CI') {
  return {
    groups: [{name: 'platform-devs'}],
    projects: [{name: 'payments', public: true, members: [{group: 'platform-devs', role: 'developer'}]}],
    robots: [
      {
        name: 'ci',
        description: ciDescription,
        permissions: [{kind: 'project' as const, namespace: '*', access: ['repository:pull']}],
      },
      {
        name: 'deploy',
        level: 'project' as const,
        project: 'payments',
        permissions: [{kind: 'project' as const, namespace: 'payments', access: ['repository:pull']}],
      },
    ],
  }
}

describe('hrep import ADDR ID', () => {
  let world: HarborWorld

  beforeEach(async () => {
    world = await startHarbors(['primary', 'dr'])
    await world.write('main.hcl', CONFIG)
  })
  afterEach(() => world.close())

  async function withWorkspace<T>(fn: (workspace: Workspace) => Promise<T>): Promise<T> {
    const workspace = await Workspace.open({configDir: world.dir, events: {emit() {}}, operation: 'import'})
    try {
      return await fn(workspace)
    } finally {
      await workspace.close()
    }
  }
  const run = (address: string, id: string) => withWorkspace((workspace) => importObject(workspace, address, id))
  const plan = () => withWorkspace((workspace) => workspace.plan())
  const on = (outcome: PlanOutcome, endpoint: string) =>
    outcome.result.changes.filter((c) => c.endpoint === endpoint).map((c) => `${c.action} ${c.id}`)

  it('imports every kind by name, and the next plan shows nothing to do there', async () => {
    world.harbors.dr!.seed(seed())
    const imports: [string, string][] = [
      ['project.team["payments"]@dr', 'payments'],
      ['oidc_group.devs@dr', 'platform-devs'],
      ['project_member.devs@dr', 'payments/platform-devs'],
      ['robot.ci@dr', 'robot$ci'],
      ['robot.deploy@dr', 'payments+deploy'],
    ]
    const ids = new Map<string, string>()
    for (const [address, id] of imports) {
      const result = await run(address, id)
      expect(result.outcomes.map((o) => `${o.endpoint} ${o.status}`)).toEqual(['dr imported'])
      ids.set(result.address, result.outcomes[0]!.id!)
    }
    const state = await world.state()
    expect(state!.resources['robot.deploy']!.dr).toMatchObject({
      id: ids.get('robot.deploy'),
      attrs: {name: 'deploy', project: 'payments'},
    })
    expect(state!.resources['project_member.devs']!.dr!.attrs).toMatchObject({project: 'payments', group: 'platform-devs'})
    const outcome = await plan()
    expect(on(outcome, 'dr')).toEqual([])
    expect(outcome.result.conflicts).toEqual([])
    // primary is empty: everything is still to be created there.
    expect(on(outcome, 'primary')).toHaveLength(5)
    expect(world.harbors.dr!.requests.filter((r) => r.method !== 'GET')).toEqual([])
  })

  it('shows the differences of an imported object in the next plan', async () => {
    world.harbors.dr!.seed(seed('made by hand'))
    await run('robot.ci@dr', 'ci')
    const outcome = await plan()
    const change = outcome.result.changes.find((c) => c.id === 'robot.ci@dr')!
    expect(change.action).toBe('update')
    expect(change.importing).toBeUndefined()
    expect(change.diffs.map((d) => [d.path, d.before, d.after])).toEqual([['description', 'made by hand', 'CI']])
  })

  it('without @endpoint imports wherever the object exists and says what happened on each endpoint', async () => {
    world.harbors.dr!.seed(seed())
    const result = await run('oidc_group.devs', 'platform-devs')
    expect(result.outcomes.map((o) => `${o.endpoint} ${o.status}: ${o.message}`)).toEqual([
      expect.stringMatching(/^primary missing: oidc_group "platform-devs" does not exist there$/),
      expect.stringMatching(/^dr imported: imported \(Harbor id \d+\)$/),
    ])
    // Once imported on dr, a second import there is refused; primary still has nothing.
    const again = await run('oidc_group.devs', 'platform-devs').catch((error: unknown) => error)
    expect(again).toBeInstanceOf(ImportFailed)
    expect((again as ImportFailed).result.outcomes.map((o) => o.status)).toEqual(['missing', 'managed'])
    expect((again as Error).message).toContain('already managed (Harbor id')
  })

  it.each([
    ['robot.cl@dr', 'ci', /robot\.cl is not declared in the configuration \(did you mean robot\.ci\?\)/],
    ['project.team@dr', 'payments', /project\.team has for_each: import one instance, like project\.team\["payments"\]/],
    ['robot.ci@dr', 'deploy', /"deploy" names robot "deploy", but robot\.ci \(.*main\.hcl:\d+:\d+\) declares robot "ci"/],
    ['robot.deploy@dr', 'other+deploy', /names robot "other\+deploy", but robot\.deploy .* declares robot "payments\+deploy"/],
    ['robot.ci@edge', 'ci', /there is no endpoint "edge" in the configuration/],
    ['project_member.devs@dr', 'payments', /invalid import ID "payments" for a project member/],
    ['robot.ci@dr', 'Not A Name', /invalid import ID "Not A Name" for a robot/],
  ])('refuses %s %s', async (address, id, message) => {
    world.harbors.dr!.seed(seed())
    const error = await run(address, id).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HrepError)
    expect((error as Error).message).toMatch(message)
    expect(await world.state()).toBeUndefined()
  })

  it('refuses an object another address already manages, and one that does not exist', async () => {
    world.harbors.dr!.seed(seed())
    await run('oidc_group.devs@dr', 'platform-devs')
    // The block is renamed: the state still holds the group under its old address.
    await world.write(
      'main.hcl',
      CONFIG.replace('oidc_group "devs"', 'oidc_group "renamed"').replace('oidc_group.devs', 'oidc_group.renamed'),
    )
    const taken = await run('oidc_group.renamed@dr', 'platform-devs').catch((e: unknown) => e)
    expect((taken as Error).message).toContain('oidc_group "platform-devs" is already managed by oidc_group.devs there')
    const missing = await run('project.team["payments"]@primary', 'payments').catch((e: unknown) => e)
    expect((missing as Error).message).toContain('project "payments" does not exist there')
  })

  it('takes the state lock: a second run holding it makes the import fail, naming the holder', async () => {
    world.harbors.dr!.seed(seed())
    const lock = await acquireLock(`${world.dir}/hrep.state.json`, {operation: 'apply'})
    try {
      const error = await run('robot.ci@dr', 'ci').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(HrepError)
      expect((error as HrepError).code).toBe('state_locked')
      expect((error as Error).message).toContain('apply')
    } finally {
      await lock.release()
    }
    expect(await world.state()).toBeUndefined()
  })
})
