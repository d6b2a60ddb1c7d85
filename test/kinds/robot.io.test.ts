import {request} from 'undici'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {projectKind} from '../../src/kinds/project.js'
import {type RobotAttrs, robotKind} from '../../src/kinds/robot.js'
import {Secret} from '../../src/model/secret.js'
import {desired, type Harbor, managed, rejection, startHarbor, visible} from './harness.js'

let harbor: Harbor

beforeAll(async () => {
  harbor = await startHarbor()
  const ctx = await harbor.ctx()
  await Promise.all(['team', 'other'].map((name) => projectKind.create(ctx, desired('project', {name}))))
})

afterAll(async () => {
  await harbor?.close()
})

const pull = {namespace: '*', access: ['repository:pull']}

/** The status of `GET /users/current` as a robot: 412 when the credentials are right (Harbor's robot answer), 401 when not. */
async function robotLogin(fullName: string, secret: string): Promise<number> {
  const response = await request(`${harbor.emulator.url}/api/v2.0/users/current`, {
    headers: {authorization: `Basic ${Buffer.from(`${fullName}:${secret}`).toString('base64')}`},
  })
  await response.body.dump()
  return response.statusCode
}

describe('robot kind against the emulator', () => {
  it('lists more than one page of system robots and every project robot', async () => {
    const ctx = await harbor.ctx()
    const names = Array.from({length: 103}, (_, i) => `bulk-${String(i).padStart(3, '0')}`)
    await Promise.all(names.map((name) => robotKind.create(ctx, desired('robot', {name, permission: [pull]}))))
    await robotKind.create(
      ctx,
      desired('robot', {name: 'bulk-000', project: 'team', permission: [{access: ['repository:pull']}]}),
    )
    const live = await harbor.list<RobotAttrs>('robot')
    for (const name of names) expect(live.get(name)?.attrs.level).toBe('system')
    expect(live.get('team+bulk-000')?.attrs).toMatchObject({name: 'bulk-000', level: 'project', project: 'team'})
    expect([...live.keys()].filter((key) => key.startsWith('bulk-')).sort()).toEqual(names)
  })

  it('reads the project list once for all project robot lists (shared memo)', async () => {
    const ctx = await harbor.ctx()
    const before = harbor.emulator.requests.length
    await robotKind.list(ctx)
    await projectKind.list(ctx)
    const projectLists = harbor.emulator.requests
      .slice(before)
      .filter((entry: {method: string; path: string}) => entry.method === 'GET' && /\/projects$/.test(entry.path))
    expect(projectLists.length).toBe(1)
  })

  it('creates a system robot with every attribute and reads it back equal', async () => {
    const want = desired<RobotAttrs>('robot', {
      name: 'full',
      description: 'all of it',
      duration: '30d',
      disable: true,
      permission: [
        {namespace: '*', access: ['repository:push', 'repository:pull']},
        {namespace: 'team', access: ['artifact:delete']},
        {namespace: '/', access: ['project:list', 'audit-log:list']},
      ],
    })
    const created = await robotKind.create(await harbor.ctx(), want)
    expect(created.secret).toMatch(/.{8,}/)
    const found = await robotKind.find(await harbor.ctx(), 'full')
    expect(found?.id).toBe(created.id)
    expect(managed(found!.attrs, want)).toEqual(visible(want))
    expect((await harbor.list('robot')).get('full')).toEqual(found)
  })

  it('sets a declared secret on create, and a new one with setSecret', async () => {
    const secret = new Secret('Declared1secret', 'env("X")')
    const created = await robotKind.create(
      await harbor.ctx(),
      desired('robot', {name: 'pinned', project: 'team', permission: [{access: ['repository:pull']}], secret}),
    )
    expect(created.secret).toBeUndefined()
    expect(await robotLogin('robot$team+pinned', 'Declared1secret')).toBe(412)
    const live = (await robotKind.find(await harbor.ctx(), 'team+pinned'))!
    await robotKind.setSecret!(await harbor.ctx(), live, 'Rotated2secret')
    expect(await robotLogin('robot$team+pinned', 'Rotated2secret')).toBe(412)
    expect(await robotLogin('robot$team+pinned', 'Declared1secret')).toBe(401)
  })

  it("refuses a secret that breaks Harbor's rule before sending it", async () => {
    const live = (await robotKind.find(await harbor.ctx(), 'team+pinned'))!
    const error = await rejection(robotKind.setSecret!(await harbor.ctx(), live, 'weak'))
    expect(error.message).toContain('8 to 128 characters')
    expect(error.message).not.toContain('weak')
  })

  it('updates description, duration, disable and permissions in place with one PUT of the whole robot', async () => {
    const before = desired<RobotAttrs>('robot', {name: 'mutable', project: 'team', permission: [{access: ['repository:pull']}]})
    const {id} = await robotKind.create(await harbor.ctx(), before)
    const after = desired<RobotAttrs>('robot', {
      name: 'mutable',
      project: 'team',
      description: 'changed',
      duration: 7,
      disable: true,
      permission: [{access: ['repository:push', 'repository:pull', 'artifact:read']}],
    })
    const live = (await robotKind.find(await harbor.ctx(), 'team+mutable'))!
    await robotKind.update(await harbor.ctx(), live, after, ['description', 'duration', 'disable', 'permissions'])
    const updated = (await robotKind.find(await harbor.ctx(), 'team+mutable'))!
    expect(updated.id).toBe(id)
    expect(managed(updated.attrs, after)).toEqual(visible(after))

    // And back: re-enabling and an empty description are values hrep sends, not omissions.
    const back = desired<RobotAttrs>('robot', {name: 'mutable', project: 'team', permission: [{access: ['repository:pull']}]})
    await robotKind.update(await harbor.ctx(), updated, back, ['description', 'duration', 'disable', 'permissions'])
    expect(managed((await robotKind.find(await harbor.ctx(), 'team+mutable'))!.attrs, back)).toEqual(visible(back))
  })

  it('lists a legacy (v1) robot under its project and refuses to edit it, naming the way out', async () => {
    harbor.emulator.seed({
      robots: [
        {
          name: 'robot$old-ci',
          level: 'project',
          project: 'team',
          legacy: true,
          permissions: [{kind: 'project', namespace: 'team', access: ['repository:pull']}],
        },
      ],
    })
    const live = (await harbor.list<RobotAttrs>('robot')).get('team+old-ci')
    expect(live?.attrs).toMatchObject({name: 'old-ci', level: 'project', project: 'team'})
    const before = harbor.emulator.requests.length
    const want = desired<RobotAttrs>('robot', {
      name: 'old-ci',
      project: 'team',
      description: 'new',
      permission: [{access: ['repository:pull']}],
    })
    const error = await rejection(robotKind.update(await harbor.ctx(), live!, want, ['description']))
    expect(error.code).toBe('robot_legacy')
    expect(error.message).toContain(
      'legacy (v1) robot, which Harbor does not allow to be edited; delete it and let hrep create it again',
    )
    // Refused before anything is sent that Harbor would deny.
    expect(harbor.emulator.requests.slice(before).filter((entry: {method: string}) => entry.method === 'PUT')).toEqual([])
  })

  it('an update that only changes the secret sends no PUT', async () => {
    const live = (await robotKind.find(await harbor.ctx(), 'team+mutable'))!
    const before = harbor.emulator.requests.length
    await robotKind.update(await harbor.ctx(), live, live.attrs, ['secret'])
    expect(harbor.emulator.requests.slice(before).filter((entry: {method: string}) => entry.method === 'PUT')).toEqual([])
  })

  it('a robot moved to another project is a replacement', async () => {
    expect(robotKind.replaceOn).toContain('project')
    const a = desired<RobotAttrs>('robot', {name: 'mover', project: 'team', permission: [{access: ['repository:pull']}]})
    const b = desired<RobotAttrs>('robot', {name: 'mover', project: 'other', permission: [{access: ['repository:pull']}]})
    await robotKind.create(await harbor.ctx(), a)
    const live = (await robotKind.find(await harbor.ctx(), 'team+mover'))!
    await robotKind.delete(await harbor.ctx(), live)
    await robotKind.create(await harbor.ctx(), b)
    const robots = await harbor.list<RobotAttrs>('robot')
    expect(robots.has('team+mover')).toBe(false)
    expect(managed(robots.get('other+mover')!.attrs, b)).toEqual(b)
  })

  it('a missing robot is absent, and deleting it again is not an error', async () => {
    expect(await robotKind.find(await harbor.ctx(), 'nobody')).toBeUndefined()
    expect(await robotKind.find(await harbor.ctx(), 'team+nobody')).toBeUndefined()
    expect(await robotKind.find(await harbor.ctx(), 'no-project+nobody')).toBeUndefined()
    await robotKind.create(await harbor.ctx(), desired('robot', {name: 'doomed', permission: [pull]}))
    const live = (await robotKind.find(await harbor.ctx(), 'doomed'))!
    await robotKind.delete(await harbor.ctx(), live)
    expect(await robotKind.find(await harbor.ctx(), 'doomed')).toBeUndefined()
    await robotKind.delete(await harbor.ctx(), live)
  })

  it('creating a robot that exists is a classified conflict', async () => {
    await robotKind.create(await harbor.ctx(), desired('robot', {name: 'twice', permission: [pull]}))
    const error = await rejection(robotKind.create(await harbor.ctx(), desired('robot', {name: 'twice', permission: [pull]})))
    expect(error.status).toBe(409)
    expect(error.errorClass).toBe('conflict')
  })

  it('finds a robot by the import ID forms', async () => {
    for (const id of ['full', 'robot$full']) {
      expect((await robotKind.find(await harbor.ctx(), robotKind.parseImportId(id)))?.key).toBe('full')
    }
    for (const id of ['team+pinned', 'robot$team+pinned']) {
      expect((await robotKind.find(await harbor.ctx(), robotKind.parseImportId(id)))?.key).toBe('team+pinned')
    }
  })
})
