/**
 * No perpetual diffs: one regression test for each drift bug users of the Terraform provider hit
 * (research anchors §1.7). Each creates the object through the kind (or as Harbor's UI would), reads
 * it back with list and find, and shows that the declaration and the live object compare equal on
 * every attribute the declaration manages, under the same key.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {oidcGroupKind} from '../../src/kinds/oidc-group.js'
import {projectKind} from '../../src/kinds/project.js'
import {projectMemberKind} from '../../src/kinds/project-member.js'
import {kinds} from '../../src/kinds/registry.js'
import {robotKind} from '../../src/kinds/robot.js'
import type {Attrs, KindName} from '../../src/model/change.js'
import {desired, type Harbor, managed, startHarbor, visible} from './harness.js'

/** Asserts that `body`, declared, has no diff against what list and find read back under its key. */
async function expectNoDiff(harbor: Harbor, kind: KindName, body: Record<string, unknown>): Promise<void> {
  const want = desired(kind, body)
  const key = kinds[kind].key(want)
  const listed = (await harbor.list(kind)).get(key)
  expect(listed, `${kind} ${key} is listed`).toBeDefined()
  expect(managed(listed!.attrs, want)).toEqual(visible(want))
  const found = await kinds[kind].find(await harbor.ctx(), key)
  expect(found).toEqual(listed)
}

async function create(harbor: Harbor, kind: KindName, body: Record<string, unknown>): Promise<void> {
  await kinds[kind].create(await harbor.ctx(), desired(kind, body))
}

describe.each(['robot$', 'svc-'])('robot name prefix %j (TFP#84, TFP#505, TFP#447)', (prefix) => {
  let harbor: Harbor
  beforeAll(async () => {
    harbor = await startHarbor({robotNamePrefix: prefix})
    await create(harbor, 'project', {name: 'team'})
  })
  afterAll(async () => harbor?.close())

  it('the endpoint reports the prefix the instance is configured with', async () => {
    expect((await harbor.ctx()).info.robotNamePrefix).toBe(prefix)
  })

  it('a system robot reads back under its short name, with no diff', async () => {
    const body = {name: 'ci', permission: [{namespace: '*', access: ['repository:pull']}]}
    await create(harbor, 'robot', body)
    await expectNoDiff(harbor, 'robot', body)
  })

  it('a project robot reads back as <project>+<name>, with no diff', async () => {
    const body = {name: 'ci', project: 'team', permission: [{access: ['repository:pull', 'repository:push']}]}
    await create(harbor, 'robot', body)
    await expectNoDiff(harbor, 'robot', body)
  })

  it("importing by Harbor's full name finds the same robot, with no diff (so no replacement)", async () => {
    for (const [id, body] of [
      [`${prefix}ci`, {name: 'ci', permission: [{namespace: '*', access: ['repository:pull']}]}],
      [`${prefix}team+ci`, {name: 'ci', project: 'team', permission: [{access: ['repository:pull', 'repository:push']}]}],
    ] as const) {
      const found = await robotKind.find(await harbor.ctx(), robotKind.parseImportId(id))
      const want = desired('robot', body)
      expect(found?.key).toBe(robotKind.key(want as never))
      expect(managed(found!.attrs, want)).toEqual(want)
    }
  })
})

