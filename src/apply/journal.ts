/**
 * The apply journal's storage: `<state>.journal`, one JSON object per line, appended and fsynced
 * before `append` resolves, so a killed apply leaves a record of every action it started (`intent`)
 * and finished (`done`, `failed`, `compensated`). Appends that arrive together share one write and
 * one fsync. `readJournal` tolerates a torn last line and lists the changes in doubt; `compact` folds
 * finished entries into a State (pure), after which the journal is truncated or removed.
 * Never a secret: robot secrets appear only as `secret_fp`, and anything that is not plain JSON
 * (a `Secret` object included) is refused.
 */
import fs from 'node:fs/promises'
import {dirname} from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import {z} from 'zod'
import {ACTIONS, type Action, type Attrs, KIND_NAMES, type KindName} from '../model/change.js'
import {HrepError} from '../model/errors.js'
import {ERROR_CLASSES, type ErrorClass} from '../model/events.js'
import {FINGERPRINT_PATTERN} from '../state/fingerprint.js'
import {canonicalJson, describeIssues} from '../state/json-text.js'
import {journalPath} from '../state/paths.js'
import type {State, StateEntry} from '../state/schema.js'
import {applyEdits, getResource, type StateEdit} from '../state/state.js'
import {fsyncDirectory} from '../state/durable.js'

/** How a run ended. */
export const RUN_STATUSES = ['complete', 'failed', 'interrupted', 'rolled_back'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** A run started: which plan, against which state. */
export interface BeginEntry {
  type: 'begin'
  /** Random id of this run. */
  run: string
  /** The saved plan's id, when applying one. */
  plan?: string
  /** `apply`, `sync`, `import`, ... */
  operation: string
  lineage: string
  serial: number
  started: string
  hrep_version: string
}

/** About to act on one object: enough to find it again on the endpoint if the outcome is lost. */
export interface IntentEntry {
  type: 'intent'
  /** The Change id (`robot.ci@dr`). */
  change: string
  address: string
  endpoint: string
  kind: KindName
  key: string
  action: Action
  importing?: boolean
  /** Harbor's id of the live object, for update/replace/delete. */
  live_id?: string
  /** The desired attributes (absent for delete). */
  attrs?: Attrs
}

/** The action succeeded. */
export interface DoneEntry {
  type: 'done'
  change: string
  /** Harbor's id of the object now (absent after a delete; the intent's `live_id` otherwise). */
  id?: string
  /** The attributes the object has now (the intent's `attrs` when absent). */
  attrs?: Attrs
  /** Fingerprint of the secret set on the object, when one was set. */
  secret_fp?: string
  /** The object exists but its secret could not be set (see StateEntry.secret_pending). */
  secret_pending?: true
}

/** The action failed; the object is as it was, as far as hrep knows. */
export interface FailedEntry {
  type: 'failed'
  change: string
  error_class: ErrorClass
  message: string
}

/**
 * A rollback step for a change that was done. Self-contained (address, endpoint, key) because the
 * change's intent may have been compacted away by then. `removed` when the object no longer exists
 * (a create undone); otherwise `id`/`attrs` describe the object after the compensation.
 */
export interface CompensatedEntry {
  type: 'compensated'
  change: string
  address: string
  endpoint: string
  key: string
  outcome: 'done' | 'failed' | 'impossible'
  removed?: boolean
  id?: string
  attrs?: Attrs
  secret_fp?: string
  message?: string
}

/** The run finished (in any way). */
export interface EndEntry {
  type: 'end'
  run: string
  status: RunStatus
}

/** What callers append; `at` (ISO time) is added by the journal. */
export type JournalEntryInput = BeginEntry | IntentEntry | DoneEntry | FailedEntry | CompensatedEntry | EndEntry

/** One journal line. */
export type JournalEntry = JournalEntryInput & {at: string}

const attrs = z.record(z.string(), z.unknown())
const fingerprint = z.string().regex(FINGERPRINT_PATTERN)
const at = z.string()

/** The schema of one line. */
export const journalEntrySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('begin'),
    at,
    run: z.string().min(1),
    plan: z.string().optional(),
    operation: z.string(),
    lineage: z.string().min(1),
    serial: z.number().int().nonnegative(),
    started: z.string(),
    hrep_version: z.string(),
  }),
  z.strictObject({
    type: z.literal('intent'),
    at,
    change: z.string().min(1),
    address: z.string().min(1),
    endpoint: z.string().min(1),
    kind: z.enum(KIND_NAMES),
    key: z.string().min(1),
    action: z.enum(ACTIONS),
    importing: z.boolean().optional(),
    live_id: z.string().optional(),
    attrs: attrs.optional(),
  }),
  z.strictObject({
    type: z.literal('done'),
    at,
    change: z.string().min(1),
    id: z.string().min(1).optional(),
    attrs: attrs.optional(),
    secret_fp: fingerprint.optional(),
    secret_pending: z.literal(true).optional(),
  }),
  z.strictObject({
    type: z.literal('failed'),
    at,
    change: z.string().min(1),
    error_class: z.enum(ERROR_CLASSES),
    message: z.string(),
  }),
  z.strictObject({
    type: z.literal('compensated'),
    at,
    change: z.string().min(1),
    address: z.string().min(1),
    endpoint: z.string().min(1),
    key: z.string().min(1),
    outcome: z.enum(['done', 'failed', 'impossible']),
    removed: z.boolean().optional(),
    id: z.string().min(1).optional(),
    attrs: attrs.optional(),
    secret_fp: fingerprint.optional(),
    message: z.string().optional(),
  }),
  z.strictObject({type: z.literal('end'), at, run: z.string().min(1), status: z.enum(RUN_STATUSES)}),
])

