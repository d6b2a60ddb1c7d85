import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {oidcGroupKind} from '../../src/kinds/oidc-group.js'
import {projectKind} from '../../src/kinds/project.js'
import {type MemberAttrs, projectMemberKind} from '../../src/kinds/project-member.js'
import {desired, type Harbor, managed, rejection, startHarbor} from './harness.js'

let harbor: Harbor

/** Creates a local user through the API (db_auth mode), as an admin would. */
async function createUser(username: string): Promise<void> {
  await harbor.client.request({
    method: 'POST',
    path: '/users',
    body: {username, email: `${username}@example.com`, realname: username, password: 'Passw0rd!'},
  })
}

beforeAll(async () => {
  harbor = await startHarbor()
  const ctx = await harbor.ctx()
  await Promise.all(['team', 'big'].map((name) => projectKind.create(ctx, desired('project', {name}))))
  await Promise.all(['devs', 'ops'].map((name) => oidcGroupKind.create(ctx, desired('oidc_group', {name}))))
  await Promise.all(['alice', 'bob'].map(createUser))
})

afterAll(async () => {
  await harbor?.close()
})

describe('project_member kind against the emulator', () => {
  it('lists more than one page of members in a project, with the creator membership Harbor adds', async () => {
    const ctx = await harbor.ctx()
    const groups = Array.from({length: 101}, (_, i) => `g-${String(i).padStart(3, '0')}`)
    await Promise.all(groups.map((name) => oidcGroupKind.create(ctx, desired('oidc_group', {name}))))
    await Promise.all(
      groups.map((group) => projectMemberKind.create(ctx, desired('project_member', {project: 'big', group, role: 'guest'}))),
    )
    const live = await harbor.list<MemberAttrs>('project_member')
    for (const group of groups) {
      expect(live.get(`big/g:${group}`)?.attrs).toEqual({project: 'big', group, group_type: 'oidc', role: 'guest'})
    }
    expect(live.get('big/u:admin')?.attrs).toEqual({project: 'big', user: 'admin', role: 'projectAdmin'})
  })

  it('creates group and user members and reads them back equal to the declaration', async () => {
    const group = desired<MemberAttrs>('project_member', {
      project: {name: 'team'},
      group: {name: 'devs', type: 'oidc'},
      role: 'developer',
    })
    const user = desired<MemberAttrs>('project_member', {project: 'team', user: 'alice', role: 'maintainer'})
    const ctx = await harbor.ctx()
    const createdGroup = await projectMemberKind.create(ctx, group)
    const createdUser = await projectMemberKind.create(ctx, user)
    const live = await harbor.list<MemberAttrs>('project_member')
    expect(live.get('team/g:devs')?.id).toBe(createdGroup.id)
    expect(managed(live.get('team/g:devs')!.attrs, group)).toEqual(group)
    expect(live.get('team/u:alice')?.id).toBe(createdUser.id)
    expect(managed(live.get('team/u:alice')!.attrs, user)).toEqual(user)
    expect(await projectMemberKind.find(await harbor.ctx(), 'team/g:devs')).toEqual(live.get('team/g:devs'))
    expect(await projectMemberKind.find(await harbor.ctx(), 'team/u:alice')).toEqual(live.get('team/u:alice'))
  })

  it("sends a group member by the group's id when the group exists", async () => {
    const {ctx, sent} = await harbor.recording()
    await projectMemberKind.create(ctx, desired('project_member', {project: 'team', group: 'ops', role: 'guest'}))
    const post = sent.find((options) => options.method === 'POST')
    const ops = (await oidcGroupKind.find(await harbor.ctx(), 'ops'))!
    expect(post?.body).toEqual({role_id: 3, member_group: {id: Number(ops.id)}})
    expect((await projectMemberKind.find(await harbor.ctx(), 'team/g:ops'))?.attrs.group_type).toBe('oidc')
  })

  it('updates the role in place', async () => {
    const live = (await projectMemberKind.find(await harbor.ctx(), 'team/u:alice'))!
    for (const role of ['limitedGuest', 'projectAdmin', 'guest'] as const) {
      const want = desired<MemberAttrs>('project_member', {project: 'team', user: 'alice', role})
      await projectMemberKind.update(await harbor.ctx(), live, want, ['role'])
      const updated = (await projectMemberKind.find(await harbor.ctx(), 'team/u:alice'))!
      expect(updated.id).toBe(live.id)
      expect(updated.attrs.role).toBe(role)
    }
  })

  it('refuses to "update" a group type (group names are unique: the declaration or the group is wrong)', async () => {
    const live = (await projectMemberKind.find(await harbor.ctx(), 'team/g:devs'))!
    const want = desired<MemberAttrs>('project_member', {project: 'team', group: 'devs', group_type: 'ldap', role: 'developer'})
    const error = await rejection(projectMemberKind.update(await harbor.ctx(), live, want, ['group_type']))
    expect(error.message).toContain('group "devs" on endpoint primary is a oidc group, but the member declares ldap')
  })

  it('declaring the project creator adopts the membership Harbor made, and corrects its role', async () => {
    const want = desired<MemberAttrs>('project_member', {project: 'team', user: 'admin', role: 'maintainer'})
    const existing = (await projectMemberKind.find(await harbor.ctx(), 'team/u:admin'))!
    const {id} = await projectMemberKind.create(await harbor.ctx(), want)
    expect(id).toBe(existing.id)
    expect((await projectMemberKind.find(await harbor.ctx(), 'team/u:admin'))?.attrs.role).toBe('maintainer')
  })

  it('creating a member that exists (not the creator) is a classified conflict', async () => {
    const error = await rejection(
      projectMemberKind.create(await harbor.ctx(), desired('project_member', {project: 'team', group: 'devs', role: 'guest'})),
    )
    expect(error.status).toBe(409)
    expect(error.errorClass).toBe('conflict')
  })

  it('a missing member or project is absent, and deleting a member again is not an error', async () => {
    expect(await projectMemberKind.find(await harbor.ctx(), 'team/u:bob')).toBeUndefined()
    expect(await projectMemberKind.find(await harbor.ctx(), 'no-project/g:devs')).toBeUndefined()
    const {id} = await projectMemberKind.create(
      await harbor.ctx(),
      desired('project_member', {project: 'team', user: 'bob', role: 'guest'}),
    )
    const live = (await projectMemberKind.find(await harbor.ctx(), 'team/u:bob'))!
    expect(live.id).toBe(id)
    await projectMemberKind.delete(await harbor.ctx(), live)
    expect(await projectMemberKind.find(await harbor.ctx(), 'team/u:bob')).toBeUndefined()
    await projectMemberKind.delete(await harbor.ctx(), live)
  })

  it('reads all members with one list per project, not one request per member', async () => {
    const {ctx, sent} = await harbor.recording()
    await projectMemberKind.list(ctx)
    const memberLists = sent.filter((options) => options.path.endsWith('/members'))
    const projects = sent.filter((options) => options.path === '/projects')
    expect(projects.length).toBe(1)
    expect(memberLists.length).toBe((await harbor.list('project')).size)
  })

  it('a user and a group with the same name are two members', async () => {
    await oidcGroupKind.create(await harbor.ctx(), desired('oidc_group', {name: 'bob'}))
    const ctx = await harbor.ctx()
    await projectMemberKind.create(ctx, desired('project_member', {project: 'team', user: 'bob', role: 'guest'}))
    await projectMemberKind.create(ctx, desired('project_member', {project: 'team', group: 'bob', role: 'developer'}))
    expect((await projectMemberKind.find(await harbor.ctx(), 'team/u:bob'))?.attrs.role).toBe('guest')
    expect((await projectMemberKind.find(await harbor.ctx(), 'team/g:bob'))?.attrs.role).toBe('developer')
  })
})

describe('project_member kind in OIDC mode', () => {
  let oidc: Harbor
  beforeAll(async () => {
    oidc = await startHarbor({authMode: 'oidc_auth'})
    await projectKind.create(await oidc.ctx(), desired('project', {name: 'team'}))
  })
  afterAll(async () => oidc?.close())

  it('a member of a group Harbor has not seen yet is sent by name and type, and Harbor onboards the group as OIDC', async () => {
    const {ctx, sent} = await oidc.recording()
    await projectMemberKind.create(ctx, desired('project_member', {project: 'team', group: 'newcomers', role: 'developer'}))
    const post = sent.find((options) => options.method === 'POST')
    expect(post?.body).toEqual({role_id: 2, member_group: {group_name: 'newcomers', group_type: 3}})
    expect((await oidc.list('oidc_group')).get('newcomers')?.attrs).toEqual({name: 'newcomers', type: 'oidc'})
    expect((await oidc.list('project_member')).get('team/g:newcomers')?.attrs).toEqual({
      project: 'team',
      group: 'newcomers',
      group_type: 'oidc',
      role: 'developer',
    })
  })
})
