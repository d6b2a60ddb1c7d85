/**
 * The generic DAG walker: runs nodes whose dependencies all succeeded, at most `parallelism` at once
 * and at most `perEndpoint` per endpoint. It knows only ids, endpoints and dependencies; what a node
 * does is the `run` callback, and what is reported is up to `onStart`/`onFinish` (the apply engine
 * turns them into events). Terraform's semantics: a failure skips only its descendants. Under
 * `onFailure: 'stop'` (and when the signal aborts) no new node starts, in-flight nodes finish, and
 * every node not run is skipped with the reason. Scheduling is O(nodes + edges) overall, plus a scan
 * of the endpoints (few) per start.
 */
import {HrepError} from '../model/errors.js'

/** What the walker needs of a node. */
export interface WalkNode {
  readonly id: string
  readonly endpoint: string
  /** Ids of nodes that must succeed first; each must be among the walked nodes. */
  readonly dependsOn: readonly string[]
}

/** How one node ended. `because` of a skip is a sentence for people (`robot.ci@dr failed`). */
export type NodeOutcome<R = unknown> =
  | {status: 'done'; value: R}
  | {status: 'failed'; error: unknown}
  | {status: 'skipped'; because: string}

export const FAILURE_MODES = ['stop', 'continue'] as const
/** `stop`: start nothing new after a failure; `continue`: go on with everything not depending on it. */
export type FailureMode = (typeof FAILURE_MODES)[number]

export interface WalkOptions<N extends WalkNode, R> {
  /** Nodes running at once, over all endpoints (at least 1). */
  parallelism: number
  /** Nodes running at once on one endpoint: a number for all, or per endpoint. @default parallelism */
  perEndpoint?: number | ((endpoint: string) => number)
  /** @default 'stop' */
  onFailure?: FailureMode
  /** Aborting behaves like `stop`; the signal is also handed to `run`. */
  signal?: AbortSignal
  /** Called as a node starts. Must not throw (a throw stops the walk and is rethrown at its end). */
  onStart?: (node: N) => void
  /** Called once per node with its outcome, skipped nodes included. Must not throw (as onStart). */
  onFinish?: (node: N, outcome: NodeOutcome<R>) => void
}

export interface WalkResult<R> {
  /** Every node's outcome, by id. */
  outcomes: Map<string, NodeOutcome<R>>
  /** Why the walk stopped early, if it did. */
  stopped?: 'failure' | 'aborted'
}

interface Queue {
  endpoint: string
  items: number[]
  head: number
  running: number
  limit: number
}

/**
 * Walks `nodes`, calling `run` for each in dependency order. Throws an HrepError before running
 * anything when ids repeat, a dependency is unknown, or the dependencies form a cycle.
 */
