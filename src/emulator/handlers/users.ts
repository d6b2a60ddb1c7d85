/**
 * Users (`handler/user.go`): the list and search hrep's member kind needs, `/users/current` (401
 * anonymous, 412 for robots), local user creation in db_auth mode only, get and delete.
 */
import {authMode, created, empty, type Handler, listReply, ok, type RequestContext, robotPrefix} from '../context.js'
import {badRequest, conflict, forbidden, notFound, precondition} from '../errors.js'
import {applySort, type Fields, matchesQ, parseQ} from '../query.js'
import {requireAuthenticated, requireSystemAccess} from '../rbac.js'
import {now, type UserRecord} from '../store.js'
import {searchReply} from './usergroups.js'

const USER_FIELDS: Fields<UserRecord> = {
  username: (u) => u.username,
  Username: (u) => u.username,
  email: (u) => u.email,
  Email: (u) => u.email,
  realname: (u) => u.realname,
  Realname: (u) => u.realname,
  user_id: (u) => u.id,
  UserID: (u) => u.id,
  sysadmin_flag: (u) => u.sysadmin,
  SysAdminFlag: (u) => u.sysadmin,
  creation_time: (u) => u.creationTime,
  CreationTime: (u) => u.creationTime,
  update_time: (u) => u.updateTime,
  UpdateTime: (u) => u.updateTime,
}

/** A user as `UserResp` shows it (never the password). */
export function renderUser(user: UserRecord): Record<string, unknown> {
  return {
    user_id: user.id,
    username: user.username,
    ...(user.email ? {email: user.email} : {}),
    ...(user.realname ? {realname: user.realname} : {}),
    ...(user.comment ? {comment: user.comment} : {}),
    sysadmin_flag: user.sysadmin,
    admin_role_in_auth: false,
    creation_time: user.creationTime,
    update_time: user.updateTime,
  }
}

/** Harbor's password rule for local users: 8–128 characters with upper, lower and a digit. */
export function isValidPassword(password: string): boolean {
  return password.length >= 8 && password.length <= 128 && /[A-Z]/.test(password) && /[a-z]/.test(password) && /\d/.test(password)
}

/** GET /users (system admin; `q` on username/email, `sort`). */
export const listUsers: Handler = (ctx) => {
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'user', 'list')
  const keywords = parseQ(ctx.query.get('q'))
  let items = [...ctx.state.store.users.values()].filter((user) => matchesQ(user, keywords, USER_FIELDS))
  items = applySort(items, ctx.query.get('sort'), USER_FIELDS)
  return listReply(ctx, items, renderUser)
}

/** GET /users/current: 401 anonymous, 412 for robot accounts. */
export const getCurrentUser: Handler = (ctx) => {
  const {caller} = ctx
  requireAuthenticated(caller)
  if (caller.kind !== 'user') throw precondition('get current user not available for security context: robot')
  return ok(renderUser(caller.user))
}

/** GET /users/search?username= (fuzzy; `page` ignored). */
export const searchUsers: Handler = (ctx) => {
  requireAuthenticated(ctx.caller)
  const needle = String(ctx.values.username ?? '').toLowerCase()
  const items = [...ctx.state.store.users.values()].filter((user) => user.username.toLowerCase().includes(needle))
  return searchReply(ctx, items, (user) => ({user_id: user.id, username: user.username}))
}

function userFromPath(ctx: RequestContext): UserRecord {
  const id = ctx.values.user_id as number
  const user = ctx.state.store.users.get(id)
  if (!user) throw notFound(`user ${id} not found`)
  return user
}

/** GET /users/{user_id}: admins, or the user themself. */
export const getUser: Handler = (ctx) => {
  requireAuthenticated(ctx.caller)
  const self = ctx.caller.kind === 'user' && ctx.caller.user.id === (ctx.values.user_id as number)
  if (!self) requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'user', 'read')
  return ok(renderUser(userFromPath(ctx)))
}

interface UserReq {
  username?: string | null
  email?: string | null
  realname?: string | null
  comment?: string | null
  password?: string | null
}

/** POST /users: local users exist only in db_auth mode. */
export const createUser: Handler = (ctx) => {
  const mode = authMode(ctx.state)
  if (mode !== 'db_auth') throw forbidden(`creating local user is not allowed under auth mode ${mode}`)
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'user', 'create')
  const req = (ctx.body ?? {}) as UserReq
  const username = req.username ?? ''
  if (username === '' || /[,"~#%$]/.test(username)) throw badRequest('username is invalid')
  if (!isValidPassword(req.password ?? '')) throw badRequest('password is invalid')
  const email = req.email ?? ''
  if (email !== '' && !/^[^\s@]+@[^\s@]+$/.test(email)) throw badRequest('email is invalid')
  const {store} = ctx.state
  if (store.userByName.has(username)) throw conflict(`username ${username} is already used`)
  if (email !== '' && [...store.users.values()].some((user) => user.email === email))
    throw conflict(`email ${email} is already used`)
  const time = now()
  const user: UserRecord = {
    id: store.nextId('user'),
    username,
    email,
    realname: req.realname ?? '',
    comment: req.comment ?? '',
    password: req.password!,
    sysadmin: false,
    creationTime: time,
    updateTime: time,
  }
  store.addUser(user)
  return created(`${ctx.fullPath.replace(/\/$/, '')}/${user.id}`)
}

/** DELETE /users/{user_id}: admins; not oneself; memberships go with the user. */
export const deleteUser: Handler = (ctx) => {
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'user', 'delete')
  const user = userFromPath(ctx)
  if (ctx.caller.kind === 'user' && ctx.caller.user.id === user.id) throw forbidden('can not delete yourself')
  ctx.state.store.deleteUser(user.id)
  return empty()
}
