import {type ChildProcess, spawn} from 'node:child_process'
import {mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile} from 'node:fs/promises'
import {hostname, tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {HrepError} from '../../src/model/errors.js'
import {
  acquireLock,
  inspectLock,
  lockInfoPath,
  lockPath,
  parseLockTimeout,
  StateStore,
  type StateLock,
  unlockState,
} from '../../src/state/index.js'
import {repoRoot} from '../helpers/cli.js'

const childScript = fileURLToPath(new URL('./hold-lock.child.ts', import.meta.url))

let dir: string
let statePath: string
const children: ChildProcess[] = []
const locks: StateLock[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hrep-lock-'))
  statePath = join(dir, 'hrep.state.json')
})

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  for (const lock of locks.splice(0)) await lock.release()
  await rm(dir, {recursive: true, force: true})
})

/** A child process holding the lock; resolves once it holds it. */
async function holder(options: {operation?: string; staleMs?: number} = {}) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', childScript, statePath, options.operation ?? 'apply', String(options.staleMs ?? '')],
    {cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit']},
  )
  children.push(child)
  let output = ''
  const waiters: {text: string; resolve: () => void}[] = []
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
    for (const waiter of waiters.filter((w) => output.includes(w.text))) waiter.resolve()
  })
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (output.includes(text)) return resolve()
      waiters.push({text, resolve})
      child.once('exit', () =>
        output.includes(text) ? resolve() : reject(new Error(`child exited before "${text}": ${output}`)),
      )
    })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await waitFor('locked')
  return {child, waitFor, exited, send: (command: string) => child.stdin!.write(`${command}\n`)}
}

async function lockError(promise: Promise<unknown>): Promise<HrepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(HrepError)
  return error as HrepError
}

