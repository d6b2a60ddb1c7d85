/**
 * Seed, dump and generate: the emulator's objects as JSON that names things (projects, users, groups
 * by name, never by id), loaded at start (`seed` option, `--seed FILE`, fixtures/emulator/*.json),
 * written back by `dump()` in the same format, and generated in bulk with deterministic names for
 * scale tests. Loading bypasses HTTP but keeps Harbor's invariants (creator membership, quotas,
 * `<project>+<name>` robot names).
 */
import {readFileSync} from 'node:fs'
import type {ConfigValue} from './config.js'
import type {EmulatorState} from './context.js'
import {newProject} from './handlers/projects.js'
import {ROLE_NAMES} from './rbac.js'
import {randomSecret} from './rng.js'
import {now, type PermissionRecord, type RobotRecord} from './store.js'

/** A role by id (1–5) or by Harbor's name (`projectAdmin`, `developer`, `guest`, `maintainer`, `limitedGuest`). */
export type SeedRole = number | string

/** A project member: exactly one of `user` and `group` (names). */
export interface SeedMember {
  user?: string
  group?: string
  role: SeedRole
}

/** A project. */
export interface SeedProject {
  name: string
  /** Shorthand for `metadata.public`. @default false */
  public?: boolean
  /** Metadata as Harbor stores it (strings). */
  metadata?: Record<string, string>
  /** Owner username (becomes projectAdmin member). @default 'admin' */
  owner?: string
  /** Repositories it holds: > 0 makes DELETE answer 412. @default 0 */
  repoCount?: number
  /** Quota hard limit in bytes (-1 unlimited). @default the storage_per_project configuration */
  storageLimit?: number
  cveAllowlist?: {items: string[]; expiresAt?: number}
  members?: SeedMember[]
}

/** A robot permission; `access` entries as `{resource, action}` or `"resource:action"`. */
export interface SeedPermission {
  kind: 'system' | 'project'
  /** `/` for system, `*` or a project name for project permissions. */
  namespace: string
  access: ({resource: string; action: string; effect?: string} | string)[]
}

/** A robot account; `name` without prefix and without `<project>+`. */
export interface SeedRobot {
  name: string
  /** @default 'system' */
  level?: 'system' | 'project'
  /** The project of a project-level robot (its permission namespace when omitted). */
  project?: string
  description?: string
  /** Its secret, so tests can log in as it. @default a generated one */
  secret?: string
  disabled?: boolean
  /** Days, or -1 for never. @default -1 */
  duration?: number
  permissions: SeedPermission[]
  /**
   * A legacy (v1) robot, as an upgrade from Harbor < 2.2 leaves it: not editable, and listed under its
   * stored name as is (`name` is that whole name, e.g. `robot$ci`: no prefix added, no project part).
   */
  legacy?: boolean
}

/** A user group. */
export interface SeedGroup {
  name: string
  /** 1 LDAP, 2 HTTP, 3 OIDC. @default 3 */
  type?: number
  ldapDn?: string
}

/** A local user. */
export interface SeedUser {
  username: string
  /** @default 'Harbor12345' */
  password?: string
  email?: string
  realname?: string
  sysadmin?: boolean
}

/** The seed/dump document. */
export interface SeedData {
  config?: Record<string, ConfigValue>
  users?: SeedUser[]
  groups?: SeedGroup[]
  projects?: SeedProject[]
  robots?: SeedRobot[]
}

/** Reads a seed file; throws an Error naming the file when it is not valid JSON. */
export function readSeedFile(path: string): SeedData {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new Error(`cannot read seed file ${path}: ${(error as Error).message}`)
  }
  try {
    return JSON.parse(text) as SeedData
  } catch (error) {
    throw new Error(`seed file ${path} is not valid JSON: ${(error as Error).message}`)
  }
}

/** Resolves a role name or id to an id 1–5. */
export function roleId(role: SeedRole): number {
  if (typeof role === 'number' && ROLE_NAMES[role]) return role
  for (const [id, name] of Object.entries(ROLE_NAMES)) if (name === role) return Number(id)
  throw new Error(`unknown role ${JSON.stringify(role)} (use 1-5 or ${Object.values(ROLE_NAMES).join(', ')})`)
}

