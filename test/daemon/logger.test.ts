/** The daemon's structured logger: both formats, levels, and secrets scrubbed from every line. */
import {describe, expect, it} from 'vitest'
import {Logger, type LoggerOptions} from '../../src/daemon/logger.js'
import {Secret} from '../../src/model/secret.js'

const NOW = new Date('2026-01-02T03:04:05.678Z')

function capture(options: Partial<LoggerOptions> = {}): {log: Logger; lines: string[]} {
  const lines: string[] = []
  const log = new Logger({format: 'json', now: () => NOW, write: (line) => lines.push(line), ...options})
  return {log, lines}
}

describe('Logger', () => {
  it('writes one JSON object per record: time, level, msg, then the fields', () => {
    const {log, lines} = capture()
    log.info('change applied', {address: 'robot.ci', endpoint: 'dr', ms: 12, skipped: undefined, msg: 'clash'})
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toEqual({
      time: NOW.toISOString(),
      level: 'info',
      msg: 'change applied',
      address: 'robot.ci',
      endpoint: 'dr',
      ms: 12,
      field_msg: 'clash',
    })
  })

  it('writes readable text with logfmt fields, quoting what needs it', () => {
    const {log, lines} = capture({format: 'text'})
    log.warn('endpoint unavailable', {
      endpoint: 'dr',
      error: 'connect ECONNREFUSED 127.0.0.1:1',
      names: ['a', 'b'],
      n: 3,
      ok: true,
    })
    expect(lines).toEqual([
      `${NOW.toISOString()} WARN  endpoint unavailable endpoint=dr error="connect ECONNREFUSED 127.0.0.1:1" names=a,b n=3 ok=true`,
    ])
  })

  it('writes only records at or above its level', () => {
    const {log, lines} = capture({level: 'warn'})
    log.debug('d')
    log.info('i')
    log.warn('w')
    log.error('e')
    expect(lines.map((line) => JSON.parse(line).level)).toEqual(['warn', 'error'])
    expect(log.enabled('info')).toBe(false)
    expect(log.enabled('error')).toBe(true)
  })

  it('scrubs every configured secret from the message and from nested fields, in both formats', () => {
    const secrets = ['Harbor12345', 'robot"secret\\x']
    for (const format of ['json', 'text'] as const) {
      const {log, lines} = capture({format, secrets: () => secrets})
      log.error('login failed with Harbor12345', {
        error: new Error('server echoed robot"secret\\x back'),
        nested: {list: ['ok', 'pre-Harbor12345-post']},
        password: new Secret('another-value'),
      })
      const line = lines[0]!
      for (const secret of [...secrets, 'another-value']) {
        expect(line).not.toContain(secret)
        // The JSON-escaped form must not leak either.
        expect(line).not.toContain(JSON.stringify(secret).slice(1, -1))
      }
      expect(line.match(/\(sensitive\)/g)?.length).toBe(4)
    }
  })
})
