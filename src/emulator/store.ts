/**
 * The emulator's in-memory database: the records of every object kind plus the indexes that let lists
 * and lookups answer without scanning (by id, by name, sorted names, per-project robots and members,
 * memberships per group and per user). Every mutation goes through a method here, so the indexes
 * cannot drift from the records. Ids are per kind, start at 1 and are never reused, as in Harbor.
 * The store holds no HTTP or permission logic: the handlers validate, the store records.
 */
import {PolicyStore} from './policy-store.js'
import {SortedKeys} from './sorted-keys.js'

/** A project (`project` + `project_metadata` + `cve_allowlist` rows). */
export interface ProjectRecord {
  id: number
  name: string
  ownerId: number
  creationTime: string
  updateTime: string
  /** Only the keys that were stored, values as strings (Harbor returns no defaults). */
  metadata: Record<string, string>
  cveAllowlist: {id: number; items: {cve_id: string}[]; expiresAt: number | null; creationTime: string; updateTime: string}
  /** Repositories it holds: the emulator has no registry, a seed sets this to make delete fail with 412. */
  repoCount: number
  /** Proxy-cache registry id, 0 for a normal project. */
  registryId: number
}

/** One access entry of a robot permission. */
export interface AccessRecord {
  resource: string
  action: string
  effect: string
}

/** A robot permission; project-kind permissions point at the project id, so they follow renames and vanish with it. */
export interface PermissionRecord {
  kind: 'system' | 'project'
  /** `/` for system, `*` for every project, else the project id. */
  namespace: '/' | '*' | number
  access: AccessRecord[]
}

/** A robot account as stored: `name` is without the prefix, `<project>+<name>` for project robots. */
export interface RobotRecord {
  id: number
  name: string
  description: string
  /** 0 for system robots. */
  projectId: number
  level: 'system' | 'project'
  secret: string
  disabled: boolean
  duration: number
  expiresAt: number
  permissions: PermissionRecord[]
  creatorType: string
  creatorRef: number
  creationTime: string
  updateTime: string
  visible: boolean
  editable: boolean
}

/** A user group; `type` 1 LDAP, 2 HTTP, 3 OIDC (Harbor does not validate it). */
export interface GroupRecord {
  id: number
  name: string
  type: number
  ldapDn: string
  creationTime: string
  updateTime: string
}

/** A local user. */
export interface UserRecord {
  id: number
  username: string
  email: string
  realname: string
  comment: string
  password: string
  sysadmin: boolean
  creationTime: string
  updateTime: string
}

/** A project membership of a user (`u`) or a group (`g`). */
export interface MemberRecord {
  id: number
  projectId: number
  entityType: 'u' | 'g'
  entityId: number
  roleId: number
}

/** A project's storage quota (bytes; -1 unlimited). */
export interface QuotaRecord {
  id: number
  projectId: number
  hard: number
  used: number
  creationTime: string
  updateTime: string
}

/** Harbor's timestamp format: RFC 3339 with milliseconds. */
export function now(): string {
  return new Date().toISOString()
}

const memberKey = (projectId: number, type: string, entityId: number): string => `${projectId}:${type}:${entityId}`

type Counters = {project: number; robot: number; group: number; user: number; member: number; quota: number; allowlist: number}

/** The records and their indexes. */
export class Store {
  readonly projects = new Map<number, ProjectRecord>()
  readonly projectByName = new Map<string, number>()
  readonly projectNames = new SortedKeys()

  readonly robots = new Map<number, RobotRecord>()
  /** Stored robot names are unique across the instance (project robots carry `<project>+`). */
  readonly robotByName = new Map<string, number>()
  readonly robotNames = new SortedKeys()
  /** Sorted stored names per project id (0 = system robots). */
  readonly robotNamesByProject = new Map<number, SortedKeys>()

  readonly groups = new Map<number, GroupRecord>()
  /** Group names are unique across types (the DB's `unique_group_name`). */
  readonly groupByName = new Map<string, number>()

  readonly users = new Map<number, UserRecord>()
  readonly userByName = new Map<string, number>()

  readonly members = new Map<number, MemberRecord>()
  readonly membersByProject = new Map<number, Map<number, MemberRecord>>()
  readonly memberByEntity = new Map<string, number>()
  readonly membersByGroup = new Map<number, Set<number>>()
  readonly membersByUser = new Map<number, Set<number>>()

  readonly quotas = new Map<number, QuotaRecord>()
  readonly quotaByProject = new Map<number, number>()

  /** Immutable rules, webhooks, registries and replication policies. */
  readonly policies = new PolicyStore()

  private next: Counters = {project: 1, robot: 1, group: 1, user: 1, member: 1, quota: 1, allowlist: 1}

  /** Reserves the next id of a kind. */
  nextId(kind: keyof Counters): number {
    return this.next[kind]++
  }

  /** Makes sure later ids are above `id` (seeding with explicit ids). */
  bumpId(kind: keyof Counters, id: number): void {
    if (id >= this.next[kind]) this.next[kind] = id + 1
  }

  /** Total number of objects held, for scale checks. */
  get size(): number {
    return this.projects.size + this.robots.size + this.groups.size + this.users.size + this.members.size
  }