/** Loads seed data into the state; throws an Error naming the first object it cannot load. */
export function loadSeed(state: EmulatorState, seed: SeedData): void {
  const {store} = state
  if (seed.config) state.config.setRaw(seed.config)
  const time = now()
  for (const user of seed.users ?? []) {
    const existing = store.userByUsername(user.username)
    if (existing) {
      if (user.password) existing.password = user.password
      if (user.email) existing.email = user.email
      continue
    }
    store.addUser({
      id: store.nextId('user'),
      username: user.username,
      password: user.password ?? 'Harbor12345',
      email: user.email ?? '',
      realname: user.realname ?? '',
      comment: '',
      sysadmin: user.sysadmin ?? false,
      creationTime: time,
      updateTime: time,
    })
  }
  for (const group of seed.groups ?? []) {
    if (store.groupByName.has(group.name)) throw new Error(`seed: group "${group.name}" appears twice`)
    store.addGroup({
      id: store.nextId('group'),
      name: group.name,
      type: group.type ?? 3,
      ldapDn: group.ldapDn ?? '',
      creationTime: time,
      updateTime: time,
    })
  }
  const quotaDefault = state.config.int('storage_per_project')
  for (const seeded of seed.projects ?? []) {
    if (store.projectByName.has(seeded.name)) throw new Error(`seed: project "${seeded.name}" appears twice`)
    const owner = store.userByUsername(seeded.owner ?? 'admin')
    if (!owner) throw new Error(`seed: project "${seeded.name}": unknown owner "${seeded.owner}"`)
    const metadata = {public: String(seeded.public ?? false), ...(seeded.metadata ?? {})}
    const project = newProject(store, seeded.name, owner.id, metadata)
    project.repoCount = seeded.repoCount ?? 0
    if (seeded.cveAllowlist) {
      project.cveAllowlist.items = seeded.cveAllowlist.items.map((cve_id) => ({cve_id}))
      project.cveAllowlist.expiresAt = seeded.cveAllowlist.expiresAt ?? null
    }
    store.addProject(project)
    store.addMember({id: store.nextId('member'), projectId: project.id, entityType: 'u', entityId: owner.id, roleId: 1})
    if (state.config.bool('quota_per_project_enable')) {
      store.addQuota({
        id: store.nextId('quota'),
        projectId: project.id,
        hard: seeded.storageLimit ?? quotaDefault,
        used: 0,
        creationTime: time,
        updateTime: time,
      })
    }
    for (const member of seeded.members ?? []) {
      const where = `seed: project "${seeded.name}" member`
      let entity: {type: 'u' | 'g'; id: number}
      if (member.user !== undefined) {
        const user = store.userByUsername(member.user)
        if (!user) throw new Error(`${where}: unknown user "${member.user}"`)
        entity = {type: 'u', id: user.id}
      } else if (member.group !== undefined) {
        const id = store.groupByName.get(member.group)
        if (id === undefined) throw new Error(`${where}: unknown group "${member.group}"`)
        entity = {type: 'g', id}
      } else throw new Error(`${where}: needs "user" or "group"`)
      const existing = store.findMember(project.id, entity.type, entity.id)
      if (existing) existing.roleId = roleId(member.role)
      else
        store.addMember({
          id: store.nextId('member'),
          projectId: project.id,
          entityType: entity.type,
          entityId: entity.id,
          roleId: roleId(member.role),
        })
    }
  }
  for (const seeded of seed.robots ?? []) {
    const where = `seed: robot "${seeded.name}"`
    const level = seeded.level ?? 'system'
    const permissions: PermissionRecord[] = seeded.permissions.map((permission) => {
      let namespace: PermissionRecord['namespace'] = '/'
      if (permission.kind === 'project') {
        if (permission.namespace === '*') namespace = '*'
        else {
          const id = store.projectByName.get(permission.namespace)
          if (id === undefined) throw new Error(`${where}: unknown project "${permission.namespace}"`)
          namespace = id
        }
      }
      const access = permission.access.map((entry) => {
        if (typeof entry === 'string') {
          const [resource = '', action = ''] = entry.split(':')
          return {resource, action, effect: ''}
        }
        return {resource: entry.resource, action: entry.action, effect: entry.effect ?? ''}
      })
      return {kind: permission.kind, namespace, access}
    })
    let projectId = 0
    let stored = seeded.name
    if (level === 'project') {
      const projectName = seeded.project ?? seeded.permissions[0]?.namespace
      const id = projectName === undefined ? undefined : store.projectByName.get(projectName)
      if (id === undefined) throw new Error(`${where}: a project robot needs an existing "project"`)
      projectId = id
      if (!seeded.legacy) stored = `${projectName}+${seeded.name}`
    }
    if (store.robotByName.has(stored)) throw new Error(`${where}: appears twice`)
    const duration = seeded.duration ?? -1
    const robot: RobotRecord = {
      id: store.nextId('robot'),
      name: stored,
      description: seeded.description ?? '',
      projectId,
      level,
      secret: seeded.secret ?? randomSecret(state.rng),
      disabled: seeded.disabled ?? false,
      duration,
      expiresAt: duration === -1 ? -1 : Math.floor(Date.now() / 1000) + duration * 86400,
      permissions,
      creatorType: 'local',
      creatorRef: 1,
      creationTime: time,
      updateTime: time,
      visible: true,
      editable: !seeded.legacy,
    }
    store.addRobot(robot)
  }
}

