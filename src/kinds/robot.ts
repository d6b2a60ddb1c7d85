/**
 * The `robot` kind: system- and project-level robot accounts.
 *
 * Key: a system robot by its short name (`ci`), a project robot as `<project>+<name>` (`team+ci`),
 * which is how Harbor stores it; neither includes the instance's name prefix (`robot$` by default,
 * configurable per instance), which is stripped on read and never compared. Permissions are a set.
 * The secret is write-only: Harbor never returns it, so it is not an attribute that is read or
 * compared (the engine tracks a fingerprint of the declared secret instead).
 */
import {randomInt} from 'node:crypto'
import {z} from 'zod'
import {HrepError} from '../model/errors.js'
import {isSecret, type Secret} from '../model/secret.js'
import type {HarborRobot, HarborRobotCreated} from './harbor.js'
import {collect, isNotFound, listProjects, send, segment} from './io.js'
import type {CreateResult, KeyRef, Kind, KindContext, LiveObject, NormalizeInfo} from './kind.js'
import {
  accessProblem,
  canonicalPermissions,
  type Permission,
  PERMISSION_KINDS,
  type PermissionKind,
  permissionsFromHarbor,
  permissionsToHarbor,
} from './permissions.js'
import {
  describe,
  flag,
  harborNameProblem,
  type IssueSink,
  onlyKeys,
  projectRef,
  quickChecked,
  quickFlag,
  quickProjectRef,
  quickUnit,
  unitValue,
} from './schema.js'
import {parseRobotDuration} from './units.js'

export const ROBOT_LEVELS = ['system', 'project'] as const
export type RobotLevel = (typeof ROBOT_LEVELS)[number]

/** Normalised robot attributes. `secret` appears only in desired attributes, before the loader splits it off. */
export type RobotAttrs = {
  /** Short name: no instance prefix, no `<project>+`. */
  name: string
  level: RobotLevel
  /** The project of a project-level robot (absent for system robots). */
  project?: string
  /** Always managed; default "" (Harbor stores a missing description as empty). */
  description: string
  /** Days; -1 = never expires. Always managed; default -1. */
  duration: number
  /** Always managed; default false. */
  disable: boolean
  permissions: Permission[]
  secret?: string | Secret
}

/** The raw view `normalize` takes: the robot as listed, and the project whose list it came from. */
export interface RobotLive {
  robot: HarborRobot
  /** The project name for a project-level robot. */
  project?: string
}

/** Why a chosen robot secret breaks Harbor's rule (8–128 characters, an upper-case and a lower-case letter and a digit), or undefined. */
export function robotSecretProblem(secret: string): string | undefined {
  // The value itself never appears in the message.
  if (secret.length < 8 || secret.length > 128)
    return `the robot secret must be 8 to 128 characters long (it has ${secret.length})`
  if (!/[A-Z]/.test(secret) || !/[a-z]/.test(secret) || !/[0-9]/.test(secret)) {
    return 'the robot secret must contain at least one upper-case letter, one lower-case letter and one digit'
  }
  return undefined
}

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * A new random robot secret that meets Harbor's rule: `length` (8–128, default 32) characters from
 * letters and digits, drawn with a cryptographic RNG until the draw holds an upper-case letter, a
 * lower-case letter and a digit (for 32 characters the first draw almost always does).
 */
export function generateRobotSecret(length = 32): string {
  if (!Number.isInteger(length) || length < 8 || length > 128) throw new RangeError('a robot secret has 8 to 128 characters')
  for (;;) {
    let secret = ''
    for (let i = 0; i < length; i++) secret += SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)]
    if (robotSecretProblem(secret) === undefined) return secret
  }
}

function robotNameProblem(name: string): string | undefined {
  if (name.includes('$'))
    return `robot name "${name}" must be the short name, without the instance's prefix ("ci", not "robot$ci")`
  if (name.includes('+'))
    return `robot name "${name}" must not contain "+": a project robot is named without its project (set "project")`
  return harborNameProblem(name, 'robot')
}

const accessSchema = z.array(z.string({error: () => 'expected an access like "repository:pull"'}), {
  error: () => 'expected a list of accesses like ["repository:pull", "repository:push"]',
})

