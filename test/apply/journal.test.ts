import {spawn} from 'node:child_process'
import {appendFile, mkdtemp, open, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {
  compact,
  type Journal,
  type JournalEntry,
  type JournalEntryInput,
  openJournal,
  readJournal,
} from '../../src/apply/journal.js'
import {HrepError} from '../../src/model/errors.js'
import {Secret} from '../../src/model/secret.js'
import {emptyState, journalPath, secretFingerprint, setResource, type State} from '../../src/state/index.js'
import {repoRoot} from '../helpers/cli.js'

let dir: string
let statePath: string
const open_: Journal[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hrep-journal-'))
  statePath = join(dir, 'hrep.state.json')
})

afterEach(async () => {
  vi.restoreAllMocks()
  for (const journal of open_.splice(0)) await journal.close()
  await rm(dir, {recursive: true, force: true})
})

async function journalFor(options?: Parameters<typeof openJournal>[1]): Promise<Journal> {
  const journal = await openJournal(statePath, options)
  open_.push(journal)
  return journal
}

const begin = (lineage = 'L', serial = 3): JournalEntryInput => ({
  type: 'begin',
  run: 'run-1',
  plan: 'plan-1',
  operation: 'apply',
  lineage,
  serial,
  started: '2025-01-01T00:00:00.000Z',
  hrep_version: 'test',
})

function intent(
  n: number,
  action: 'create' | 'update' | 'delete' | 'replace' | 'noop' = 'create',
  extra = {},
): JournalEntryInput {
  return {
    type: 'intent',
    change: `robot.r${n}@primary`,
    address: `robot.r${n}`,
    endpoint: 'primary',
    kind: 'robot',
    key: `r${n}`,
    action,
    attrs: action === 'delete' ? undefined : {name: `r${n}`, description: `desired ${n}`},
    ...extra,
  }
}