/** The current objects in the seed format (admin included only when it differs from the default). */
export function dumpState(state: EmulatorState): SeedData {
  const {store} = state
  const users: SeedUser[] = []
  for (const user of store.users.values()) {
    users.push({
      username: user.username,
      password: user.password,
      ...(user.email ? {email: user.email} : {}),
      ...(user.realname ? {realname: user.realname} : {}),
      ...(user.sysadmin ? {sysadmin: true} : {}),
    })
  }
  const groups: SeedGroup[] = [...store.groups.values()].map((group) => ({
    name: group.name,
    type: group.type,
    ...(group.ldapDn ? {ldapDn: group.ldapDn} : {}),
  }))
  const projects: SeedProject[] = []
  for (const name of store.projectNames.values()) {
    const project = store.projects.get(store.projectByName.get(name)!)!
    const {public: isPublic, ...metadata} = project.metadata
    const quota = store.quotas.get(store.quotaByProject.get(project.id) ?? -1)
    const members: SeedMember[] = []
    for (const member of store.membersByProject.get(project.id)?.values() ?? []) {
      if (member.entityType === 'u' && member.entityId === project.ownerId && member.roleId === 1) continue
      const entityName =
        member.entityType === 'u' ? store.users.get(member.entityId)?.username : store.groups.get(member.entityId)?.name
      if (entityName === undefined) continue
      members.push(member.entityType === 'u' ? {user: entityName, role: member.roleId} : {group: entityName, role: member.roleId})
    }
    projects.push({
      name: project.name,
      public: isPublic === 'true',
      ...(Object.keys(metadata).length > 0 ? {metadata} : {}),
      owner: store.users.get(project.ownerId)?.username ?? 'admin',
      ...(project.repoCount ? {repoCount: project.repoCount} : {}),
      ...(quota ? {storageLimit: quota.hard} : {}),
      ...(project.cveAllowlist.items.length > 0
        ? {
            cveAllowlist: {
              items: project.cveAllowlist.items.map((item) => item.cve_id),
              ...(project.cveAllowlist.expiresAt === null ? {} : {expiresAt: project.cveAllowlist.expiresAt}),
            },
          }
        : {}),
      ...(members.length > 0 ? {members} : {}),
    })
  }
  const robots: SeedRobot[] = []
  for (const name of store.robotNames.values()) {
    const robot = store.robots.get(store.robotByName.get(name)!)!
    const project = robot.projectId ? store.projects.get(robot.projectId) : undefined
    const permissions: SeedPermission[] = []
    for (const permission of robot.permissions) {
      let namespace: string
      if (typeof permission.namespace === 'number') {
        const target = store.projects.get(permission.namespace)
        if (!target) continue
        namespace = target.name
      } else namespace = permission.namespace
      permissions.push({
        kind: permission.kind,
        namespace,
        access: permission.access.map((a) =>
          a.effect ? {resource: a.resource, action: a.action, effect: a.effect} : `${a.resource}:${a.action}`,
        ),
      })
    }
    robots.push({
      name: project && robot.editable ? robot.name.slice(project.name.length + 1) : robot.name,
      ...(robot.editable ? {} : {legacy: true}),
      level: robot.level,
      ...(project ? {project: project.name} : {}),
      ...(robot.description ? {description: robot.description} : {}),
      secret: robot.secret,
      ...(robot.disabled ? {disabled: true} : {}),
      duration: robot.duration,
      permissions,
    })
  }
  return {config: state.config.snapshot(), users, groups, projects, robots}
}

