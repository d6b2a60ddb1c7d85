import {describe, expect, it} from 'vitest'
import {kinds} from '../../src/kinds/registry.js'
import {Secret} from '../../src/model/secret.js'
import type {KindName} from '../../src/model/change.js'

/** Parses a block body with a kind's schema: the attrs, or the issues as "path: message". */
function parse(kind: KindName, body: unknown): {attrs?: unknown; issues: string[]} {
  const result = kinds[kind].configSchema.safeParse(body)
  if (result.success) return {attrs: result.data, issues: []}
  return {issues: result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)}
}

/** Asserts one issue at `path` containing `text`. */
function expectIssue(kind: KindName, body: unknown, path: string, text: string) {
  const {issues} = parse(kind, body)
  expect(
    issues.some((issue) => issue.startsWith(`${path}: `) && issue.includes(text)),
    issues.join('\n'),
  ).toBe(true)
}

describe('project schema', () => {
  it('applies the one default (public = false) and leaves the rest unmanaged', () => {
    expect(parse('project', {name: 'team'}).attrs).toEqual({name: 'team', public: false})
  })

  it('normalises every attribute', () => {
    expect(
      parse('project', {
        name: 'team-a',
        public: true,
        auto_scan: 'true',
        severity: 'HIGH',
        prevent_vul: false,
        reuse_sys_cve_allowlist: false,
        storage_limit: '10GiB',
        cve_allowlist: ['cve-2024-1234', 'CVE-2023-0001', 'CVE-2024-1234'],
        cve_allowlist_expires_at: '2030-01-01',
      }).attrs,
    ).toEqual({
      name: 'team-a',
      public: true,
      auto_scan: true,
      severity: 'high',
      prevent_vul: false,
      reuse_sys_cve_allowlist: false,
      storage_limit: 10 * 1024 ** 3,
      cve_allowlist: ['CVE-2023-0001', 'CVE-2024-1234'],
      cve_allowlist_expires_at: Date.UTC(2030, 0, 1) / 1000,
    })
  })

  it.each([
    [{name: 'Team'}, 'name', 'lower-case'],
    [{name: 'a..b'}, 'name', 'invalid'],
    [{name: 'x'.repeat(256)}, 'name', 'longer than 255'],
    [{}, 'name', 'missing'],
    [{name: 'a', severity: 'severe'}, 'severity', 'one of none, low'],
    [{name: 'a', storage_limit: '10XB'}, 'storage_limit', 'unknown unit'],
    [{name: 'a', storage_limit: 0}, 'storage_limit', '0 is not a limit'],
    [{name: 'a', cve_allowlist: ['not-a-cve']}, 'cve_allowlist.0', 'not a CVE id'],
    [{name: 'a', cve_allowlist: 'CVE-2024-1234'}, 'cve_allowlist', 'list of CVE ids'],
    [{name: 'a', public: 'yes'}, 'public', 'true or false'],
    [{name: 'a', cve_allowlist_expires_at: 'soon'}, 'cve_allowlist_expires_at', 'invalid time'],
  ])('%j: issue at %s', (body, path, text) => {
    expectIssue('project', body, path, text)
  })

  it('reports an unknown attribute as unrecognized keys (the loader turns it into "did you mean")', () => {
    const result = kinds.project.configSchema.safeParse({name: 'a', pubilc: true})
    expect(result.success).toBe(false)
    expect(result.error?.issues).toEqual([expect.objectContaining({code: 'unrecognized_keys', keys: ['pubilc'], path: []})])
  })
})

