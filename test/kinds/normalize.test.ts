/**
 * Desired attributes (from a config block) and live attributes (from the same object as Harbor
 * returns it, in every form Harbor may use) must compare equal on every attribute the config
 * manages: otherwise every plan would show a change that applying never removes.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {HarborMember, HarborProject, HarborRobot, HarborUserGroup} from '../../src/kinds/harbor.js'
import {canonicalDn, GROUP_TYPE_IDS, normalizeGroup} from '../../src/kinds/oidc-group.js'
import {GRANTABLE} from '../../src/kinds/permissions.js'
import {normalizeProject} from '../../src/kinds/project.js'
import {normalizeMember} from '../../src/kinds/project-member.js'
import {kinds} from '../../src/kinds/registry.js'
import {ROLE_IDS} from '../../src/kinds/roles.js'
import {normalizeRobot, shortRobotName} from '../../src/kinds/robot.js'
import type {Attrs} from '../../src/model/change.js'

/** The live attributes the planner compares: those present in desired. */
function managed(live: Attrs, desired: Attrs): Attrs {
  return Object.fromEntries(Object.keys(desired).map((key) => [key, live[key]]))
}

function parse(kind: keyof typeof kinds, body: unknown): Attrs {
  return kinds[kind].configSchema.parse(body) as Attrs
}

