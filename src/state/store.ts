/**
 * The state file on disk: read once (under the lock, when asked for), written atomically (temp file,
 * fsync, rename with write-file-atomic, then the directory fsynced) with the serial raised only when
 * the resources changed. Before this store's first write the file as it was read is saved to
 * `<state>.backup`, from the text that was read and validated, so a bad write can never replace
 * the backup. A missing file is an empty state with a fresh lineage, written only once something is stored.
 */
import fs from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import {HrepError} from '../model/errors.js'
import {parseState} from './format.js'
import {hrepVersion} from './hrep-version.js'
import {type AcquireLockOptions, acquireLock, type StateLock} from './lock.js'
import {fsyncDirectory} from './durable.js'
import {backupPath} from './paths.js'
import {STATE_FORMAT_VERSION, type State} from './schema.js'
import {StateTextCache} from './state-text.js'
import {deepFreeze, emptyState, jsonEqual} from './state.js'

/** How to open a state: read-only (the default), or under the lock for a run that may write. */
export interface OpenStateOptions {
  /** `true` or the lock's options (`operation` names the run in the holder's message). */
  lock?: boolean | Omit<AcquireLockOptions, 'onLost'>
}

/** What a write did: the serial now on disk, and whether anything changed. */
export interface WriteResult {
  serial: number
  changed: boolean
}

interface DiskIdentity {
  ino: number
  size: number
  mtimeMs: number
}

/** One open state file. Writes are serialised; `state` is always the snapshot last read or written. */
export class StateStore {
  /** Absolute path of the state file. */
  readonly path: string
  private current: State
  private readonly lockHandle: StateLock | undefined
  /** The validated text read at open: what the backup is written from. */
  private readonly originalText: string | undefined
  private identity: DiskIdentity | undefined
  private backupWritten = false
  private queue: Promise<unknown> = Promise.resolve()
  private released = false
  private readonly texts = new StateTextCache()

  private constructor(
    path: string,
    state: State,
    text: string | undefined,
    identity: DiskIdentity | undefined,
    lock?: StateLock,
  ) {
    this.path = path
    this.current = deepFreeze(state)
    this.originalText = text
    this.identity = identity
    this.lockHandle = lock
  }

  /**
   * Opens the state at `path`: takes the lock first when `options.lock` is set (failing fast, or
   * waiting up to its `timeoutMs`, with a message naming the holder), then reads and validates the
   * file. Throws an HrepError for a locked, unreadable, corrupt or newer-format file.
   */
  static async open(path: string, options: OpenStateOptions = {}): Promise<StateStore> {
    const absolute = resolve(path)
    const lockOptions = options.lock === true ? {operation: 'state'} : options.lock || undefined
    const lock = lockOptions === undefined ? undefined : await acquireLock(absolute, lockOptions)
    try {
      const read = await readStateFile(absolute)
      return new StateStore(absolute, read.state, read.text, read.identity, lock)
    } catch (error) {
      await lock?.release().catch(() => {})
      throw error
    }
  }

  /** The current snapshot (deeply frozen): what was read, or what the last write stored. */
  get state(): State {
    return this.current
  }

  /** Whether a state file exists on disk (read at open, or written since). */
  get exists(): boolean {
    return this.identity !== undefined
  }

  /** The held lock, when the store was opened with one. */
  get lock(): StateLock | undefined {
    return this.lockHandle
  }

  /**
   * Stores `next` (same lineage; its serial is ignored): a no-op when its resources equal the current
   * ones, otherwise written with serial + 1, after which `next`'s resources are deep-frozen and are
   * the new snapshot (build it with the pure helpers of state.ts, which share unchanged parts). Refuses when the store holds no lock, the lock was lost,
   * the lineage differs, the content is not valid state, or the file changed on disk since it was read.
   * On any failure nothing is written and the previous file and backup are intact.
   */
  write(next: State): Promise<WriteResult> {
    const result = this.queue.then(() => this.writeNow(next))
    this.queue = result.catch(() => {})
    return result
  }