describe('the state lock', () => {
  it('makes a second run fail at once, naming the holder', async () => {
    const other = await holder({operation: 'apply'})
    const error = await lockError(StateStore.open(statePath, {lock: {operation: 'plan'}}))
    expect(error.code).toBe('state_locked')
    expect(error.message).toContain(
      `the state ${statePath} is locked by "hrep apply" (pid ${other.child.pid} on host ${hostname()}, user ${userInfo().username}, running since `,
    )
    expect(error.message).toContain(`hrep state unlock --state ${statePath}`)
    const info = JSON.parse(await readFile(lockInfoPath(statePath), 'utf8'))
    expect(info).toMatchObject({pid: other.child.pid, operation: 'apply', command: 'hrep apply', host: hostname()})
  })

  it('waits up to --lock-timeout for the holder to finish', async () => {
    const other = await holder()
    const waiting = acquireLock(statePath, {operation: 'plan', timeoutMs: 30_000})
    other.send('release')
    const lock = await waiting
    locks.push(lock)
    expect(lock.info.pid).toBe(process.pid)
    expect(JSON.parse(await readFile(lockInfoPath(statePath), 'utf8')).pid).toBe(process.pid)
  })

  it('says once who holds the lock while it waits, and stops waiting when its signal aborts', async () => {
    const other = await holder()
    const stop = new AbortController()
    const told: string[] = []
    const waiting = lockError(
      acquireLock(statePath, {
        operation: 'sync',
        timeoutMs: 60_000,
        signal: stop.signal,
        onWait: (holder) => {
          told.push(holder)
          stop.abort()
        },
      }),
    )
    const error = await waiting
    expect(told).toHaveLength(1)
    expect(told[0]).toContain(`"hrep apply" (pid ${other.child.pid}`)
    expect(error.code).toBe('state_lock_wait_stopped')
    expect(error.message).toContain('stopped waiting for the state lock')
  })

  it('gives up when the timeout passes and the holder is still there', async () => {
    await holder()
    const error = await lockError(acquireLock(statePath, {operation: 'plan', timeoutMs: 300}))
    expect(error.message).toContain('(still held after waiting 300ms)')
  })

  it('takes over at once from a holder that was SIGKILLed on this host', async () => {
    const other = await holder()
    other.child.kill('SIGKILL')
    await other.exited
    const status = await inspectLock(statePath)
    expect(status).toMatchObject({held: true, holder: 'dead', info: {pid: other.child.pid}})
    const lock = await acquireLock(statePath, {operation: 'apply'})
    locks.push(lock)
    expect(JSON.parse(await readFile(lockInfoPath(statePath), 'utf8')).pid).toBe(process.pid)
  })

  it('is removed when the holder exits or is stopped by a signal without releasing', async () => {
    const exiting = await holder()
    exiting.send('exit')
    await exiting.exited
    expect(await inspectLock(statePath)).toEqual({held: false})
    await expect(stat(lockInfoPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const signalled = await holder()
      signalled.child.kill(signal)
      await signalled.exited
      expect(await inspectLock(statePath)).toEqual({held: false})
    }
  })

  it('releases its directory and info', async () => {
    const lock = await acquireLock(statePath, {operation: 'apply'})
    await lock.release()
    await lock.release()
    await expect(stat(lockPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
    await expect(stat(lockInfoPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
  })

  describe('held by another host', () => {
    async function foreignLock(ageMs: number) {
      await mkdir(lockPath(statePath))
      const info = {
        id: 'x',
        pid: 1,
        host: 'build-7.example',
        user: 'ci',
        operation: 'apply',
        command: 'hrep apply',
        started: new Date(Date.now() - ageMs).toISOString(),
        hrep_version: '0.1.0',
      }
      await writeFile(lockInfoPath(statePath), JSON.stringify(info))
      const then = new Date(Date.now() - ageMs)
      await utimes(lockPath(statePath), then, then)
    }

    it('waits while the foreign holder refreshes it, and unlock refuses without --force', async () => {
      await foreignLock(0)
      expect((await inspectLock(statePath)).held && (await inspectLock(statePath))).toMatchObject({
        holder: 'unknown',
        stale: false,
      })
      const error = await lockError(acquireLock(statePath, {operation: 'plan'}))
      expect(error.message).toContain('pid 1 on host build-7.example, user ci')
      expect(error.message).toContain('goes stale 30s after its last refresh')
      const refused = await lockError(unlockState(statePath))
      expect(refused.code).toBe('state_lock_unverifiable')
      expect(refused.message).toContain('Use --force if you are sure it is gone')
      expect(await unlockState(statePath, {force: true})).toMatchObject({removed: true})
      expect(await inspectLock(statePath)).toEqual({held: false})
    })

    it('takes over a lock nobody refreshed within the stale time', async () => {
      await foreignLock(120_000)
      const lock = await acquireLock(statePath, {operation: 'apply'})
      locks.push(lock)
      expect(JSON.parse(await readFile(lockInfoPath(statePath), 'utf8')).id).toBe(lock.info.id)
    })
  })

  describe('hrep state unlock', () => {
    it('removes the lock of a dead holder', async () => {
      const other = await holder()
      other.child.kill('SIGKILL')
      await other.exited
      const outcome = await unlockState(statePath)
      expect(outcome).toMatchObject({removed: true, status: {info: {pid: other.child.pid}}})
      expect(await inspectLock(statePath)).toEqual({held: false})
      await expect(stat(lockInfoPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
    })

    it('refuses while the holder runs on this host, and with --force the holder learns it lost the lock', async () => {
      const other = await holder({staleMs: 2000})
      const error = await lockError(unlockState(statePath))
      expect(error.code).toBe('state_lock_alive')
      expect(error.message).toContain(`pid ${other.child.pid}`)
      expect(await inspectLock(statePath)).toMatchObject({held: true, holder: 'alive'})
      expect(await unlockState(statePath, {force: true})).toMatchObject({removed: true})
      // The holder checks its lock on every refresh (staleMs/2 here) and reports the loss.
      await other.waitFor('lost')
    })

    it('says so when there is no lock', async () => {
      expect(await unlockState(statePath)).toEqual({removed: false})
    })
  })

  it('stops a store whose lock was lost from writing', async () => {
    const store = await StateStore.open(statePath, {lock: {operation: 'apply', staleMs: 2000}})
    await unlockState(statePath, {force: true})
    const deadline = Date.now() + 10_000
    while (store.lock?.lost === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
    const error = await lockError(
      store.write({...store.state, resources: {'robot.ci': {primary: {id: '1', key: 'ci', attrs: {}}}}}),
    )
    expect(error.code).toBe('state_lock_lost')
    await store.release()
    await expect(stat(statePath)).rejects.toMatchObject({code: 'ENOENT'})
  })
})

describe('parseLockTimeout', () => {
  it.each([
    ['1500', 1500],
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1m30s', 90_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseLockTimeout(text)).toBe(ms)
  })

  it('names a value it cannot read', () => {
    expect(() => parseLockTimeout('soon')).toThrow('invalid lock timeout "soon"')
  })
})