const INTENT_KEYS = new Set([
  'type',
  'at',
  'change',
  'address',
  'endpoint',
  'kind',
  'key',
  'action',
  'importing',
  'live_id',
  'attrs',
])
const DONE_KEYS = new Set(['type', 'at', 'change', 'id', 'attrs', 'secret_fp', 'secret_pending'])

const filled = (value: unknown): value is string => typeof value === 'string' && value.length > 0
const absentOr = (value: unknown, check: (value: unknown) => boolean) => value === undefined || check(value)
const isAttrs = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * True when an `intent` or `done` entry (the two every change writes) certainly passes
 * `journalEntrySchema` as the JSON it is written as (undefined fields dropped); false when it may not,
 * and for the other types. Spares a parse of every line written; the test compares it with the schema.
 */
export function quickEntryCheck(entry: JournalEntry): boolean {
  const record = entry as unknown as Record<string, unknown>
  if (typeof record.at !== 'string' || !filled(record.change)) return false
  if (entry.type === 'intent') {
    for (const key in record) if (record[key] !== undefined && !INTENT_KEYS.has(key)) return false
    return (
      filled(record.address) &&
      filled(record.endpoint) &&
      filled(record.key) &&
      (KIND_NAMES as readonly unknown[]).includes(record.kind) &&
      (ACTIONS as readonly unknown[]).includes(record.action) &&
      absentOr(record.importing, (value) => typeof value === 'boolean') &&
      absentOr(record.live_id, (value) => typeof value === 'string') &&
      absentOr(record.attrs, isAttrs)
    )
  }
  if (entry.type === 'done') {
    for (const key in record) if (record[key] !== undefined && !DONE_KEYS.has(key)) return false
    return (
      absentOr(record.id, filled) &&
      absentOr(record.attrs, isAttrs) &&
      absentOr(record.secret_fp, (value) => typeof value === 'string' && FINGERPRINT_PATTERN.test(value)) &&
      absentOr(record.secret_pending, (value) => value === true)
    )
  }
  return false
}

/** An open journal. */
export interface Journal {
  readonly path: string
  /**
   * Writes one entry and resolves once it is on disk (written and fsynced). Entries appended while a
   * write is in flight, or in the same tick, go out together in the next single write + fsync.
   * Rejects when the entry is invalid or the file cannot be written (and every later append too).
   */
  append(entry: JournalEntryInput): Promise<void>
  /**
   * A snapshot of the entries on disk, in order: those of an existing journal opened with
   * `existing: 'continue'`, then appended ones. Later appends do not change a snapshot already taken,
   * so its length is what to pass to `truncate` after folding it into the state.
   */
  entries(): readonly JournalEntry[]
  /**
   * Drops what the caller has folded into the state and written: the first `folded` of `entries()`.
   * The file is rewritten atomically keeping the `begin` entries, the intents among them that have
   * no outcome yet (still in flight), and every later entry. Appends wait meanwhile.
   */
  truncate(folded: number): Promise<void>
  /** Flushes pending appends and closes the file (the journal stays on disk). */
  close(): Promise<void>
  /** Closes and deletes the journal: call once its entries are compacted into a written state. */
  remove(): Promise<void>
}