const permissionSchema = z.strictObject({
  kind: z.enum(PERMISSION_KINDS, {error: () => 'expected "project" or "system"'}).optional(),
  namespace: z
    .preprocess(
      (value) => (typeof value === 'object' && value !== null && 'name' in value ? (value as {name: unknown}).name : value),
      z.string({error: (issue) => `expected "*", a project name or a project reference, got ${describe(issue.input)}`}),
    )
    .optional(),
  access: accessSchema,
})

const secretSchema = z.custom<string | Secret>((value) => typeof value === 'string' || isSecret(value), {
  error: () => 'expected a string (for example env("CI_ROBOT_SECRET"))',
})

const configSchema = z
  .strictObject({
    name: z.string({error: () => 'expected a robot name'}),
    level: z.enum(ROBOT_LEVELS, {error: () => 'expected "system" or "project"'}).optional(),
    project: projectRef().optional(),
    description: z.string({error: () => 'expected a string'}).default(''),
    duration: unitValue(parseRobotDuration, 'days (90 or "90d") or "never"').default(-1),
    disable: flag().default(false),
    permission: z.array(permissionSchema, {error: () => 'expected permission blocks'}).default([]),
    secret: secretSchema.optional(),
  })
  .transform((body, ctx): RobotAttrs => robotAttrs(body, (path, message) => ctx.addIssue({code: 'custom', path, message})))

/** A robot body as the schema's fields produce it, before the checks across fields. */
type RobotBody = {
  name: string
  level?: RobotLevel
  project?: string
  description: string
  duration: number
  disable: boolean
  permission: {kind?: PermissionKind; namespace?: string; access: string[]}[]
  secret?: string | Secret
}

/** The checks across fields and the attributes, shared by `configSchema` and `quickRobotConfig`. */
function robotAttrs(body: RobotBody, issue: IssueSink): RobotAttrs {
  const nameProblem = robotNameProblem(body.name)
  if (nameProblem) issue(['name'], nameProblem)
  const level: RobotLevel = body.level ?? (body.project === undefined ? 'system' : 'project')
  if (level === 'project' && body.project === undefined) issue(['project'], 'a project-level robot needs "project"')
  if (level === 'system' && body.project !== undefined)
    issue(['project'], 'a system-level robot has no "project"; set level = "project" or remove it')
  if (body.permission.length === 0) issue(['permission'], 'a robot needs at least one permission block')
  if (level === 'project' && body.permission.length > 1) {
    issue(['permission', 1], 'a project-level robot has exactly one permission block (Harbor allows no more)')
  }
  // Loops, not callbacks: this runs for every robot, and each callback would be a closure per call.
  const permissions: Permission[] = []
  for (let index = 0; index < body.permission.length; index++) {
    const block = body.permission[index] as RobotBody['permission'][number]
    const kind: PermissionKind = block.kind ?? (block.namespace === '/' ? 'system' : 'project')
    let namespace = block.namespace
    if (kind === 'system') {
      if (level === 'project') issue(['permission', index, 'kind'], 'a project-level robot cannot have system permissions')
      if (namespace !== undefined && namespace !== '/')
        issue(['permission', index, 'namespace'], 'a system permission has namespace "/"')
      namespace = '/'
    } else if (level === 'project') {
      if (namespace !== undefined && namespace !== body.project) {
        issue(['permission', index, 'namespace'], `a project-level robot's permission is on its own project "${body.project}"`)
      }
      namespace = body.project ?? ''
    } else if (namespace === undefined) {
      issue(['permission', index, 'namespace'], 'set namespace = "*" for every project, or a project name')
      namespace = ''
    } else if (namespace !== '*') {
      const problem = harborNameProblem(namespace, 'project')
      if (problem) issue(['permission', index, 'namespace'], problem)
    }
    if (block.access.length === 0) issue(['permission', index, 'access'], 'a permission needs at least one access')
    for (let at = 0; at < block.access.length; at++) {
      const problem = accessProblem(kind, block.access[at] as string)
      if (problem) issue(['permission', index, 'access', at], problem)
    }
    permissions.push({kind, namespace, access: block.access})
  }
  if (body.secret !== undefined) {
    const problem = robotSecretProblem(typeof body.secret === 'string' ? body.secret : body.secret.reveal())
    if (problem) issue(['secret'], problem)
  }
  const attrs: RobotAttrs = {
    name: body.name,
    level,
    description: body.description,
    duration: body.duration,
    disable: body.disable,
    permissions: canonicalPermissions(permissions),
  }
  if (level === 'project' && body.project !== undefined) attrs.project = body.project
  if (body.secret !== undefined) attrs.secret = body.secret
  return attrs
}

