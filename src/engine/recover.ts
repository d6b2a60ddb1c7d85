/**
 * Finishing what an interrupted run left behind. The journal of a killed apply holds every action
 * it started; those with an outcome are folded into the state, and each one in doubt (started, no
 * outcome) is looked up by name on its endpoint: a create whose response was lost is found and
 * adopted, never created twice; a delete that went through is forgotten. What cannot be checked
 * now (its endpoint is down) stays in the journal for the next run.
 */
import {compact, openJournal, readJournal} from '../apply/journal.js'
import type {Kind} from '../kinds/kind.js'
import type {KindName} from '../model/change.js'
import type {EventSink} from '../model/events.js'
import {journalPath, type StateStore} from '../state/index.js'
import type {EndpointSession} from './endpoints.js'

export interface RecoveryReport {
  /** Actions of the interrupted run whose outcome was already recorded. */
  folded: number
  /** Actions in doubt that were checked against the endpoint. */
  resolved: {change: string; found: boolean}[]
  /** Actions in doubt whose endpoint could not be asked; the journal keeps them. */
  unresolved: string[]
}

/** Whether a journal of an unfinished run is waiting next to the state. */
export async function hasPendingJournal(store: StateStore): Promise<boolean> {
  const contents = await readJournal(journalPath(store.path))
  return contents !== undefined && (contents.entries.length > 0 || contents.tornTail)
}

/**
 * Recovers an unfinished journal into the state (the store must hold the lock). Returns undefined
 * when there was nothing to recover.
 */
export async function recoverJournal(
  store: StateStore,
  sessions: ReadonlyMap<string, EndpointSession>,
  kinds: Readonly<Record<KindName, Kind>>,
  events: EventSink,
): Promise<RecoveryReport | undefined> {
  if (!(await hasPendingJournal(store))) return undefined
  const journal = await openJournal(store.path, {existing: 'continue'})
  const contents = (await readJournal(journal.path))!
  const report: RecoveryReport = {folded: 0, resolved: [], unresolved: []}
  for (const entry of contents.entries) if (entry.type === 'done' || entry.type === 'failed') report.folded++
  for (const intent of contents.inDoubt) {
    const ctx = sessions.get(intent.endpoint)?.ctx
    if (ctx === undefined) {
      report.unresolved.push(intent.change)
      continue
    }
    const live = await kinds[intent.kind].find(ctx, intent.key)
    if (intent.action === 'delete') {
      if (live === undefined) await journal.append({type: 'done', change: intent.change})
      else
        await journal.append({
          type: 'failed',
          change: intent.change,
          error_class: 'transient',
          message: 'interrupted; the object still exists',
        })
    } else if (live !== undefined) {
      // Record the object as it is; the next plan shows whatever is still missing. A robot created
      // by the interrupted run may lack its secret: mark it, so the plan sets one.
      const created = intent.action === 'create' || intent.action === 'replace'
      const secretUnknown = created && kinds[intent.kind].setSecret !== undefined
      await journal.append({
        type: 'done',
        change: intent.change,
        id: live.id,
        attrs: live.attrs,
        ...(secretUnknown ? {secret_pending: true as const} : {}),
      })
    } else {
      await journal.append({
        type: 'failed',
        change: intent.change,
        error_class: 'not_found',
        message: 'interrupted before the object was created',
      })
    }
    report.resolved.push({change: intent.change, found: live !== undefined})
  }
  const entries = [...journal.entries()]
  await store.write(compact(store.state, entries))
  if (report.unresolved.length === 0) await journal.remove()
  else {
    await journal.truncate(entries.length)
    await journal.close()
  }
  events.emit({
    type: 'warning',
    message:
      `recovered an interrupted run from ${journal.path}: ${report.folded} finished actions recorded, ` +
      `${report.resolved.length} in doubt checked against Harbor (${report.resolved.filter((r) => r.found).length} found)` +
      (report.unresolved.length ? `, ${report.unresolved.length} left for when their endpoint answers` : ''),
  })
  return report
}
