/**
 * `hrep plan` as a user runs it: a real process against two emulated Harbors over HTTP.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {acquireLock, inspectLock} from '../../src/state/index.js'
import {spawnCli} from '../helpers/cli.js'
import {harborApi, type HarborWorld, startHarbors} from '../helpers/harbors.js'

const CONFIG = `
project "team" {
  for_each = toset(["payments", "search"])
  name     = "team-\${each.key}"
}

oidc_group "devs" {
  name = "platform-devs"
}

project_member "devs" {
  for_each = project.team
  project  = each.value
  group    = oidc_group.devs
  role     = "developer"
}

robot "ci" {
  description = "CI"
  permission {
    namespace = "*"
    access    = ["repository:pull", "repository:push"]
  }
}
`

describe('hrep plan', () => {
  let world: HarborWorld

  beforeEach(async () => {
    world = await startHarbors()
    await world.write('main.hcl', CONFIG)
  })
  afterEach(() => world.close())

  it('shows every change per endpoint and exits 2 with --detailed-exitcode', async () => {
    const plain = await world.run(['plan'])
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stdout).toContain('Endpoint primary:')
    expect(plain.stdout).toContain('Endpoint dr:')
    expect(plain.stdout).toContain('+ robot.ci')
    expect(plain.stdout).toContain('secret      = (sensitive)')
    // 2 projects + 1 group + 2 members + 1 robot, on each of 2 endpoints.
    expect(plain.stdout).toContain('Plan: 12 to add, 0 to change, 0 to destroy.')
    const detailed = await world.run(['plan', '--detailed-exitcode'])
    expect(detailed.code).toBe(2)
    // plan never writes state
    expect(await world.state()).toBeUndefined()
  })

  it('reports no changes after apply, then drift on the endpoint that was changed by hand', async () => {
    const apply = await world.run(['apply', '--auto-approve'])
    expect(apply.code, apply.stdout + apply.stderr).toBe(0)
    expect(apply.stdout).toContain('Apply complete! Resources: 12 added, 0 changed, 0 destroyed.')

    const clean = await world.run(['plan', '--detailed-exitcode'])
    expect(clean.code).toBe(0)
    expect(clean.stdout).toContain('No changes. Your Harbor configuration matches.')

    const dr = world.harbors.dr!
    const robots = await harborApi<{id: number; name: string}[]>(dr, 'GET', '/robots')
    const ci = robots.find((robot) => robot.name === 'robot$ci')!
    const full = await harborApi<Record<string, unknown>>(dr, 'GET', `/robots/${ci.id}`)
    await harborApi(dr, 'PUT', `/robots/${ci.id}`, {...full, description: 'changed by hand'})
    await harborApi(dr, 'DELETE', '/usergroups/1')

    const drift = await world.run(['plan', '--detailed-exitcode'])
    expect(drift.code).toBe(2)
    expect(drift.stdout).not.toContain('Endpoint primary:')
    expect(drift.stdout).toContain('Endpoint dr:')
    expect(drift.stdout).toMatch(/description = "changed by hand" -> "CI"/)
    // The group is gone and Harbor removed its memberships with it: all three come back.
    expect(drift.stdout).toContain('+ oidc_group.devs')
    expect(drift.stdout).toContain('Plan: 3 to add, 1 to change, 0 to destroy.')
  })

  it('prints a documented JSON plan with --json', async () => {
    const result = await world.run(['plan', '--json'])
    expect(result.code).toBe(0)
    const plan = JSON.parse(result.stdout)
    expect(plan.format_version).toBe('1')
    expect(plan.has_changes).toBe(true)
    expect(plan.summary).toMatchObject({add: 12, change: 0, destroy: 0})
    const ci = plan.changes.find((change: {id: string}) => change.id === 'robot.ci@dr')
    expect(ci).toMatchObject({address: 'robot.ci', endpoint: 'dr', kind: 'robot', action: 'create'})
    const member = plan.changes.find((change: {id: string}) => change.id === 'project_member.devs["payments"]@dr')
    expect(member.depends_on).toEqual(expect.arrayContaining(['project.team["payments"]@dr', 'oidc_group.devs@dr']))
  })

  it('still plans the other endpoint when one is unreachable, and exits 1 naming it', async () => {
    await world.harbors.dr!.stop()
    const result = await world.run(['plan', '--detailed-exitcode'])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Endpoint primary:')
    expect(result.stdout + result.stderr).toMatch(/dr.*(unavailable|unreachable|refused)/i)
    expect(result.stdout).toContain('Plan: 6 to add, 0 to change, 0 to destroy.')
  })

  it('says plainly when an endpoint rejects the credentials', async () => {
    await world.write('main.hcl', CONFIG.replace('project "team"', 'project "team"'))
    const endpoints = (await import('node:fs/promises')).readFile
    const text = await endpoints(`${world.dir}/endpoints.hcl`, 'utf8')
    await world.write('endpoints.hcl', text.replace(/(endpoint "dr"[\s\S]*?password = ")[^"]*/, '$1wrong-password'))
    const result = await world.run(['plan'])
    expect(result.code).toBe(1)
    expect(result.stdout + result.stderr).toMatch(/dr.*credentials/i)
    expect(result.stdout + result.stderr).not.toContain('wrong-password')
  })

  it('fails at once, naming the holder, when another run holds the state lock', async () => {
    const lock = await acquireLock(`${world.dir}/hrep.state.json`, {operation: 'apply'})
    try {
      const result = await world.run(['plan'])
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(String(process.pid))
      expect(result.stderr).toMatch(/apply/)
      // It failed on the lock, before reading any endpoint.
      expect(Object.values(world.harbors).every((harbor) => harbor.requests.length === 0)).toBe(true)
    } finally {
      await lock.release()
    }
  })

  it('waits for a held lock with --lock-timeout, and stops on Ctrl-C with 130, leaving the holder alone', async () => {
    const statePath = `${world.dir}/hrep.state.json`
    const lock = await acquireLock(statePath, {operation: 'apply'})
    try {
      const child = spawnCli(['plan', '--lock-timeout', '60s'], {cwd: world.dir})
      let stderr = ''
      const waiting = new Promise<void>((resolve, reject) => {
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk
          if (stderr.includes('Waiting for the state lock')) resolve()
        })
        child.once('exit', () => reject(new Error(`plan exited before waiting: ${stderr}`)))
      })
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
      child.stdin!.end()
      await waiting
      expect(stderr).toContain(`pid ${process.pid}`)
      child.kill('SIGINT')
      expect(await exited).toBe(130)
      expect(stderr).toContain('stopped waiting for the state lock')
      expect(Object.values(world.harbors).every((harbor) => harbor.requests.length === 0)).toBe(true)
      expect(await inspectLock(statePath)).toMatchObject({held: true, info: {pid: process.pid}})
    } finally {
      await lock.release()
    }
  })

  it('saves a plan that apply carries out, and refuses it once the state moved', async () => {
    const saved = await world.run(['plan', '--out', 'first.plan'])
    expect(saved.code).toBe(0)
    const second = await world.run(['plan', '--out', 'second.plan'])
    expect(second.code).toBe(0)
    const applied = await world.run(['apply', 'first.plan'])
    expect(applied.code, applied.stdout + applied.stderr).toBe(0)
    expect(applied.stdout).toContain('Apply complete! Resources: 12 added')
    const stale = await world.run(['apply', 'second.plan'])
    expect(stale.code).toBe(1)
    expect(stale.stderr).toMatch(/second\.plan is stale: the state changed after it was made \(serial 0 then, 1 now\)/)
  })

  it('refuses a saved plan once the configuration changed, even by a comment', async () => {
    expect((await world.run(['plan', '--out', 'saved.plan'])).code).toBe(0)
    await world.write('main.hcl', `${CONFIG}\n# edited after the plan\n`)
    const stale = await world.run(['apply', 'saved.plan'])
    expect(stale.code).toBe(1)
    expect(stale.stderr).toContain('saved.plan is stale: the configuration changed after it was made')
    expect(Object.values(world.harbors).every((harbor) => harbor.requests.every((r) => r.method === 'GET'))).toBe(true)
  })
})