const ROBOT_KEYS: ReadonlySet<string> = new Set(Object.keys(configSchema.in.shape))
const PERMISSION_KEYS: ReadonlySet<string> = new Set(Object.keys(permissionSchema.shape))

/** The quick twin of `configSchema` (see Kind.quickConfig): the same attributes, or undefined when unsure. */
function quickRobotConfig(input: Readonly<Record<string, unknown>>): RobotAttrs | undefined {
  if (!onlyKeys(input, ROBOT_KEYS)) return undefined
  const {name, level, description, secret} = input
  if (typeof name !== 'string') return undefined
  if (level !== undefined && level !== 'system' && level !== 'project') return undefined
  const project = input.project === undefined ? undefined : quickProjectRef(input.project)
  if (project === undefined && input.project !== undefined) return undefined
  if (description !== undefined && typeof description !== 'string') return undefined
  const duration = input.duration === undefined ? -1 : quickUnit(input.duration, parseRobotDuration)
  const disable = input.disable === undefined ? false : quickFlag(input.disable)
  if (duration === undefined || disable === undefined) return undefined
  if (secret !== undefined && typeof secret !== 'string' && !isSecret(secret)) return undefined
  const permission: RobotBody['permission'] = []
  if (input.permission !== undefined) {
    if (!Array.isArray(input.permission)) return undefined
    for (const block of input.permission as unknown[]) {
      if (typeof block !== 'object' || block === null || Array.isArray(block) || isSecret(block)) return undefined
      if (!onlyKeys(block, PERMISSION_KEYS)) return undefined
      const {kind, access} = block as Record<string, unknown>
      let namespace = (block as Record<string, unknown>).namespace
      if (kind !== undefined && kind !== 'system' && kind !== 'project') return undefined
      if (typeof namespace === 'object' && namespace !== null && 'name' in namespace) namespace = namespace.name
      if (namespace !== undefined && typeof namespace !== 'string') return undefined
      if (!Array.isArray(access) || !allStrings(access)) return undefined
      permission.push({kind, namespace, access})
    }
  }
  return quickChecked(robotAttrs, {name, level, project, description: description ?? '', duration, disable, permission, secret})
}

function allStrings(items: readonly unknown[]): boolean {
  for (const item of items) if (typeof item !== 'string') return false
  return true
}

/** The natural key of a robot: `name`, or `project+name` for a project robot. */
export function robotKey(attrs: Pick<RobotAttrs, 'name' | 'project'>): string {
  return attrs.project === undefined ? attrs.name : `${attrs.project}+${attrs.name}`
}

/** The stored name Harbor shows after the prefix, stripped of `project+` for a project robot. */
export function shortRobotName(displayed: string, prefix: string, project?: string): string {
  let name = prefix !== '' && displayed.startsWith(prefix) ? displayed.slice(prefix.length) : displayed
  if (project !== undefined && name.startsWith(`${project}+`)) name = name.slice(project.length + 1)
  return name
}

/** Normalised attributes of a robot as Harbor lists it (see RobotLive). Pure. */
export function normalizeRobot(live: RobotLive, info: NormalizeInfo): RobotAttrs {
  const {robot, project} = live
  const attrs: RobotAttrs = {
    name: shortRobotName(robot.name ?? '', info.robotNamePrefix, project),
    level: project === undefined ? 'system' : 'project',
    description: robot.description ?? '',
    duration: typeof robot.duration === 'number' && robot.duration !== 0 ? robot.duration : -1,
    disable: robot.disable === true,
    permissions: permissionsFromHarbor(robot.permissions),
  }
  if (project !== undefined) attrs.project = project
  return attrs
}

/** Splits a robot key into its project (if any) and short name. */
function splitKey(key: string): {project?: string; name: string} {
  const plus = key.indexOf('+')
  return plus < 0 ? {name: key} : {project: key.slice(0, plus), name: key.slice(plus + 1)}
}

function toLive(robot: HarborRobot, info: NormalizeInfo, project?: string): LiveObject<RobotAttrs> {
  const attrs = normalizeRobot({robot, project}, info)
  return {id: String(robot.id ?? ''), key: robotKey(attrs), attrs}
}

