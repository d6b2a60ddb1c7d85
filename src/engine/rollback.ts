/**
 * `--on-failure rollback`: undoes what this run did, newest first. A create is deleted, an update
 * gets its previous attributes back, a delete is recreated from its last known attributes (with a
 * new Harbor id; a robot gets its declared secret or a new generated one, since Harbor never
 * returns the old one), a replace is undone as both. Each step is journaled and reported.
 */
import type {Journal} from '../apply/journal.js'
import type {LiveObject} from '../kinds/kind.js'
import type {Attrs, Change} from '../model/change.js'
import {SECRET_ATTR} from '../plan/diff.js'
import {type ChangeOutcome, type ExecutionSources, executionEnv} from './execute.js'
import type {EventSink} from '../model/events.js'

export interface CompensationReport {
  change: Change
  outcome: 'done' | 'failed' | 'impossible'
  message?: string
}

export async function compensate(
  completed: readonly {change: Change; outcome: ChangeOutcome}[],
  sources: ExecutionSources & {events: EventSink},
  journal: Journal,
): Promise<CompensationReport[]> {
  const reports: CompensationReport[] = []
  for (const {change, outcome} of completed) {
    let report: CompensationReport
    let record: {removed?: boolean; id?: string; attrs?: Attrs; secret_fp?: string} = {}
    try {
      const env = executionEnv(change.endpoint, sources)
      const kind = env.kinds[change.kind]!
      const current: LiveObject | undefined =
        outcome.id !== undefined ? {id: outcome.id, key: change.key, attrs: outcome.attrs ?? {}} : undefined
      const recreate = async (): Promise<string> => {
        const before = change.before ?? {}
        const created = await kind.create(env.ctx, before)
        record = {id: created.id, attrs: before}
        if (kind.setSecret && kind.sensitive.includes(SECRET_ATTR)) {
          const secret = await env.secretFor(change)
          if (secret) await kind.setSecret(env.ctx, {id: created.id, key: change.key, attrs: before}, secret.reveal())
          return 'recreated with a new Harbor id; its previous secret cannot be restored, the new one is the declared or a newly generated one'
        }
        return 'recreated with a new Harbor id'
      }
      let message: string | undefined
      if (change.importing && change.action === 'noop') {
        record = {removed: true}
        message = 'forgotten again; the object itself was not touched'
      } else if (change.action === 'create') {
        await kind.delete(env.ctx, current!)
        record = {removed: true}
      } else if (change.action === 'update') {
        const paths = change.diffs.filter((diff) => !diff.sensitive).map((diff) => diff.path)
        const restored: Attrs = {...change.after}
        for (const path of paths) restored[path] = change.before?.[path]
        if (paths.length > 0) await kind.update(env.ctx, current!, restored, paths)
        record = {id: current!.id, attrs: restored}
        if (change.diffs.some((diff) => diff.path === SECRET_ATTR))
          message = 'attributes restored; the previous secret cannot be restored'
      } else if (change.action === 'delete') {
        message = await recreate()
      } else if (change.action === 'replace') {
        if (current) await kind.delete(env.ctx, current)
        message = await recreate()
      }
      report = {
        change,
        outcome: message?.includes('cannot be restored') && change.action === 'update' ? 'impossible' : 'done',
        message,
      }
    } catch (error) {
      report = {change, outcome: 'failed', message: (error as Error).message}
    }
    await journal.append({
      type: 'compensated',
      change: change.id,
      address: change.address,
      endpoint: change.endpoint,
      key: change.key,
      outcome: report.outcome === 'failed' ? 'failed' : 'done',
      ...(report.outcome !== 'failed' ? record : {}),
      ...(report.message !== undefined ? {message: report.message} : {}),
    })
    sources.events.emit({type: 'change.compensated', change, outcome: report.outcome, message: report.message})
    reports.push(report)
  }
  return reports
}
