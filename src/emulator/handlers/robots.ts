/**
 * Robot accounts v2 (`handler/robot.go`, `controller/robot`): system and project level, the name rule
 * and `<project>+<name>` storage, the instance's name prefix on display, a generated secret shown only
 * on create (create ignores `secret` and `disable`), PATCH secret rules, PUT full replacement with
 * name/level checks, the `Level`/`ProjectID` list filter rules, permissions in random order.
 */
import {created, empty, type Handler, listReply, ok, pagedReply, type RequestContext, robotPrefix} from '../context.js'
import {badRequest, conflict, denied, notFound} from '../errors.js'
import {applySort, type Fields, hasKnownKeys, matchesQ, pageOf, pageRequest, parseQ, type QKeywords} from '../query.js'
import {isGrantable, requireProjectAccess, requireSystemAccess} from '../rbac.js'
import {randomSecret, shuffled} from '../rng.js'
import {type AccessRecord, now, type PermissionRecord, type RobotRecord} from '../store.js'
import {NAME_PATTERN} from './projects.js'

/** Harbor's secret rule for PATCH: 8–128 characters with an upper-case letter, a lower-case letter and a digit. */
export function isValidSecret(secret: string): boolean {
  return secret.length >= 8 && secret.length <= 128 && /[A-Z]/.test(secret) && /[a-z]/.test(secret) && /\d/.test(secret)
}

const SECRET_RULE =
  'the secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, 1 lowercase letter and 1 number'

const ROBOT_FIELDS: Fields<RobotRecord> = {
  name: (r) => r.name,
  Name: (r) => r.name,
  description: (r) => r.description,
  Description: (r) => r.description,
  project_id: (r) => r.projectId,
  ProjectID: (r) => r.projectId,
  disabled: (r) => r.disabled,
  Disabled: (r) => r.disabled,
  duration: (r) => r.duration,
  Duration: (r) => r.duration,
  expiresat: (r) => r.expiresAt,
  ExpiresAt: (r) => r.expiresAt,
  creator_type: (r) => r.creatorType,
  CreatorType: (r) => r.creatorType,
  creator_ref: (r) => r.creatorRef,
  CreatorRef: (r) => r.creatorRef,
  creation_time: (r) => r.creationTime,
  CreationTime: (r) => r.creationTime,
  update_time: (r) => r.updateTime,
  UpdateTime: (r) => r.updateTime,
  id: (r) => r.id,
  ID: (r) => r.id,
}

interface PermissionReq {
  kind?: string | null
  namespace?: string | null
  access?: {resource?: string | null; action?: string | null; effect?: string | null}[] | null
}

interface RobotReq {
  name?: string | null
  description?: string | null
  level?: string | null
  duration?: number | null
  disable?: boolean | null
  permissions?: PermissionReq[] | null
}

function renderPermissions(ctx: RequestContext, robot: RobotRecord): unknown[] {
  const {store} = ctx.state
  const out: unknown[] = []
  for (const permission of robot.permissions) {
    let namespace: string
    if (typeof permission.namespace === 'number') {
      const project = store.projects.get(permission.namespace)
      // Permissions on a deleted project silently disappear.
      if (!project) continue
      namespace = project.name
    } else namespace = permission.namespace
    out.push({
      kind: permission.kind,
      namespace,
      access: permission.access.map((a) => ({resource: a.resource, action: a.action, ...(a.effect ? {effect: a.effect} : {})})),
    })
  }
  // Harbor groups permissions through a Go map: their order differs from call to call.
  return shuffled(out, ctx.state.rng)
}