/**
 * Lists every visible robot, project robots included: Harbor's `ListRobot` pins `ProjectID=0` only
 * when `Level` is absent, and `Level` is no column, so `Level=system` filters nothing (NOTES §2; the
 * emulator does the same). One paged list instead of one list per project: 50 requests instead of
 * 1,025 for 5,000 robots in 1,000 projects.
 */
const EVERY_ROBOT_QUERY = 'Level=system'

/**
 * The project robots of a list of every robot, each with its project: the part of its stored name
 * before "+" (`team+ci`; "+" is in neither a project nor a robot name), or for a legacy robot (named
 * without its project) its project permission's namespace. Undefined when there is none (an instance
 * that lists only system robots looks the same as one with no project robot) or when one cannot be
 * placed in a listed project: the caller then reads them project by project.
 */
function attributeToProjects(
  robots: readonly HarborRobot[],
  projects: ReadonlySet<string>,
  info: NormalizeInfo,
): LiveObject<RobotAttrs>[] | undefined {
  if (robots.length === 0) return undefined
  const out: LiveObject<RobotAttrs>[] = []
  for (const robot of robots) {
    const displayed = robot.name ?? ''
    const stored =
      info.robotNamePrefix !== '' && displayed.startsWith(info.robotNamePrefix)
        ? displayed.slice(info.robotNamePrefix.length)
        : displayed
    const plus = stored.indexOf('+')
    const project =
      plus > 0
        ? stored.slice(0, plus)
        : robot.permissions?.find((permission) => permission.kind === 'project' && projects.has(permission.namespace ?? ''))
            ?.namespace
    if (project === undefined || !projects.has(project)) return undefined
    out.push(toLive(robot, info, project))
  }
  return out
}

/** The robot list filter Harbor needs for the robots of one project (keys are case-sensitive). */
function projectRobotsQuery(projectId: number | string, storedName?: string): string {
  return `Level=project,ProjectID=${projectId}${storedName === undefined ? '' : `,name=${storedName}`}`
}

