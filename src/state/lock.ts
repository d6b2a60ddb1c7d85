/**
 * The state lock: one plan, apply or `state rm` at a time per state file. proper-lockfile holds a
 * directory `<state>.lock` and keeps its mtime fresh while the holder lives (it goes stale after
 * `staleMs` without a refresh, e.g. a SIGKILLed holder on another machine); the holder writes who it
 * is to `<state>.lock.info`, so a second run fails at once naming the holder, and a holder that died
 * on this host (its pid is gone) is detected and its lock broken immediately.
 */
import {randomUUID} from 'node:crypto'
import {readFileSync, readlinkSync, rmSync, unlinkSync} from 'node:fs'
import fs from 'node:fs/promises'
import {hostname, userInfo} from 'node:os'
import {dirname} from 'node:path'
import lockfile from 'proper-lockfile'
import writeFileAtomic from 'write-file-atomic'
import {z} from 'zod'
import {parseDuration} from '../config/duration.js'
import {HrepError} from '../model/errors.js'
import {hrepVersion} from './hrep-version.js'
import {lockInfoPath, lockPath} from './paths.js'

/** A live holder refreshes the lock every staleMs/2; after staleMs without a refresh it is stale. */
export const DEFAULT_LOCK_STALE_MS = 30_000

/** What the holder of a lock writes about itself. No argv: flags may carry secrets (`--var`). */
export interface LockInfo {
  /** Random id of this acquisition, so a holder only ever removes its own info. */
  id: string
  pid: number
  host: string
  /** The Linux pid namespace (`pid:[4026531836]`): a pid is judged only on the same host and namespace. */
  pid_ns?: string
  user: string
  /** `plan`, `apply`, `state rm`, ... */
  operation: string
  /** `hrep apply`: what to look for in `ps`. */
  command: string
  /** ISO time the lock was taken. */
  started: string
  hrep_version: string
}

const lockInfoSchema = z.object({
  id: z.string(),
  pid: z.number().int().positive(),
  host: z.string(),
  pid_ns: z.string().optional(),
  user: z.string(),
  operation: z.string(),
  command: z.string(),
  started: z.string(),
  hrep_version: z.string(),
})

/** Whether the holder of a lock is running: judged only for a holder on this host and pid namespace. */
export type HolderState = 'alive' | 'dead' | 'unknown'

/** What `inspectLock` finds. */
export type LockStatus =
  | {held: false}
  | {
      held: true
      /** Undefined when the holder wrote none yet or it is unreadable. */
      info?: LockInfo
      /** Since the holder last refreshed the lock. */
      ageMs: number
      /** `ageMs` is beyond the stale threshold: no live holder has refreshed it. */
      stale: boolean
      holder: HolderState
      /** Identity of the lock directory that was inspected (inode, mtime), so a break removes only that one. */
      dir: {ino: number; mtimeMs: number}
    }

export interface AcquireLockOptions {
  /** What the holder is doing: `plan`, `apply`, `state rm`. */
  operation: string
  /** Wait up to this long for a held lock (default 0: fail at once). */
  timeoutMs?: number
  staleMs?: number
  signal?: AbortSignal
  /** Called once when the lock is held by another process and this call waits for it: who holds it. */
  onWait?: (holder: string) => void
  /** Called once if the lock is lost while held (removed by `state unlock --force`, or not refreshed in time). */
  onLost?: (error: HrepError) => void
}

/** A held lock. */
export interface StateLock {
  readonly statePath: string
  readonly info: LockInfo
  /** Set once the lock was lost: whoever holds it must stop writing the state. */
  readonly lost: HrepError | undefined
  /** Removes the lock and its info; safe to call more than once. */
  release(): Promise<void>
}

let ownPidNamespace: string | null | undefined

function pidNamespace(): string | undefined {
  if (ownPidNamespace === undefined) {
    try {
      ownPidNamespace = readlinkSync('/proc/self/ns/pid')
    } catch {
      ownPidNamespace = null
    }
  }
  return ownPidNamespace ?? undefined
}

function currentUser(): string {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? 'unknown'
  }
}

/** Whether the process that wrote `info` is running, as far as this process can tell. */
export function holderState(info: LockInfo | undefined): HolderState {
  if (info === undefined || info.host !== hostname()) return 'unknown'
  const ours = pidNamespace()
  if (info.pid_ns !== undefined && ours !== undefined && info.pid_ns !== ours) return 'unknown'
  if (info.pid === process.pid) return 'alive'
  try {
    process.kill(info.pid, 0)
    // A killed process its parent has not reaped yet (a zombie) still answers signal 0.
    return isZombie(info.pid) ? 'dead' : 'alive'
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'alive'
  }
}

/** Whether `pid` has exited and waits to be reaped (Linux /proc; false wherever that cannot be read). */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The state follows the command name, which is in parentheses and may itself hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return false
  }
}

