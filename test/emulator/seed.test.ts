/**
 * Seed, dump, generate and reset: objects loaded from fixtures/emulator are served over HTTP with
 * Harbor's invariants, dump() writes the same format back (a seed of a dump dumps the same), generated
 * data is deterministic, and seed mistakes name the object.
 */
import {fileURLToPath} from 'node:url'
import {request} from 'undici'
import {afterEach, describe, expect, it} from 'vitest'
import {type EmulatorHandle, type EmulatorOptions, generateSeed, readSeedFile, startEmulator} from '../../src/emulator/index.js'

const DEMO = fileURLToPath(new URL('../../fixtures/emulator/demo.json', import.meta.url))

let running: EmulatorHandle[] = []

async function emulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const handle = await startEmulator({loginLockMs: 0, ...options})
  running.push(handle)
  return handle
}

afterEach(async () => {
  await Promise.all(running.map((handle) => handle.stop()))
  running = []
})

async function get(
  handle: EmulatorHandle,
  path: string,
  user = 'admin',
  password = 'Harbor12345',
  headers: Record<string, string> = {},
) {
  const response = await request(`${handle.url}/api/v2.0${path}`, {
    headers: {authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, ...headers},
  })
  const text = await response.body.text()
  return {status: response.statusCode, headers: response.headers, json: text ? JSON.parse(text) : undefined}
}

describe('seed', () => {
  it('serves the demo fixture: projects, members, quotas, robots that can log in', async () => {
    const handle = await emulator({seed: DEMO})
    const projects = await get(handle, '/projects')
    expect(projects.json.map((p: {name: string}) => p.name)).toEqual(['payments', 'search'])
    const members = await get(handle, '/projects/payments/members', 'admin', 'Harbor12345', {'X-Is-Resource-Name': 'true'})
    expect(members.json.map((m: {entity_name: string; role_id: number}) => `${m.entity_name}:${m.role_id}`)).toEqual([
      'admin:1',
      'alice:4',
      'platform-devs:2',
    ])
    const quota = await get(handle, `/quotas?reference=project&reference_id=${projects.json[0].project_id}`)
    expect(quota.json[0].hard.storage).toBe(10737418240)
    const asRobot = await get(handle, '/systeminfo', 'robot$ci', 'Ci-Robot-Secret-1')
    expect(asRobot.json.harbor_version).toBeTypeOf('string')
    const deployer = await get(handle, '/robots?q=' + encodeURIComponent(encodeURIComponent('Level=project,ProjectID=1')))
    expect(deployer.json.map((r: {name: string}) => r.name)).toEqual(['robot$payments+deployer'])
    const asAlice = await get(handle, '/users/current', 'alice', 'Alice-Passw0rd')
    expect(asAlice.json.username).toBe('alice')
  })

  it('refuses to delete a project the seed marks as holding repositories (412), and says so in _deletable', async () => {
    const handle = await emulator({seed: DEMO})
    const headers = {'X-Is-Resource-Name': 'true'}
    const deletable = await get(handle, '/projects/search/_deletable', 'admin', 'Harbor12345', headers)
    expect(deletable.json).toEqual({deletable: false, message: 'the project contains repositories, can not be deleted'})
    const response = await request(`${handle.url}/api/v2.0/projects/search`, {
      method: 'DELETE',
      headers: {authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`, ...headers},
    })
    expect(response.statusCode).toBe(412)
    expect(await response.body.json()).toEqual({
      errors: [{code: 'PRECONDITION', message: 'the project contains repositories, can not be deleted'}],
    })
    handle.setRepoCount('search', 0)
    expect((await get(handle, '/projects/search/_deletable', 'admin', 'Harbor12345', headers)).json.deletable).toBe(true)
  })

  it('dumps in the seed format, and a seed of the dump dumps the same', async () => {
    const handle = await emulator({seed: DEMO})
    const dump = handle.dump()
    expect(dump.projects?.find((p) => p.name === 'payments')).toMatchObject({
      metadata: {auto_scan: 'true'},
      storageLimit: 10737418240,
      members: [
        {group: 'platform-devs', role: 2},
        {user: 'alice', role: 4},
      ],
    })
    expect(dump.robots?.find((r) => r.name === 'deployer')).toMatchObject({level: 'project', project: 'payments', duration: 90})
    const copy = await emulator({seed: dump})
    expect(copy.dump()).toEqual(dump)
  })

  it('generates deterministic data at the requested size', async () => {
    const options = {projects: 30, robots: 45, systemRobots: 5, groups: 10, members: 60, users: 4}
    const data = generateSeed(options)
    expect(generateSeed(options)).toEqual(data)
    const handle = await emulator({seed: data})
    const projects = await get(handle, '/projects?page_size=1')
    expect(projects.headers['x-total-count']).toBe('30')
    const robots = await get(handle, '/robots?page_size=1')
    expect(robots.headers['x-total-count']).toBe('5')
    const groups = await get(handle, '/usergroups?page_size=1')
    expect(groups.headers['x-total-count']).toBe('10')
    const members = handle.dump().projects!.reduce((sum, p) => sum + (p.members?.length ?? 0), 0)
    expect(members).toBe(60)
    expect(handle.robots().filter((r) => r.level === 'project')).toHaveLength(45)
    expect(() => generateSeed({projects: 2, groups: 2, members: 5})).toThrow(/more members than project × group pairs/)
  })

  it('names the object a seed cannot load', async () => {
    await expect(emulator({seed: {projects: [{name: 'x', owner: 'nobody'}]}})).rejects.toThrow(
      'seed: project "x": unknown owner "nobody"',
    )
    await expect(emulator({seed: {projects: [{name: 'x', members: [{group: 'ghosts', role: 2}]}]}})).rejects.toThrow(
      'seed: project "x" member: unknown group "ghosts"',
    )
    await expect(emulator({seed: {robots: [{name: 'r', level: 'project', permissions: []}]}})).rejects.toThrow(
      'seed: robot "r": a project robot needs an existing "project"',
    )
    expect(() => readSeedFile('/nonexistent/seed.json')).toThrow(/cannot read seed file \/nonexistent\/seed.json/)
  })

  it('reset() returns to the state right after start', async () => {
    const handle = await emulator({seed: DEMO, faults: [{match: 'GET /ping', latencyMs: 1}]})
    handle.seed({projects: [{name: 'extra'}]})
    handle.faults.add({match: '*', status: 500})
    handle.setConfig({read_only: true})
    expect(handle.projects().map((p) => p.name)).toContain('extra')
    handle.reset()
    expect(handle.projects().map((p) => p.name)).toEqual(['payments', 'search'])
    expect(handle.faults.rules()).toHaveLength(1)
    expect(handle.config().read_only).toBe(false)
    expect(handle.requests).toHaveLength(0)
    expect((await get(handle, '/projects')).status).toBe(200)
  })
})
