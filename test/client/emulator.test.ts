/**
 * The client against the Harbor emulator over real HTTP (every request checked against Harbor's spec
 * by test/setup.ts): Harbor's own behaviour rather than a fault shaped by hand.
 */
import {afterEach, describe, expect, it} from 'vitest'
import {createClient} from '../../src/client/harbor-client.js'
import type {HarborClient} from '../../src/client/types.js'
import {type EmulatorHandle, type EmulatorOptions, generateSeed, startEmulator} from '../../src/emulator/index.js'
import {Secret} from '../../src/model/secret.js'
import type {ReliabilitySettings} from '../../src/config/model.js'
import {HarborError} from '../../src/reliability/errors.js'
import {endpointConfig, fastReliability} from './fake-server.js'

const emulators: EmulatorHandle[] = []
const clients: HarborClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close()
  for (const emulator of emulators.splice(0)) await emulator.stop()
})

async function emulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const handle = await startEmulator({loginLockMs: 0, ...options})
  emulators.push(handle)
  return handle
}

function clientFor(handle: EmulatorHandle, password = handle.password, reliability: Partial<ReliabilitySettings> = {}) {
  const client = createClient(
    endpointConfig(handle.url, {
      username: handle.username,
      password: new Secret(password),
      reliability: fastReliability(reliability),
    }),
  )
  clients.push(client)
  return client
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = []
  for await (const item of iterable) items.push(item)
  return items
}

describe('client against the emulator', () => {
  it('learns version, prefix and user', async () => {
    const handle = await emulator({robotNamePrefix: 'bot-'})
    const info = await clientFor(handle).info()
    expect(info).toMatchObject({
      version: {major: 2, minor: 15},
      robotNamePrefix: 'bot-',
      username: 'admin',
      sysadmin: true,
      robot: false,
    })
  })

  it('reports rejected credentials', async () => {
    const handle = await emulator()
    const client = clientFor(handle, 'wrong-password', {retry: {attempts: 1, baseDelayMs: 1, maxDelayMs: 1}})
    await expect(client.info()).rejects.toThrow(`credentials rejected by endpoint primary (${handle.url}) for user "admin"`)
  })

  it("rides out Harbor's login lockout after someone else's failed login", async () => {
    const handle = await emulator({loginLockMs: 300})
    const intruder = clientFor(handle, 'wrong-password', {retry: {attempts: 1, baseDelayMs: 1, maxDelayMs: 1}})
    const failed = intruder.info().catch(() => 'rejected')
    await new Promise((resolve) => setTimeout(resolve, 50))
    // Locked: even the right password is anonymous now; the one lockout retry 2 s later gets through.
    const info = await clientFor(handle).info()
    expect(info.username).toBe('admin')
    expect(await failed).toBe('rejected')
  })

  it('reads a list of several pages completely', async () => {
    const handle = await emulator({seed: generateSeed({projects: 250})})
    const projects = await all(clientFor(handle).paginate<{name: string}>('/projects'))
    expect(projects.map((p) => p.name).sort()).toEqual(
      handle
        .projects()
        .map((p) => p.name)
        .sort(),
    )
    expect(projects.length).toBeGreaterThanOrEqual(250)
  })

  it('addresses an all-digit project name as a name', async () => {
    const handle = await emulator({seed: {projects: [{name: 'filler'}, {name: '1'}, {name: '2'}]}})
    const client = clientFor(handle)
    const byName = await client.request<{name: string; project_id: number}>({
      method: 'GET',
      path: '/projects/2',
      resourceName: true,
    })
    expect(byName.body.name).toBe('2')
    const byId = await client.request<{name: string}>({method: 'GET', path: `/projects/${byName.body.project_id}`})
    expect(byId.body.name).toBe('2')
  })

  it('finds a project robot by a name with a + (q encoded twice)', async () => {
    const handle = await emulator({
      seed: {
        projects: [{name: 'team'}],
        robots: [
          {
            name: 'ci',
            level: 'project',
            project: 'team',
            permissions: [{kind: 'project', namespace: 'team', access: ['repository:pull']}],
          },
        ],
      },
    })
    const client = clientFor(handle)
    const team = await client.request<{project_id: number}>({method: 'GET', path: '/projects/team', resourceName: true})
    // Stored as `team+ci`: sent once-encoded, Harbor's second decoding would look for "team ci".
    const q = `Level=project,ProjectID=${team.body.project_id},name=team+ci`
    const robots = await all(client.paginate<{name: string}>('/robots', {q}))
    expect(robots.map((r) => r.name)).toEqual(['robot$team+ci'])
  })

  it('writes without CSRF trouble although Harbor sets a session cookie', async () => {
    const handle = await emulator({sessionCookies: true})
    const client = clientFor(handle)
    await client.request({method: 'GET', path: '/projects'})
    const created = await client.request({
      method: 'POST',
      path: '/projects',
      body: {project_name: 'cookies', metadata: {public: 'false'}},
    })
    expect(created.status).toBe(201)
    await client.request({method: 'DELETE', path: '/projects/cookies', resourceName: true})
    expect(handle.projects().map((p) => p.name)).not.toContain('cookies')
  })

  it('lists completely through 503s, resets and 429s, and reports the amplification', async () => {
    const handle = await emulator({
      seed: generateSeed({projects: 500}),
      randomSeed: 7,
      faults: [
        {match: 'GET /projects', rate: 0.2, status: 503, retryAfter: 0},
        {match: 'GET /projects', rate: 0.05, reset: true},
        {match: 'GET /projects', rate: 0.05, status: 429, retryAfter: 0},
      ],
    })
    const client = clientFor(handle, handle.password, {retry: {attempts: 10, baseDelayMs: 1, maxDelayMs: 5}})
    const projects = await all(client.paginate<{name: string}>('/projects'))
    expect(new Set(projects.map((p) => p.name)).size).toBe(handle.projects().length)
    const stats = client.stats!()
    expect(stats.attempts).toBeGreaterThan(stats.operations)
    console.log(
      `paging 500 projects under faults: ${stats.attempts} requests for ${stats.operations} pages (×${(stats.attempts / stats.operations).toFixed(2)})`,
    )
  })

  it('surfaces a create whose answer was lost as ambiguous, and the object is there once', async () => {
    const handle = await emulator({faults: [{match: 'POST /projects', afterHandler: 503, times: 1}]})
    const client = clientFor(handle)
    const error = await client.request({method: 'POST', path: '/projects', body: {project_name: 'lost'}}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HarborError)
    expect(error).toMatchObject({errorClass: 'transient', ambiguous: true, attempts: 1})
    // What the apply engine does next: look it up by name instead of creating it again.
    const found = await client.request({method: 'HEAD', path: '/projects', query: {project_name: 'lost'}})
    expect(found.status).toBe(200)
    expect(handle.projects().filter((p) => p.name === 'lost')).toHaveLength(1)
  })
})
