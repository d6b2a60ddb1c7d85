/**
 * What a command that works against the endpoints holds for its run: the workspace (config, state
 * lock, connections), the progress display and Ctrl-C handling, opened and closed in one place so
 * plan, apply and import treat them alike.
 */
import {Workspace} from '../engine/workspace.js'
import {HrepError, isHrepError} from '../model/errors.js'
import type {Colors} from './color.js'
import {loadOptionsFromFlags} from './flags.js'
import {type Interrupt, onInterrupt} from './interrupt.js'
import {createProgressRenderer, type ProgressMode, type ProgressRenderer} from './progress.js'
import {lockTimeoutMs} from './run-flags.js'

/** The shared flags such a command parses. */
export interface SessionFlags {
  config: string
  var?: string[]
  'lock-timeout'?: string
  parallelism?: number
}

export interface CommandSession {
  workspace: Workspace
  progress: ProgressRenderer
  interrupt: Interrupt
  /** Stops the display and the signal handlers, closes the connections and releases the lock. */
  close(): Promise<void>
}

export async function openSession(options: {
  flags: SessionFlags
  operation: string
  progress: ProgressMode
  /** Colours of the progress lines (stderr). */
  colors: Colors
  /** Where interrupt notices go (stderr). */
  notify: (message: string) => void
}): Promise<CommandSession> {
  const {dir, options: load} = loadOptionsFromFlags(options.flags)
  const progress = await createProgressRenderer(options.progress, options.colors)
  const interrupt = onInterrupt(options.notify)
  try {
    const workspace = await Workspace.open({
      configDir: dir,
      load,
      events: progress,
      operation: options.operation,
      lockTimeoutMs: lockTimeoutMs(options.flags['lock-timeout']),
      lockSignal: interrupt.signal,
      onLockWait: (holder) => options.notify(`Waiting for the state lock, held by ${holder}...`),
      parallelism: options.flags.parallelism,
    })
    return {
      workspace,
      progress,
      interrupt,
      async close() {
        progress.stop()
        interrupt.dispose()
        await workspace.close()
      },
    }
  } catch (error) {
    interrupt.dispose()
    // Ctrl-C while waiting for the lock stops the run like any interrupt: 130 (or 143), not a failure's 1.
    const signalCode = interrupt.exitCode()
    if (signalCode !== undefined && isHrepError(error) && error.code === 'state_lock_wait_stopped') {
      throw new HrepError(error.code, error.message, {exitCode: signalCode})
    }
    throw error
  }
}
