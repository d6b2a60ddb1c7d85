/**
 * The apply engine against emulated Harbors, in process: orphan- and duplicate-free creates under
 * "applied, then the response failed", 409 adoption and conflict, robot secrets set identically on
 * every endpoint (proved by logging in as the robot), rollback, and no secret in any file it writes.
 */
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {openJournal} from '../../src/apply/journal.js'
import {type EmulatorHandle, startEmulator} from '../../src/emulator/index.js'
import {Workspace} from '../../src/engine/workspace.js'
import type {EngineEvent} from '../../src/model/events.js'
import {harborApi, type HarborWorld, startHarbors} from '../helpers/harbors.js'

const DECLARED = 'Declared-Secret-0123456789'

const CONFIG = `
project "team" {
  for_each = toset(["a", "b", "c"])
  name     = "team-\${each.key}"
}

oidc_group "devs" {
  name = "devs"
}

project_member "devs" {
  for_each = project.team
  project  = each.value
  group    = oidc_group.devs
  role     = "developer"
}

robot "ci" {
  secret = env("CI_ROBOT_SECRET")
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}

robot "deploy" {
  for_each = project.team
  name     = "deploy"
  level    = "project"
  project  = each.value
  permission {
    access = ["repository:pull"]
  }
}
`

/** Logs in as a robot: Harbor answers /users/current with 412 to an authenticated robot, 401 otherwise. */
async function robotCanLogIn(harbor: EmulatorHandle, name: string, secret: string): Promise<boolean> {
  const response = await fetch(`${harbor.url}/api/v2.0/users/current`, {
    headers: {authorization: `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`},
  })
  return response.status === 412
}

