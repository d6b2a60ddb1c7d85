/**
 * Fault injection: rules matched per method and path pattern that add latency (fixed + jitter), answer
 * as a failing reverse proxy would (500/502/503/504, 429 with Retry-After in seconds or as an HTTP
 * date), reset the connection mid-response, hang until the client gives up, or let the handler apply
 * the write and then fail the response (the case that leaves orphans behind). Randomness comes from a
 * seeded generator, so a failing test replays; counters per route support assertions.
 */
import type {Rng} from './rng.js'

/** Statuses a fault can answer with before the handler runs. */
export const FAULT_STATUSES = [500, 502, 503, 504, 429] as const
/** A status a fault can answer with. */
export type FaultStatus = (typeof FAULT_STATUSES)[number]

/** What happens after the handler applied the request. */
export const AFTER_HANDLER_FAULTS = [500, 502, 503, 504, 'reset'] as const
/** A failure after the handler ran. */
export type AfterHandlerFault = (typeof AFTER_HANDLER_FAULTS)[number]

/**
 * One fault rule. `match` is `METHOD /path/pattern`, `/path/pattern` (any method) or `*`: the path is
 * under /api/v2.0 (a full /api/v2.0/... path works too), `*` or `{name}` matches one segment and `**`
 * one or more; METHOD may be `*` or a comma list (`PUT,PATCH`). Several rules may match: their latencies
 * add up and the first matching rule with an outcome (status, reset, hang, afterHandler) decides it.
 */
export interface FaultRule {
  /** A name for counters and removal; generated when absent. */
  id?: string
  match: string
  /** Probability that a matching request is affected, 0..1. @default 1 */
  rate?: number
  /** Let the first N matching requests through untouched. @default 0 */
  skip?: number
  /** Affect at most N requests, then stay inert. @default unlimited */
  times?: number
  /** Added latency before the request is handled. */
  latencyMs?: number
  /** Extra random latency, uniform in [0, jitterMs). */
  jitterMs?: number
  /** Answer with this status instead of handling the request. */
  status?: FaultStatus
  /** With status 429 (or 503): the Retry-After value in seconds. @default 1 */
  retryAfter?: number
  /** Send Retry-After as delta seconds or as an HTTP date that many seconds ahead. @default 'seconds' */
  retryAfterFormat?: 'seconds' | 'http-date'
  /** Reset the connection mid-response, without handling the request. */
  reset?: boolean
  /** Never answer; the socket stays open until the client gives up (or the emulator stops). */
  hang?: boolean
  /** Handle the request (the write is applied), then answer with this status or reset the connection. */
  afterHandler?: AfterHandlerFault
}

/** A rule as held by the injector, with its counters. */
export interface ActiveFaultRule extends FaultRule {
  id: string
  /** Matching requests seen. */
  seen: number
  /** Requests this rule affected. */
  hits: number
}

/** What the injector decided for one request. */
export interface FaultDecision {
  delayMs: number
  status?: FaultStatus
  retryAfter?: string
  reset?: boolean
  hang?: boolean
  afterHandler?: AfterHandlerFault
}

/** Kinds of injected faults, as counted per route. */
export const FAULT_KINDS = ['latency', 'status', 'reset', 'hang', 'afterHandler'] as const
/** A kind of injected fault. */
export type FaultKind = (typeof FAULT_KINDS)[number]

/** Counters for one route (`METHOD /template`). */
export interface RouteCounters {
  requests: number
  /** Answers by status; `reset` and `hang` for answers that never completed. */
  statuses: Record<string, number>
  faults: Record<FaultKind, number>
}

const RULE_KEYS = new Set([
  'id',
  'match',
  'rate',
  'skip',
  'times',
  'latencyMs',
  'jitterMs',
  'status',
  'retryAfter',
  'retryAfterFormat',
  'reset',
  'hang',
  'afterHandler',
])

/** Checks a rule read from JSON; throws an Error naming the problem. */
export function validateFaultRule(rule: unknown, where = 'fault rule'): FaultRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new Error(`${where}: expected an object`)
  const r = rule as Record<string, unknown>
  for (const key of Object.keys(r)) if (!RULE_KEYS.has(key)) throw new Error(`${where}: unknown field "${key}"`)
  if (typeof r.match !== 'string' || r.match.trim() === '') throw new Error(`${where}: "match" must be a non-empty string`)
  const number = (key: string, min: number, max = Number.POSITIVE_INFINITY) => {
    if (r[key] !== undefined && (typeof r[key] !== 'number' || (r[key] as number) < min || (r[key] as number) > max)) {
      throw new Error(`${where}: "${key}" must be a number between ${min} and ${max}`)
    }
  }
  number('rate', 0, 1)
  number('skip', 0)
  number('times', 0)
  number('latencyMs', 0)
  number('jitterMs', 0)
  number('retryAfter', 0)
  if (r.status !== undefined && !(FAULT_STATUSES as readonly unknown[]).includes(r.status)) {
    throw new Error(`${where}: "status" must be one of ${FAULT_STATUSES.join(', ')}`)
  }
  if (r.afterHandler !== undefined && !(AFTER_HANDLER_FAULTS as readonly unknown[]).includes(r.afterHandler)) {
    throw new Error(`${where}: "afterHandler" must be one of ${AFTER_HANDLER_FAULTS.join(', ')}`)
  }
  if (r.retryAfterFormat !== undefined && r.retryAfterFormat !== 'seconds' && r.retryAfterFormat !== 'http-date') {
    throw new Error(`${where}: "retryAfterFormat" must be "seconds" or "http-date"`)
  }
  for (const key of ['reset', 'hang']) {
    if (r[key] !== undefined && typeof r[key] !== 'boolean') throw new Error(`${where}: "${key}" must be true or false`)
  }
  return r as unknown as FaultRule
}

