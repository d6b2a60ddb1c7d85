/**
 * Scale: the emulator holds ~100,000 objects and answers lists from its indexes: totals, pages from the
 * middle and the end of the sorted name index, per-project robot and member indexes, and the indexes
 * staying consistent when a project (with its robots and members) and a group are deleted.
 * No timing assertions here: speed is measured by `npm run bench:emulator`.
 */
import {request} from 'undici'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type EmulatorHandle, generateSeed, startEmulator} from '../../src/emulator/index.js'

const SIZES = {projects: 10_000, robots: 50_000, systemRobots: 1_000, groups: 10_000, members: 30_000, users: 100}
const AUTH = {authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`, 'X-Is-Resource-Name': 'true'}
const q = (raw: string) => encodeURIComponent(encodeURIComponent(raw))

let handle: EmulatorHandle

async function call(method: string, path: string) {
  const response = await request(`${handle.url}/api/v2.0${path}`, {method: method as 'GET', headers: AUTH})
  const text = await response.body.text()
  return {
    status: response.statusCode,
    total: Number(response.headers['x-total-count']),
    json: text ? JSON.parse(text) : undefined,
  }
}

const names = (items: {name?: string; entity_name?: string; group_name?: string}[]) =>
  items.map((item) => item.name ?? item.entity_name ?? item.group_name)

describe('100,000 objects', () => {
  beforeAll(async () => {
    handle = await startEmulator({seed: generateSeed(SIZES), loginLockMs: 0})
  })
  afterAll(async () => handle?.stop())

  it('holds them all and reports the totals', async () => {
    expect((await call('GET', '/projects?page_size=1')).total).toBe(10_000)
    expect((await call('GET', '/robots?page_size=1')).total).toBe(1_000)
    expect((await call('GET', '/usergroups?page_size=1')).total).toBe(10_000)
    expect((await call('GET', '/users?page_size=1')).total).toBe(101)
    expect((await call('GET', `/robots?page_size=1&q=${q('Level=system')}`)).total).toBe(51_000)
  })

  it('pages through the sorted name index', async () => {
    const middle = await call('GET', '/projects?page_size=100&page=50')
    expect(names(middle.json)).toEqual(Array.from({length: 100}, (_, i) => `gen-p-${String(4901 + i).padStart(6, '0')}`))
    const last = await call('GET', '/projects?page_size=100&page=100')
    expect(names(last.json).at(-1)).toBe('gen-p-010000')
    expect((await call('GET', '/projects?page_size=100&page=101')).json).toEqual([])
    const groups = await call('GET', '/usergroups?page_size=100&page=100')
    expect(names(groups.json).at(-1)).toBe('gen-g-010000')
  })

  it('answers per-project robots and members from their indexes', async () => {
    const robots = await call('GET', `/robots?q=${q('Level=project,ProjectID=77')}`)
    expect(robots.total).toBe(5)
    expect(names(robots.json)).toEqual(
      ['gen-r-000077', 'gen-r-010077', 'gen-r-020077', 'gen-r-030077', 'gen-r-040077'].map((n) => `robot$gen-p-000077+${n}`),
    )
    const members = await call('GET', '/projects/gen-p-000077/members')
    expect(members.total).toBe(4)
    expect(names(members.json)[0]).toBe('admin')
  })

  it('keeps the indexes consistent through deletes', async () => {
    expect((await call('DELETE', '/projects/gen-p-000077')).status).toBe(200)
    expect((await call('GET', `/robots?page_size=1&q=${q('Level=system')}`)).total).toBe(50_995)
    expect((await call('GET', `/robots?q=${q('Level=project,ProjectID=77')}`)).total).toBe(0)
    expect((await call('GET', '/projects?page_size=1')).total).toBe(9_999)
    expect(names((await call('GET', '/projects?page_size=3&page=26')).json)).toEqual([
      'gen-p-000076',
      'gen-p-000078',
      'gen-p-000079',
    ])
    const group = handle.groups()[0]!.name
    const before = handle.dump().projects!.reduce((sum, p) => sum + (p.members?.filter((m) => m.group === group).length ?? 0), 0)
    expect(before).toBeGreaterThan(0)
    expect((await call('DELETE', '/usergroups/1')).status).toBe(200)
    const after = handle.dump().projects!.reduce((sum, p) => sum + (p.members?.filter((m) => m.group === group).length ?? 0), 0)
    expect(after).toBe(0)
  })
})
