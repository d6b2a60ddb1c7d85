/**
 * What the client learns about an instance before anything else (NOTES §1.1, §13, §14): whether the
 * credentials work (`GET /users/current`: 401 for bad ones, 412 for a robot account), the version
 * (`/systeminfo` `harbor_version`, missing for anonymous callers; below 2.3 is refused), and the robot
 * name prefix (`/configurations`, readable by system admins only).
 */
import type {EndpointConfig} from '../config/model.js'
import {formatRange, HrepError} from '../model/errors.js'
import {HarborError, isHarborError} from '../reliability/errors.js'
import type {HarborClient, ServerInfo} from './types.js'

/** Oldest Harbor hrep works with: from 2.3 every API it uses is served by the v2.0 handlers (NOTES §0). */
export const MINIMUM_HARBOR = {major: 2, minor: 3} as const

/** Harbor's robot name prefix unless the instance says otherwise. */
export const DEFAULT_ROBOT_PREFIX = 'robot$'

/** `v2.15.2-abcdef12` → {2, 15, 2}; undefined when the text holds no version. */
export function parseHarborVersion(text: string): ServerInfo['version'] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim())
  if (match === null) return undefined
  return {major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0)}
}

interface CurrentUser {
  username?: string
  sysadmin_flag?: boolean
}

interface SystemInfo {
  harbor_version?: string
  auth_mode?: string
  read_only?: boolean
}

type Configurations = Record<string, {value?: unknown} | undefined>

export async function discoverServerInfo(
  client: Pick<HarborClient, 'request' | 'url'>,
  config: EndpointConfig,
  warn: (message: string) => void,
  signal?: AbortSignal,
): Promise<ServerInfo> {
  const name = config.name
  const where = config.range ? ` (${formatRange(config.range)})` : ''
  let username = config.username
  let sysadmin = false
  let robot = false
  try {
    const current = await client.request<CurrentUser>({method: 'GET', path: '/users/current', signal})
    username = current.body?.username ?? username
    sysadmin = current.body?.sysadmin_flag === true
  } catch (error) {
    if (!isHarborError(error)) throw error
    if (error.status === 401) {
      throw new HarborError({
        errorClass: 'auth',
        endpoint: name,
        method: 'GET',
        path: '/users/current',
        status: 401,
        requestId: error.requestId,
        summary: `credentials rejected by endpoint ${name} (${client.url}) for user ${JSON.stringify(config.username)}`,
        hint: `check username and password of endpoint "${name}"${where}`,
      })
    }
    // Robot accounts are not users: Harbor answers 412 PRECONDITION for them.
    if (error.status !== 412) throw error
    robot = true
  }

  const system = await client.request<SystemInfo>({method: 'GET', path: '/systeminfo', signal})
  const harborVersion = system.body?.harbor_version
  if (typeof harborVersion !== 'string' || harborVersion === '') {
    // Anonymous callers get /systeminfo without the version (NOTES §14): the credentials did not log in.
    throw new HarborError({
      errorClass: 'auth',
      endpoint: name,
      method: 'GET',
      path: '/systeminfo',
      status: system.status,
      summary: `credentials rejected by endpoint ${name} (${client.url}): Harbor treated user ${JSON.stringify(config.username)} as anonymous`,
      hint: `check username and password of endpoint "${name}"${where}`,
    })
  }
  const version = parseHarborVersion(harborVersion)
  if (version === undefined) {
    throw new HrepError(
      'harbor_version_unknown',
      `endpoint ${name} (${client.url}) reports Harbor version ${JSON.stringify(harborVersion)}, which hrep cannot read`,
    )
  }
  if (version.major < MINIMUM_HARBOR.major || (version.major === MINIMUM_HARBOR.major && version.minor < MINIMUM_HARBOR.minor)) {
    throw new HrepError(
      'harbor_unsupported',
      `endpoint ${name} (${client.url}) runs Harbor ${harborVersion}; hrep needs Harbor ${MINIMUM_HARBOR.major}.${MINIMUM_HARBOR.minor} or newer`,
    )
  }
  return {
    harborVersion,
    version,
    authMode: system.body?.auth_mode ?? 'unknown',
    robotNamePrefix: config.robotPrefix ?? (await robotPrefixOf(client, name, robot, warn, signal)),
    username,
    sysadmin,
    robot,
    readOnly: system.body?.read_only === true,
  }
}

async function robotPrefixOf(
  client: Pick<HarborClient, 'request'>,
  name: string,
  robot: boolean,
  warn: (message: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const fallback = (why: string) => {
    warn(
      `endpoint ${name}: ${why}, so hrep assumes the robot name prefix ${JSON.stringify(DEFAULT_ROBOT_PREFIX)}; set robot_prefix in the endpoint block if the instance uses another`,
    )
    return DEFAULT_ROBOT_PREFIX
  }
  // Robot accounts have no permission on /configurations (NOTES §1.1): do not even ask.
  if (robot) return fallback('a robot account cannot read /configurations')
  try {
    const configurations = await client.request<Configurations>({method: 'GET', path: '/configurations', signal})
    const value = configurations.body?.robot_name_prefix?.value
    if (typeof value === 'string' && value.trim() !== '') return value
    return fallback('/configurations has no robot_name_prefix')
  } catch (error) {
    if (isHarborError(error) && (error.errorClass === 'auth' || error.status === 412)) {
      return fallback(`user cannot read /configurations (${error.status})`)
    }
    throw error
  }
}
