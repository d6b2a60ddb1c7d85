/**
 * Everything the engine and the layers under it report. The engine never prints: it emits these, and
 * the CLI renders them (spinner on a TTY, lines in CI, JSON lines with --json), the daemon turns them
 * into metrics and logs. No event ever carries a secret.
 */
import type {Change} from './change.js'

/** How every failure is classified (docs/reliability.md), in the order the docs list them. */
export const ERROR_CLASSES = ['transient', 'conflict', 'not_found', 'auth', 'invalid', 'permanent'] as const
export type ErrorClass = (typeof ERROR_CLASSES)[number]

/**
 * Why a retryable failure was not retried (again): `attempts` ran out, the next wait would pass the
 * operation's `deadline`, the endpoint's retry `budget` is spent, resending would be `unsafe` (a write that
 * may have reached Harbor), or the endpoint's `breaker` is open.
 */
export const GIVE_UP_REASONS = ['attempts', 'deadline', 'budget', 'unsafe', 'breaker'] as const
export type GiveUpReason = (typeof GIVE_UP_REASONS)[number]

export type EngineEvent =
  | {type: 'refresh.start'; endpoint: string}
  | {type: 'refresh.done'; endpoint: string; objects: number; ms: number}
  | {type: 'refresh.failed'; endpoint: string; message: string; errorClass?: ErrorClass}
  | {type: 'change.start'; change: Change}
  | {type: 'change.done'; change: Change; id?: string; ms: number}
  | {type: 'change.failed'; change: Change; message: string; errorClass?: ErrorClass}
  | {type: 'change.skipped'; change: Change; because: string}
  | {type: 'change.compensated'; change: Change; outcome: 'done' | 'failed' | 'impossible'; message?: string}
  | {
      type: 'http.request'
      endpoint: string
      method: string
      route: string
      status: number | 'error'
      ms: number
      /** 1 for the first attempt of an operation, 2 for its first retry, ... */
      attempt?: number
    }
  | {
      type: 'retry'
      endpoint: string
      method: string
      path: string
      attempt: number
      delayMs: number
      errorClass: ErrorClass
      status?: number
    }
  | {
      type: 'giveup'
      endpoint: string
      method: string
      path: string
      attempts: number
      errorClass: ErrorClass
      reason?: GiveUpReason
      status?: number
    }
  /** `since`: when the breaker opened (ISO time), on `open` and `half-open`. */
  | {type: 'breaker'; endpoint: string; state: 'open' | 'half-open' | 'closed'; since?: string}
  | {type: 'throttle'; endpoint: string; waitMs: number}
  | {type: 'warning'; message: string; address?: string; endpoint?: string}
  | {type: 'info'; message: string}

export type EventType = EngineEvent['type']

/** Receives events; implementations must be cheap and must not throw. */
export interface EventSink {
  emit(event: EngineEvent): void
}

export const nullSink: EventSink = {emit() {}}

/** A sink that forwards to several others (CLI renderer + metrics + tracing). */
export function fanOut(...sinks: EventSink[]): EventSink {
  return {
    emit(event) {
      for (const sink of sinks) sink.emit(event)
    },
  }
}
