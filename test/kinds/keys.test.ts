import {describe, expect, it} from 'vitest'
import {kindFor, kinds} from '../../src/kinds/registry.js'
import {generateRobotSecret, robotSecretProblem} from '../../src/kinds/robot.js'
import {KIND_NAMES} from '../../src/model/change.js'
import {HrepError} from '../../src/model/errors.js'

describe('registry', () => {
  it('has one kind per kind name, under its own name', () => {
    expect(Object.keys(kinds).sort()).toEqual([...KIND_NAMES].sort())
    for (const name of KIND_NAMES) expect(kindFor(name).name).toBe(name)
  })

  it('refuses an unknown kind with the list of known ones', () => {
    expect(() => kindFor('robots')).toThrow(
      /unknown resource kind "robots"; hrep manages project, oidc_group, robot, project_member/,
    )
  })
})

describe('keys', () => {
  it.each([
    ['project', {name: 'team'}, 'team'],
    ['robot', {name: 'ci', level: 'system'}, 'ci'],
    ['robot', {name: 'ci', level: 'project', project: 'team'}, 'team+ci'],
    ['oidc_group', {name: 'platform devs', type: 'oidc'}, 'platform devs'],
    ['project_member', {project: 'team', group: 'devs', group_type: 'oidc', role: 'guest'}, 'team/g:devs'],
    ['project_member', {project: 'team', group: '/org/devs', group_type: 'oidc', role: 'guest'}, 'team/g:/org/devs'],
    ['project_member', {project: 'team', user: 'alice', role: 'guest'}, 'team/u:alice'],
  ] as const)('%s %j has key %s', (kind, attrs, key) => {
    expect(kinds[kind].key(attrs)).toBe(key)
  })
})

describe('parseImportId', () => {
  it.each([
    ['project', 'team', 'team'],
    ['project', ' 12345 ', '12345'],
    ['robot', 'ci', 'ci'],
    ['robot', 'robot$ci', 'ci'],
    ['robot', 'bot$ci', 'ci'],
    ['robot', 'team+ci', 'team+ci'],
    ['robot', 'robot$team+ci', 'team+ci'],
    ['oidc_group', 'platform devs', 'platform devs'],
    ['oidc_group', '/org/devs', '/org/devs'],
    ['project_member', 'team/devs', 'team/g:devs'],
    ['project_member', 'team/g:devs', 'team/g:devs'],
    ['project_member', 'team/u:alice', 'team/u:alice'],
    ['project_member', 'team//org/devs', 'team/g:/org/devs'],
  ] as const)('%s import ID %j is key %j', (kind, id, key) => {
    expect(kinds[kind].parseImportId(id)).toBe(key)
  })

  it.each([
    ['project', 'Team', 'invalid import ID for a project'],
    ['project', '', 'must not be empty'],
    ['robot', 'robot$', 'invalid import ID "robot$" for a robot'],
    ['robot', 'team+', 'for a project robot'],
    ['robot', 'Team+ci', 'project name "Team" is invalid'],
    ['oidc_group', '  ', 'group name is empty'],
    ['project_member', 'team', 'use "team/devs"'],
    ['project_member', 'team/', 'use "team/devs"'],
    ['project_member', 'Bad/devs', 'project name "Bad" is invalid'],
  ] as const)('%s import ID %j is refused: %s', (kind, id, text) => {
    let error: unknown
    try {
      kinds[kind].parseImportId(id)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(HrepError)
    expect((error as HrepError).code).toBe('import_id_invalid')
    expect((error as HrepError).message).toContain(text)
  })
})

describe('dependsOn', () => {
  it('a project robot lives in its project', () => {
    expect(kinds.robot.dependsOn({name: 'ci', level: 'project', project: 'team', permissions: []})).toEqual([
      {kind: 'project', key: 'team', contained: true},
    ])
  })

  it('a system robot is ordered after each project it names (not contained), but not "*" or "/"', () => {
    const permissions = [
      {kind: 'project', namespace: '*', access: ['repository:pull']},
      {kind: 'project', namespace: 'a', access: ['repository:pull']},
      {kind: 'project', namespace: 'b', access: ['repository:pull']},
      {kind: 'system', namespace: '/', access: ['project:list']},
    ]
    expect(kinds.robot.dependsOn({name: 'ci', level: 'system', permissions})).toStrictEqual([
      {kind: 'project', key: 'a'},
      {kind: 'project', key: 'b'},
    ])
  })

  it('a group member lives in its project and its group; a user member only in its project', () => {
    expect(kinds.project_member.dependsOn({project: 'team', group: 'devs', group_type: 'oidc', role: 'guest'})).toEqual([
      {kind: 'project', key: 'team', contained: true},
      {kind: 'oidc_group', key: 'devs', contained: true},
    ])
    expect(kinds.project_member.dependsOn({project: 'team', user: 'alice', role: 'guest'})).toEqual([
      {kind: 'project', key: 'team', contained: true},
    ])
  })

  it('projects and groups need nothing', () => {
    expect(kinds.project.dependsOn({name: 'team', public: false})).toEqual([])
    expect(kinds.oidc_group.dependsOn({name: 'devs', type: 'oidc'})).toEqual([])
  })
})

describe('sensitive and replaceOn', () => {
  it('only the robot secret is sensitive', () => {
    expect(kinds.robot.sensitive).toEqual(['secret'])
    for (const name of ['project', 'oidc_group', 'project_member'] as const) expect(kinds[name].sensitive).toEqual([])
  })

  it('group type and DN force a replacement; project attributes never do', () => {
    expect(kinds.oidc_group.replaceOn).toEqual(expect.arrayContaining(['type', 'ldap_dn']))
    expect(kinds.project.replaceOn).toEqual([])
  })
})

describe('generateRobotSecret', () => {
  it("makes secrets that meet Harbor's rule, and differ", () => {
    const secrets = Array.from({length: 200}, () => generateRobotSecret())
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Za-z0-9]{32}$/)
      expect(robotSecretProblem(secret)).toBeUndefined()
    }
    expect(new Set(secrets).size).toBe(secrets.length)
    for (const length of [8, 128]) expect(robotSecretProblem(generateRobotSecret(length))).toBeUndefined()
    expect(() => generateRobotSecret(7)).toThrow(RangeError)
  })
})