describe('the journal file', () => {
  it('appends one JSON line per entry, stamped with the time, and reads back the same', async () => {
    const journal = await journalFor()
    await journal.append(begin())
    await journal.append(intent(1))
    await journal.append({type: 'done', change: 'robot.r1@primary', id: '41'})
    await journal.append({type: 'end', run: 'run-1', status: 'complete'})
    const lines = (await readFile(journalPath(statePath), 'utf8')).trimEnd().split('\n')
    expect(lines).toHaveLength(4)
    expect(JSON.parse(lines[2]!)).toEqual({type: 'done', change: 'robot.r1@primary', id: '41', at: expect.any(String)})
    const read = await readJournal(journalPath(statePath))
    expect(read?.entries).toEqual(journal.entries())
    expect(read).toMatchObject({tornTail: false, finished: true, inDoubt: []})
    expect(read?.runs.map((run) => run.plan)).toEqual(['plan-1'])
  })

  it('is undefined when there is no journal', async () => {
    expect(await readJournal(journalPath(statePath))).toBeUndefined()
  })

  it('groups concurrent appends into one write and one fsync', async () => {
    const probe = await open(join(dir, 'probe'), 'w')
    const datasync = vi.spyOn(Object.getPrototypeOf(probe), 'datasync')
    await probe.close()
    const journal = await journalFor()
    await journal.append(begin())
    datasync.mockClear()
    await Promise.all(Array.from({length: 1000}, (_, n) => journal.append(intent(n))))
    expect(datasync.mock.calls.length).toBeLessThanOrEqual(2)
    expect((await readJournal(journalPath(statePath)))?.entries).toHaveLength(1001)

    // Appends that arrive while a write is in flight share the next one.
    datasync.mockClear()
    const first = journal.append(intent(5000))
    await new Promise((resolve) => setImmediate(resolve))
    await Promise.all([first, ...Array.from({length: 50}, (_, n) => journal.append(intent(6000 + n)))])
    expect(datasync.mock.calls.length).toBeLessThanOrEqual(3)

    // An append on its own is on disk, fsynced, before it resolves.
    datasync.mockClear()
    for (let n = 0; n < 5; n++) await journal.append(intent(7000 + n))
    expect(datasync).toHaveBeenCalledTimes(5)
  })

  it('tolerates a last line torn by kill -9 and lists the changes in doubt', async () => {
    const journal = await journalFor()
    await journal.append(begin())
    await journal.append(intent(1))
    await journal.append(intent(2))
    await journal.append({type: 'done', change: 'robot.r1@primary', id: '41'})
    await journal.append(intent(3, 'update', {live_id: '9'}))
    await journal.append({type: 'failed', change: 'robot.r3@primary', error_class: 'invalid', message: 'HTTP 400'})
    await journal.close()
    await appendFile(journalPath(statePath), '{"type":"done","change":"robot.r2@pri')
    const read = await readJournal(journalPath(statePath))
    expect(read?.tornTail).toBe(true)
    expect(read?.entries).toHaveLength(6)
    expect(read?.finished).toBe(false)
    expect(read?.inDoubt.map((entry) => entry.change)).toEqual(['robot.r2@primary'])
  })

  it('reports a damaged line that is not the last, with its line number', async () => {
    await writeFile(
      journalPath(statePath),
      `${JSON.stringify({...begin(), at: 'x'})}\nnot json\n{"type":"end","run":"r","status":"complete","at":"x"}\n`,
    )
    const error = await readJournal(journalPath(statePath)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HrepError)
    expect((error as HrepError).message).toContain(`${journalPath(statePath)}:2: the apply journal is damaged (not valid JSON)`)
  })

  it('survives kill -9 of a process appending concurrently: every acknowledged entry is there', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./journal-writer.child.ts', import.meta.url)), statePath],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let acked = 0
    await new Promise<void>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        // A line split across chunks only ever reads lower than it is, which keeps the check safe.
        for (const match of chunk.matchAll(/ack (\d+)/g)) acked = Math.max(acked, Number(match[1]))
        if (acked >= 300 && child.exitCode === null) {
          child.kill('SIGKILL')
          resolve()
        }
      })
      child.once('exit', () => resolve())
      child.once('error', reject)
    })
    await new Promise((resolve) => child.once('close', resolve))
    expect(acked).toBeGreaterThanOrEqual(300)
    const read = await readJournal(journalPath(statePath))
    // The begin entry plus at least every intent the writer was told is on disk.
    expect(read!.entries.length).toBeGreaterThanOrEqual(acked + 1)
    expect(read!.inDoubt.length).toBe(read!.entries.length - 1)
  })

  it('refuses to start over a pending journal, and continues one after cutting its torn tail', async () => {
    const first = await journalFor()
    await first.append(begin())
    await first.append(intent(1))
    await first.close()
    await appendFile(journalPath(statePath), '{"type":"do')
    await expect(openJournal(statePath)).rejects.toMatchObject({code: 'journal_pending'})

    const resumed = await journalFor({existing: 'continue'})
    expect(resumed.entries().map((entry) => entry.type)).toEqual(['begin', 'intent'])
    await resumed.append({type: 'done', change: 'robot.r1@primary', id: '7'})
    const read = await readJournal(journalPath(statePath))
    expect(read).toMatchObject({tornTail: false, inDoubt: []})
    expect(read?.entries.map((entry) => entry.type)).toEqual(['begin', 'intent', 'done'])
  })

  it('truncates what was folded into the state, keeping begin, in-flight intents and later entries', async () => {
    const journal = await journalFor()
    await journal.append(begin())
    await journal.append(intent(1))
    await journal.append(intent(2))
    await journal.append({type: 'done', change: 'robot.r1@primary', id: '41'})
    const snapshot = journal.entries()
    const state = compact(emptyState('L'), snapshot)
    // Appended while the state is being written; the snapshot taken before does not grow.
    await journal.append({type: 'done', change: 'robot.r2@primary', id: '42'})
    expect(snapshot).toHaveLength(4)
    await journal.truncate(snapshot.length)
    const kept = (await readJournal(journalPath(statePath)))!.entries
    expect(kept.map((entry) => `${entry.type}:${'change' in entry ? entry.change : ''}`)).toEqual([
      'begin:',
      'intent:robot.r2@primary',
      'done:robot.r2@primary',
    ])
    expect(journal.entries()).toEqual(kept)
    // Folding what is left into the state written before gives the full picture.
    const after = compact(state, kept)
    expect(Object.keys(after.resources).sort()).toEqual(['robot.r1', 'robot.r2'])
    await journal.append({type: 'end', run: 'run-1', status: 'complete'})
    expect((await readJournal(journalPath(statePath)))!.entries).toHaveLength(4)
  })

  it('never writes a secret: a Secret object in an entry is refused and nothing is written', async () => {
    const journal = await journalFor()
    await journal.append(begin())
    const leaking = {
      ...intent(1),
      attrs: {name: 'r1', secret: new Secret('Hunter2-Secret') as unknown as string},
    } as JournalEntryInput
    await expect(journal.append(leaking)).rejects.toThrow(/a Secret object is not a JSON value/)
    await expect(journal.append({type: 'done', change: 'x', secret_fp: 'Hunter2-Secret'})).rejects.toThrow(/secret_fp/)
    expect(await readFile(journalPath(statePath), 'utf8')).not.toContain('Hunter2')
    expect(journal.entries()).toHaveLength(1)
    await journal.append(intent(2))
  })

  it('is deleted by remove()', async () => {
    const journal = await journalFor()
    await journal.append(begin())
    await journal.remove()
    await expect(stat(journalPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
  })
})