describe('robot schema', () => {
  const pull = {namespace: '*', access: ['repository:pull']}

  it('applies the always-managed defaults: description "", duration never, enabled', () => {
    expect(parse('robot', {name: 'ci', permission: [pull]}).attrs).toEqual({
      name: 'ci',
      level: 'system',
      description: '',
      duration: -1,
      disable: false,
      permissions: [{kind: 'project', namespace: '*', access: ['repository:pull']}],
    })
  })

  it('infers a project robot from its project reference and puts the permission on that project', () => {
    const project = {name: 'team', public: false}
    expect(
      parse('robot', {name: 'ci', project, duration: '90d', permission: [{access: ['repository:push', 'repository:pull']}]})
        .attrs,
    ).toEqual({
      name: 'ci',
      level: 'project',
      project: 'team',
      description: '',
      duration: 90,
      disable: false,
      permissions: [{kind: 'project', namespace: 'team', access: ['repository:pull', 'repository:push']}],
    })
  })

  it('turns permission blocks into a sorted set (duplicates merged, system scope from namespace "/")', () => {
    const attrs = parse('robot', {
      name: 'ci',
      level: 'system',
      permission: [
        {namespace: 'b', access: ['repository:push']},
        {namespace: '/', access: ['project:create', 'audit-log:list']},
        {namespace: {name: 'a'}, access: ['repository:pull']},
        {namespace: 'b', access: ['repository:pull', 'repository:push']},
      ],
    }).attrs as {permissions: unknown}
    expect(attrs.permissions).toEqual([
      {kind: 'project', namespace: 'a', access: ['repository:pull']},
      {kind: 'project', namespace: 'b', access: ['repository:pull', 'repository:push']},
      {kind: 'system', namespace: '/', access: ['audit-log:list', 'project:create']},
    ])
  })

  it('passes a secret through unchanged, as a string or a Secret', () => {
    const secret = new Secret('Abcdefg1', 'env("X")')
    expect((parse('robot', {name: 'ci', permission: [pull], secret}).attrs as {secret: unknown}).secret).toBe(secret)
    expect((parse('robot', {name: 'ci', permission: [pull], secret: 'Abcdefg1'}).attrs as {secret: unknown}).secret).toBe(
      'Abcdefg1',
    )
  })

  it.each([
    ['short1A', 'must be 8 to 128 characters'],
    ['A'.repeat(64) + 'a'.repeat(64) + '1', 'must be 8 to 128 characters'],
    ['alllowercase1', 'upper-case letter'],
    ['ALLUPPERCASE1', 'lower-case letter'],
    ['NoDigitsHere', 'one digit'],
  ])('refuses the secret %j at validate time without echoing it', (secret, text) => {
    for (const value of [secret, new Secret(secret)]) {
      const {issues} = parse('robot', {name: 'ci', permission: [pull], secret: value})
      expect(
        issues.some((issue) => issue.startsWith('secret: ') && issue.includes(text)),
        issues.join('\n'),
      ).toBe(true)
      expect(issues.join('\n')).not.toContain(secret)
    }
  })

  it.each([
    [{name: 'robot$ci', permission: [pull]}, 'name', "without the instance's prefix"],
    [{name: 'team+ci', permission: [pull]}, 'name', 'must not contain "+"'],
    [{name: 'CI', permission: [pull]}, 'name', 'invalid'],
    [{name: 'ci'}, 'permission', 'at least one permission'],
    [{name: 'ci', level: 'project', permission: [{access: ['repository:pull']}]}, 'project', 'needs "project"'],
    [{name: 'ci', level: 'system', project: 'team', permission: [pull]}, 'project', 'has no "project"'],
    [
      {name: 'ci', project: 'team', permission: [{access: ['repository:pull']}, {access: ['repository:push']}]},
      'permission.1',
      'exactly one',
    ],
    [
      {name: 'ci', project: 'team', permission: [{namespace: 'other', access: ['repository:pull']}]},
      'permission.0.namespace',
      'own project',
    ],
    [
      {name: 'ci', project: 'team', permission: [{kind: 'system', access: ['project:list']}]},
      'permission.0.kind',
      'cannot have system',
    ],
    [{name: 'ci', permission: [{access: ['repository:pull']}]}, 'permission.0.namespace', 'namespace = "*"'],
    [{name: 'ci', permission: [{namespace: '*', access: []}]}, 'permission.0.access', 'at least one access'],
    [
      {name: 'ci', permission: [{namespace: '*', access: ['repository:pul']}]},
      'permission.0.access.0',
      'allowed: delete, list, pull',
    ],
    [{name: 'ci', permission: [{namespace: '*', access: ['project:list']}]}, 'permission.0.access.0', 'is a system permission'],
    [{name: 'ci', permission: [{namespace: '*', access: ['repository:*']}]}, 'permission.0.access.0', 'wildcards'],
    [{name: 'ci', permission: [{namespace: '*', access: ['pull']}]}, 'permission.0.access.0', '"resource:action"'],
    [
      {name: 'ci', permission: [{namespace: '/', access: ['repository:pull']}]},
      'permission.0.access.0',
      'is a project permission',
    ],
    [
      {name: 'ci', permission: [{kind: 'system', namespace: '*', access: ['project:list']}]},
      'permission.0.namespace',
      'namespace "/"',
    ],
    [{name: 'ci', permission: [{namespace: 'Bad Name', access: ['repository:pull']}]}, 'permission.0.namespace', 'invalid'],
    [{name: 'ci', duration: 0, permission: [pull]}, 'duration', 'not allowed'],
    [{name: 'ci', level: 'global', permission: [pull]}, 'level', '"system" or "project"'],
    [
      {name: 'ci', permission: [{namespace: '*', access: ['repository:pull'], effect: 'deny'}]},
      'permission.0',
      'Unrecognized key',
    ],
  ])('%j: issue at %s', (body, path, text) => {
    expectIssue('robot', body, path, text)
  })
})

