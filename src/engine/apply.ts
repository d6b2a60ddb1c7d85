/**
 * One apply run: walks the plan's DAG with bounded parallelism, journals every action before and
 * after it (so a kill -9 at any moment leaves a record the next run reconciles), folds finished
 * actions into the state periodically and at the end (not one state rewrite per change), and on
 * `--on-failure rollback` compensates what this run did, in reverse order.
 */
import {randomUUID} from 'node:crypto'
import type {Journal, JournalEntry} from '../apply/journal.js'
import {compact, openJournal} from '../apply/journal.js'
import {type NodeOutcome, walk} from '../apply/walker.js'
import type {Kind} from '../kinds/kind.js'
import type {Change, KindName} from '../model/change.js'
import type {ErrorClass, EventSink} from '../model/events.js'
import type {Secret} from '../model/secret.js'
import type {StateUpdate} from '../plan/types.js'
import {applyEdits, hrepVersion, type State, type StateEdit, type StateStore} from '../state/index.js'
import type {EndpointSession} from './endpoints.js'
import {type ChangeOutcome, executeChange, executionEnv, PartialFailure} from './execute.js'
import {compensate, type CompensationReport} from './rollback.js'
import type {GeneratedSecrets} from './secrets.js'
import {inSpan} from './tracing.js'

export const FAILURE_POLICIES = ['stop', 'continue', 'rollback'] as const
export type FailurePolicy = (typeof FAILURE_POLICIES)[number]

export interface ApplyRunOptions {
  changes: readonly Change[]
  /** State-only updates of the plan (entries to forget or refresh), written before any change runs. */
  stateUpdates: readonly StateUpdate[]
  sessions: ReadonlyMap<string, EndpointSession>
  store: StateStore
  kinds: Readonly<Record<KindName, Kind>>
  events: EventSink
  /** Declared robot secrets by address. */
  declaredSecret: (address: string) => Secret | undefined
  generated: GeneratedSecrets
  onFailure: FailurePolicy
  /** Changes running at once over all endpoints; each endpoint is also bounded by its own parallelism. */
  parallelism: number
  operation: string
  planId?: string
  signal?: AbortSignal
  /** Cuts off the requests in flight; an action cut off stays in doubt in the journal for the next run. */
  cancel?: AbortSignal
  /** A journal of an interrupted run is waiting (actions in doubt on an endpoint that is down): continue it. */
  continueJournal?: boolean
}

export interface ChangeFailure {
  change: Change
  message: string
  errorClass?: ErrorClass
}

export interface ApplyRunResult {
  added: number
  changed: number
  destroyed: number
  imported: number
  failed: ChangeFailure[]
  skipped: {change: Change; because: string}[]
  /** Set when the run stopped early (first failure under `stop`, or a signal). */
  stopped?: 'failure' | 'aborted'
  rollback?: CompensationReport[]
  serial: number
}

/** Fold finished actions into the state file at most this often (the journal holds them meanwhile). */
const COMPACT_INTERVAL_MS = 2_000

export function runApply(options: ApplyRunOptions): Promise<ApplyRunResult> {
  return inSpan('hrep.apply', {'hrep.changes': options.changes.length, 'hrep.operation': options.operation}, () =>
    applyRun(options),
  )
}

async function applyRun(options: ApplyRunOptions): Promise<ApplyRunResult> {
  const {store, events} = options
  const journal = await openJournal(store.path, {existing: options.continueJournal ? 'continue' : 'refuse'})
  const run = randomUUID()
  await journal.append({
    type: 'begin',
    run,
    plan: options.planId,
    operation: options.operation,
    lineage: store.state.lineage,
    serial: store.state.serial,
    started: new Date().toISOString(),
    hrep_version: hrepVersion(),
  })
  if (options.stateUpdates.length > 0) await store.write(applyStateUpdates(store.state, options.stateUpdates))

  const compactor = new Compactor(store, journal)
  const completed: {change: Change; outcome: ChangeOutcome}[] = []
  const byId = new Map(options.changes.map((change) => [change.id, change]))
  const walked = await walk(
    options.changes,
    async (change) => {
      const started = performance.now()
      const outcome = await inSpan(
        'hrep.change',
        {
          'hrep.address': change.address,
          'hrep.endpoint': change.endpoint,
          'hrep.action': change.action,
          'hrep.kind': change.kind,
        },
        () => runChange(change, options, journal),
      )
      completed.push({change, outcome})
      compactor.tick()
      events.emit({type: 'change.done', change, id: outcome.id, ms: performance.now() - started})
      return outcome
    },
    {
      parallelism: options.parallelism,
      perEndpoint: (endpoint) => options.sessions.get(endpoint)?.config.reliability.parallelism ?? options.parallelism,
      onFailure: options.onFailure === 'continue' ? 'continue' : 'stop',
      signal: options.signal,
      onStart: (change) => events.emit({type: 'change.start', change}),
      onFinish: (change, outcome: NodeOutcome<ChangeOutcome>) => {
        if (outcome.status === 'failed') {
          const error = outcome.error as Error & {errorClass?: ErrorClass}
          events.emit({type: 'change.failed', change, message: error.message, errorClass: error.errorClass})
        } else if (outcome.status === 'skipped') events.emit({type: 'change.skipped', change, because: outcome.because})
      },
    },
  )

  const result: ApplyRunResult = {added: 0, changed: 0, destroyed: 0, imported: 0, failed: [], skipped: [], serial: 0}
  if (walked.stopped) result.stopped = walked.stopped
  for (const [id, outcome] of walked.outcomes) {
    const change = byId.get(id)!
    if (outcome.status === 'done') count(result, change)
    else if (outcome.status === 'failed') {
      const error = outcome.error as Error & {errorClass?: ErrorClass}
      result.failed.push({change, message: error.message, errorClass: error.errorClass})
    } else result.skipped.push({change, because: outcome.because})
  }

  if (options.onFailure === 'rollback' && result.failed.length > 0 && completed.length > 0) {
    await compactor.flush()
    result.rollback = await compensate(completed.reverse(), options, journal)
  }
  await compactor.flush()
  const status = result.rollback
    ? 'rolled_back'
    : result.stopped === 'aborted'
      ? 'interrupted'
      : result.failed.length
        ? 'failed'
        : 'complete'
  await journal.append({type: 'end', run, status})
  if (inDoubt(journal.entries())) {
    // An earlier run's actions still in doubt (their endpoint is down) stay for the next recovery.
    await journal.truncate(journal.entries().length)
    await journal.close()
  } else {
    // Every outcome is in the state now and nothing is in flight: the journal has done its job.
    await journal.remove()
  }
  result.serial = store.state.serial
  return result
}