/** A deterministic shuffle, so Harbor's random orders are part of the generated case. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let state = seed >>> 0 || 1
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) >>> 0
    const j = state % (i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

const harborName = fc.stringMatching(/^[a-z0-9]{1,6}([._-][a-z0-9]{1,4})?$/)
const projectAccess = Object.entries(GRANTABLE.project).flatMap(([resource, actions]) =>
  actions.map((action) => `${resource}:${action}`),
)
const systemAccess = Object.entries(GRANTABLE.system).flatMap(([resource, actions]) =>
  actions.map((action) => `${resource}:${action}`),
)
const accessOf = (list: string[]) => fc.uniqueArray(fc.constantFrom(...list), {minLength: 1, maxLength: 6})

describe('robot: desired equals live', () => {
  const robotCase = fc.record({
    name: harborName,
    project: fc.option(harborName, {nil: undefined}),
    description: fc.option(fc.string({maxLength: 20}), {nil: undefined}),
    duration: fc.option(fc.oneof(fc.constant(-1), fc.integer({min: 1, max: 3650})), {nil: undefined}),
    disable: fc.option(fc.boolean(), {nil: undefined}),
    systemBlocks: fc.array(
      fc.record({namespace: fc.oneof(fc.constant('*'), fc.constant('/'), harborName), access: fc.constant(null)}),
      {minLength: 1, maxLength: 4},
    ),
    accessSeed: fc.array(fc.nat(), {minLength: 8, maxLength: 8}),
    prefix: fc.constantFrom('robot$', 'svc-', 'robot+', 'harbor$bot$'),
    effect: fc.constantFrom('allow', '', undefined),
    seed: fc.nat(),
  })

  it('for any robot, any prefix, any permission order', () => {
    fc.assert(
      fc.property(robotCase, accessOf(projectAccess), accessOf(systemAccess), (c, pAccess, sAccess) => {
        const blocks =
          c.project !== undefined
            ? [{access: pAccess}]
            : c.systemBlocks.map((block, index) => ({
                namespace: block.namespace,
                access: shuffle(block.namespace === '/' ? sAccess : pAccess, c.accessSeed[index] ?? index),
              }))
        const body: Record<string, unknown> = {name: c.name, permission: blocks}
        if (c.project !== undefined) body.project = {name: c.project}
        if (c.description !== undefined) body.description = c.description
        if (c.duration !== undefined) body.duration = c.duration
        if (c.disable !== undefined) body.disable = c.disable
        const desired = parse('robot', body)

        // Harbor: one permission per scope, access and scopes in random order, the name with prefix.
        const stored = c.project === undefined ? c.name : `${c.project}+${c.name}`
        const harbor: HarborRobot = {
          id: 7,
          name: c.prefix + stored,
          description: c.description ?? '',
          level: c.project === undefined ? 'system' : 'project',
          duration: c.duration ?? -1,
          disable: c.disable ?? false,
          editable: true,
          permissions: shuffle(
            (desired.permissions as {kind: string; namespace: string; access: string[]}[]).map((permission) => ({
              kind: permission.kind,
              namespace: permission.namespace,
              access: shuffle(permission.access, c.seed).map((access) => {
                const [resource, action] = access.split(':')
                return {resource, action, effect: c.effect}
              }),
            })),
            c.seed + 1,
          ),
        }
        const live = normalizeRobot({robot: harbor, project: c.project}, {robotNamePrefix: c.prefix})
        expect(managed(live, desired)).toEqual(desired)
        expect(kinds.robot.key(live)).toBe(kinds.robot.key(desired))
      }),
      {numRuns: 300},
    )
  })

  it('never compares the prefix: the same robot on instances with different prefixes has one key and one shape', () => {
    const robot = (prefix: string): HarborRobot => ({
      name: `${prefix}team+ci`,
      level: 'project',
      duration: -1,
      permissions: [{kind: 'project', namespace: 'team', access: [{resource: 'repository', action: 'pull'}]}],
    })
    const a = normalizeRobot({robot: robot('robot$'), project: 'team'}, {robotNamePrefix: 'robot$'})
    const b = normalizeRobot({robot: robot('svc-'), project: 'team'}, {robotNamePrefix: 'svc-'})
    expect(a).toEqual(b)
    expect(a.name).toBe('ci')
  })

  it('a legacy robot listed without the prefix keeps its name', () => {
    expect(shortRobotName('ci', 'robot$')).toBe('ci')
    expect(shortRobotName('team+ci', 'robot$', 'team')).toBe('ci')
  })

  it('an access Harbor marks with an effect other than allow differs from the desired grant', () => {
    const live = normalizeRobot(
      {
        robot: {
          name: 'robot$ci',
          permissions: [{kind: 'project', namespace: '*', access: [{resource: 'repository', action: 'pull', effect: 'deny'}]}],
        },
      },
      {robotNamePrefix: 'robot$'},
    )
    expect(live.permissions).toEqual([{kind: 'project', namespace: '*', access: ['repository:pull:deny']}])
  })
})

describe('project: desired equals live', () => {
  const booleans = ['public', 'auto_scan', 'prevent_vul', 'reuse_sys_cve_allowlist'] as const
  const absentMeans = {public: false, auto_scan: false, prevent_vul: false, reuse_sys_cve_allowlist: true}
  const cve = fc.tuple(fc.integer({min: 1999, max: 2030}), fc.integer({min: 1000, max: 99999})).map(([y, n]) => `CVE-${y}-${n}`)

  const projectCase = fc.record({
    name: harborName,
    flags: fc.record({
      public: fc.option(fc.boolean(), {nil: undefined}),
      auto_scan: fc.option(fc.boolean(), {nil: undefined}),
      prevent_vul: fc.option(fc.boolean(), {nil: undefined}),
      reuse_sys_cve_allowlist: fc.option(fc.boolean(), {nil: undefined}),
    }),
    // How Harbor holds each flag: "true"/"false" as written, another case, "1", or no key at all.
    spelling: fc.array(fc.constantFrom('plain', 'upper', 'digit', 'absent'), {minLength: 4, maxLength: 4}),
    severity: fc.option(fc.constantFrom('none', 'low', 'medium', 'high', 'critical'), {nil: undefined}),
    severityCase: fc.boolean(),
    storage: fc.option(fc.oneof(fc.constant(-1), fc.integer({min: 1, max: 2 ** 40})), {nil: undefined}),
    allowlist: fc.option(fc.uniqueArray(cve, {maxLength: 5}), {nil: undefined}),
    lowerCve: fc.boolean(),
    expires: fc.option(fc.oneof(fc.constant(null), fc.integer({min: 1_700_000_000, max: 2_000_000_000})), {nil: undefined}),
    neverForm: fc.constantFrom(null, 0, undefined),
    seed: fc.nat(),
  })

  it('for any project and any way Harbor stores its metadata', () => {
    fc.assert(
      fc.property(projectCase, (c) => {
        const body: Record<string, unknown> = {name: c.name}
        for (const key of booleans) if (c.flags[key] !== undefined) body[key] = c.flags[key]
        if (c.severity !== undefined) body.severity = c.severityCase ? c.severity.toUpperCase() : c.severity
        if (c.storage !== undefined) body.storage_limit = c.storage
        if (c.allowlist !== undefined) body.cve_allowlist = c.allowlist
        if (c.expires !== undefined) body.cve_allowlist_expires_at = c.expires
        const desired = parse('project', body)

        const metadata: Record<string, string> = {retention_id: '12'}
        booleans.forEach((key, index) => {
          const value = (desired[key] as boolean | undefined) ?? absentMeans[key]
          const spelling = c.spelling[index]
          if (spelling === 'absent' && value === absentMeans[key]) return
          if (spelling === 'digit' && value) metadata[key] = '1'
          else metadata[key] = spelling === 'upper' ? String(value).toUpperCase() : String(value)
        })
        if (c.severity !== undefined) metadata.severity = c.severity
        const items = shuffle(c.allowlist ?? [], c.seed).map((id) => ({cve_id: c.lowerCve ? id.toLowerCase() : id}))
        const expiresAt = typeof c.expires === 'number' ? c.expires : c.neverForm
        const harbor: HarborProject = {
          project_id: 3,
          name: c.name,
          metadata,
          cve_allowlist: {id: 1, items, expires_at: expiresAt},
        }
        const live = normalizeProject({project: harbor, storageLimit: c.storage})
        expect(managed(live, desired)).toEqual(desired)
      }),
      {numRuns: 300},
    )
  })

  it('never reads retention_id or other unmanaged metadata', () => {
    const live = normalizeProject({
      project: {name: 'p', metadata: {retention_id: '4', enable_content_trust: 'true', proxy_speed_kb: '10'}},
    })
    expect(Object.keys(live).sort()).toEqual([
      'auto_scan',
      'cve_allowlist',
      'cve_allowlist_expires_at',
      'name',
      'prevent_vul',
      'public',
      'reuse_sys_cve_allowlist',
    ])
  })

  it('a project whose quota could not be read has no storage_limit (so it is never reported equal by accident)', () => {
    expect(normalizeProject({project: {name: 'p'}})).not.toHaveProperty('storage_limit')
    expect(normalizeProject({project: {name: 'p'}, storageLimit: -1}).storage_limit).toBe(-1)
  })
})

describe('oidc_group: desired equals live', () => {
  const rdn = fc.tuple(fc.constantFrom('cn', 'ou', 'dc', 'o'), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ]{0,6}[A-Za-z0-9]$/))

  it('for any DN written with any case and spacing', () => {
    fc.assert(
      fc.property(
        harborName,
        fc.array(rdn, {minLength: 1, maxLength: 5}),
        fc.array(fc.constantFrom('', ' ', '  '), {minLength: 10, maxLength: 10}),
        fc.boolean(),
        (name, rdns, spaces, upper) => {
          const canonical = rdns.map(([type, value]) => `${type}=${value}`).join(',')
          const written = rdns
            .map(([type, value], i) => `${upper ? type.toUpperCase() : type}${spaces[i]}=${spaces[i + 1]}${value}`)
            .join(`,${spaces[9]}`)
          const desired = parse('oidc_group', {name, type: 'ldap', ldap_dn: written})
          const group: HarborUserGroup = {
            id: 4,
            group_name: name,
            group_type: GROUP_TYPE_IDS.ldap,
            ldap_group_dn: canonical.toUpperCase(),
          }
          expect(managed(normalizeGroup(group), desired)).toEqual(desired)
        },
      ),
      {numRuns: 200},
    )
  })

  it('keeps escaped separators inside a value', () => {
    expect(canonicalDn('CN=Doe\\, John , OU=People')).toBe('cn=doe\\, john,ou=people')
  })

  it("an OIDC group with Harbor's empty DN has no ldap_dn", () => {
    const group: HarborUserGroup = {id: 1, group_name: 'devs', group_type: 3, ldap_group_dn: ''}
    expect(normalizeGroup(group)).toEqual({name: 'devs', type: 'oidc'})
    expect(normalizeGroup(group)).toEqual(parse('oidc_group', {name: 'devs'}))
  })

  it('an unknown group type equals no declared type', () => {
    expect(normalizeGroup({group_name: 'x', group_type: 9}).type).toBe('unknown(9)')
  })
})

describe('project_member: desired equals live', () => {
  it.each(Object.entries(ROLE_IDS))('role %s (id %d), for group and user members', (role, roleId) => {
    const group: HarborMember = {id: 9, project_id: 3, entity_name: 'devs', entity_type: 'g', role_id: roleId, role_name: 'x'}
    const desiredGroup = parse('project_member', {project: {name: 'team'}, group: {name: 'devs'}, role: role.toLowerCase()})
    expect(normalizeMember({member: group, project: 'team', groupType: 'oidc'})).toEqual(desiredGroup)

    const user: HarborMember = {id: 10, project_id: 3, entity_name: 'alice', entity_type: 'u', role_id: roleId}
    const desiredUser = parse('project_member', {project: 'team', user: 'alice', role})
    expect(normalizeMember({member: user, project: 'team'})).toEqual(desiredUser)
    expect(kinds.project_member.key(normalizeMember({member: user, project: 'team'}))).toBe('team/u:alice')
  })

  it('a role id Harbor stored without checking differs from every role', () => {
    expect(normalizeMember({member: {entity_name: 'a', entity_type: 'u', role_id: 42}, project: 't'}).role).toBe('unknown(42)')
  })
})