async function findByKey(ctx: KindContext, key: string): Promise<LiveObject<RobotAttrs> | undefined> {
  const {project, name} = splitKey(key)
  if (project === undefined) {
    const robots = await collect<HarborRobot>(ctx, '/robots', {q: `name=${name}`})
    const match = robots.map((robot) => toLive(robot, ctx.info)).find((live) => live.key === key)
    return match
  }
  let projectId: number | undefined
  try {
    const response = await send<{project_id?: number}>(ctx, {
      method: 'GET',
      path: `/projects/${segment(project)}`,
      resourceName: true,
    })
    projectId = response.body.project_id
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
  if (projectId === undefined) return undefined
  const robots = await collect<HarborRobot>(ctx, '/robots', {q: projectRobotsQuery(projectId, `${project}+${name}`)})
  return robots.map((robot) => toLive(robot, ctx.info, project)).find((live) => live.key === key)
}

/** PUT body: Harbor's full replacement of a robot, with the name and level it already has. */
function putBody(current: HarborRobot, attrs: Omit<RobotAttrs, 'name' | 'level'>) {
  return {
    name: current.name,
    level: current.level,
    description: attrs.description,
    duration: attrs.duration,
    disable: attrs.disable,
    permissions: permissionsToHarbor(attrs.permissions),
  }
}

function revealed(secret: string | Secret): string {
  return typeof secret === 'string' ? secret : secret.reveal()
}

/** The robot kind. */
export const robotKind: Kind<RobotAttrs> = {
  name: 'robot',
  configSchema,
  quickConfig: quickRobotConfig,
  sensitive: ['secret'],
  replaceOn: ['level', 'project'],
  key: robotKey,
  dependsOn(attrs) {
    // A project robot lives in its project (Harbor deletes it with the project); a system robot's
    // permission on a project only orders the changes (Harbor silently drops that permission).
    if (attrs.project !== undefined) return [{kind: 'project', key: attrs.project, contained: true}]
    const projects = new Set<string>()
    for (const permission of attrs.permissions) {
      if (permission.kind === 'project' && permission.namespace !== '*') projects.add(permission.namespace)
    }
    return [...projects].map((key): KeyRef => ({kind: 'project', key}))
  },
  parseImportId(id) {
    // Names cannot hold "$", so everything up to the last "$" is a prefix like "robot$".
    const text = id.trim().slice(id.trim().lastIndexOf('$') + 1)
    const {project, name} = splitKey(text)
    const problem =
      (project === undefined ? undefined : harborNameProblem(project, 'project')) ?? harborNameProblem(name, 'robot')
    if (problem) {
      throw new HrepError(
        'import_id_invalid',
        `invalid import ID "${id}" for a robot: ${problem}; use "ci" or "robot$ci" for a system robot, "team+ci" or "robot$team+ci" for a project robot`,
      )
    }
    return text
  },
  normalize: (raw, info) => normalizeRobot(raw as RobotLive, info),

  async list(ctx) {
    const [listed, projects] = await Promise.all([
      collect<HarborRobot>(ctx, '/robots', {q: EVERY_ROBOT_QUERY}),
      listProjects(ctx),
    ])
    const named = projects.filter((project) => project.project_id !== undefined && project.name !== undefined)
    const system = listed.filter((robot) => robot.level !== 'project').map((robot) => toLive(robot, ctx.info))
    const everyProjectRobot = attributeToProjects(
      listed.filter((robot) => robot.level === 'project'),
      new Set(named.map((project) => project.name!)),
      ctx.info,
    )
    if (everyProjectRobot !== undefined) return [...system, ...everyProjectRobot]
    // One list per project: the documented way, for an instance that listed no project robot above
    // (it has none, or restricts Level=system to system robots) or one that could not be placed.
    const perProject = await Promise.all(
      named.map(async (project) => {
        const robots = await collect<HarborRobot>(ctx, '/robots', {q: projectRobotsQuery(project.project_id!)})
        return robots.map((robot) => toLive(robot, ctx.info, project.name))
      }),
    )
    return [...system, ...perProject.flat()]
  },

  async find(ctx, key) {
    const found = await findByKey(ctx, key)
    if (found) return found
    // An import ID written with a prefix that has no "$" ("svc-ci") still names the robot "ci".
    const prefix = ctx.info.robotNamePrefix
    if (prefix !== '' && key.startsWith(prefix) && key.length > prefix.length) return findByKey(ctx, key.slice(prefix.length))
    return undefined
  },

  async create(ctx, attrs): Promise<CreateResult> {
    const permissions = permissionsToHarbor(attrs.permissions)
    // Harbor ignores secret and disable on create: disable needs a PUT, a chosen secret a PATCH.
    const response = await send<HarborRobotCreated>(ctx, {
      method: 'POST',
      path: '/robots',
      body: {
        name: attrs.name,
        description: attrs.description,
        level: attrs.level,
        duration: attrs.duration,
        disable: false,
        permissions,
      },
    })
    const created = response.body
    const id = String(created.id)
    if (attrs.disable) {
      await send(ctx, {
        method: 'PUT',
        path: `/robots/${id}`,
        body: putBody({name: created.name, level: attrs.level}, attrs),
      })
    }
    if (attrs.secret !== undefined) {
      await robotKind.setSecret!(ctx, {id, key: robotKey(attrs), attrs}, revealed(attrs.secret))
      return {id}
    }
    return {id, secret: created.secret}
  },

  async update(ctx, live, desired, changed) {
    // The secret is set through setSecret; every other attribute goes in one full-replacement PUT.
    if (!changed.some((attr) => attr !== 'secret')) return
    const current = (await send<HarborRobot>(ctx, {method: 'GET', path: `/robots/${live.id}`})).body
    if (current.editable === false) {
      throw new HrepError(
        'robot_legacy',
        `robot "${robotKey(live.attrs)}" on endpoint ${ctx.client.endpoint} is a legacy (v1) robot, which Harbor does not allow to be edited; delete it and let hrep create it again`,
      )
    }
    const merged = {...live.attrs, ...withoutSecret(desired)}
    await send(ctx, {method: 'PUT', path: `/robots/${live.id}`, body: putBody(current, merged)})
  },

  async delete(ctx, live) {
    try {
      await send(ctx, {method: 'DELETE', path: `/robots/${live.id}`})
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
  },

  async setSecret(ctx, live, secret) {
    const problem = robotSecretProblem(secret)
    if (problem) throw new HrepError('robot_secret_invalid', `cannot set the secret of robot "${live.key}": ${problem}`)
    // Setting a chosen secret twice has the same effect as once, so the client may resend it.
    await send(ctx, {method: 'PATCH', path: `/robots/${live.id}`, body: {secret}, idempotent: true})
  },
}

function withoutSecret(attrs: RobotAttrs): Omit<RobotAttrs, 'secret'> {
  const {secret: _secret, ...rest} = attrs
  return rest
}