describe('apply engine', () => {
  let world: HarborWorld
  let events: EngineEvent[]

  const open = () =>
    Workspace.open({
      configDir: world.dir,
      load: {env: {CI_ROBOT_SECRET: DECLARED}},
      events: {emit: (event) => events.push(event)},
      operation: 'apply',
    })

  async function applyAll(options: {onFailure?: 'stop' | 'continue' | 'rollback'} = {}) {
    const workspace = await open()
    try {
      const plan = await workspace.plan()
      return {plan, result: await workspace.apply(plan, options)}
    } finally {
      await workspace.close()
    }
  }

  async function planChanges(): Promise<number> {
    const workspace = await open()
    try {
      const plan = await workspace.plan()
      return plan.result.changes.length + plan.result.conflicts.length
    } finally {
      await workspace.close()
    }
  }

  beforeEach(async () => {
    events = []
    world = await startHarbors()
    await world.write('main.hcl', CONFIG)
  })
  afterEach(() => world.close())

  it('sets the declared and the generated robot secrets identically on every endpoint', async () => {
    const {result} = await applyAll()
    expect(result.failed).toEqual([])
    const generated = JSON.parse(await readFile(join(world.dir, 'secrets.json'), 'utf8'))
    const deploy = generated['robot.deploy["a"]']
    expect(deploy.logins).toEqual({primary: 'robot$team-a+deploy', dr: 'robot$team-a+deploy'})
    for (const harbor of Object.values(world.harbors)) {
      expect(await robotCanLogIn(harbor, 'robot$ci', DECLARED)).toBe(true)
      expect(await robotCanLogIn(harbor, 'robot$team-a+deploy', deploy.secret)).toBe(true)
      expect(await robotCanLogIn(harbor, 'robot$ci', 'Wrong-Secret-1234')).toBe(false)
    }
    const state = await world.state()
    expect(state!.resources['robot.ci']!.dr!.secret_fp).toMatch(/^scrypt:/)
    expect(await planChanges()).toBe(0)
  })

  it('marks a robot whose secret could not be set, and the next plan sets one', async () => {
    world.harbors.dr!.faults.add({match: 'PATCH /robots/*', status: 500})
    const first = await applyAll({onFailure: 'continue'})
    expect(first.result.failed.map((f) => f.change.id).sort()).toEqual([
      'robot.ci@dr',
      'robot.deploy["a"]@dr',
      'robot.deploy["b"]@dr',
      'robot.deploy["c"]@dr',
    ])
    const state = await world.state()
    expect(state!.resources['robot.ci']!.dr).toMatchObject({secret_pending: true})
    expect(state!.resources['robot.ci']!.dr!.secret_fp).toBeUndefined()

    world.harbors.dr!.faults.clear()
    const workspace = await open()
    try {
      const plan = await workspace.plan()
      const fix = plan.result.changes.find((c) => c.id === 'robot.deploy["a"]@dr')!
      expect(fix.action).toBe('update')
      expect(fix.reason).toContain('hrep created it but could not set its secret')
      expect(plan.result.changes).toHaveLength(4)
      await workspace.apply(plan)
    } finally {
      await workspace.close()
    }
    const generated = JSON.parse(await readFile(join(world.dir, 'secrets.json'), 'utf8'))
    const deploy = generated['robot.deploy["a"]']
    expect(deploy.logins).toEqual({dr: 'robot$team-a+deploy'})
    expect(await robotCanLogIn(world.harbors.dr!, 'robot$team-a+deploy', deploy.secret)).toBe(true)
    expect(await robotCanLogIn(world.harbors.dr!, 'robot$ci', DECLARED)).toBe(true)
    // primary keeps the secret it got first, still recorded for it.
    const primaryDeploy = deploy.previous[0]
    expect(primaryDeploy.logins).toEqual({primary: 'robot$team-a+deploy'})
    expect(await robotCanLogIn(world.harbors.primary!, 'robot$team-a+deploy', primaryDeploy.secret)).toBe(true)
    expect((await world.state())!.resources['robot.ci']!.dr!.secret_pending).toBeUndefined()
    expect(await planChanges()).toBe(0)
  })

  it('does not hold up the other endpoints while an action in doubt waits for its endpoint to come back', async () => {
    // An interrupted run left a robot create in doubt on dr, and dr is down now.
    const statePath = join(world.dir, 'hrep.state.json')
    const journal = await openJournal(statePath)
    await journal.append({
      type: 'begin',
      run: 'killed-run',
      operation: 'apply',
      lineage: 'unwritten',
      serial: 0,
      started: new Date().toISOString(),
      hrep_version: '0.1.0',
    })
    await journal.append({
      type: 'intent',
      change: 'robot.ci@dr',
      address: 'robot.ci',
      endpoint: 'dr',
      kind: 'robot',
      key: 'ci',
      action: 'create',
      attrs: {name: 'ci'},
    })
    await journal.close()
    const dr = world.harbors.dr!
    const port = dr.port
    await dr.stop()

    const {plan, result} = await applyAll()
    expect(plan.result.unavailable.map((u) => u.endpoint)).toEqual(['dr'])
    expect(result.failed).toEqual([])
    expect(world.harbors.primary!.projects()).toHaveLength(3)
    expect(events.some((e) => e.type === 'warning' && /left for when their endpoint answers/.test(e.message))).toBe(true)
    expect(await readFile(`${statePath}.journal`, 'utf8')).toContain('"change":"robot.ci@dr"')

    // dr is back (empty): the action in doubt is resolved (not found), and the next apply completes dr.
    world.harbors.dr = await startEmulator({port, loginLockMs: 0})
    const second = await applyAll()
    expect(second.result.failed).toEqual([])
    expect(world.harbors.dr.projects()).toHaveLength(3)
    await expect(readFile(`${statePath}.journal`, 'utf8')).rejects.toThrow(/ENOENT/)
    expect(await planChanges()).toBe(0)
  })

  it('creates nothing twice when Harbor applies a create and then the response fails', async () => {
    for (const harbor of Object.values(world.harbors)) {
      harbor.faults.add({match: 'POST /projects', afterHandler: 500, rate: 0.5})
      harbor.faults.add({match: 'POST /robots', afterHandler: 'reset', rate: 0.5})
      harbor.faults.add({match: 'POST /usergroups', afterHandler: 503, times: 1})
      harbor.faults.add({match: 'POST /projects/*/members', afterHandler: 502, rate: 0.5})
    }
    const {result} = await applyAll()
    expect(result.failed).toEqual([])
    for (const harbor of Object.values(world.harbors)) {
      expect(
        harbor
          .projects()
          .map((p) => p.name)
          .sort(),
      ).toEqual(['team-a', 'team-b', 'team-c'])
      expect(
        harbor
          .robots()
          .map((r) => (r.project ? `${r.project}+${r.name}` : r.name))
          .sort(),
      ).toEqual(['ci', 'team-a+deploy', 'team-b+deploy', 'team-c+deploy'])
      expect(harbor.groups().map((g) => g.name)).toEqual(['devs'])
      for (const project of ['team-a', 'team-b', 'team-c']) {
        expect(harbor.members(project).filter((m) => m.group === 'devs')).toHaveLength(1)
      }
      // Adopted after a lost response, the secret was still set.
      expect(await robotCanLogIn(harbor, 'robot$ci', DECLARED)).toBe(true)
    }
    expect(
      Object.values(world.harbors).some((h) => Object.values(h.stats()).some((c) => (c.faults?.afterHandler ?? 0) > 0)),
    ).toBe(true)
    expect(await planChanges()).toBe(0)
  })

  it('adopts an object another writer created between plan and apply when it matches, and reports a conflict when not', async () => {
    const workspace = await open()
    try {
      const plan = await workspace.plan()
      const primary = world.harbors.primary!
      const dr = world.harbors.dr!
      // Same as the config on primary, different on dr.
      await harborApi(primary, 'POST', '/usergroups', {group_name: 'devs', group_type: 3})
      await harborApi(dr, 'POST', '/projects', {project_name: 'team-a', metadata: {public: 'true'}})
      const result = await workspace.apply(plan, {onFailure: 'continue'})
      expect(result.failed.map((f) => f.change.id)).toEqual(['project.team["a"]@dr'])
      expect(result.failed[0]!.message).toMatch(/already exists on dr and differs.*hrep import 'project\.team\["a"\]@dr' team-a/)
      const state = await world.state()
      expect(state!.resources['oidc_group.devs']!.primary!.id).toBe('1')
      expect(primary.groups()).toHaveLength(1)
      // Only what depends on the conflicting project was skipped.
      expect(result.skipped.map((s) => s.change.id).sort()).toEqual(['project_member.devs["a"]@dr', 'robot.deploy["a"]@dr'])
    } finally {
      await workspace.close()
    }
  })

  it('rolls back what the run did when a change fails under --on-failure rollback', async () => {
    for (const harbor of Object.values(world.harbors)) harbor.faults.add({match: 'POST /robots', status: 500})
    const {result} = await applyAll({onFailure: 'rollback'})
    expect(result.failed.length).toBeGreaterThan(0)
    expect(result.rollback!.length).toBeGreaterThan(0)
    expect(result.rollback!.every((step) => step.outcome === 'done')).toBe(true)
    for (const harbor of Object.values(world.harbors)) {
      expect(harbor.projects().map((p) => p.name)).toEqual([])
      expect(harbor.groups()).toEqual([])
    }
    const state = await world.state()
    expect(Object.keys(state?.resources ?? {})).toEqual([])
    expect(events.some((event) => event.type === 'change.compensated')).toBe(true)
  })

  it('never writes a secret into the state, its backup, a saved plan, the journal or an event', async () => {
    await applyAll()
    // A second run with a changed declared secret: the plan shows (sensitive), apply rotates it.
    const workspace = await Workspace.open({
      configDir: world.dir,
      load: {env: {CI_ROBOT_SECRET: 'Rotated-Secret-987654321'}},
      events: {emit: (event) => events.push(event)},
      operation: 'apply',
    })
    try {
      const plan = await workspace.plan()
      expect(plan.result.changes.map((c) => c.id).sort()).toEqual(['robot.ci@dr', 'robot.ci@primary'])
      const saved = JSON.stringify(workspace.savedPlan(plan))
      expect(saved).not.toContain('Rotated-Secret')
      await workspace.apply(plan)
    } finally {
      await workspace.close()
    }
    const generated = Object.values(JSON.parse(await readFile(join(world.dir, 'secrets.json'), 'utf8'))).map(
      (record) => (record as {secret: string}).secret,
    )
    const secrets = [DECLARED, 'Rotated-Secret-987654321', ...generated, world.harbors.primary!.password]
    const files = (await readdir(world.dir)).filter((file) => file !== 'secrets.json' && !file.endsWith('.hcl'))
    expect(files).toContain('hrep.state.json')
    expect(files).toContain('hrep.state.json.backup')
    const written = await Promise.all(files.map((file) => readFile(join(world.dir, file), 'utf8')))
    const eventText = JSON.stringify(events)
    for (const secret of secrets) {
      for (const text of [...written, eventText]) expect(text).not.toContain(secret)
    }
    expect(await robotCanLogIn(world.harbors.dr!, 'robot$ci', 'Rotated-Secret-987654321')).toBe(true)
  })
})