export async function walk<N extends WalkNode, R>(
  nodes: readonly N[],
  run: (node: N, signal?: AbortSignal) => Promise<R>,
  options: WalkOptions<N, R>,
): Promise<WalkResult<R>> {
  const n = nodes.length
  const index = new Map<string, number>()
  nodes.forEach((node, i) => {
    if (index.has(node.id)) throw new HrepError('walk_invalid', `node ${node.id} appears twice`)
    index.set(node.id, i)
  })
  const waiting = new Array<number>(n).fill(0)
  const dependents: number[][] = nodes.map(() => [])
  nodes.forEach((node, i) => {
    for (const dep of new Set(node.dependsOn)) {
      const j = index.get(dep)
      if (j === undefined) throw new HrepError('walk_invalid', `node ${node.id} depends on ${dep}, which is not in the walk`)
      waiting[i]!++
      dependents[j]!.push(i)
    }
  })
  assertAcyclic(nodes, waiting, dependents)

  const parallelism = Math.max(1, Math.floor(options.parallelism))
  const perEndpoint = options.perEndpoint ?? parallelism
  const limitOf = (endpoint: string): number =>
    Math.max(1, Math.floor(typeof perEndpoint === 'function' ? perEndpoint(endpoint) : perEndpoint))
  const onFailure = options.onFailure ?? 'stop'
  const signal = options.signal

  const outcomes = new Map<string, NodeOutcome<R>>()
  const queues = new Map<string, Queue>()
  const queueList: Queue[] = []
  for (const node of nodes) {
    if (!queues.has(node.endpoint)) {
      const queue = {endpoint: node.endpoint, items: [], head: 0, running: 0, limit: limitOf(node.endpoint)}
      queues.set(node.endpoint, queue)
      queueList.push(queue)
    }
  }
  let turn = 0
  let running = 0
  let finished = 0
  let stopped: WalkResult<R>['stopped']
  let stopReason = ''
  let callbackError: {error: unknown} | undefined
  let closed = false

  return new Promise<WalkResult<R>>((resolve, reject) => {
    const notify = (fn: () => void): void => {
      try {
        fn()
      } catch (error) {
        if (callbackError === undefined) {
          callbackError = {error}
          stop('failure', 'the walk stopped on an internal error')
        }
      }
    }
    const settle = (i: number, outcome: NodeOutcome<R>): void => {
      outcomes.set(nodes[i]!.id, outcome)
      finished++
      const onFinish = options.onFinish
      if (onFinish) notify(() => onFinish(nodes[i]!, outcome))
    }
    const stop = (why: 'failure' | 'aborted', reason: string): void => {
      if (stopped !== undefined) return
      stopped = why
      stopReason = reason
    }
    const skipDescendants = (root: number): void => {
      const because = `${nodes[root]!.id} failed`
      const stack = [...dependents[root]!]
      while (stack.length > 0) {
        const i = stack.pop()!
        if (outcomes.has(nodes[i]!.id)) continue
        settle(i, {status: 'skipped', because})
        stack.push(...dependents[i]!)
      }
    }
    const finish = (): void => {
      if (running > 0 || closed) return
      closed = true
      if (finished < n) {
        // Stopped: everything not run is skipped, in input order.
        for (let i = 0; i < n; i++) if (!outcomes.has(nodes[i]!.id)) settle(i, {status: 'skipped', because: stopReason})
      }
      signal?.removeEventListener('abort', onAbort)
      if (callbackError !== undefined) reject(callbackError.error)
      else resolve(stopped === undefined ? {outcomes} : {outcomes, stopped})
    }
    const onAbort = (): void => {
      stop('aborted', 'interrupted')
      if (running === 0) finish()
    }

    const start = (i: number, queue: Queue): void => {
      const node = nodes[i]!
      running++
      queue.running++
      const onStart = options.onStart
      if (onStart) notify(() => onStart(node))
      Promise.resolve()
        .then(() => run(node, signal))
        .then(
          (value) => done(i, queue, {status: 'done', value}),
          (error: unknown) => done(i, queue, {status: 'failed', error}),
        )
    }
    const done = (i: number, queue: Queue, outcome: NodeOutcome<R>): void => {
      running--
      queue.running--
      settle(i, outcome)
      if (outcome.status === 'done') {
        for (const j of dependents[i]!) {
          if (--waiting[j]! === 0 && !outcomes.has(nodes[j]!.id)) enqueue(j)
        }
      } else {
        skipDescendants(i)
        if (onFailure === 'stop') stop('failure', `not started: the apply stopped after ${nodes[i]!.id} failed`)
      }
      pump()
    }
    const enqueue = (i: number): void => {
      queues.get(nodes[i]!.endpoint)!.items.push(i)
    }
    /** Starts ready nodes while both limits allow, taking endpoints in turn. */
    const pump = (): void => {
      while (stopped === undefined && running < parallelism) {
        let started = false
        for (let k = 0; k < queueList.length; k++) {
          const queue = queueList[(turn + k) % queueList.length]!
          if (queue.head < queue.items.length && queue.running < queue.limit) {
            turn = (turn + k + 1) % queueList.length
            start(queue.items[queue.head++]!, queue)
            started = true
            break
          }
        }
        if (!started) break
      }
      if (running === 0 && (stopped !== undefined || finished === n)) finish()
    }

    if (signal?.aborted) stop('aborted', 'interrupted')
    else signal?.addEventListener('abort', onAbort, {once: true})
    for (let i = 0; i < n; i++) if (waiting[i] === 0) enqueue(i)
    pump()
  })
}

/** Kahn's count: every node must become ready when all earlier ones succeed; otherwise name a cycle. */
function assertAcyclic(nodes: readonly WalkNode[], waiting: readonly number[], dependents: readonly number[][]): void {
  const left = [...waiting]
  const ready: number[] = []
  for (let i = 0; i < nodes.length; i++) if (left[i] === 0) ready.push(i)
  let seen = 0
  while (ready.length > 0) {
    const i = ready.pop()!
    seen++
    for (const j of dependents[i]!) if (--left[j]! === 0) ready.push(j)
  }
  if (seen === nodes.length) return
  // Follow unfinished dependencies from a stuck node until one repeats: that loop is a cycle.
  const stuck = new Set<string>()
  for (let i = 0; i < nodes.length; i++) if (left[i]! > 0) stuck.add(nodes[i]!.id)
  const byId = new Map(nodes.map((node) => [node.id, node]))
  const path: string[] = []
  let current = [...stuck][0]!
  while (!path.includes(current)) {
    path.push(current)
    current = byId.get(current)!.dependsOn.find((d) => stuck.has(d))!
  }
  const cycle = [...path.slice(path.indexOf(current)), current]
  throw new HrepError('walk_invalid', `dependency cycle: ${cycle.join(' -> ')}`)
}