async function readLockInfo(statePath: string): Promise<LockInfo | undefined> {
  try {
    const parsed = lockInfoSchema.safeParse(JSON.parse(await fs.readFile(lockInfoPath(statePath), 'utf8')))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/** Looks at the lock of `statePath` without touching it. */
export async function inspectLock(statePath: string, options: {staleMs?: number} = {}): Promise<LockStatus> {
  let stat: import('node:fs').Stats
  try {
    // The directory first, then the info: info read later is never older than the directory seen.
    stat = await fs.stat(lockPath(statePath))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {held: false}
    throw new HrepError('state_lock_failed', `cannot read the lock ${lockPath(statePath)}: ${(error as Error).message}`)
  }
  const info = await readLockInfo(statePath)
  const ageMs = Math.max(0, Date.now() - stat.mtimeMs)
  return {
    held: true,
    info,
    ageMs,
    stale: ageMs > (options.staleMs ?? DEFAULT_LOCK_STALE_MS),
    holder: holderState(info),
    dir: {ino: stat.ino, mtimeMs: stat.mtimeMs},
  }
}

/**
 * Takes the lock of `statePath` (creating the state's directory if needed). A lock held by a live
 * process fails at once with an HrepError (`state_locked`) naming the holder, or after waiting up to
 * `timeoutMs`; a lock whose holder died on this host, or that went stale, is taken over.
 */
export async function acquireLock(statePath: string, options: AcquireLockOptions): Promise<StateLock> {
  const staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS
  const timeoutMs = options.timeoutMs ?? 0
  const deadline = Date.now() + timeoutMs
  await fs.mkdir(dirname(statePath), {recursive: true})
  let lost: HrepError | undefined
  const onCompromised = (error: Error) => {
    lost ??= new HrepError(
      'state_lock_lost',
      `the lock on ${statePath} was lost while held (${error.message}); another process may have taken it, so hrep stopped writing the state`,
    )
    options.onLost?.(lost)
  }
  let unlock: () => Promise<void>
  let delayMs = 50
  let breaks = 0
  let waitReported = false
  for (;;) {
    try {
      unlock = await lockfile.lock(statePath, {stale: staleMs, realpath: false, retries: 0, onCompromised})
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new HrepError('state_lock_failed', `cannot lock ${statePath}: ${(error as Error).message}`)
      }
    }
    const status = await inspectLock(statePath, {staleMs})
    if (!status.held) continue
    if (status.holder === 'dead' && breaks < 5) {
      breaks++
      await breakLock(statePath, status)
      continue
    }
    const remaining = deadline - Date.now()
    if (options.signal?.aborted) {
      throw new HrepError(
        'state_lock_wait_stopped',
        `stopped waiting for the state lock of ${statePath}, held by ${describeHolder(status)}`,
      )
    }
    if (remaining <= 0) throw lockedError(statePath, status, timeoutMs, staleMs)
    if (!waitReported) options.onWait?.(describeHolder(status))
    waitReported = true
    await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, remaining)))
    delayMs = Math.min(delayMs * 2, 1000)
  }

  const info: LockInfo = {
    id: randomUUID(),
    pid: process.pid,
    host: hostname(),
    pid_ns: pidNamespace(),
    user: currentUser(),
    operation: options.operation,
    command: `hrep ${options.operation}`,
    started: new Date().toISOString(),
    hrep_version: hrepVersion(),
  }
  const infoPath = lockInfoPath(statePath)
  // At exit remove our info, and the lock directory with it: proper-lockfile's own exit hook misses
  // the directory when the process exits from a signal handler in the middle of a release.
  const removeInfoAtExit = () => {
    if (removeOwnInfoSync(infoPath, info.id)) rmSync(lockPath(statePath), {recursive: true, force: true})
  }
  try {
    await writeFileAtomic(infoPath, `${JSON.stringify(info, null, 2)}\n`, {fsync: true, mode: 0o644})
  } catch (error) {
    await unlock().catch(() => {})
    throw new HrepError('state_lock_failed', `cannot write the lock info ${infoPath}: ${(error as Error).message}`)
  }
  process.once('exit', removeInfoAtExit)
  let released = false
  return {
    statePath,
    info,
    get lost() {
      return lost
    },
    async release() {
      if (released) return
      released = true
      process.removeListener('exit', removeInfoAtExit)
      try {
        await unlock()
      } catch (error) {
        // A lost lock is already gone; anything else means the directory could not be removed.
        const code = (error as NodeJS.ErrnoException).code
        if (code !== 'ERELEASED' && code !== 'ENOTACQUIRED' && code !== 'ENOENT') {
          throw new HrepError('state_lock_failed', `cannot release the lock ${lockPath(statePath)}: ${(error as Error).message}`)
        }
      }
      removeOwnInfoSync(infoPath, info.id)
    },
  }
}