  // Projects

  addProject(project: ProjectRecord): void {
    this.projects.set(project.id, project)
    this.projectByName.set(project.name, project.id)
    this.projectNames.add(project.name)
  }

  projectByIdOrName(value: string, isName: boolean): ProjectRecord | undefined {
    if (!isName && /^-?\d+$/.test(value)) return this.projects.get(Number(value))
    const id = this.projectByName.get(value)
    return id === undefined ? undefined : this.projects.get(id)
  }

  /** Deletes a project with what Harbor deletes with it: its robots, quota, memberships, rules and webhooks. */
  deleteProject(id: number): void {
    const project = this.projects.get(id)
    if (!project) return
    this.projects.delete(id)
    this.projectByName.delete(project.name)
    this.projectNames.delete(project.name)
    for (const name of [...(this.robotNamesByProject.get(id)?.values() ?? [])]) {
      const robotId = this.robotByName.get(name)
      if (robotId !== undefined) this.deleteRobot(robotId)
    }
    this.robotNamesByProject.delete(id)
    for (const memberId of [...(this.membersByProject.get(id)?.keys() ?? [])]) this.deleteMember(memberId)
    this.membersByProject.delete(id)
    const quotaId = this.quotaByProject.get(id)
    if (quotaId !== undefined) {
      this.quotas.delete(quotaId)
      this.quotaByProject.delete(id)
    }
    this.policies.deleteProject(id)
  }

  // Robots

  addRobot(robot: RobotRecord): void {
    this.robots.set(robot.id, robot)
    this.robotByName.set(robot.name, robot.id)
    this.robotNames.add(robot.name)
    let perProject = this.robotNamesByProject.get(robot.projectId)
    if (!perProject) {
      perProject = new SortedKeys()
      this.robotNamesByProject.set(robot.projectId, perProject)
    }
    perProject.add(robot.name)
  }

  deleteRobot(id: number): void {
    const robot = this.robots.get(id)
    if (!robot) return
    this.robots.delete(id)
    this.robotByName.delete(robot.name)
    this.robotNames.delete(robot.name)
    this.robotNamesByProject.get(robot.projectId)?.delete(robot.name)
  }

  // Groups

  addGroup(group: GroupRecord): void {
    this.groups.set(group.id, group)
    this.groupByName.set(group.name, group.id)
  }

  renameGroup(id: number, name: string): void {
    const group = this.groups.get(id)
    if (!group) return
    this.groupByName.delete(group.name)
    group.name = name
    group.updateTime = now()
    this.groupByName.set(name, id)
  }

  /** Deletes a group and every project membership of it (`usergroup/dao.go: Delete`). */
  deleteGroup(id: number): void {
    const group = this.groups.get(id)
    if (!group) return
    this.groups.delete(id)
    this.groupByName.delete(group.name)
    for (const memberId of [...(this.membersByGroup.get(id) ?? [])]) this.deleteMember(memberId)
    this.membersByGroup.delete(id)
  }

  // Users

  addUser(user: UserRecord): void {
    this.users.set(user.id, user)
    this.userByName.set(user.username, user.id)
  }

  userByUsername(name: string): UserRecord | undefined {
    const id = this.userByName.get(name)
    return id === undefined ? undefined : this.users.get(id)
  }

  deleteUser(id: number): void {
    const user = this.users.get(id)
    if (!user) return
    this.users.delete(id)
    this.userByName.delete(user.username)
    for (const memberId of [...(this.membersByUser.get(id) ?? [])]) this.deleteMember(memberId)
    this.membersByUser.delete(id)
  }

  // Members

  addMember(member: MemberRecord): void {
    this.members.set(member.id, member)
    let perProject = this.membersByProject.get(member.projectId)
    if (!perProject) {
      perProject = new Map()
      this.membersByProject.set(member.projectId, perProject)
    }
    perProject.set(member.id, member)
    this.memberByEntity.set(memberKey(member.projectId, member.entityType, member.entityId), member.id)
    const byEntity = member.entityType === 'g' ? this.membersByGroup : this.membersByUser
    let set = byEntity.get(member.entityId)
    if (!set) {
      set = new Set()
      byEntity.set(member.entityId, set)
    }
    set.add(member.id)
  }

  findMember(projectId: number, entityType: 'u' | 'g', entityId: number): MemberRecord | undefined {
    const id = this.memberByEntity.get(memberKey(projectId, entityType, entityId))
    return id === undefined ? undefined : this.members.get(id)
  }

  deleteMember(id: number): void {
    const member = this.members.get(id)
    if (!member) return
    this.members.delete(id)
    this.membersByProject.get(member.projectId)?.delete(id)
    this.memberByEntity.delete(memberKey(member.projectId, member.entityType, member.entityId))
    const byEntity = member.entityType === 'g' ? this.membersByGroup : this.membersByUser
    byEntity.get(member.entityId)?.delete(id)
  }

  // Quotas

  addQuota(quota: QuotaRecord): void {
    this.quotas.set(quota.id, quota)
    this.quotaByProject.set(quota.projectId, quota.id)
  }
}