interface CompiledMatch {
  methods: Set<string> | undefined
  segments: string[] | undefined
}

function compileMatch(match: string): CompiledMatch {
  const text = match.trim()
  if (text === '*') return {methods: undefined, segments: undefined}
  const space = text.indexOf(' ')
  let methodPart = '*'
  let pathPart = text
  if (space > 0) {
    methodPart = text.slice(0, space)
    pathPart = text.slice(space + 1).trim()
  }
  const methods = methodPart === '*' ? undefined : new Set(methodPart.toUpperCase().split(','))
  const path = pathPart.replace(/^\/api\/v2\.0(?=\/|$)/, '')
  const segments = path === '*' || path === '/**' ? undefined : path.split('/').slice(1)
  return {methods, segments}
}

function matchPath(pattern: string[], segments: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!
    if (i >= segments.length) return false
    if (p === '**') return true
    if (p === '*' || (p.startsWith('{') && p.endsWith('}'))) continue
    if (p !== segments[i]) return false
  }
  return pattern.length === segments.length
}

function emptyCounters(): RouteCounters {
  return {requests: 0, statuses: {}, faults: {latency: 0, status: 0, reset: 0, hang: 0, afterHandler: 0}}
}

/** The live fault rules and per-route counters of one emulator. */
export class FaultInjector {
  private active: {rule: ActiveFaultRule; compiled: CompiledMatch}[] = []
  private readonly routes = new Map<string, RouteCounters>()
  private nextId = 1

  constructor(
    private readonly rng: Rng,
    rules: readonly FaultRule[] = [],
  ) {
    for (const rule of rules) this.add(rule)
  }

  /** Adds a rule (checked); returns its id. */
  add(rule: FaultRule): string {
    const checked = validateFaultRule(rule)
    const id = checked.id ?? `rule-${this.nextId++}`
    this.active.push({rule: {...checked, id, seen: 0, hits: 0}, compiled: compileMatch(checked.match)})
    return id
  }

  /** Removes the rule with this id. */
  remove(id: string): void {
    this.active = this.active.filter((entry) => entry.rule.id !== id)
  }

  /** Removes every rule (counters stay). */
  clear(): void {
    this.active = []
  }

  /** The active rules with their counters. */
  rules(): ActiveFaultRule[] {
    return this.active.map((entry) => ({...entry.rule}))
  }

  /** Counters per route key (`METHOD /template`, or the raw path for unknown routes). */
  counters(): Record<string, RouteCounters> {
    const out: Record<string, RouteCounters> = {}
    for (const [key, value] of this.routes) {
      out[key] = {requests: value.requests, statuses: {...value.statuses}, faults: {...value.faults}}
    }
    return out
  }

  /** Zeroes the per-route counters. */
  resetCounters(): void {
    this.routes.clear()
  }

  private route(key: string): RouteCounters {
    let counters = this.routes.get(key)
    if (!counters) {
      counters = emptyCounters()
      this.routes.set(key, counters)
    }
    return counters
  }

  /** Decides the faults for one request and counts it under `routeKey`. */
  decide(method: string, path: string, routeKey: string): FaultDecision {
    const counters = this.route(routeKey)
    counters.requests++
    const decision: FaultDecision = {delayMs: 0}
    if (this.active.length === 0) return decision
    const segments = path.split('/').slice(1)
    let decided = false
    for (const {rule, compiled} of this.active) {
      if (compiled.methods && !compiled.methods.has(method)) continue
      if (compiled.segments && !matchPath(compiled.segments, segments)) continue
      rule.seen++
      if (rule.seen <= (rule.skip ?? 0)) continue
      if (rule.times !== undefined && rule.hits >= rule.times) continue
      if (rule.rate !== undefined && rule.rate < 1 && this.rng.next() >= rule.rate) continue
      const hasOutcome = rule.status !== undefined || rule.reset || rule.hang || rule.afterHandler !== undefined
      const hasLatency = (rule.latencyMs ?? 0) > 0 || (rule.jitterMs ?? 0) > 0
      if (!hasLatency && (!hasOutcome || decided)) continue
      rule.hits++
      if (hasLatency) {
        decision.delayMs += (rule.latencyMs ?? 0) + (rule.jitterMs ? this.rng.next() * rule.jitterMs : 0)
        counters.faults.latency++
      }
      if (!hasOutcome || decided) continue
      decided = true
      if (rule.hang) {
        decision.hang = true
        counters.faults.hang++
      } else if (rule.reset) {
        decision.reset = true
        counters.faults.reset++
      } else if (rule.status !== undefined) {
        decision.status = rule.status
        counters.faults.status++
        if (rule.status === 429 || rule.status === 503 || rule.retryAfter !== undefined) {
          const seconds = rule.retryAfter ?? 1
          decision.retryAfter =
            rule.retryAfterFormat === 'http-date' ? new Date(Date.now() + seconds * 1000).toUTCString() : String(seconds)
        }
      } else if (rule.afterHandler !== undefined) {
        decision.afterHandler = rule.afterHandler
        counters.faults.afterHandler++
      }
    }
    return decision
  }

  /** Records the status (or `reset`/`hang`) a request finished with. */
  finish(routeKey: string, outcome: number | 'reset' | 'hang'): void {
    const counters = this.route(routeKey)
    const key = String(outcome)
    counters.statuses[key] = (counters.statuses[key] ?? 0) + 1
  }
}