/** What `openJournal` does when a journal already exists: refuse (default), or continue it. */
export interface OpenJournalOptions {
  existing?: 'refuse' | 'continue'
}

/**
 * Opens `<statePath>.journal` for appending (creating it). An existing non-empty journal is an
 * unfinished run: by default this refuses (HrepError `journal_pending`) so it is recovered first;
 * with `existing: 'continue'` its entries are kept (a torn last line is cut off first).
 */
export async function openJournal(statePath: string, options: OpenJournalOptions = {}): Promise<Journal> {
  const path = journalPath(statePath)
  const existing = await readJournal(path)
  if (existing !== undefined && existing.entries.length + (existing.tornTail ? 1 : 0) > 0) {
    if (options.existing !== 'continue') {
      throw new HrepError(
        'journal_pending',
        `an unfinished apply journal exists at ${path}; it must be recovered before another run starts`,
      )
    }
    // Rewrite without the torn tail, so new lines never follow a half-written one.
    if (existing.tornTail) await writeFileAtomic(path, existing.entries.map(line).join(''), {fsync: true})
  }
  await fs.mkdir(dirname(path), {recursive: true})
  const handle = await fs.open(path, 'a')
  await fsyncDirectory(dirname(path))
  return new FileJournal(path, handle, existing?.entries ?? [])
}

function line(entry: JournalEntry): string {
  return `${canonicalJson(entry, {indent: false, trailingNewline: false})}\n`
}

interface PendingLine {
  entry: JournalEntry
  text: string
  resolve: () => void
  reject: (error: Error) => void
}

class FileJournal implements Journal {
  readonly path: string
  private handle: fs.FileHandle
  private readonly durable: JournalEntry[]
  private pending: PendingLine[] = []
  /** Every write, fsync and rewrite runs on this chain, one at a time. */
  private io: Promise<void> = Promise.resolve()
  private flushQueued = false
  private broken: HrepError | undefined
  private closed = false

  constructor(path: string, handle: fs.FileHandle, entries: JournalEntry[]) {
    this.path = path
    this.handle = handle
    this.durable = [...entries]
  }

  append(input: JournalEntryInput): Promise<void> {
    if (this.closed) return Promise.reject(new HrepError('journal_closed', `the journal ${this.path} is closed`))
    if (this.broken !== undefined) return Promise.reject(this.broken)
    let entry: JournalEntry
    let text: string
    try {
      entry = {...input, at: new Date().toISOString()} as JournalEntry
      text = line(entry)
      // The two entries of every change pass a quick check; anything else, the schema (and its message).
      if (!quickEntryCheck(entry)) {
        const checked = journalEntrySchema.safeParse(JSON.parse(text))
        if (!checked.success)
          throw new HrepError('journal_entry_invalid', `invalid ${input.type} entry: ${describeIssues(checked.error)}`)
      }
    } catch (error) {
      return Promise.reject(error)
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({entry, text, resolve, reject})
      this.scheduleFlush()
    })
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return
    this.flushQueued = true
    this.io = this.io.then(() => {
      this.flushQueued = false
      return this.flush()
    })
  }

  private async flush(): Promise<void> {
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    if (this.broken === undefined) {
      try {
        await this.handle.appendFile(batch.map((item) => item.text).join(''))
        await this.handle.datasync()
      } catch (error) {
        this.broken = new HrepError('journal_write_failed', `cannot write the journal ${this.path}: ${(error as Error).message}`)
      }
    }
    for (const item of batch) {
      if (this.broken === undefined) {
        this.durable.push(item.entry)
        item.resolve()
      } else item.reject(this.broken)
    }
  }

  entries(): readonly JournalEntry[] {
    // A copy: the caller counts it to truncate later, while appends keep landing.
    return this.durable.slice()
  }

  truncate(folded: number): Promise<void> {
    const run = this.io.then(() => this.rewrite(folded))
    this.io = run.catch(() => {})
    return run
  }

  private async rewrite(folded: number): Promise<void> {
    if (this.closed) throw new HrepError('journal_closed', `the journal ${this.path} is closed`)
    if (this.broken !== undefined) throw this.broken
    const count = Math.max(0, Math.min(folded, this.durable.length))
    const head = this.durable.slice(0, count)
    const finished = new Set(head.filter((e) => e.type === 'done' || e.type === 'failed').map((e) => (e as DoneEntry).change))
    const keep = [
      ...head.filter((e) => e.type === 'begin' || (e.type === 'intent' && !finished.has(e.change))),
      ...this.durable.slice(count),
    ]
    try {
      await writeFileAtomic(this.path, keep.map(line).join(''), {fsync: true})
      await this.handle.close()
      this.handle = await fs.open(this.path, 'a')
      await fsyncDirectory(dirname(this.path))
    } catch (error) {
      this.broken = new HrepError('journal_write_failed', `cannot rewrite the journal ${this.path}: ${(error as Error).message}`)
      throw this.broken
    }
    this.durable.splice(0, this.durable.length, ...keep)
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.io
    this.closed = true
    await this.handle.close()
  }

  async remove(): Promise<void> {
    await this.close()
    await fs.rm(this.path, {force: true})
    await fsyncDirectory(dirname(this.path))
  }
}

