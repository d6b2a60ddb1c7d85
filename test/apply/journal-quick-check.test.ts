/**
 * The journal's quick entry check must never pass an entry the schema refuses (as the JSON line it is
 * written as), and must pass the intent and done entries the engine writes.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {type JournalEntry, journalEntrySchema, quickEntryCheck} from '../../src/apply/journal.js'
import {ACTIONS, KIND_NAMES} from '../../src/model/change.js'
import {canonicalJson, secretFingerprint} from '../../src/state/index.js'

const fingerprint = secretFingerprint('Secret-0ne-for-tests')
const attrs = fc.dictionary(fc.string(), fc.jsonValue(), {maxKeys: 3})
const intent = fc.record(
  {
    type: fc.constant('intent' as const),
    at: fc.constant('2026-11-23T12:00:00.000Z'),
    change: fc.constant('robot.ci@h1'),
    address: fc.constant('robot.ci'),
    endpoint: fc.constant('h1'),
    kind: fc.constantFrom(...KIND_NAMES),
    key: fc.constant('ci'),
    action: fc.constantFrom(...ACTIONS),
    importing: fc.boolean(),
    live_id: fc.constant('12'),
    attrs,
  },
  {requiredKeys: ['type', 'at', 'change', 'address', 'endpoint', 'kind', 'key', 'action']},
)
const done = fc.record(
  {
    type: fc.constant('done' as const),
    at: fc.constant('2026-11-23T12:00:00.000Z'),
    change: fc.constant('robot.ci@h1'),
    id: fc.constant('12'),
    attrs,
    secret_fp: fc.constant(fingerprint),
  },
  {requiredKeys: ['type', 'at', 'change']},
)
const field = fc.constantFrom(
  'at',
  'change',
  'address',
  'endpoint',
  'kind',
  'key',
  'action',
  'importing',
  'live_id',
  'attrs',
  'id',
  'secret_fp',
  'extra',
  'type',
)
const value = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constant(''), fc.constant('robot'))

/** What the journal writes and the next run reads back: the entry's canonical JSON line, parsed. */
const asWritten = (entry: unknown) => JSON.parse(canonicalJson(entry, {indent: false}))

describe('quickEntryCheck', () => {
  it('passes the intent and done entries the engine writes', () => {
    fc.assert(
      fc.property(fc.oneof(intent, done), (entry) => {
        expect(journalEntrySchema.safeParse(asWritten(entry)).success).toBe(true)
        expect(quickEntryCheck(entry as JournalEntry)).toBe(true)
      }),
      {numRuns: 300},
    )
  })

  it('never passes an entry the schema refuses', () => {
    fc.assert(
      fc.property(fc.oneof(intent, done), field, value, (entry, key, replacement) => {
        const damaged = {...entry, [key]: replacement} as unknown as JournalEntry
        if (quickEntryCheck(damaged)) expect(journalEntrySchema.safeParse(asWritten(damaged)).success).toBe(true)
      }),
      {numRuns: 3000},
    )
  })

  it('leaves the other entry types to the schema', () => {
    expect(quickEntryCheck({type: 'end', run: 'r', status: 'complete', at: 'now'} as JournalEntry)).toBe(false)
  })
})
