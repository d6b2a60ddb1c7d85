/**
 * Flags of the commands that run against Harbor (plan, apply, sync, import): the state lock wait
 * and the per-endpoint parallelism override. Durations are given like the config's ("30s", "500ms").
 */
import {Flags} from '@oclif/core'
import {parseDuration} from '../config/duration.js'
import {HrepError} from '../model/errors.js'

export const lockTimeoutFlag = Flags.string({
  summary: 'Wait up to this long for the state lock held by another run (default: fail at once).',
  helpValue: 'DURATION',
})

export const parallelismFlag = Flags.integer({
  summary: 'Requests in flight per endpoint (overrides the config).',
  min: 1,
  max: 256,
})

/** `--lock-timeout` in milliseconds, or undefined. */
export function lockTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = parseDuration(value)
  if (ms === undefined) throw new HrepError('flag_invalid', `--lock-timeout takes a duration like 30s or 500ms, not "${value}"`)
  return ms
}