/** Deletes the journal of `statePath` (after its entries were compacted into a written state). */
export async function removeJournal(statePath: string): Promise<void> {
  const path = journalPath(statePath)
  await fs.rm(path, {force: true})
  await fsyncDirectory(dirname(path))
}

/** What a journal on disk says. */
export interface JournalContents {
  path: string
  entries: JournalEntry[]
  /** The last line was cut off mid-write (kill -9) and was dropped. */
  tornTail: boolean
  /** The `begin` entries (one per run recorded). */
  runs: BeginEntry[]
  /** Whether the last run recorded its `end`. */
  finished: boolean
  /**
   * Intents with no `done` or `failed` after them: the action may or may not have happened, so the
   * engine must look each object up on its endpoint before doing anything else with it.
   */
  inDoubt: (IntentEntry & {at: string})[]
}

/**
 * Reads a journal file: undefined when there is none. A last line cut off mid-write is dropped
 * (`tornTail`); any other unreadable line is an HrepError naming `path:line`.
 */
export async function readJournal(path: string): Promise<JournalContents | undefined> {
  let text: string
  try {
    text = await fs.readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new HrepError('journal_unreadable', `cannot read the journal ${path}: ${(error as Error).message}`)
  }
  return parseJournalText(text, path)
}

/** `readJournal` on text already in memory. */
export function parseJournalText(text: string, path: string): JournalContents {
  const lines = text.split('\n')
  const complete = text.endsWith('\n') || text === ''
  const entries: JournalEntry[] = []
  let tornTail = false
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    if (raw.trim() === '') continue
    const isLast = i === lines.length - 1
    let problem: string | undefined
    let entry: JournalEntry | undefined
    try {
      const checked = journalEntrySchema.safeParse(JSON.parse(raw))
      if (checked.success) entry = checked.data as JournalEntry
      else problem = describeIssues(checked.error)
    } catch {
      problem = 'not valid JSON'
    }
    if (entry !== undefined) {
      entries.push(entry)
      continue
    }
    // Only the unterminated last line can be a write cut short; anything else is damage.
    if (isLast && !complete) {
      tornTail = true
      continue
    }
    throw new HrepError(
      'journal_corrupt',
      `${path}:${i + 1}: the apply journal is damaged (${problem}). Keep a copy of it; the state file itself was not changed by this.`,
    )
  }
  return summarizeJournal(path, entries, tornTail)
}

function summarizeJournal(path: string, entries: JournalEntry[], tornTail: boolean): JournalContents {
  const runs: BeginEntry[] = []
  const open = new Map<string, IntentEntry & {at: string}>()
  let finished = true
  for (const entry of entries) {
    if (entry.type === 'begin') {
      runs.push(entry)
      finished = false
    } else if (entry.type === 'end') finished = true
    else if (entry.type === 'intent') open.set(entry.change, entry)
    else if (entry.type === 'done' || entry.type === 'failed') open.delete(entry.change)
  }
  return {path, entries, tornTail, runs, finished: runs.length === 0 ? true : finished, inDoubt: [...open.values()]}
}