describe('oidc_group schema', () => {
  it('defaults to an OIDC group', () => {
    expect(parse('oidc_group', {name: 'platform-devs'}).attrs).toEqual({name: 'platform-devs', type: 'oidc'})
  })

  it('keeps an LDAP DN in canonical form', () => {
    expect(parse('oidc_group', {name: 'devs', type: 'ldap', ldap_dn: 'CN=Devs, OU=Groups , DC=Example,DC=com'}).attrs).toEqual({
      name: 'devs',
      type: 'ldap',
      ldap_dn: 'cn=devs,ou=groups,dc=example,dc=com',
    })
  })

  it.each([
    [{name: ''}, 'name', 'must not be empty'],
    [{name: 'devs', type: 'ldap'}, 'ldap_dn', 'needs ldap_dn'],
    [{name: 'devs', ldap_dn: 'cn=x'}, 'ldap_dn', 'only for type = "ldap"'],
    [{name: 'devs', type: 'saml'}, 'type', '"oidc", "ldap" or "http"'],
  ])('%j: issue at %s', (body, path, text) => {
    expectIssue('oidc_group', body, path, text)
  })
})

describe('project_member schema', () => {
  it.each([
    ['projectAdmin', 'projectAdmin'],
    ['projectadmin', 'projectAdmin'],
    ['Maintainer', 'maintainer'],
    ['master', 'maintainer'],
    ['developer', 'developer'],
    ['guest', 'guest'],
    ['limitedGuest', 'limitedGuest'],
    ['limited_guest', 'limitedGuest'],
    ['limitedguest', 'limitedGuest'],
  ])('role %j is %s', (role, canonical) => {
    expect((parse('project_member', {project: 'team', user: 'alice', role}).attrs as {role: string}).role).toBe(canonical)
  })

  it('takes the group type from the referenced group, else group_type, else oidc', () => {
    const team = {name: 'team'}
    expect(parse('project_member', {project: team, group: {name: 'devs', type: 'ldap'}, role: 'developer'}).attrs).toEqual({
      project: 'team',
      group: 'devs',
      group_type: 'ldap',
      role: 'developer',
    })
    expect(parse('project_member', {project: 'team', group: 'devs', group_type: 'http', role: 'guest'}).attrs).toMatchObject({
      group_type: 'http',
    })
    expect(parse('project_member', {project: 'team', group: {name: 'devs'}, role: 'guest'}).attrs).toMatchObject({
      group_type: 'oidc',
    })
  })

  it('has no group_type for a user member', () => {
    expect(parse('project_member', {project: 'team', user: 'alice', role: 'guest'}).attrs).toEqual({
      project: 'team',
      user: 'alice',
      role: 'guest',
    })
  })

  it.each([
    [{project: 'team', role: 'guest'}, 'group', 'exactly one of'],
    [{project: 'team', group: 'devs', user: 'alice', role: 'guest'}, 'user', 'exactly one of'],
    [{project: 'team', user: 'alice', group_type: 'oidc', role: 'guest'}, 'group_type', 'only for group members'],
    [{project: 'team', group: {name: 'devs', type: 'ldap'}, group_type: 'oidc', role: 'guest'}, 'group_type', 'is a ldap group'],
    [{project: 'team', user: 'alice', role: 'owner'}, 'role', 'not a role'],
    [{project: 'Team', user: 'alice', role: 'guest'}, 'project', 'invalid'],
    [{project: 7, user: 'alice', role: 'guest'}, 'project', 'project name or a reference'],
    [{project: 'team', group: 3, role: 'guest'}, 'group', 'group name or a reference'],
  ])('%j: issue at %s', (body, path, text) => {
    expectIssue('project_member', body, path, text)
  })
})
