/**
 * Adding many members of one group sends the group's id without looking the group up once per member
 * (docs/performance.md: 10,000 memberships of 500 groups cost 10,000 extra requests per endpoint).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RequestOptions} from '../../src/client/types.js'
import {MEMO_GROUP_ID} from '../../src/kinds/io.js'
import {oidcGroupKind} from '../../src/kinds/oidc-group.js'
import {projectKind} from '../../src/kinds/project.js'
import {projectMemberKind} from '../../src/kinds/project-member.js'
import {desired, type Harbor, startHarbor} from './harness.js'

let harbor: Harbor
const projects = ['alpha', 'beta', 'gamma', 'delta']

beforeAll(async () => {
  harbor = await startHarbor()
  const ctx = await harbor.ctx()
  await Promise.all(projects.map((name) => projectKind.create(ctx, desired('project', {name}))))
  await oidcGroupKind.create(ctx, desired('oidc_group', {name: 'existing'}))
})

afterAll(async () => {
  await harbor?.close()
})

const lookups = (sent: RequestOptions[]) => sent.filter((options) => options.method === 'GET' && options.path === '/usergroups')
const posts = (sent: RequestOptions[]) => sent.filter((options) => options.method === 'POST' && options.path.endsWith('/members'))

describe('member_group ids during one run', () => {
  it('a group created in the run is sent by id with no lookup', async () => {
    const {ctx, sent} = await harbor.recording()
    const {id} = await oidcGroupKind.create(ctx, desired('oidc_group', {name: 'fresh'}))
    sent.length = 0
    await Promise.all(
      projects.map((project) =>
        projectMemberKind.create(ctx, desired('project_member', {project, group: 'fresh', role: 'guest'})),
      ),
    )
    expect(lookups(sent)).toEqual([])
    expect(posts(sent).map((post) => post.body)).toEqual(projects.map(() => ({role_id: 3, member_group: {id: Number(id)}})))
    expect((await harbor.list('project_member')).get('gamma/g:fresh')?.attrs.group_type).toBe('oidc')
  })

  it('a group that already existed is looked up once, however many members are added at once', async () => {
    const {ctx, sent} = await harbor.recording()
    await Promise.all(
      projects.map((project) =>
        projectMemberKind.create(ctx, desired('project_member', {project, group: 'existing', role: 'developer'})),
      ),
    )
    const existing = (await oidcGroupKind.find(await harbor.ctx(), 'existing'))!
    expect(lookups(sent)).toHaveLength(1)
    expect(posts(sent).map((post) => post.body)).toEqual(
      projects.map(() => ({role_id: 2, member_group: {id: Number(existing.id)}})),
    )
  })

  it('a deleted group is forgotten, and a failed lookup is not remembered', async () => {
    const ctx = await harbor.ctx()
    const {id} = await oidcGroupKind.create(ctx, desired('oidc_group', {name: 'short-lived'}))
    expect(await ctx.memo.get(`${MEMO_GROUP_ID}short-lived`)).toBe(Number(id))
    await oidcGroupKind.delete(ctx, {id, key: 'short-lived', attrs: {name: 'short-lived', type: 'oidc'}})
    expect(ctx.memo.has(`${MEMO_GROUP_ID}short-lived`)).toBe(false)

    const failing = {...ctx, memo: new Map()}
    failing.client = Object.create(ctx.client)
    failing.client.request = () => Promise.reject(Object.assign(new Error('boom'), {status: 500}))
    failing.client.paginate = () => ({
      [Symbol.asyncIterator]: () => ({next: () => Promise.reject(Object.assign(new Error('boom'), {status: 500}))}),
    })
    await expect(
      projectMemberKind.create(failing, desired('project_member', {project: 'alpha', group: 'existing', role: 'guest'})),
    ).rejects.toThrow('boom')
    expect(failing.memo.has(`${MEMO_GROUP_ID}existing`)).toBe(false)
  })
})
