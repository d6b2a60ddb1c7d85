/**
 * Flags of the commands that run against Harbor (plan, apply, sync, import): the state lock wait
 * and the per-endpoint parallelism override. Durations are given like the config's ("30s", "500ms").
 */
import {Flags} from '@oclif/core'
import {parseLockTimeout} from '../state/index.js'

export const lockTimeoutFlag = Flags.string({
  summary: 'Wait up to this long for the state lock held by another run (default: fail at once).',
  helpValue: 'DURATION',
})

export const parallelismFlag = Flags.integer({
  summary: 'Requests in flight per endpoint (overrides the config).',
  min: 1,
  max: 256,
})

/** `--lock-timeout` in milliseconds (a duration like 30s, or bare milliseconds), or undefined. */
export function lockTimeoutMs(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseLockTimeout(value)
}
