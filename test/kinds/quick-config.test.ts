/**
 * Each kind's `quickConfig` must give exactly what its `configSchema` gives (same values, same key
 * order) whenever it gives anything, must never accept what the schema refuses, and must accept the
 * common valid bodies (or the loader would be no quicker).
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {KIND_NAMES, type KindName} from '../../src/model/change.js'
import {Secret} from '../../src/model/secret.js'
import {kinds} from '../../src/kinds/registry.js'

/** Values an attribute may hold after evaluation: valid ones, near misses and wrong types. */
const scalar = fc.oneof(
  fc.constantFrom(
    'team-a',
    'Team',
    'a..b',
    '',
    ' ',
    'ci',
    'robot$ci',
    'a+b',
    'true',
    'false',
    'TRUE',
    'high',
    'HIGH',
    'severe',
    'critical',
    '10GiB',
    '1.5 TB',
    '10XB',
    'unlimited',
    '-1',
    '0',
    '90d',
    'never',
    '2030-01-01',
    'not a date',
    'system',
    'project',
    'oidc',
    'ldap',
    'http',
    'cn=Devs, OU=Groups,DC=Example',
    'developer',
    'Maintainer',
    'limited_guest',
    'boss',
    '*',
    '/',
    'repository:pull',
    'artifact:read',
    'repository:*',
    'label:create',
    'nope',
    'Secret-0ne-for-tests',
    'short',
    'CVE-2024-1234',
    ' cve-2023-0001 ',
    'CVE-1',
  ),
  fc.constantFrom(true, false, null, 0, -1, 1, 30, 90, 1.5, 1e30, Number.NaN, Number.POSITIVE_INFINITY, 1700000000),
  fc.string({maxLength: 6}),
)
const reference = fc.oneof(
  fc.record({name: scalar}, {requiredKeys: []}),
  fc.record({name: scalar, type: scalar, public: fc.boolean()}, {requiredKeys: ['name']}),
)
const secret = fc.constantFrom(new Secret('Secret-0ne-for-tests', 'env("X")'), new Secret('weak', 'literal'))
const list = fc.array(fc.oneof(scalar, reference), {maxLength: 3})
const value = fc.oneof({weight: 5, arbitrary: scalar}, reference, list, secret)
const permission = fc.record(
  {kind: value, namespace: fc.oneof(value, reference), access: fc.oneof(list, fc.array(scalar, {maxLength: 3})), extra: value},
  {requiredKeys: []},
)

/** The values most often mistaken for a valid one. */
const nearMiss = fc.constantFrom(null, '', ' ', 0, 1.5, -2, 'TRUE', 'True', [], {}, new Secret('x', 'literal'))

/** Mostly a value valid for the attribute, sometimes a near miss or any value at all. */
function mostly(...valid: unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    {weight: 10, arbitrary: fc.constantFrom(...valid)},
    {weight: 1, arbitrary: nearMiss},
    {weight: 1, arbitrary: value},
  )
}

const projectName = mostly('team-a', 'team-b', 'a.b_c-d')
const projectRef = fc.oneof(projectName, fc.record({name: projectName, public: fc.boolean()}))
const bool = mostly(true, false, 'true', 'false')
const access = fc.array(mostly('repository:pull', 'artifact:read', 'project:create', 'repository:push'), {maxLength: 3})
const validPermission = fc.record(
  {kind: mostly('project', 'system'), namespace: fc.oneof(mostly('*', '/', 'team-a'), projectRef), access},
  {requiredKeys: ['access']},
)