/** Removes the info file when it is still ours; true when it was (so the lock is still ours too). */
function removeOwnInfoSync(infoPath: string, id: string): boolean {
  try {
    const current = JSON.parse(readFileSync(infoPath, 'utf8')) as {id?: unknown}
    if (current.id !== id) return false
    unlinkSync(infoPath)
    return true
  } catch {
    // Gone already, or replaced by the next holder: nothing of ours to remove.
    return false
  }
}

/**
 * Removes the lock directory that `status` inspected, and only that one: it is renamed away first
 * and its identity (inode and mtime) compared, so a lock taken afresh meanwhile is put back.
 */
async function breakLock(statePath: string, status: Extract<LockStatus, {held: true}>): Promise<void> {
  const dir = lockPath(statePath)
  const aside = `${dir}.broken-${randomUUID().slice(0, 8)}`
  try {
    await fs.rename(dir, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw new HrepError('state_lock_failed', `cannot remove the lock ${dir}: ${(error as Error).message}`)
  }
  const moved = await fs.stat(aside)
  if (moved.ino !== status.dir.ino || moved.mtimeMs !== status.dir.mtimeMs) {
    await fs.rename(aside, dir).catch(() => fs.rmdir(aside).catch(() => {}))
    return
  }
  await fs.rmdir(aside).catch(() => {})
  if (status.info !== undefined) removeOwnInfoSync(lockInfoPath(statePath), status.info.id)
}

/** `4m12s`, `3s`, `850ms`: an age for messages. */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  const seconds = Math.floor(ms / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ''}`
  const hours = Math.floor(minutes / 60)
  return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`
}

/** `"hrep apply" (pid 4242 on host ci-1, user alice, running since 2025-01-02T03:04:05.000Z, 2m13s ago)` */
export function describeHolder(status: Extract<LockStatus, {held: true}>): string {
  const info = status.info
  if (info === undefined) {
    return `a process that left no lock information (the lock was last refreshed ${formatAge(status.ageMs)} ago)`
  }
  const since = Date.now() - Date.parse(info.started)
  const age = Number.isFinite(since) ? `, ${formatAge(Math.max(0, since))} ago` : ''
  return `"${info.command}" (pid ${info.pid} on host ${info.host}, user ${info.user}, running since ${info.started}${age})`
}

function lockedError(
  statePath: string,
  status: Extract<LockStatus, {held: true}>,
  timeoutMs: number,
  staleMs: number,
): HrepError {
  const waited = timeoutMs > 0 ? ` (still held after waiting ${formatAge(timeoutMs)})` : ''
  const advice =
    status.holder === 'unknown' && status.info !== undefined
      ? `If that process is gone, the lock goes stale ${formatAge(staleMs)} after its last refresh, or run: hrep state unlock --state ${statePath}`
      : `If that process is gone, run: hrep state unlock --state ${statePath}`
  return new HrepError(
    'state_locked',
    `the state ${statePath} is locked by ${describeHolder(status)}${waited}.\n` +
      `Wait for it to finish, or pass --lock-timeout (e.g. --lock-timeout 5m) to wait for it. ${advice}`,
  )
}

/** What `unlockState` did. */
export type UnlockOutcome = {removed: false} | {removed: true; status: Extract<LockStatus, {held: true}>}

/**
 * `hrep state unlock`: removes a lock whose holder is gone. Refuses (HrepError) when the holder is
 * alive on this host, or cannot be checked (another host, no info) and still refreshes the lock,
 * unless `force`.
 */
export async function unlockState(statePath: string, options: {force?: boolean; staleMs?: number} = {}): Promise<UnlockOutcome> {
  const status = await inspectLock(statePath, options)
  if (!status.held) return {removed: false}
  if (!options.force) {
    if (status.holder === 'alive') {
      throw new HrepError(
        'state_lock_alive',
        `the lock on ${statePath} is held by ${describeHolder(status)}, which is still running on this host. ` +
          `Let it finish or stop it; use --force only if you are sure it no longer touches this state.`,
      )
    }
    if (status.holder === 'unknown' && !status.stale) {
      const where = status.info === undefined ? 'an unknown process' : `host ${status.info.host}`
      throw new HrepError(
        'state_lock_unverifiable',
        `the lock on ${statePath} is held by ${describeHolder(status)}. hrep cannot check a process on ${where} from here, and the ` +
          `lock was refreshed ${formatAge(status.ageMs)} ago, so it is probably running. Use --force if you are sure it is gone.`,
      )
    }
  }
  await breakLock(statePath, status)
  return {removed: true, status}
}

/**
 * Parses a `--lock-timeout` value: a number of milliseconds (`1500`) or a duration (`500ms`, `30s`,
 * `5m`, `1h`, `1m30s`). Throws an HrepError naming the value otherwise.
 */
export function parseLockTimeout(text: string): number {
  const trimmed = text.trim()
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : parseDuration(trimmed)
  if (ms === undefined) {
    throw new HrepError(
      'flag_invalid',
      `invalid lock timeout "${text}": expected milliseconds or a duration such as 500ms, 30s, 5m`,
    )
  }
  return ms
}
