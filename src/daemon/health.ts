/**
 * Liveness and readiness of the daemon. Live: the process answers. Ready: a cycle has synced at least
 * one endpoint (status success or partial), and not every endpoint is down right now, where down means
 * its circuit breaker is open or the last cycle could not read it.
 *
 * Breaker states come from `breaker` events. An endpoint's client (and its breaker) is created anew
 * after a reload or a failed connection, without an event; any HTTP attempt proves the breaker let it
 * through, so an `http.request` event on an endpoint believed open marks it closed again.
 */
import type {BreakerState} from '../reliability/breaker.js'
import type {EngineEvent, EventSink} from '../model/events.js'
import type {CycleReport} from './report.js'

/** The body of /readyz (and the fields of /healthz). */
export interface ReadinessStatus {
  ready: boolean
  /** Why not ready, for people. */
  reason?: string
  cycles: number
  /** ISO time the last cycle with status success or partial ended. */
  last_sync?: string
  endpoints: Record<string, {breaker: BreakerState; available: boolean | null}>
}

/** Tracks what readiness depends on; an EventSink for the breaker events. */
export class EndpointHealth implements EventSink {
  private readonly breakers = new Map<string, BreakerState>()
  /** Whether the last cycle could read each endpoint (absent: no cycle has tried yet). */
  private readonly available = new Map<string, boolean>()
  private endpoints: string[] = []
  private cycles = 0
  private lastSync: Date | undefined

  /** `onBreaker` hears every change of an endpoint's believed breaker state (the metrics follow it). */
  constructor(private readonly onBreaker: (endpoint: string, state: BreakerState) => void = () => {}) {}

  /** The configured endpoints (at start and after a reload). */
  setEndpoints(names: readonly string[]): void {
    this.endpoints = [...names]
    for (const name of [...this.breakers.keys()]) if (!names.includes(name)) this.breakers.delete(name)
    for (const name of [...this.available.keys()]) if (!names.includes(name)) this.available.delete(name)
    // A reload reconnects every endpoint with a fresh breaker.
    for (const name of names) this.setBreaker(name, 'closed')
  }

  emit(event: EngineEvent): void {
    if (event.type === 'breaker') this.setBreaker(event.endpoint, event.state)
    else if (event.type === 'http.request' && this.breakers.get(event.endpoint) === 'open')
      this.setBreaker(event.endpoint, 'closed')
  }

  cycleFinished(report: CycleReport): void {
    if (report.status === 'interrupted') return
    this.cycles++
    if (report.status === 'success' || report.status === 'partial') this.lastSync = new Date()
    // A cycle that failed before reading anything (a state error) says nothing about the endpoints.
    if (report.error !== undefined && !report.endpoints.some((endpoint) => endpoint.available)) return
    for (const endpoint of report.endpoints) this.available.set(endpoint.name, endpoint.available)
  }

  status(): ReadinessStatus {
    const endpoints: ReadinessStatus['endpoints'] = {}
    for (const name of this.endpoints) {
      endpoints[name] = {breaker: this.breakers.get(name) ?? 'closed', available: this.available.get(name) ?? null}
    }
    const down = this.endpoints.filter((name) => this.breakers.get(name) === 'open' || this.available.get(name) === false)
    let reason: string | undefined
    if (this.lastSync === undefined)
      reason = this.cycles === 0 ? 'the first sync cycle has not finished yet' : 'no sync cycle has succeeded yet'
    else if (this.endpoints.length > 0 && down.length === this.endpoints.length)
      reason = 'every endpoint is down (circuit open or unreadable)'
    return {
      ready: reason === undefined,
      ...(reason !== undefined ? {reason} : {}),
      cycles: this.cycles,
      ...(this.lastSync !== undefined ? {last_sync: this.lastSync.toISOString()} : {}),
      endpoints,
    }
  }

  private setBreaker(endpoint: string, state: BreakerState): void {
    if (this.breakers.get(endpoint) === state) return
    this.breakers.set(endpoint, state)
    this.onBreaker(endpoint, state)
  }
}
