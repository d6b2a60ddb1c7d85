/**
 * Liveness, version and system handlers: `/ping`, `/health`, `/systeminfo` (anonymous callers get the
 * reduced set), `/permissions`, and `/configurations` (GET `{value, editable}`, flat PUT).
 */
import {authMode, type Handler, ok, robotPrefix, type EmulatorState, empty} from '../context.js'
import {forbidden} from '../errors.js'
import {
  isSysAdmin,
  PROJECT_ROBOT_PERMISSIONS,
  requireAuthenticated,
  requireSystemAccess,
  SYSTEM_ROBOT_PERMISSIONS,
} from '../rbac.js'

/** GET /ping: `Pong` as text, no authentication. */
export const getPing: Handler = () => ({status: 200, text: 'Pong'})

/** The components `/health` reports; a test may mark one unhealthy through the handle. */
export const HEALTH_COMPONENTS = [
  'core',
  'database',
  'jobservice',
  'portal',
  'redis',
  'registry',
  'registryctl',
  'trivy',
] as const

/** GET /health: always 200; `status` is unhealthy when any component is. */
export const getHealth: Handler = (ctx) => {
  const unhealthy = ctx.state.unhealthy ?? new Set<string>()
  const components = HEALTH_COMPONENTS.map((name) =>
    unhealthy.has(name) ? {name, status: 'unhealthy', error: `${name} is not reachable`} : {name, status: 'healthy'},
  )
  return ok({status: unhealthy.size > 0 ? 'unhealthy' : 'healthy', components})
}

/** The URL the emulator is reachable at, filled in once it listens. */
export function externalUrl(state: EmulatorState): string {
  return state.externalUrl ?? `http://${state.options.host}:${state.options.port}`
}

/** GET /systeminfo: anonymous callers get the public fields only; `harbor_version` needs a login. */
export const getSystemInfo: Handler = (ctx) => {
  const {config} = ctx.state
  const mode = authMode(ctx.state)
  const info: Record<string, unknown> = {
    auth_mode: mode,
    primary_auth_mode: config.bool('primary_auth_mode'),
    self_registration: config.bool('self_registration'),
    banner_message: config.string('banner_message'),
  }
  if (mode === 'oidc_auth') info.oidc_provider_name = config.string('oidc_name')
  if (mode === 'http_auth') {
    info.authproxy_settings = {
      endpoint: config.string('http_authproxy_endpoint'),
      tokenreivew_endpoint: config.string('http_authproxy_tokenreview_endpoint'),
      skip_search: config.bool('http_authproxy_skip_search'),
      verify_cert: config.bool('http_authproxy_verify_cert'),
      server_certificate: config.string('http_authproxy_server_certificate'),
    }
  }
  if (ctx.caller.kind !== 'anonymous') {
    const url = externalUrl(ctx.state)
    Object.assign(info, {
      harbor_version: ctx.state.options.harborVersion,
      external_url: url,
      registry_url: url.replace(/^https?:\/\//, ''),
      project_creation_restriction: config.string('project_creation_restriction'),
      read_only: config.bool('read_only'),
      has_ca_root: false,
      notification_enable: config.bool('notification_enable'),
      registry_storage_provider_name: 'filesystem',
      current_time: new Date().toISOString(),
    })
  }
  return ok(info)
}

/** GET /permissions: system + project lists for admins, the project list for project admins, 403 otherwise. */
export const getPermissions: Handler = (ctx) => {
  requireAuthenticated(ctx.caller)
  const render = (list: readonly [string, string][]) => list.map(([resource, action]) => ({resource, action}))
  if (isSysAdmin(ctx.caller)) return ok({system: render(SYSTEM_ROBOT_PERMISSIONS), project: render(PROJECT_ROBOT_PERMISSIONS)})
  const {caller} = ctx
  if (caller.kind === 'user') {
    const memberships = ctx.state.store.membersByUser.get(caller.user.id) ?? new Set<number>()
    for (const id of memberships) {
      if (ctx.state.store.members.get(id)?.roleId === 1) return ok({project: render(PROJECT_ROBOT_PERMISSIONS)})
    }
  }
  throw forbidden()
}

/** Whether `auth_mode` may still change: only while no user other than admin exists. */
export function authModeEditable(state: EmulatorState): boolean {
  return state.store.users.size <= 1
}

/** GET /configurations (system admin; robots have no `configuration` permission). */
export const getConfigurations: Handler = (ctx) => {
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'configuration', 'read')
  return ok(ctx.state.config.forGet(authModeEditable(ctx.state)))
}

/** PUT /configurations: flat `{key: value}`, only the keys sent change. */
export const updateConfigurations: Handler = (ctx) => {
  requireSystemAccess(ctx.caller, robotPrefix(ctx.state), 'configuration', 'update')
  ctx.state.config.update((ctx.body ?? {}) as Record<string, unknown>, authModeEditable(ctx.state))
  return empty()
}