/** A robot as GET shows it: prefixed name (a legacy one as stored), no secret. */
export function renderRobot(ctx: RequestContext, robot: RobotRecord): Record<string, unknown> {
  return {
    id: robot.id,
    name: robot.editable ? `${robotPrefix(ctx.state)}${robot.name}` : robot.name,
    ...(robot.description ? {description: robot.description} : {}),
    level: robot.level,
    duration: robot.duration,
    editable: robot.editable,
    disable: robot.disabled,
    expires_at: robot.expiresAt,
    permissions: renderPermissions(ctx, robot),
    creator_type: robot.creatorType,
    ...(robot.creatorRef ? {creator_ref: robot.creatorRef} : {}),
    creation_time: robot.creationTime,
    update_time: robot.updateTime,
  }
}

/** Validation shared by create and update (`robot.go: validate`). */
function validateRobotReq(req: RobotReq, durationRequired: boolean): void {
  const duration = req.duration
  if (durationRequired || (duration !== undefined && duration !== null)) {
    const d = duration ?? 0
    if (!(d === -1 || (d >= 1 && d < 2147483647))) {
      throw badRequest(`bad request error duration input: ${d}, duration must be either -1(Never) or a positive integer`)
    }
  }
  if (req.level !== 'system' && req.level !== 'project') throw badRequest(`bad request error level input: ${req.level ?? ''}`)
  const permissions = req.permissions ?? []
  if (permissions.length === 0) throw badRequest('bad request empty permission')
  for (const permission of permissions) if (!permission.access?.length) throw badRequest('bad request empty access')
  if (req.level === 'project' && permissions.length > 1) throw badRequest('bad request permission')
  for (const permission of permissions) {
    if (permission.kind !== 'system' && permission.kind !== 'project') {
      throw badRequest(`bad request permission kind: ${permission.kind ?? ''}`)
    }
    for (const access of permission.access!) {
      if (!isGrantable(permission.kind, access.resource ?? '', access.action ?? '')) {
        throw badRequest(`bad request permission: ${access.resource ?? ''}:${access.action ?? ''}`)
      }
    }
    if (permission.kind === 'system' && permission.namespace !== '/') {
      throw badRequest(`bad request permission namespace: ${permission.namespace ?? ''}`)
    }
    if (permission.kind === 'project' && (permission.namespace ?? '') === '') throw badRequest('bad request permission namespace')
    if (req.level === 'project' && (permission.kind !== 'project' || permission.namespace === '*')) {
      throw badRequest('bad request permission')
    }
  }
}

/** Turns request permissions into records (project names → ids); 404 for a project that does not exist. */
function toPermissionRecords(ctx: RequestContext, permissions: PermissionReq[]): PermissionRecord[] {
  return permissions.map((permission) => {
    let namespace: PermissionRecord['namespace'] = '/'
    if (permission.kind === 'project') {
      if (permission.namespace === '*') namespace = '*'
      else {
        const project = ctx.state.store.projectByIdOrName(permission.namespace!, true)
        if (!project) throw notFound(`project ${permission.namespace} not found`)
        namespace = project.id
      }
    }
    const access: AccessRecord[] = permission.access!.map((a) => ({
      resource: a.resource ?? '',
      action: a.action ?? '',
      effect: a.effect ?? '',
    }))
    return {kind: permission.kind as 'system' | 'project', namespace, access}
  })
}

/** Checks the caller may do `action` on robots of this level (system access, or the project's). */
function requireRobotAccess(ctx: RequestContext, level: string, namespace: string | number, action: string): void {
  const {store} = ctx.state
  if (level === 'system') {
    requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'robot', action)
    return
  }
  const project = typeof namespace === 'number' ? store.projects.get(namespace) : store.projectByIdOrName(String(namespace), true)
  requireProjectAccess(store, ctx.caller, project, 'robot', action)
}

/** A robot creating a robot may grant only what it holds itself (2.12+). */
function requireSubset(ctx: RequestContext, permissions: PermissionRecord[]): void {
  const {caller} = ctx
  if (caller.kind !== 'robot') return
  for (const permission of permissions) {
    for (const access of permission.access) {
      const held = caller.robot.permissions.some(
        (own) =>
          own.kind === permission.kind &&
          (own.namespace === permission.namespace || own.namespace === '*') &&
          own.access.some((a) => a.resource === access.resource && a.action === access.action),
      )
      if (!held) throw denied('the permissions of the new robot exceed the permissions of the creator')
    }
  }
}

