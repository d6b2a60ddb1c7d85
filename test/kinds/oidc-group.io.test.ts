import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type GroupAttrs, oidcGroupKind} from '../../src/kinds/oidc-group.js'
import {desired, type Harbor, managed, rejection, startHarbor} from './harness.js'

let harbor: Harbor

beforeAll(async () => {
  harbor = await startHarbor()
})

afterAll(async () => {
  await harbor?.close()
})

describe('oidc_group kind against the emulator', () => {
  it('lists more than one page of groups', async () => {
    const ctx = await harbor.ctx()
    const names = Array.from({length: 104}, (_, i) => `team-${String(i).padStart(3, '0')}`)
    await Promise.all(names.map((name) => oidcGroupKind.create(ctx, desired('oidc_group', {name}))))
    const live = await harbor.list<GroupAttrs>('oidc_group')
    for (const name of names) expect(live.get(name)?.attrs).toEqual({name, type: 'oidc'})
    expect([...live.keys()].filter((key) => key.startsWith('team-')).sort()).toEqual(names)
  })

  it('creates a group and finds it by exact name among names that contain it', async () => {
    const ctx = await harbor.ctx()
    for (const name of ['/org/devs', '/org/devs-extra', 'devs']) await oidcGroupKind.create(ctx, desired('oidc_group', {name}))
    const want = desired<GroupAttrs>('oidc_group', {name: '/org/devs'})
    const found = await oidcGroupKind.find(await harbor.ctx(), '/org/devs')
    expect(found?.key).toBe('/org/devs')
    expect(managed(found!.attrs, want)).toEqual(want)
  })

  it('creates HTTP groups too', async () => {
    const want = desired<GroupAttrs>('oidc_group', {name: 'proxy-admins', type: 'http'})
    await oidcGroupKind.create(await harbor.ctx(), want)
    expect((await harbor.list('oidc_group')).get('proxy-admins')?.attrs).toEqual(want)
  })

  it('has nothing to update in place, and says so if asked', async () => {
    const live = (await oidcGroupKind.find(await harbor.ctx(), 'devs'))!
    await oidcGroupKind.update(await harbor.ctx(), live, live.attrs, [])
    const error = await rejection(oidcGroupKind.update(await harbor.ctx(), live, {...live.attrs, type: 'http'}, ['type']))
    expect(error.message).toContain('cannot be changed in place')
  })

  it('replaces a group whose type changes (delete, then create)', async () => {
    const live = (await oidcGroupKind.find(await harbor.ctx(), 'devs'))!
    await oidcGroupKind.delete(await harbor.ctx(), live)
    const want = desired<GroupAttrs>('oidc_group', {name: 'devs', type: 'http'})
    const {id} = await oidcGroupKind.create(await harbor.ctx(), want)
    const found = (await oidcGroupKind.find(await harbor.ctx(), 'devs'))!
    expect(found.id).toBe(id)
    expect(found.id).not.toBe(live.id)
    expect(found.attrs).toEqual(want)
  })

  it('a missing group is absent, and deleting it again is not an error', async () => {
    expect(await oidcGroupKind.find(await harbor.ctx(), 'nobody')).toBeUndefined()
    await oidcGroupKind.create(await harbor.ctx(), desired('oidc_group', {name: 'doomed'}))
    const live = (await oidcGroupKind.find(await harbor.ctx(), 'doomed'))!
    await oidcGroupKind.delete(await harbor.ctx(), live)
    expect(await oidcGroupKind.find(await harbor.ctx(), 'doomed')).toBeUndefined()
    await oidcGroupKind.delete(await harbor.ctx(), live)
  })

  it('creating a group that exists is a classified conflict', async () => {
    await oidcGroupKind.create(await harbor.ctx(), desired('oidc_group', {name: 'twice'}))
    const error = await rejection(oidcGroupKind.create(await harbor.ctx(), desired('oidc_group', {name: 'twice'})))
    expect(error.status).toBe(409)
    expect(error.errorClass).toBe('conflict')
  })

  it('a name taken by a group of another type is reported as a conflict naming that type', async () => {
    await oidcGroupKind.create(await harbor.ctx(), desired('oidc_group', {name: 'shared', type: 'http'}))
    const error = await rejection(oidcGroupKind.create(await harbor.ctx(), desired('oidc_group', {name: 'shared'})))
    expect(error.message).toContain('group "shared" already exists on endpoint primary as a http group')
    expect(error.errorClass).toBe('conflict')
  })
})

describe('oidc_group kind in LDAP mode', () => {
  let ldap: Harbor
  beforeAll(async () => {
    ldap = await startHarbor({authMode: 'ldap_auth'})
  })
  afterAll(async () => ldap?.close())

  it('creates an LDAP group with its DN', async () => {
    const want = desired<GroupAttrs>('oidc_group', {
      name: 'readers',
      type: 'ldap',
      ldap_dn: 'cn=readers,ou=groups,dc=example,dc=com',
    })
    await oidcGroupKind.create(await ldap.ctx(), want)
    expect((await ldap.list('oidc_group')).get('readers')?.attrs).toEqual(want)
  })

  it('an OIDC group named like an LDAP group is a conflict naming the LDAP group (Harbor answers a bare 500)', async () => {
    await oidcGroupKind.create(
      await ldap.ctx(),
      desired('oidc_group', {name: 'admins', type: 'ldap', ldap_dn: 'cn=admins,dc=example'}),
    )
    const error = await rejection(oidcGroupKind.create(await ldap.ctx(), desired('oidc_group', {name: 'admins'})))
    expect(error.message).toContain('group "admins" already exists on endpoint primary as a ldap group')
    expect(error.errorClass).toBe('conflict')
    expect(error.status).toBe(500)
  })
})
