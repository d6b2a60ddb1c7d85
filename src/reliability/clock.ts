/**
 * Time as the reliability layer sees it: a monotonic `now()` and an abortable `sleep()`. Both go through
 * the global timer functions, so tests drive them with vitest's fake timers.
 */

export interface Clock {
  /** Milliseconds on a monotonic clock (not wall time: only differences mean anything). */
  now(): number
  /** Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** Sleeps on `setTimeout`, removing its abort listener either way so long runs do not leak listeners. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}

/** The real clock: `performance.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep,
}