function expiry(duration: number, from: Date): number {
  return duration === -1 ? -1 : Math.floor(from.getTime() / 1000) + duration * 86400
}

/** POST /robots */
export const createRobot: Handler = (ctx) => {
  const req = (ctx.body ?? {}) as RobotReq
  const name = req.name ?? ''
  if (!NAME_PATTERN.test(name)) throw badRequest('robot name is not in lower case or contains illegal characters')
  validateRobotReq(req, true)
  const permissions = req.permissions!
  requireRobotAccess(ctx, req.level!, permissions[0]!.namespace!, 'create')
  const records = toPermissionRecords(ctx, permissions)
  requireSubset(ctx, records)
  const {store} = ctx.state
  let projectId = 0
  let stored = name
  if (req.level === 'project') {
    projectId = records[0]!.namespace as number
    stored = `${store.projects.get(projectId)!.name}+${name}`
  }
  if (store.robotByName.has(stored)) {
    throw conflict(
      `robot account ${projectId}:${stored} already exists: duplicate key value violates unique constraint "unique_robot"`,
    )
  }
  const creation = new Date()
  const duration = req.duration!
  const secret = randomSecret(ctx.state.rng)
  const robot: RobotRecord = {
    id: store.nextId('robot'),
    name: stored,
    description: req.description ?? '',
    projectId,
    level: req.level as 'system' | 'project',
    secret,
    // `disable` and `secret` in the create body are ignored in every 2.x version.
    disabled: false,
    duration,
    expiresAt: expiry(duration, creation),
    permissions: records,
    creatorType: ctx.caller.kind === 'robot' ? 'robot' : 'local',
    creatorRef: ctx.caller.kind === 'robot' ? ctx.caller.robot.id : ctx.caller.kind === 'user' ? ctx.caller.user.id : 0,
    creationTime: creation.toISOString(),
    updateTime: creation.toISOString(),
    visible: true,
    editable: true,
  }
  store.addRobot(robot)
  return created(`${ctx.fullPath.replace(/\/$/, '')}/${robot.id}`, {
    id: robot.id,
    name: `${robotPrefix(ctx.state)}${robot.name}`,
    secret,
    creation_time: robot.creationTime,
    expires_at: robot.expiresAt,
  })
}

/**
 * The sorted stored names a list starts from: the per-project index when the list is restricted to one
 * project id (system robots are project 0), all robots otherwise. `restricted` says whether the index
 * already applies the ProjectID condition.
 */
function indexFor(
  ctx: RequestContext,
  keywords: QKeywords,
  level: string,
  projectId: number,
): {names: readonly string[]; restricted: boolean} {
  const {store} = ctx.state
  if (level === 'system' && !keywords.has('Level'))
    return {names: store.robotNamesByProject.get(0)?.values() ?? [], restricted: true}
  if (level === 'project') return {names: store.robotNamesByProject.get(projectId)?.values() ?? [], restricted: true}
  return {names: store.robotNames.values(), restricted: false}
}

