/**
 * Whole applies under injected faults (issue 7 item 8): two emulated Harbors over real HTTP, the real
 * config loader, planner, apply engine, client and reliability layer.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {type EmulatorHandle, type FaultRule, startEmulator} from '../../src/emulator/index.js'
import {Workspace} from '../../src/engine/workspace.js'
import type {EngineEvent} from '../../src/model/events.js'
import {runCli} from '../helpers/cli.js'
import {startSwitch, type TcpSwitch} from './tcp-switch.js'

const PASSWORD = 'Harbor12345'

const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function harbor(faults: FaultRule[] = [], randomSeed = 1): Promise<EmulatorHandle> {
  const handle = await startEmulator({adminPassword: PASSWORD, faults, randomSeed, loginLockMs: 0})
  cleanups.push(() => handle.stop())
  return handle
}

interface Size {
  projects: number
  groups: number
  members: number
}

/** 200 projects + 200 OIDC groups + 100 memberships = 500 resources, on both endpoints. */
const FULL: Size = {projects: 200, groups: 200, members: 100}

const names = (prefix: string, count: number) =>
  Array.from({length: count}, (_, i) => `${prefix}${String(i + 1).padStart(3, '0')}`)

function configDir(urls: {primary: string; dr: string}, size: Size, reliability: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hrep-faults-'))
  cleanups.push(() => rmSync(dir, {recursive: true, force: true}))
  const list = (items: string[]) => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`
  writeFileSync(
    join(dir, 'main.hcl'),
    `hrep {
  parallelism = 8
${reliability}
}

endpoint "primary" {
  url      = "${urls.primary}"
  username = "admin"
  password = "${PASSWORD}"
}

endpoint "dr" {
  url      = "${urls.dr}"
  username = "admin"
  password = "${PASSWORD}"
}

locals {
  projects = ${list(names('p', size.projects))}
  groups   = ${list(names('g', size.groups))}
  members  = ${list(names('', size.members))}
}

project "p" {
  for_each = toset(local.projects)
  name     = each.key
}

oidc_group "g" {
  for_each = toset(local.groups)
  name     = each.key
}

project_member "m" {
  for_each = toset(local.members)
  project  = project.p["p\${each.key}"]
  group    = oidc_group.g["g\${each.key}"]
  role     = "developer"
}
`,
  )
  return dir
}

/** Tolerant of a 25–30 % fault rate: more attempts than the default, short backoff (Retry-After still wins). */
const TOLERANT = `  timeout  = "5s"
  deadline = "60s"
  retry {
    attempts   = 12
    base_delay = "5ms"
    max_delay  = "100ms"
  }`

/** Fails fast: what a test of an endpoint going away needs so that its wall time stays small. */
const QUICK = `  timeout         = "300ms"
  connect_timeout = "300ms"
  deadline        = "3s"
  retry {
    attempts   = 3
    base_delay = "5ms"
    max_delay  = "20ms"
  }`

async function run(dir: string, events: EngineEvent[] = []) {
  const workspace = await Workspace.open({configDir: dir, events: {emit: (event) => events.push(event)}, operation: 'apply'})
  try {
    const plan = await workspace.plan()
    const outcome = await workspace.apply(plan, {onFailure: 'continue'})
    return {plan: plan.result, outcome, state: workspace.store.state}
  } finally {
    await workspace.close()
  }
}

async function planOnly(dir: string) {
  const workspace = await Workspace.open({configDir: dir, events: {emit() {}}, operation: 'plan'})
  try {
    return (await workspace.plan()).result
  } finally {
    await workspace.close()
  }
}

function totalRequests(handle: EmulatorHandle): number {
  return Object.values(handle.stats()).reduce((sum, route) => sum + route.requests, 0)
}

/** Exactly the declared objects, each once, on an emulator. */
function expectConverged(handle: EmulatorHandle, size: Size): void {
  const projects = handle
    .projects()
    .map((p) => p.name)
    .filter((name) => name !== 'library')
  expect(projects.sort()).toEqual(names('p', size.projects))
  expect(
    handle
      .groups()
      .map((g) => g.name)
      .sort(),
  ).toEqual(names('g', size.groups))
  for (const suffix of names('', size.members)) {
    const groupMembers = handle.members(`p${suffix}`).filter((m) => m.group !== undefined)
    expect(groupMembers).toEqual([expect.objectContaining({group: `g${suffix}`})])
  }
}

describe('apply under injected faults', () => {
  it('converges 500 resources on two endpoints through 20% 503, 5% resets and 429s, with no duplicate', async () => {
    const faults: FaultRule[] = [
      // Retry-After 0 keeps the test fast; the 429s below make it wait a real second.
      {match: '*', rate: 0.2, status: 503, retryAfter: 0},
      {match: '*', rate: 0.05, reset: true},
      {match: '*', rate: 0.01, status: 429, retryAfter: 1},
    ]
    const primary = await harbor(faults, 11)
    const dr = await harbor(faults, 12)
    const dir = configDir({primary: primary.url, dr: dr.url}, FULL, TOLERANT)
    const {plan, outcome, state} = await run(dir)
    expect(plan.changes).toHaveLength(1000)
    expect(outcome.failed.map((f) => `${f.change.id}: ${f.message}`)).toEqual([])
    expect(outcome.added).toBe(1000)
    expect(Object.keys(state.resources)).toHaveLength(500)
    expectConverged(primary, FULL)
    expectConverged(dr, FULL)

    // The same apply with no faults, for the minimum number of requests.
    const calmPrimary = await harbor()
    const calmDr = await harbor()
    await run(configDir({primary: calmPrimary.url, dr: calmDr.url}, FULL, TOLERANT))
    const sent = totalRequests(primary) + totalRequests(dr)
    const needed = totalRequests(calmPrimary) + totalRequests(calmDr)
    console.log(`request amplification under faults: ${sent} requests sent / ${needed} needed = ×${(sent / needed).toFixed(2)}`)
    expect(sent).toBeGreaterThan(needed)

    primary.faults.clear()
    dr.faults.clear()
    expect((await planOnly(dir)).changes).toEqual([])
  })

  it('leaves no orphan and no duplicate when 10% of creates are applied and then fail', async () => {
    const faults: FaultRule[] = [
      {match: 'POST /**', rate: 0.05, afterHandler: 503},
      {match: 'POST /**', rate: 0.05, afterHandler: 'reset'},
    ]
    const size: Size = {projects: 100, groups: 100, members: 100}
    const primary = await harbor(faults, 21)
    const dr = await harbor(faults, 22)
    const dir = configDir({primary: primary.url, dr: dr.url}, size, TOLERANT)
    const {outcome, state} = await run(dir)
    const hits = primary.faults
      .rules()
      .concat(dr.faults.rules())
      .reduce((sum, rule) => sum + rule.hits, 0)
    expect(outcome.failed.map((f) => `${f.change.id}: ${f.message}`)).toEqual([])
    expect(hits).toBeGreaterThan(20)
    expect(Object.keys(state.resources)).toHaveLength(300)
    expectConverged(primary, size)
    expectConverged(dr, size)
    primary.faults.clear()
    dr.faults.clear()
    expect((await planOnly(dir)).changes).toEqual([])
  })
})

describe('one endpoint going away', () => {
  const SMALL: Size = {projects: 30, groups: 30, members: 20}

  async function twoEndpoints(): Promise<{primary: EmulatorHandle; dr: EmulatorHandle; front: TcpSwitch; dir: string}> {
    const primary = await harbor()
    const dr = await harbor()
    const front = await startSwitch(dr.port)
    cleanups.push(() => front.close())
    const dir = configDir({primary: primary.url, dr: front.url}, SMALL, QUICK)
    return {primary, dr, front, dir}
  }

  /** Plans with both endpoints up, takes dr away (`mode`), then applies. */
  async function applyWhileDown(mode: 'down' | 'hang') {
    const {primary, dr, front, dir} = await twoEndpoints()
    const events: EngineEvent[] = []
    const workspace = await Workspace.open({configDir: dir, events: {emit: (event) => events.push(event)}, operation: 'apply'})
    let outcome: Awaited<ReturnType<Workspace['apply']>>
    try {
      const plan = await workspace.plan()
      expect(plan.result.changes).toHaveLength(160)
      await front.mode(mode)
      events.length = 0
      outcome = await workspace.apply(plan, {onFailure: 'continue'})
    } finally {
      await workspace.close()
    }
    const onDr = (e: EngineEvent) => 'endpoint' in e && e.endpoint === 'dr'
    const drRequests = events.filter((e) => e.type === 'http.request' && onDr(e))
    const breaker = events.filter((e) => e.type === 'breaker' && onDr(e)).map((e) => e.type === 'breaker' && e.state)
    return {primary, dr, front, dir, outcome, drRequests, breaker}
  }

  it.each(['down', 'hang'] as const)(
    'dr %s mid-apply: its breaker opens within a bounded number of requests, primary completes, the next run converges',
    async (mode) => {
      const {primary, dr, front, dir, outcome, drRequests, breaker} = await applyWhileDown(mode)
      // The run of 12 failures that opens the breaker, and what dr's other 7 slots had in flight then.
      expect(breaker[0]).toBe('open')
      expect(drRequests.length).toBeGreaterThanOrEqual(12)
      expect(drRequests.length).toBeLessThanOrEqual(12 + 7)
      const failedOn = new Set(outcome.failed.map((f) => f.change.endpoint))
      expect([...failedOn]).toEqual(['dr'])
      expect(outcome.failed.some((f) => /^endpoint dr unavailable \(circuit open since .+\)$/.test(f.message))).toBe(true)
      expectConverged(primary, SMALL)

      await front.mode('up')
      const again = await run(dir)
      expect(again.outcome.failed).toEqual([])
      expectConverged(dr, SMALL)
      expect((await planOnly(dir)).changes).toEqual([])
    },
  )

  it('hrep apply exits 1 naming the endpoint that is down, after applying the other', async () => {
    const {primary, front, dir} = await twoEndpoints()
    await front.mode('down')
    const result = await runCli(['apply', '--auto-approve', '--on-failure', 'continue', '-c', dir], {timeoutMs: 60_000})
    expect(result.code).toBe(1)
    const output = result.stdout + result.stderr
    expect(output).toMatch(/\bdr: GET \/users\/current failed: connection refused \(ECONNREFUSED\)/)
    expect(output).toContain('Resources: 80 added')
    expect(output).toContain('Apply complete, but not everywhere.')
    expect(output).toMatch(/endpoint dr was not changed: /)
    expectConverged(primary, SMALL)
  })
})