describe('other drift bugs', () => {
  let harbor: Harbor
  beforeAll(async () => {
    // A fixed seed: the emulator returns robot permissions in a seeded random order, as Harbor does.
    harbor = await startHarbor({randomSeed: 7})
    await create(harbor, 'project', {name: 'team'})
    await create(harbor, 'oidc_group', {name: 'devs'})
  })
  afterAll(async () => harbor?.close())

  it('empty vs missing description (TFP#277): a robot declared without one has none in Harbor, and no diff', async () => {
    const body = {name: 'quiet', permission: [{namespace: '*', access: ['repository:pull']}]}
    await create(harbor, 'robot', body)
    await expectNoDiff(harbor, 'robot', body)
  })

  it("permission order (TFP#495): many permissions, read back repeatedly in Harbor's random order, never differ", async () => {
    const body = {
      name: 'broad',
      permission: [
        {
          namespace: '*',
          access: ['repository:pull', 'repository:push', 'artifact:read', 'artifact:delete', 'tag:create', 'tag:delete'],
        },
        {namespace: 'team', access: ['scan:create', 'scan:read', 'label:create']},
        {namespace: '/', access: ['project:list', 'project:create', 'audit-log:list', 'registry:list']},
      ],
    }
    await create(harbor, 'robot', body)
    for (let round = 0; round < 5; round++) await expectNoDiff(harbor, 'robot', body)
  })

  it('permission order: a robot made elsewhere with accesses in another order has no diff', async () => {
    // As Harbor's UI or another tool would create it: accesses in their own order.
    await harbor.client.request({
      method: 'POST',
      path: '/robots',
      body: {
        name: 'handmade',
        level: 'system',
        duration: -1,
        permissions: [
          {
            kind: 'project',
            namespace: '*',
            access: [
              {resource: 'tag', action: 'create', effect: 'allow'},
              {resource: 'repository', action: 'push'},
              {resource: 'repository', action: 'pull', effect: 'allow'},
            ],
          },
        ],
      },
    })
    await expectNoDiff(harbor, 'robot', {
      name: 'handmade',
      permission: [{namespace: '*', access: ['repository:pull', 'tag:create', 'repository:push']}],
    })
  })

  it('project id forms (TFP#244, TFP#175): a member declared by project name or by reference is the same member, with no diff', async () => {
    const byName = {project: 'team', group: 'devs', role: 'developer'}
    const byReference = {project: {name: 'team', public: false}, group: {name: 'devs', type: 'oidc'}, role: 'developer'}
    await create(harbor, 'project_member', byName)
    await expectNoDiff(harbor, 'project_member', byName)
    await expectNoDiff(harbor, 'project_member', byReference)
    expect(projectMemberKind.key(desired('project_member', byReference) as never)).toBe('team/g:devs')
  })

  it('project id forms: a project named like an id is its own project', async () => {
    const {id} = await projectKind.create(await harbor.ctx(), desired('project', {name: 'holder'}))
    await create(harbor, 'project', {name: id})
    await create(harbor, 'project_member', {project: id, group: 'devs', role: 'guest'})
    await expectNoDiff(harbor, 'project', {name: id})
    await expectNoDiff(harbor, 'project_member', {project: id, group: 'devs', role: 'guest'})
  })

  it('metadata strings: values written as "TRUE", "1" or left out compare equal to booleans', async () => {
    await create(harbor, 'project', {name: 'meta'})
    // As another tool or the UI might store them; PUT merges metadata without validating it.
    await harbor.client.request({
      method: 'PUT',
      path: '/projects/meta',
      resourceName: true,
      body: {metadata: {auto_scan: 'TRUE', prevent_vul: '1', severity: 'High'}},
    })
    await expectNoDiff(harbor, 'project', {
      name: 'meta',
      public: false,
      auto_scan: true,
      prevent_vul: true,
      severity: 'high',
      reuse_sys_cve_allowlist: true,
      cve_allowlist: [],
    })
  })

  it('quota (TFP#470, TFP#152): a storage limit set through the kind is read back from /quotas, with no diff', async () => {
    await create(harbor, 'project', {name: 'sized', storage_limit: '5GiB'})
    await expectNoDiff(harbor, 'project', {name: 'sized', storage_limit: '5GiB'})
    const live = (await projectKind.find(await harbor.ctx(), 'sized'))!
    const after = desired('project', {name: 'sized', storage_limit: '500MB'}) as Attrs
    await projectKind.update(await harbor.ctx(), live, after as never, ['storage_limit'])
    await expectNoDiff(harbor, 'project', {name: 'sized', storage_limit: '500MB'})
  })
})

describe('LDAP DN forms (TFP#591)', () => {
  let harbor: Harbor
  beforeAll(async () => {
    harbor = await startHarbor({authMode: 'ldap_auth'})
  })
  afterAll(async () => harbor?.close())

  it('a group stored with one DN form has no diff against a declaration in another', async () => {
    // As Harbor's UI would store it: upper case, spaces after commas.
    await harbor.client.request({
      method: 'POST',
      path: '/usergroups',
      body: {group_name: 'admins', group_type: 1, ldap_group_dn: 'CN=Admins, OU=Groups, DC=Example, DC=com'},
    })
    await expectNoDiff(harbor, 'oidc_group', {name: 'admins', type: 'ldap', ldap_dn: 'cn=admins,ou=groups,dc=example,dc=com'})
    await expectNoDiff(harbor, 'oidc_group', {name: 'admins', type: 'ldap', ldap_dn: 'cn=Admins , ou=Groups,dc=EXAMPLE,dc=com'})
  })

  it('an LDAP group created through the kind reads back with no diff', async () => {
    const body = {name: 'readers', type: 'ldap', ldap_dn: 'CN=Readers, OU=Groups,DC=Example,DC=com'}
    await oidcGroupKind.create(await harbor.ctx(), desired('oidc_group', body))
    await expectNoDiff(harbor, 'oidc_group', body)
  })
})
