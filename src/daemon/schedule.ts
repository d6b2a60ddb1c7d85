/**
 * When the next sync cycle starts. The next cycle starts a jittered interval after the previous one
 * *finished* (so cycles never overlap and a slow cycle never causes a burst), and the wait can be cut
 * short: SIGHUP wakes it to reload, SIGTERM to stop.
 */

/**
 * The interval is spread by ±10 %: several daemons (one per Harbor pair, or a restarted fleet) drift
 * apart instead of hitting a shared Harbor in the same second.
 */
export const DEFAULT_JITTER = 0.1

/** The shortest interval `hrep sync` accepts: a shorter one is almost certainly a typo ("10" for 10m). */
export const MIN_INTERVAL_MS = 1_000

/** `intervalMs` spread uniformly over ±`jitter` of itself (`random` returns [0, 1)). */
export function jitteredDelay(intervalMs: number, jitter = DEFAULT_JITTER, random: () => number = Math.random): number {
  return Math.round(intervalMs * (1 + jitter * (2 * random() - 1)))
}

/** setTimeout's largest delay (about 24.8 days); a longer one would fire at once. The loop waits again. */
const MAX_TIMER_MS = 2_147_483_647

/** How a wait ended: its time ran out, or `wake()` cut it short. */
export type WaitResult = 'elapsed' | 'woken'

/** A wait that `wake()` ends early; at most one wait runs at a time (the daemon loop's). */
export class WakeableTimer {
  private pending: {timer: NodeJS.Timeout; resolve: (result: WaitResult) => void} | undefined

  /** Waits `ms` (at most about 24.8 days; the caller checks its clock and waits again), or until `wake()`. */
  wait(ms: number): Promise<WaitResult> {
    this.wake()
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.pending = undefined
          resolve('elapsed')
        },
        Math.min(Math.max(0, ms), MAX_TIMER_MS),
      )
      this.pending = {timer, resolve}
    })
  }

  /** Ends the current wait (if any) with `woken`. */
  wake(): void {
    const pending = this.pending
    if (pending === undefined) return
    this.pending = undefined
    clearTimeout(pending.timer)
    pending.resolve('woken')
  }
}