/** Whether any intent in `entries` has no outcome. */
function inDoubt(entries: readonly JournalEntry[]): boolean {
  const open = new Set<string>()
  for (const entry of entries) {
    if (entry.type === 'intent') open.add(entry.change)
    else if (entry.type === 'done' || entry.type === 'failed') open.delete(entry.change)
  }
  return open.size > 0
}

function count(result: ApplyRunResult, change: Change): void {
  if (change.importing) result.imported++
  if (change.action === 'create') result.added++
  else if (change.action === 'update') result.changed++
  else if (change.action === 'delete') result.destroyed++
  else if (change.action === 'replace') {
    result.added++
    result.destroyed++
  }
}

/** Journals and executes one change; a replace is journaled as its delete and then its create. */
async function runChange(change: Change, options: ApplyRunOptions, journal: Journal): Promise<ChangeOutcome> {
  const env = executionEnv(change.endpoint, options)
  const steps: Change[] =
    change.action === 'replace'
      ? [
          {...change, id: `${change.id}#old`, action: 'delete', after: undefined},
          {...change, action: 'create', before: undefined, liveId: undefined},
        ]
      : [change]
  let outcome: ChangeOutcome = {}
  for (const step of steps) {
    await journal.append({
      type: 'intent',
      change: step.id,
      address: step.address,
      endpoint: step.endpoint,
      kind: step.kind,
      key: step.key,
      action: step.action,
      ...(step.importing ? {importing: true} : {}),
      ...(step.liveId !== undefined ? {live_id: step.liveId} : {}),
      ...(step.after !== undefined ? {attrs: step.after} : {}),
    })
    try {
      outcome = await executeChange(step, env)
      await journal.append(doneEntry(step.id, outcome))
    } catch (error) {
      if (error instanceof PartialFailure) await journal.append(doneEntry(step.id, error.partial))
      // A request cut off may have reached Harbor: no outcome, so the next run's recovery looks.
      else if (options.cancel?.aborted) throw error
      const err = error as Error & {errorClass?: ErrorClass}
      await journal.append({type: 'failed', change: step.id, error_class: err.errorClass ?? 'permanent', message: err.message})
      throw error
    }
  }
  return outcome
}

function doneEntry(change: string, outcome: ChangeOutcome) {
  return {
    type: 'done' as const,
    change,
    ...(outcome.id !== undefined ? {id: outcome.id} : {}),
    ...(outcome.attrs !== undefined ? {attrs: outcome.attrs} : {}),
    ...(outcome.secretFp !== undefined ? {secret_fp: outcome.secretFp} : {}),
    ...(outcome.secretPending ? {secret_pending: true as const} : {}),
  }
}

/** The plan's state-only updates (forget, refresh-only records) applied to a state. */
export function applyStateUpdates(state: State, updates: readonly StateUpdate[]): State {
  const edits: StateEdit[] = updates.map((update) =>
    update.action === 'forget'
      ? {op: 'remove', address: update.address, endpoint: update.endpoint}
      : {
          op: 'set',
          address: update.address,
          endpoint: update.endpoint,
          entry: {
            id: update.id!,
            key: update.key,
            attrs: update.after ?? {},
            ...(state.resources[update.address]?.[update.endpoint]?.secret_fp !== undefined
              ? {secret_fp: state.resources[update.address]![update.endpoint]!.secret_fp}
              : {}),
          },
        },
  )
  return applyEdits(state, edits)
}

/**
 * Folds the journal into the state file at most every COMPACT_INTERVAL_MS and never while a fold
 * runs (each fold rewrites the whole state, so a count trigger made a large apply write it ~200
 * times), and truncates what was folded; `flush` folds everything left.
 */
class Compactor {
  private folding = false
  private last = performance.now()
  private running: Promise<void> = Promise.resolve()
  private error: unknown

  constructor(
    private readonly store: StateStore,
    private readonly journal: Journal,
  ) {}

  tick(): void {
    if (this.folding || performance.now() - this.last < COMPACT_INTERVAL_MS) return
    this.folding = true
    // A failed fold is kept and rethrown by flush(): the walk goes on, the journal keeps the record.
    this.running = this.fold()
      .catch((error: unknown) => {
        this.error ??= error
      })
      .finally(() => {
        this.folding = false
        this.last = performance.now()
      })
  }

  async flush(): Promise<void> {
    await this.running
    if (this.error !== undefined) throw this.error
    await this.fold()
  }

  private async fold(): Promise<void> {
    // A copy: entries appended while the state is being written belong to the next fold.
    const entries = [...this.journal.entries()]
    await this.store.write(compact(this.store.state, entries))
    await this.journal.truncate(entries.length)
  }
}
