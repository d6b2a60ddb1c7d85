/**
 * Authentication as Harbor's security middleware does it: Basic credentials are tried as a robot (name
 * starting with the instance's prefix, matching secret, enabled, not expired), then as a local user;
 * failure never rejects the request, it continues as anonymous. A failed password check locks the
 * username for `loginLockMs` and holds the failing request that long (`authenticator.go: Login`); while
 * locked even the right password yields anonymous. In OIDC mode only `admin` can use a password.
 */
import {authMode, type EmulatorState, robotPrefix} from './context.js'
import {ANONYMOUS, type Caller} from './rbac.js'

/** Usernames locked after a failed login, until a time (ms since epoch). */
export class LoginLock {
  private readonly until = new Map<string, number>()

  isLocked(name: string): boolean {
    const until = this.until.get(name)
    if (until === undefined) return false
    if (until > Date.now()) return true
    this.until.delete(name)
    return false
  }

  lock(name: string, ms: number): void {
    this.until.set(name, Date.now() + ms)
  }
}

/** Splits a Basic `Authorization` header; undefined when absent or not Basic. */
export function parseBasic(header: string | undefined): {username: string; password: string} | undefined {
  if (!header || !/^basic /i.test(header)) return undefined
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return {username: decoded.slice(0, colon), password: decoded.slice(colon + 1)}
}

/** The caller of a request, and how long to hold the answer (a failed password check). */
export interface Authentication {
  caller: Caller
  delayMs: number
}

/** Resolves the caller from the `Authorization` header. */
export function authenticate(state: EmulatorState, lock: LoginLock, header: string | undefined): Authentication {
  const credentials = parseBasic(header)
  if (!credentials) return {caller: ANONYMOUS, delayMs: 0}
  const {username, password} = credentials
  const prefix = robotPrefix(state)
  if (username.startsWith(prefix)) {
    const robotId = state.store.robotByName.get(username.slice(prefix.length))
    const robot = robotId === undefined ? undefined : state.store.robots.get(robotId)
    if (robot && robot.secret === password) {
      const expired = robot.expiresAt !== -1 && robot.expiresAt * 1000 < Date.now()
      // Disabled or expired robots are anonymous, without the password fallback.
      if (robot.disabled || expired) return {caller: ANONYMOUS, delayMs: 0}
      return {caller: {kind: 'robot', robot}, delayMs: 0}
    }
  }
  const user = state.store.userByUsername(username)
  // In OIDC mode the password authenticator is not supported; only the local admin (id 1) is checked.
  if (authMode(state) === 'oidc_auth' && user?.id !== 1) return {caller: ANONYMOUS, delayMs: 0}
  if (lock.isLocked(username)) return {caller: ANONYMOUS, delayMs: 0}
  if (user && user.password === password) return {caller: {kind: 'user', user}, delayMs: 0}
  const ms = state.options.loginLockMs
  if (ms > 0) lock.lock(username, ms)
  return {caller: ANONYMOUS, delayMs: ms}
}
