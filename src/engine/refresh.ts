/**
 * Refresh: reads every needed kind on every endpoint, endpoints concurrently, each bounded by its own
 * `parallelism` (the kinds fan out per-project lists through `ctx.limit`). An endpoint that fails
 * part-way is reported unavailable as a whole: planning it from half a read could delete or
 * duplicate objects.
 */
import type {Kind, LiveObject} from '../kinds/kind.js'
import type {KindName} from '../model/change.js'
import type {ErrorClass, EventSink} from '../model/events.js'
import type {LiveEndpoint, LiveSnapshot} from '../plan/types.js'
import {type EndpointSession, freshContext} from './endpoints.js'
import {inSpan} from './tracing.js'

/** Kinds in the order they are read: projects first, so the robot and member lists reuse the project list. */
export const READ_ORDER: readonly KindName[] = ['project', 'oidc_group', 'robot', 'project_member']

export interface RefreshOptions {
  events: EventSink
  /** The kinds to read on each endpoint. */
  kindsFor: (endpoint: string) => ReadonlySet<KindName>
  kinds: Readonly<Record<KindName, Kind>>
  signal?: AbortSignal
}

export async function refresh(sessions: ReadonlyMap<string, EndpointSession>, options: RefreshOptions): Promise<LiveSnapshot> {
  return inSpan('hrep.refresh', {'hrep.endpoints': sessions.size}, async () => {
    const endpoints: Record<string, LiveEndpoint> = {}
    await Promise.all(
      [...sessions.values()].map(async (session) => {
        endpoints[session.name] = await inSpan('hrep.refresh.endpoint', {'hrep.endpoint': session.name}, async (span) => {
          const live = await refreshEndpoint(session, options)
          span.setAttribute('hrep.status', live.status)
          return live
        })
      }),
    )
    return {endpoints}
  })
}

async function refreshEndpoint(session: EndpointSession, options: RefreshOptions): Promise<LiveEndpoint> {
  const {events} = options
  // Cancels this endpoint's other lists once one fails, so no read of this refresh outlives it.
  const failed = new AbortController()
  const ctx = freshContext(session, options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal)
  if (ctx === undefined) {
    const message = session.unavailable ?? 'not connected'
    events.emit({type: 'refresh.failed', endpoint: session.name, message, errorClass: session.unavailableClass})
    return {status: 'unavailable', message}
  }
  // A new read starts a new run: what the kinds remembered while applying the last plan on the
  // session's own context (group ids of created groups) may be stale now.
  session.ctx?.memo.clear()
  events.emit({type: 'refresh.start', endpoint: session.name})
  const started = performance.now()
  const wanted = options.kindsFor(session.name)
  const reads = READ_ORDER.filter((kind) => wanted.has(kind)).map(
    async (kind) => [kind, await options.kinds[kind].list(ctx)] as const,
  )
  try {
    const lists = await Promise.all(reads)
    const objects: Partial<Record<KindName, readonly LiveObject[]>> = {}
    let count = 0
    for (const [kind, list] of lists) {
      objects[kind] = list
      count += list.length
    }
    events.emit({type: 'refresh.done', endpoint: session.name, objects: count, ms: performance.now() - started})
    return {status: 'ok', objects}
  } catch (error) {
    failed.abort(error)
    await Promise.allSettled(reads)
    const message = (error as Error).message
    const errorClass = (error as {errorClass?: ErrorClass}).errorClass
    events.emit({type: 'refresh.failed', endpoint: session.name, message, errorClass})
    return {status: 'unavailable', message}
  }
}
