import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {projectKind, type ProjectAttrs} from '../../src/kinds/project.js'
import {desired, type Harbor, managed, rejection, startHarbor} from './harness.js'

let harbor: Harbor

beforeAll(async () => {
  harbor = await startHarbor()
})

afterAll(async () => {
  await harbor?.close()
})

const GiB = 1024 ** 3

describe('project kind against the emulator', () => {
  it('lists more than one page of projects, each once, with its quota', async () => {
    const ctx = await harbor.ctx()
    const names = Array.from({length: 105}, (_, i) => `page-${String(i).padStart(3, '0')}`)
    await Promise.all(names.map((name) => projectKind.create(ctx, desired('project', {name, storage_limit: '1GiB'}))))
    const live = await harbor.list<ProjectAttrs>('project')
    for (const name of names) {
      expect(live.get(name)?.attrs).toMatchObject({name, public: false, storage_limit: GiB})
    }
    const listed = [...live.keys()].filter((key) => key.startsWith('page-'))
    expect(listed.sort()).toEqual(names)
  })

  it('creates a project with every attribute, and reads it back equal to the declaration', async () => {
    const want = desired<ProjectAttrs>('project', {
      name: 'full',
      public: true,
      auto_scan: true,
      severity: 'critical',
      prevent_vul: true,
      reuse_sys_cve_allowlist: false,
      storage_limit: '10GiB',
      cve_allowlist: ['CVE-2024-0002', 'CVE-2024-0001'],
      cve_allowlist_expires_at: '2031-01-01',
    })
    const ctx = await harbor.ctx()
    const {id} = await projectKind.create(ctx, want)
    const found = await projectKind.find(await harbor.ctx(), 'full')
    expect(found?.id).toBe(id)
    expect(managed(found!.attrs, want)).toEqual(want)
    const listed = (await harbor.list<ProjectAttrs>('project')).get('full')
    expect(listed).toEqual(found)
  })

  it('updates every mutable attribute in place', async () => {
    const before = desired<ProjectAttrs>('project', {name: 'mutable', storage_limit: '1GiB', cve_allowlist: ['CVE-2020-1111']})
    await projectKind.create(await harbor.ctx(), before)
    const after = desired<ProjectAttrs>('project', {
      name: 'mutable',
      public: true,
      auto_scan: true,
      severity: 'low',
      prevent_vul: true,
      reuse_sys_cve_allowlist: false,
      storage_limit: 'unlimited',
      cve_allowlist: ['CVE-2021-2222', 'CVE-2022-3333'],
      cve_allowlist_expires_at: 1_900_000_000,
    })
    const live = (await projectKind.find(await harbor.ctx(), 'mutable'))!
    const changed = Object.keys(after).filter(
      (key) => JSON.stringify(live.attrs[key as keyof ProjectAttrs]) !== JSON.stringify(after[key as keyof ProjectAttrs]),
    )
    expect(changed.sort()).toEqual(
      [
        'auto_scan',
        'cve_allowlist',
        'cve_allowlist_expires_at',
        'prevent_vul',
        'public',
        'reuse_sys_cve_allowlist',
        'severity',
        'storage_limit',
      ].sort(),
    )
    await projectKind.update(await harbor.ctx(), live, after, changed)
    const updated = (await projectKind.find(await harbor.ctx(), 'mutable'))!
    expect(updated.id).toBe(live.id)
    expect(managed(updated.attrs, after)).toEqual(after)
  })

  it('changes only what `changed` names: other metadata stays as Harbor has it', async () => {
    await projectKind.create(await harbor.ctx(), desired('project', {name: 'partial', auto_scan: true}))
    const live = (await projectKind.find(await harbor.ctx(), 'partial'))!
    await projectKind.update(await harbor.ctx(), live, desired('project', {name: 'partial', public: true}), ['public'])
    const updated = (await projectKind.find(await harbor.ctx(), 'partial'))!
    expect(updated.attrs).toMatchObject({public: true, auto_scan: true})
  })

  it('a project name of digits only is addressed by name, not read as an id', async () => {
    const ctx = await harbor.ctx()
    const first = await projectKind.create(ctx, desired('project', {name: 'first-by-id'}))
    await projectKind.create(ctx, desired('project', {name: first.id}))
    const found = await projectKind.find(await harbor.ctx(), first.id)
    expect(found?.key).toBe(first.id)
    expect(found?.id).not.toBe(first.id)
  })

  it('a missing project is absent, and deleting it again is not an error', async () => {
    expect(await projectKind.find(await harbor.ctx(), 'no-such-project')).toBeUndefined()
    await projectKind.create(await harbor.ctx(), desired('project', {name: 'doomed'}))
    const live = (await projectKind.find(await harbor.ctx(), 'doomed'))!
    await projectKind.delete(await harbor.ctx(), live)
    expect(await projectKind.find(await harbor.ctx(), 'doomed')).toBeUndefined()
    expect((await harbor.list('project')).has('doomed')).toBe(false)
    await projectKind.delete(await harbor.ctx(), live)
  })

  it('deleting a project that holds repositories fails with a plain reason, classified invalid', async () => {
    await projectKind.create(await harbor.ctx(), desired('project', {name: 'busy'}))
    harbor.emulator.setRepoCount('busy', 2)
    const live = (await projectKind.find(await harbor.ctx(), 'busy'))!
    const error = await rejection(projectKind.delete(await harbor.ctx(), live))
    expect(error.message).toContain('project "busy" on endpoint primary still holds repositories')
    expect(error.errorClass).toBe('invalid')
    expect(error.status).toBe(412)
  })

  it('creating a project that exists is a classified conflict', async () => {
    await projectKind.create(await harbor.ctx(), desired('project', {name: 'twice'}))
    const error = await rejection(projectKind.create(await harbor.ctx(), desired('project', {name: 'twice'})))
    expect(error.status).toBe(409)
    expect(error.errorClass).toBe('conflict')
  })
})

describe('project kind with a credential that may not read quotas', () => {
  let viewer: Harbor
  beforeAll(async () => {
    viewer = await startHarbor(
      {
        seed: {
          users: [{username: 'viewer', password: 'Viewer123'}],
          projects: [{name: 'open', public: true, storageLimit: 1024, members: [{user: 'viewer', role: 'guest'}]}],
        },
      },
      {username: 'viewer', password: 'Viewer123'},
    )
  })
  afterAll(async () => viewer?.close())

  it('lists projects without storage_limit (so it is not compared) and says why in a warning', async () => {
    const live = await viewer.list('project')
    expect(live.get('open')?.attrs).toMatchObject({name: 'open', public: true})
    expect(live.get('open')?.attrs).not.toHaveProperty('storage_limit')
    expect(viewer.events).toContainEqual(
      expect.objectContaining({
        type: 'warning',
        endpoint: 'primary',
        message: expect.stringContaining('cannot read project quotas'),
      }),
    )
  })

  it('finds a project without its quota too', async () => {
    const found = await projectKind.find(await viewer.ctx(), 'open')
    expect(found?.attrs).not.toHaveProperty('storage_limit')
  })
})
