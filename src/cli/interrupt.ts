/**
 * Ctrl-C and SIGTERM for long runs: the first signal aborts the run's AbortSignal (the engine stops
 * scheduling, lets in-flight changes finish and saves state); a second one exits at once, which is
 * safe because the journal makes the next run whole.
 */
import {setMaxListeners} from 'node:events'

export interface Interrupt {
  signal: AbortSignal
  /** The signal received, if any. */
  received(): NodeJS.Signals | undefined
  /** 130 for SIGINT, 143 for SIGTERM (128 + signal number), as shells report them. */
  exitCode(): number | undefined
  dispose(): void
}

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = {SIGINT: 130, SIGTERM: 143}

export function onInterrupt(notify: (message: string) => void): Interrupt {
  const controller = new AbortController()
  // Every request in flight listens on this one signal; dozens at once are expected, not a leak.
  setMaxListeners(0, controller.signal)
  let received: NodeJS.Signals | undefined
  const handler = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      notify(`${signal} again: stopping now. The journal lets the next hrep apply finish the work.`)
      process.exit(EXIT_CODES[signal] ?? 1)
    }
    received = signal
    notify(`${signal} received: finishing the changes in flight and saving state (send it again to stop at once)...`)
    controller.abort(new Error(`interrupted by ${signal}`))
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: controller.signal,
    received: () => received,
    exitCode: () => (received ? EXIT_CODES[received] : undefined),
    dispose() {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