/** How many objects `generateSeed` makes. */
export interface GenerateOptions {
  projects?: number
  /** Project-level robots, spread round-robin over the projects. */
  robots?: number
  systemRobots?: number
  groups?: number
  /** Group memberships, spread round-robin over projects and groups (at most projects × groups). */
  members?: number
  users?: number
  /** Name prefix of everything generated. @default 'gen' */
  prefix?: string
}

const pad = (n: number) => String(n).padStart(6, '0')

/**
 * Seed data with deterministic names for scale tests: projects `gen-p-000001`, groups `gen-g-000001`,
 * users `gen-u-000001`, project robots `gen-r-000001` (in `gen-p-…`), system robots `gen-s-000001`.
 */
export function generateSeed(options: GenerateOptions): SeedData {
  const prefix = options.prefix ?? 'gen'
  const projectNames = Array.from({length: options.projects ?? 0}, (_, i) => `${prefix}-p-${pad(i + 1)}`)
  const groupNames = Array.from({length: options.groups ?? 0}, (_, i) => `${prefix}-g-${pad(i + 1)}`)
  const memberLists: SeedMember[][] = projectNames.map(() => [])
  const memberCount = options.members ?? 0
  if (memberCount > 0 && (projectNames.length === 0 || groupNames.length === 0)) {
    throw new Error('generate: members need projects and groups')
  }
  if (memberCount > projectNames.length * groupNames.length) throw new Error('generate: more members than project × group pairs')
  for (let i = 0; i < memberCount; i++) {
    const p = i % projectNames.length
    const g = (Math.floor(i / projectNames.length) + p) % groupNames.length
    memberLists[p]!.push({group: groupNames[g]!, role: (i % 5) + 1})
  }
  const robots: SeedRobot[] = []
  const robotCount = options.robots ?? 0
  if (robotCount > 0 && projectNames.length === 0) throw new Error('generate: project robots need projects')
  for (let i = 0; i < robotCount; i++) {
    const project = projectNames[i % projectNames.length]!
    robots.push({
      name: `${prefix}-r-${pad(i + 1)}`,
      level: 'project',
      project,
      permissions: [{kind: 'project', namespace: project, access: ['repository:pull', 'repository:push']}],
    })
  }
  for (let i = 0; i < (options.systemRobots ?? 0); i++) {
    robots.push({
      name: `${prefix}-s-${pad(i + 1)}`,
      permissions: [{kind: 'project', namespace: '*', access: ['repository:pull']}],
    })
  }
  return {
    users: Array.from({length: options.users ?? 0}, (_, i) => ({username: `${prefix}-u-${pad(i + 1)}`})),
    groups: groupNames.map((name) => ({name, type: 3})),
    projects: projectNames.map((name, i) => ({name, ...(memberLists[i]!.length > 0 ? {members: memberLists[i]} : {})})),
    robots,
  }
}