/** Block bodies for a kind: its own attributes (each may be left out) and now and then an unknown one. */
function bodies(kind: KindName): fc.Arbitrary<Record<string, unknown>> {
  const keys: Record<KindName, Record<string, fc.Arbitrary<unknown>>> = {
    project: {
      name: projectName,
      public: bool,
      auto_scan: bool,
      severity: mostly('high', 'CRITICAL', 'none'),
      prevent_vul: bool,
      reuse_sys_cve_allowlist: bool,
      storage_limit: mostly('10GiB', '1.5 TB', -1, 'unlimited', 1024),
      cve_allowlist: fc.oneof(fc.array(mostly('CVE-2024-1234', ' cve-2023-0001 '), {maxLength: 3}), value),
      cve_allowlist_expires_at: mostly(null, '2030-01-01', 1700000000),
    },
    robot: {
      name: mostly('ci', 'deploy', 'a.b'),
      level: mostly('system', 'project'),
      project: projectRef,
      description: mostly('', 'Pulls images'),
      duration: mostly(30, '90d', 'never', -1),
      disable: bool,
      permission: fc.oneof({weight: 8, arbitrary: fc.array(validPermission, {maxLength: 2})}, value, fc.array(permission)),
      secret: mostly('Secret-0ne-for-tests', new Secret('Secret-0ne-for-tests', 'env("X")')),
    },
    oidc_group: {
      name: mostly('devs', 'ops'),
      type: mostly('oidc', 'ldap', 'http'),
      ldap_dn: mostly('cn=devs,ou=groups', ' CN=Devs , OU=Groups', ''),
    },
    project_member: {
      project: projectRef,
      group: fc.oneof(mostly('devs', 'ops'), fc.record({name: mostly('devs'), type: mostly('oidc', 'ldap')})),
      group_type: mostly('oidc', 'ldap', 'http'),
      user: mostly('alice', 'bob'),
      role: mostly('developer', 'Maintainer', 'limited_guest', 'projectAdmin', 'master'),
    },
  }
  return fc
    .tuple(fc.record(keys[kind], {requiredKeys: []}), fc.integer({min: 0, max: 9}), value)
    .map(([body, dice, unknown]) => (dice > 0 ? body : {...body, unknown_attribute: unknown}))
}

/** The common valid bodies of each kind, as the loader hands them over: the quick path must take them. */
const COMMON: Record<KindName, Record<string, unknown>[]> = {
  project: [
    {name: 'team-a'},
    {name: 'team-a', public: true, auto_scan: true, severity: 'high', storage_limit: '10GiB'},
    {
      name: 'team-b',
      public: 'false',
      prevent_vul: true,
      reuse_sys_cve_allowlist: false,
      storage_limit: -1,
      cve_allowlist: ['cve-2024-1234', 'CVE-2023-0001', 'CVE-2024-1234'],
      cve_allowlist_expires_at: '2030-01-01',
    },
    {name: 'team-c', cve_allowlist_expires_at: null},
  ],
  robot: [
    {
      name: 'deploy',
      level: 'project',
      project: {name: 'team-a', public: false},
      description: 'Pulls images',
      duration: 30,
      permission: [{access: ['repository:pull', 'artifact:read']}],
    },
    {
      name: 'ci',
      permission: [
        {namespace: '*', access: ['repository:pull']},
        {namespace: '/', access: ['project:create']},
      ],
    },
    {name: 'ci2', project: 'team-a', duration: 'never', disable: 'true', permission: [{access: ['repository:push']}]},
    {
      name: 'ci3',
      permission: [{kind: 'project', namespace: {name: 'team-a'}, access: ['repository:pull']}],
      secret: 'Secret-0ne-for-tests',
    },
  ],
  oidc_group: [{name: 'devs'}, {name: 'ops', type: 'http'}, {name: 'ldap-devs', type: 'ldap', ldap_dn: 'CN=Devs, OU=Groups'}],
  project_member: [
    {project: {name: 'team-a'}, group: {name: 'devs', type: 'oidc'}, role: 'developer'},
    {project: 'team-a', group: 'ops', group_type: 'http', role: 'Maintainer'},
    {project: 'team-a', user: 'alice', role: 'limited_guest'},
  ],
}

/** A comparable text of an output: key order, Secrets (by identity of their text and origin) and all. */
function text(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item instanceof Secret ? {secret: item.reveal(), origin: item.origin} : item === undefined ? '(undefined)' : item,
  )
}

describe.each(KIND_NAMES)('%s quickConfig', (name) => {
  const kind = kinds[name]
  const quick = kind.quickConfig
  if (!quick) throw new Error(`${name} has no quickConfig`)

  it('takes the common valid bodies and gives what the schema gives', () => {
    for (const body of COMMON[name]) {
      const parsed = kind.configSchema.safeParse(body)
      expect(parsed.success, JSON.stringify(body)).toBe(true)
      const fast = quick(body)
      expect(fast, JSON.stringify(body)).toBeDefined()
      expect(text(fast)).toBe(text(parsed.data))
    }
  })

  it('gives what the schema gives, or nothing, on generated bodies, and leaves them untouched', () => {
    let taken = 0
    fc.assert(
      fc.property(bodies(name), (body) => {
        const before = text(body)
        const fast = quick(body)
        expect(text(body)).toBe(before)
        const parsed = kind.configSchema.safeParse(body)
        if (fast === undefined) return
        taken++
        expect(parsed.success, `${before}: ${parsed.error?.message}`).toBe(true)
        expect(text(fast)).toBe(text(parsed.data))
      }),
      {numRuns: 3000, seed: 20260523},
    )
    // The generator reaches valid bodies too, so the comparison above is not vacuous.
    expect(taken).toBeGreaterThan(0)
  })
})