/** GET /robots: system robots unless `q=Level=project,ProjectID=<id>`. */
export const listRobots: Handler = (ctx) => {
  const keywords = parseQ(ctx.query.get('q'))
  let level = 'system'
  let projectId = 0
  const levelCondition = keywords.get('Level')
  if (levelCondition) {
    const value = levelCondition.kind === 'exact' ? levelCondition.value : ''
    if (value !== 'system' && value !== 'project') throw badRequest('bad request error level input')
    level = value
    if (level === 'project') {
      const pid = keywords.get('ProjectID')
      if (!pid) throw badRequest('must with project ID when to query project robots')
      const text = pid.kind === 'exact' ? pid.value : ''
      if (!/^-?\d+$/.test(text)) throw badRequest('Project ID must be int type.')
      projectId = Number(text)
      if (projectId <= 0) throw badRequest(`invalid project ID: ${projectId}`)
    }
  } else {
    keywords.set('ProjectID', {kind: 'exact', value: '0'})
  }
  requireRobotAccess(ctx, level, projectId, 'list')
  const {store} = ctx.state
  const {names, restricted} = indexFor(ctx, keywords, level, projectId)
  const byName = (name: string) => store.robots.get(store.robotByName.get(name)!)!
  const rest = new Map(keywords)
  if (restricted) rest.delete('ProjectID')
  const sort = ctx.query.get('sort')
  if (!hasKnownKeys(rest, ROBOT_FIELDS) && !sort) {
    const page = pageRequest(ctx.query)
    return pagedReply(
      ctx,
      names.length,
      pageOf(names, page).map((name) => renderRobot(ctx, byName(name))),
      page,
    )
  }
  let items = names.map(byName).filter((robot) => matchesQ(robot, keywords, ROBOT_FIELDS))
  items = applySort(items, sort, ROBOT_FIELDS)
  return listReply(ctx, items, (robot) => renderRobot(ctx, robot))
}

function robotFromPath(ctx: RequestContext): RobotRecord {
  const id = ctx.values.robot_id as number
  const robot = ctx.state.store.robots.get(id)
  if (!robot) throw notFound(`robot ${id} not found`)
  return robot
}

/** GET /robots/{robot_id} */
export const getRobot: Handler = (ctx) => {
  const robot = robotFromPath(ctx)
  requireRobotAccess(ctx, robot.level, robot.projectId, 'read')
  return ok(renderRobot(ctx, robot))
}

/** PUT /robots/{robot_id}: full replacement of description, disable, duration and permissions. */
export const updateRobot: Handler = (ctx) => {
  const robot = robotFromPath(ctx)
  if (!robot.editable) throw denied('editing of legacy robot is not allowed')
  const req = (ctx.body ?? {}) as RobotReq
  validateRobotReq(req, false)
  const permissions = req.permissions!
  if (robot.level !== 'system') {
    const project = ctx.state.store.projectByIdOrName(permissions[0]!.namespace ?? '', true)
    if (project?.id !== robot.projectId) throw badRequest('cannot update the project id of robot')
  }
  requireRobotAccess(ctx, req.level!, robot.level === 'system' ? 0 : robot.projectId, 'update')
  if (req.level !== robot.level || req.name !== `${robotPrefix(ctx.state)}${robot.name}`) {
    throw badRequest('cannot update the level or name of robot')
  }
  const records = toPermissionRecords(ctx, permissions)
  if (req.duration !== undefined && req.duration !== null && req.duration !== robot.duration) {
    robot.duration = req.duration
    robot.expiresAt = expiry(req.duration, new Date(robot.creationTime))
  }
  robot.description = req.description ?? ''
  robot.disabled = req.disable ?? false
  robot.permissions = records
  robot.updateTime = now()
  return empty()
}

/** PATCH /robots/{robot_id}: `{}`/`{"secret":""}` generates and returns a secret; a chosen one is checked and not echoed. */
export const refreshRobotSecret: Handler = (ctx) => {
  const robot = robotFromPath(ctx)
  requireRobotAccess(ctx, robot.level, robot.projectId, 'update')
  const secret = ((ctx.body ?? {}) as {secret?: string | null}).secret ?? ''
  robot.updateTime = now()
  if (secret !== '') {
    if (!isValidSecret(secret)) throw badRequest(SECRET_RULE)
    robot.secret = secret
    return ok({})
  }
  robot.secret = randomSecret(ctx.state.rng)
  return ok({secret: robot.secret})
}

/** DELETE /robots/{robot_id} */
export const deleteRobot: Handler = (ctx) => {
  const robot = robotFromPath(ctx)
  requireRobotAccess(ctx, robot.level, robot.projectId, 'delete')
  ctx.state.store.deleteRobot(robot.id)
  return empty()
}