  private async writeNow(next: State): Promise<WriteResult> {
    if (this.released) throw new HrepError('state_read_only', `the state ${this.path} was already released; it cannot be written`)
    if (this.lockHandle === undefined) {
      throw new HrepError('state_read_only', `the state ${this.path} was opened without the lock, so it cannot be written`)
    }
    if (this.lockHandle.lost !== undefined) throw this.lockHandle.lost
    const current = this.current
    if (next.lineage !== current.lineage) {
      throw new HrepError(
        'state_lineage_mismatch',
        `refusing to write ${this.path}: the new state has lineage ${next.lineage}, the file has ${current.lineage}`,
      )
    }
    if (jsonEqual(next.resources, current.resources)) return {serial: current.serial, changed: false}

    const candidate: State = {
      version: STATE_FORMAT_VERSION,
      lineage: current.lineage,
      serial: current.serial + 1,
      hrep_version: hrepVersion(),
      resources: next.resources,
    }
    // Validates exactly the bytes about to be written, the way the next run will read them, reusing
    // the checked text of every address this run's earlier writes left unchanged.
    const {bytes, fresh} = this.texts.build(candidate, this.path)
    await this.checkUnchangedOnDisk()
    if (!this.backupWritten && this.originalText !== undefined) {
      await writeFileAtomic(backupPath(this.path), this.originalText, {fsync: true}).catch((error: Error) => {
        throw new HrepError('state_write_failed', `cannot write the backup ${backupPath(this.path)}: ${error.message}`)
      })
      this.backupWritten = true
    }
    await writeFileAtomic(this.path, bytes, {fsync: true}).catch((error: Error) => {
      throw new HrepError('state_write_failed', `cannot write the state ${this.path}: ${error.message}`)
    })
    await fsyncDirectory(dirname(this.path))
    this.identity = await identityOf(this.path)
    this.current = deepFreeze(candidate)
    this.texts.remember(fresh)
    return {serial: candidate.serial, changed: true}
  }

  private async checkUnchangedOnDisk(): Promise<void> {
    const now = await identityOf(this.path)
    const before = this.identity
    const same =
      now === undefined
        ? before === undefined
        : before !== undefined && now.ino === before.ino && now.size === before.size && now.mtimeMs === before.mtimeMs
    if (!same) {
      throw new HrepError(
        'state_changed_on_disk',
        `refusing to write ${this.path}: the file was ${now === undefined ? 'deleted' : 'changed'} by something else while hrep held the lock. ` +
          'Nothing was overwritten; what this run did is kept in the journal next to the state, which the next run recovers.',
      )
    }
  }

  /** Waits for pending writes, then releases the lock (if any). Safe to call more than once. */
  async release(): Promise<void> {
    if (this.released) return
    this.released = true
    await this.queue
    await this.lockHandle?.release()
  }
}

/** Reads the state at `path` without locking: an empty state when the file does not exist. */
export async function readState(path: string): Promise<State> {
  return (await readStateFile(resolve(path))).state
}

async function readStateFile(path: string): Promise<{state: State; text?: string; identity?: DiskIdentity}> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {state: emptyState()}
    throw new HrepError('state_unreadable', `cannot read the state file ${path}: ${(error as Error).message}`)
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new HrepError('state_unreadable', `the state path ${path} is not a file`)
    const text = await handle.readFile('utf8')
    return {state: parseState(text, path), text, identity: {ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs}}
  } catch (error) {
    if (error instanceof HrepError) throw error
    throw new HrepError('state_unreadable', `cannot read the state file ${path}: ${(error as Error).message}`)
  } finally {
    await handle.close()
  }
}

async function identityOf(path: string): Promise<DiskIdentity | undefined> {
  try {
    const stat = await fs.stat(path)
    return {ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs}
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new HrepError('state_unreadable', `cannot stat the state file ${path}: ${(error as Error).message}`)
  }
}