/**
 * Folds the journal's finished actions into `state` (pure; the serial is left to the store): a done
 * create/update/replace/import records the object with its id, key and resulting attributes; a done
 * delete forgets it; a compensation records what the object became (or forgets it when removed);
 * failures and intents in doubt change nothing. A `secret_fp` is kept across an action that set no
 * secret, as long as the Harbor id did not change. Throws an HrepError for an outcome whose intent is
 * missing, or a journal written for a different state lineage.
 */
export function compact(state: State, entries: readonly JournalEntry[]): State {
  const intents = new Map<string, IntentEntry>()
  const view = new Map<string, StateEntry | undefined>()
  const edits: StateEdit[] = []
  const current = (address: string, endpoint: string): StateEntry | undefined => {
    const key = `${address}@${endpoint}`
    return view.has(key) ? view.get(key) : getResource(state, address, endpoint)
  }
  const set = (address: string, endpoint: string, entry: StateEntry) => {
    view.set(`${address}@${endpoint}`, entry)
    edits.push({op: 'set', address, endpoint, entry})
  }
  const remove = (address: string, endpoint: string) => {
    view.set(`${address}@${endpoint}`, undefined)
    edits.push({op: 'remove', address, endpoint})
  }
  const keptFingerprint = (address: string, endpoint: string, id: string, given: string | undefined) => {
    if (given !== undefined) return given
    const previous = current(address, endpoint)
    return previous?.id === id ? previous.secret_fp : undefined
  }
  // A secret still to be set stays so across actions that set none, as long as it is the same object.
  const keptPending = (address: string, endpoint: string, id: string, entry: {secret_fp?: string; secret_pending?: true}) => {
    if (entry.secret_pending) return true
    if (entry.secret_fp !== undefined) return undefined
    const previous = current(address, endpoint)
    return previous?.id === id ? previous.secret_pending : undefined
  }

  for (const entry of entries) {
    switch (entry.type) {
      case 'begin':
        // A run that began before the state was first written (serial 0) carried a lineage never stored.
        if (entry.lineage !== state.lineage && entry.serial !== 0) {
          throw new HrepError(
            'journal_lineage_mismatch',
            `the journal was written for a different state (lineage ${entry.lineage}; this state's lineage is ${state.lineage})`,
          )
        }
        break
      case 'intent':
        intents.set(entry.change, entry)
        break
      case 'done': {
        const intent = intents.get(entry.change)
        if (intent === undefined) {
          throw new HrepError('journal_corrupt', `the journal records change ${entry.change} as done without its intent`)
        }
        if (intent.action === 'delete') {
          remove(intent.address, intent.endpoint)
          break
        }
        const id = entry.id ?? intent.live_id ?? current(intent.address, intent.endpoint)?.id
        if (id === undefined) {
          throw new HrepError(
            'journal_corrupt',
            `the journal records ${entry.change} (${intent.action}) as done without a Harbor id`,
          )
        }
        set(intent.address, intent.endpoint, {
          id,
          key: intent.key,
          attrs: entry.attrs ?? intent.attrs ?? current(intent.address, intent.endpoint)?.attrs ?? {},
          secret_fp: entry.secret_pending ? undefined : keptFingerprint(intent.address, intent.endpoint, id, entry.secret_fp),
          secret_pending: keptPending(intent.address, intent.endpoint, id, entry),
        })
        break
      }
      case 'compensated':
        if (entry.outcome !== 'done') break
        if (entry.removed) remove(entry.address, entry.endpoint)
        else if (entry.id !== undefined) {
          set(entry.address, entry.endpoint, {
            id: entry.id,
            key: entry.key,
            attrs: entry.attrs ?? current(entry.address, entry.endpoint)?.attrs ?? {},
            secret_fp: keptFingerprint(entry.address, entry.endpoint, entry.id, entry.secret_fp),
            secret_pending: keptPending(entry.address, entry.endpoint, entry.id, entry),
          })
        }
        break
      default:
        break
    }
  }
  return applyEdits(state, edits.map(dropUndefinedFingerprint))
}

function dropUndefinedFingerprint(edit: StateEdit): StateEdit {
  if (edit.op !== 'set') return edit
  const {secret_fp, secret_pending, ...entry} = edit.entry
  return {
    ...edit,
    entry: {
      ...entry,
      ...(secret_fp !== undefined ? {secret_fp} : {}),
      ...(secret_pending !== undefined ? {secret_pending} : {}),
    },
  }
}