describe('compact', () => {
  const at = '2025-01-01T00:00:00.000Z'
  const entries = (...inputs: JournalEntryInput[]): JournalEntry[] => inputs.map((input) => ({...input, at}) as JournalEntry)
  const fp = secretFingerprint('First-Secret-1')
  const base: State = setResource(
    setResource(emptyState('L'), 'robot.r2', 'primary', {
      id: '20',
      key: 'r2',
      attrs: {name: 'r2', description: 'old'},
      secret_fp: fp,
    }),
    'robot.r3',
    'primary',
    {id: '30', key: 'r3', attrs: {name: 'r3'}},
  )

  it('records creates, updates and deletes that are done, and nothing else', () => {
    const before = JSON.stringify(base)
    const next = compact(
      {...base, serial: 3},
      entries(
        begin(),
        intent(1),
        {type: 'done', change: 'robot.r1@primary', id: '10', secret_fp: fp},
        intent(2, 'update', {live_id: '20'}),
        {type: 'done', change: 'robot.r2@primary'},
        intent(3, 'delete', {live_id: '30'}),
        {type: 'done', change: 'robot.r3@primary'},
        intent(4),
        {type: 'failed', change: 'robot.r4@primary', error_class: 'conflict', message: 'exists'},
        intent(5),
      ),
    )
    expect(JSON.stringify(base)).toBe(before)
    expect(next.serial).toBe(3)
    expect(next.resources).toEqual({
      'robot.r1': {primary: {id: '10', key: 'r1', attrs: {name: 'r1', description: 'desired 1'}, secret_fp: fp}},
      // Same Harbor id and no new secret: the fingerprint stays.
      'robot.r2': {primary: {id: '20', key: 'r2', attrs: {name: 'r2', description: 'desired 2'}, secret_fp: fp}},
    })
  })

  it('takes the resulting attributes from done when given, and drops the fingerprint of a replaced object', () => {
    const next = compact(
      base,
      entries(begin(), intent(2, 'replace', {live_id: '20'}), {
        type: 'done',
        change: 'robot.r2@primary',
        id: '21',
        attrs: {name: 'r2', description: 'live'},
      }),
    )
    expect(next.resources['robot.r2']).toEqual({primary: {id: '21', key: 'r2', attrs: {name: 'r2', description: 'live'}}})
  })

  it('applies compensations: a removed create, a restored update', () => {
    const next = compact(
      base,
      entries(
        begin(),
        intent(1),
        {type: 'done', change: 'robot.r1@primary', id: '10'},
        intent(2, 'update', {live_id: '20'}),
        {type: 'done', change: 'robot.r2@primary'},
        {
          type: 'compensated',
          change: 'robot.r2@primary',
          address: 'robot.r2',
          endpoint: 'primary',
          key: 'r2',
          outcome: 'done',
          id: '20',
          attrs: {name: 'r2', description: 'old'},
        },
        {
          type: 'compensated',
          change: 'robot.r1@primary',
          address: 'robot.r1',
          endpoint: 'primary',
          key: 'r1',
          outcome: 'done',
          removed: true,
        },
        {
          type: 'compensated',
          change: 'robot.r3@primary',
          address: 'robot.r3',
          endpoint: 'primary',
          key: 'r3',
          outcome: 'failed',
          removed: true,
        },
      ),
    )
    expect(next.resources).toEqual(base.resources)
  })

  it('refuses an outcome without its intent, and a journal of another state', () => {
    expect(() => compact(base, entries(begin(), {type: 'done', change: 'robot.r9@primary', id: '1'}))).toThrow(
      /done without its intent/,
    )
    expect(() => compact({...base, serial: 3}, entries(begin('other')))).toThrow(/different state \(lineage other/)
    // A journal begun before any state was written fits a state still unwritten, and the state that
    // the next run wrote since (an action in doubt on a down endpoint keeps that journal around).
    expect(() => compact({...base, serial: 0}, entries(begin('other', 0)))).not.toThrow()
    expect(() => compact({...base, serial: 5}, entries(begin('other', 0)))).not.toThrow()
  })
})
