/**
 * `hrep sync` as operators run it: a real process against two emulated Harbors over HTTP, with a 1 s
 * interval. One daemon goes through a whole life (failing start, first success, SIGHUP with a new
 * robot, a rejected reload, drift put back, every endpoint down, SIGTERM); another is stopped in the
 * middle of a long apply; `--once` reports through its exit code.
 */
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {harborApi, endpointsHcl, type HarborWorld, startHarbors} from '../helpers/harbors.js'
import {metricSum, type LogLine, type SyncProcess, startSync} from './sync-process.js'

const ROBOT_SECRET = 'Declared-Robot-Secret-9f3k2'

const RETRY_ONCE = '  retry {\n    attempts = 1\n  }\n'

let world: HarborWorld | undefined
let daemon: SyncProcess | undefined

afterEach(async () => {
  daemon?.kill()
  await daemon?.exited
  await world?.close()
  daemon = undefined
  world = undefined
})

const isCycle = (status?: string) => (line: LogLine) =>
  line.msg === 'sync cycle finished' && (status === undefined || line.status === status)

// Each test starts one or two processes and waits for cycles: generous, for a loaded machine.
describe('hrep sync (process)', {timeout: 120_000}, () => {
  it('goes from failing to ready, reloads on SIGHUP, rejects a broken config, puts drift back, and stops on SIGTERM', async () => {
    world = await startHarbors(['primary', 'dr'])
    // One attempt per request: a faulted endpoint fails its cycle at once instead of after retries.
    await world.write('endpoints.hcl', endpointsHcl(world.harbors, RETRY_ONCE))
    await world.write(
      'main.hcl',
      `project "team" {\n  name = "team-a"\n}\n\nrobot "ci" {\n  secret = env("CI_ROBOT_SECRET")\n  permission {\n    namespace = "*"\n    access    = ["repository:pull"]\n  }\n}\n`,
    )
    const {primary, dr} = world.harbors as Record<'primary' | 'dr', HarborWorld['harbors'][string]>
    for (const harbor of [primary, dr]) harbor.faults.add({id: 'down', match: '*', status: 503})

    const sync = await startSync(['--interval', '1s', '--listen', '127.0.0.1:0'], {
      cwd: world.dir,
      env: {CI_ROBOT_SECRET: ROBOT_SECRET},
    })
    daemon = sync
    expect(sync.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

    // 1. Every endpoint answers 503: the cycle fails, the daemon stays up and is not ready.
    await sync.waitFor('a failed cycle', isCycle('failed'))
    const notReady = await sync.get('/readyz')
    expect(notReady.status).toBe(503)
    expect(notReady.json).toMatchObject({ready: false})
    expect((await sync.get('/healthz')).status).toBe(200)
    expect((await sync.get('/nowhere')).status).toBe(404)
    let metrics = (await sync.get('/metrics')).text
    expect(metricSum(metrics, 'harbor_replicator_sync_total', {status: 'failed'})).toBeGreaterThanOrEqual(1)
    expect(metricSum(metrics, 'harbor_replicator_errors_total', {stage: 'refresh', endpoint: 'dr'})).toBeGreaterThanOrEqual(1)
    expect(metricSum(metrics, 'harbor_replicator_endpoint_up', {endpoint: 'primary'})).toBe(0)

    // 2. The endpoints recover: the next cycle creates everything and the daemon turns ready.
    for (const harbor of [primary, dr]) harbor.faults.remove('down')
    await sync.waitFor('a successful cycle', isCycle('success'))
    const added = sync.lines.filter(isCycle()).reduce((sum, line) => sum + Number(line.added), 0)
    expect(added).toBe(4)
    const ready = await sync.get('/readyz')
    expect(ready.status).toBe(200)
    expect(ready.json).toMatchObject({ready: true, endpoints: {primary: {available: true}, dr: {available: true}}})
    metrics = (await sync.get('/metrics')).text
    for (const endpoint of ['primary', 'dr']) {
      expect(
        metricSum(metrics, 'harbor_replicator_resources_synced', {type: 'robot', source: endpoint, operation: 'create'}),
      ).toBe(1)
      expect(
        metricSum(metrics, 'harbor_replicator_resources_synced', {type: 'project', source: endpoint, operation: 'create'}),
      ).toBe(1)
      expect(metricSum(metrics, 'harbor_replicator_managed_objects', {endpoint})).toBe(2)
    }
    expect(metricSum(metrics, 'harbor_replicator_sync_total', {status: 'success'})).toBeGreaterThanOrEqual(1)
    expect(metricSum(metrics, 'harbor_replicator_last_successful_sync_timestamp_seconds')).toBeGreaterThan(0)
    expect(
      metricSum(metrics, 'harbor_replicator_api_request_duration_seconds_count', {endpoint: 'dr', method: 'POST'}),
    ).toBeGreaterThan(0)
    expect(metricSum(metrics, 'harbor_replicator_ready')).toBe(1)
    expect(metricSum(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(0)

    // A manual run meanwhile fails at once, naming the daemon that holds the lock.
    const apply = await world.run(['apply', '--auto-approve'], {env: {CI_ROBOT_SECRET: ROBOT_SECRET}})
    expect(apply.code).toBe(1)
    expect(apply.stderr).toMatch(/sync/)
    expect(apply.stderr).toContain(String(sync.child.pid))

    // 3. SIGHUP with a new file: the new robot is created on the next cycle, on both endpoints.
    await world.write(
      'deploy.hcl',
      `robot "deploy" {\n  permission {\n    namespace = "*"\n    access    = ["repository:push"]\n  }\n}\n`,
    )
    let mark = sync.lines.length
    sync.child.kill('SIGHUP')
    await sync.waitFor('the reload', (line) => line.msg === 'configuration reloaded', {from: mark})
    for (const endpoint of ['primary', 'dr']) {
      await sync.waitFor(
        `robot.deploy on ${endpoint}`,
        (line) => line.msg === 'change applied' && line.address === 'robot.deploy' && line.endpoint === endpoint,
        {from: mark},
      )
    }
    for (const harbor of [primary, dr]) expect(harbor.robots().map((robot) => robot.name)).toContain('deploy')

    // 4. A broken file and SIGHUP: rejected with its location, the old configuration keeps syncing.
    await world.write('broken.hcl', 'robot "x" {\n  permission = [\n')
    mark = sync.lines.length
    sync.child.kill('SIGHUP')
    const rejected = await sync.waitFor('the rejection', (line) => line.msg.startsWith('configuration rejected'), {from: mark})
    expect(rejected.level).toBe('error')
    expect(JSON.stringify(rejected.problems)).toMatch(/broken\.hcl:\d+:\d+/)
    // Someone deletes the new robot on dr by hand: the old configuration (which has it) puts it back.
    const robots = await harborApi<{id: number; name: string}[]>(dr, 'GET', '/robots')
    await harborApi(dr, 'DELETE', `/robots/${robots.find((robot) => robot.name === 'robot$deploy')!.id}`)
    mark = sync.lines.length
    const recreated = await sync.waitFor(
      'robot.deploy recreated on dr',
      (line) => line.msg === 'change applied' && line.address === 'robot.deploy' && line.endpoint === 'dr',
      {from: mark},
    )
    const cycle = await sync.waitFor('the cycle that put it back', isCycle(), {from: sync.lines.indexOf(recreated)})
    expect(cycle.drifted).toBe(1)
    metrics = (await sync.get('/metrics')).text
    expect(metricSum(metrics, 'harbor_replicator_config_last_reload_successful')).toBe(0)
    expect(metricSum(metrics, 'harbor_replicator_config_reloads_total', {status: 'failed'})).toBe(1)
    expect(metricSum(metrics, 'harbor_replicator_drift_detected_total', {type: 'robot', endpoint: 'dr'})).toBe(1)

    // 5. Every endpoint goes down again: no longer ready.
    for (const harbor of [primary, dr]) harbor.faults.add({id: 'down', match: '*', status: 503})
    mark = sync.lines.length
    await sync.waitFor('a failed cycle', isCycle('failed'), {from: mark})
    const down = await sync.get('/readyz')
    expect(down.status).toBe(503)
    expect(down.json).toMatchObject({ready: false, reason: expect.stringMatching(/every endpoint/)})

    // 6. SIGTERM: a clean stop with exit 0, the lock released.
    sync.child.kill('SIGTERM')
    expect(await sync.exited).toEqual({code: 0, signal: null})
    expect(sync.lines.at(-1)?.msg).toBe('hrep sync stopped')
    expect(await readdir(world.dir)).not.toContain('hrep.state.json.lock')

    // No line ever carried a password or a robot secret (declared or generated).
    const records = JSON.parse(await readFile(join(world.dir, 'secrets.json'), 'utf8')) as Record<string, {secret: string}>
    const generated = Object.values(records).map((record) => record.secret)
    expect(generated).toHaveLength(1)
    const output = sync.raw.join('\n')
    for (const secret of [primary.password, ROBOT_SECRET, ...generated]) expect(output).not.toContain(secret)
  })

  it('lets the changes in flight finish on SIGTERM during a long apply, leaves a consistent state and exits 0', async () => {
    world = await startHarbors(['primary'])
    const names = Array.from({length: 20}, (_, i) => `p${i}`)
    await world.write('main.hcl', `project "p" {\n  for_each = toset(${JSON.stringify(names)})\n  name     = each.key\n}\n`)
    const harbor = world.harbors.primary!
    // 20 creates of 1 s, two at a time: the apply takes 10 s, and the signal comes after the first.
    harbor.faults.add({id: 'slow', match: 'POST /projects', latencyMs: 1000})
    const sync = await startSync(['--interval', '1h', '--listen', '127.0.0.1:0', '--parallelism', '2'], {cwd: world.dir})
    daemon = sync

    await sync.waitFor('a first change', (line) => line.msg === 'change applied')
    sync.child.kill('SIGTERM')
    expect(await sync.exited).toEqual({code: 0, signal: null})

    // The changes in flight at the signal finished; nothing failed; the cycle says it was cut short.
    const signalled = sync.lines.findIndex((line) => line.msg.startsWith('SIGTERM received'))
    expect(signalled).toBeGreaterThan(0)
    expect(sync.lines.slice(signalled).some((line) => line.msg === 'change applied')).toBe(true)
    expect(sync.lines.some((line) => line.msg === 'change failed')).toBe(false)
    expect(sync.lines.find(isCycle())?.status).toBe('interrupted')

    // The state parses, no journal is left, and the state holds exactly what exists on Harbor.
    const state = await world.state()
    const stateNames = Object.values(state!.resources).map((byEndpoint) => String(byEndpoint.primary!.attrs.name))
    expect(stateNames.length).toBeGreaterThan(0)
    expect(stateNames.length).toBeLessThan(names.length)
    expect(await readdir(world.dir)).not.toContain('hrep.state.json.journal')
    const live = new Map(harbor.projects().map((project) => [project.name, project]))
    expect([...live.keys()].filter((name) => names.includes(name)).sort()).toEqual([...stateNames].sort())

    // The next run finishes the work: no conflict (no orphan), every project there.
    harbor.faults.remove('slow')
    const next = await world.run(['sync', '--once'])
    expect(next.code, next.stdout + next.stderr).toBe(0)
    expect(harbor.projects().filter((project) => names.includes(project.name))).toHaveLength(names.length)
  })

  it('cancels the writes still running at the shutdown timeout, exits 0 and leaves them in doubt for the next run', async () => {
    world = await startHarbors(['primary'])
    await world.write('main.hcl', 'project "p" {\n  for_each = toset(["slow-a", "slow-b"])\n  name     = each.key\n}\n')
    const harbor = world.harbors.primary!
    // Each create takes 20 s, longer than the 1 s shutdown timeout: only cancelling them stops the apply.
    harbor.faults.add({id: 'slow', match: 'POST /projects', latencyMs: 20_000})
    const sync = await startSync(
      ['--interval', '1h', '--listen', '127.0.0.1:0', '--shutdown-timeout', '1s', '--log-level', 'debug'],
      {cwd: world.dir},
    )
    daemon = sync

    await sync.waitFor('a create in flight', (line) => line.msg === 'change started')
    sync.child.kill('SIGTERM')
    expect(await sync.exited).toEqual({code: 0, signal: null})
    expect(sync.lines.some((line) => line.msg.startsWith('shutdown timeout reached'))).toBe(true)
    expect(sync.lines.some((line) => line.msg.startsWith('hrep sync did not stop in time'))).toBe(false)

    // The creates were cut off, not failed: their intents wait in the journal, and the state parses.
    const journal = await readFile(join(world.dir, 'hrep.state.json.journal'), 'utf8')
    const entries = journal
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {type: string; change?: string})
    const intents = entries.filter((entry) => entry.type === 'intent').map((entry) => entry.change)
    expect(intents.length).toBeGreaterThan(0)
    expect(entries.some((entry) => entry.type === 'failed' || entry.type === 'done')).toBe(false)
    await world.state()

    // The next run settles them (Harbor may have created the projects after all) and finishes: no conflict.
    harbor.faults.remove('slow')
    const next = await world.run(['sync', '--once'])
    expect(next.code, next.stdout + next.stderr).toBe(0)
    expect(
      harbor
        .projects()
        .map((project) => project.name)
        .filter((name) => name.startsWith('slow-'))
        .sort(),
    ).toEqual(['slow-a', 'slow-b'])
    expect(await readdir(world.dir)).not.toContain('hrep.state.json.journal')
  })

  it('with --log-format json, a configuration that cannot start is one JSON error line naming file:line:column', async () => {
    world = await startHarbors(['primary'])
    await world.write('main.hcl', 'project "p" {\n  nmae = "x"\n}\n')
    const result = await world.run(['sync', '--once', '--log-format', 'json'])
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    const line = JSON.parse(lines[0]!) as {level: string; msg: string; problems: string[]}
    expect(line).toMatchObject({level: 'error', msg: 'hrep sync could not start'})
    expect(line.problems).toEqual([expect.stringMatching(/main\.hcl:2:3: Unsupported argument/)])
  })

  it('while it waits for the lock, says who holds it, survives SIGHUP and stops on SIGTERM (143)', async () => {
    world = await startHarbors(['primary'])
    await world.write('main.hcl', 'project "p" {\n  name = "team-a"\n}\n')
    const holder = await startSync(['--interval', '1h', '--listen', '127.0.0.1:0'], {cwd: world.dir})
    daemon = holder
    const waiting = await startSync(['--interval', '1h', '--listen', '127.0.0.1:0', '--lock-timeout', '1m'], {
      cwd: world.dir,
      waitForStart: false,
    })
    try {
      const line = await waiting.waitFor('the lock wait', (l) => l.msg === 'waiting for the state lock')
      expect(line.holder).toMatch(/"hrep sync" \(pid \d+/)
      // A reload while starting (systemctl reload) must not kill it: the signal is kept for later.
      waiting.child.kill('SIGHUP')
      waiting.child.kill('SIGTERM')
      expect(await waiting.exited).toEqual({code: 143, signal: null})
      expect(waiting.raw.join('\n')).toContain('SIGTERM received while starting: stopped before the first cycle')
    } finally {
      waiting.kill()
    }
    // The holder is untouched.
    expect((await holder.get('/healthz')).status).toBe(200)
  })

  it('--once exits 1 when an endpoint is unavailable and 0 once everything is synced, without a listener', async () => {
    world = await startHarbors(['primary', 'dr'])
    await world.write('endpoints.hcl', endpointsHcl(world.harbors, RETRY_ONCE))
    await world.write('main.hcl', 'project "team" {\n  name = "team-a"\n}\n')
    world.harbors.dr!.faults.add({id: 'down', match: '*', status: 503})

    const partial = await world.run(['sync', '--once', '--log-format', 'json'])
    expect(partial.code).toBe(1)
    const lines = partial.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogLine)
    expect(lines[0]).toMatchObject({msg: 'hrep sync started', once: true})
    expect(lines[0]!.listen).toBeUndefined()
    expect(lines.find(isCycle())).toMatchObject({status: 'partial', added: 1, unavailable: ['dr']})
    expect(world.harbors.primary!.projects().map((project) => project.name)).toContain('team-a')

    world.harbors.dr!.faults.remove('down')
    const full = await world.run(['sync', '--once'])
    expect(full.code, full.stdout + full.stderr).toBe(0)
    expect(full.stdout).toMatch(/INFO {2}sync cycle finished cycle=1 status=success .*added=1/)
  })
})
