import {readFileSync} from 'node:fs'
import {expect, it} from 'vitest'
import {DEFAULT_RELIABILITY as CONFIG_DEFAULTS} from '../../src/config/settings.js'
import {DEFAULT_BREAKER, DEFAULT_RELIABILITY, DEFAULT_RETRY_BUDGET} from '../../src/reliability/defaults.js'

it('the config loader fills in the same defaults the reliability layer documents', () => {
  expect(CONFIG_DEFAULTS).toEqual(DEFAULT_RELIABILITY)
})

it('docs/reliability.md states the defaults in force', () => {
  const doc = readFileSync(new URL('../../docs/reliability.md', import.meta.url), 'utf8')
  const row = (knob: string) => doc.split('\n').find((line) => line.startsWith(`| \`${knob}\``)) ?? ''
  expect(row('parallelism')).toContain(`\`${DEFAULT_RELIABILITY.parallelism}\``)
  expect(row('timeout')).toContain(`\`${DEFAULT_RELIABILITY.timeoutMs / 1000}s\``)
  expect(row('connect_timeout')).toContain(`\`${DEFAULT_RELIABILITY.connectTimeoutMs / 1000}s\``)
  expect(row('deadline')).toContain(`\`${DEFAULT_RELIABILITY.deadlineMs / 60_000}m\``)
  expect(row('retry { attempts }')).toContain(`\`${DEFAULT_RELIABILITY.retry.attempts}\``)
  expect(row('retry { base_delay }')).toContain(`\`${DEFAULT_RELIABILITY.retry.baseDelayMs}ms\``)
  expect(row('retry { max_delay }')).toContain(`\`${DEFAULT_RELIABILITY.retry.maxDelayMs / 1000}s\``)
  expect(doc).toContain(`opens after | ${DEFAULT_BREAKER.failureThreshold} transient failures in a row`)
  expect(doc).toContain(`stays open for | ${DEFAULT_BREAKER.resetTimeoutMs / 1000} s`)
  expect(doc).toContain(`last ${DEFAULT_RETRY_BUDGET.windowMs / 1000} s, plus ${DEFAULT_RETRY_BUDGET.minRetries}`)
})
