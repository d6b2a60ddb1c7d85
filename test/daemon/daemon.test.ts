/**
 * The daemon in-process against an emulated Harbor, mostly one cycle at a time (`once`): deletes held unless
 * allowed (by flag or by the hrep block) and reported as pending, conflicts reported as a partial
 * cycle, drift told apart from configuration changes; and the loop's jittered, never-overlapping schedule.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {SyncDaemon, type SyncDaemonOptions} from '../../src/daemon/index.js'
import {endpointsHcl, harborApi, type HarborWorld, startHarbors} from '../helpers/harbors.js'
import {metricSum} from './sync-process.js'

let world: HarborWorld

beforeEach(async () => {
  world = await startHarbors(['primary'])
})
afterEach(() => world.close())

type Line = {level: string; msg: string} & Record<string, unknown>

/** Runs one cycle; returns the exit code, the log lines and the metrics text after it. */
async function syncOnce(options: Partial<SyncDaemonOptions> = {}): Promise<{code: number; lines: Line[]; metrics: string}> {
  const lines: Line[] = []
  const daemon = await SyncDaemon.start({
    configDir: world.dir,
    intervalMs: 60_000,
    once: true,
    shutdownTimeoutMs: 5_000,
    processMetrics: false,
    log: {format: 'json', write: (line) => lines.push(JSON.parse(line) as Line)},
    ...options,
  })
  const code = await daemon.finished
  return {code, lines, metrics: (await daemon.metrics.exposition()).body}
}

const projects = (names: string[]) =>
  `project "p" {\n  for_each = toset(${JSON.stringify(names)})\n  name     = each.key\n  public   = false\n}\n`

const liveProjects = () =>
  world.harbors
    .primary!.projects()
    .map((project) => project.name)
    .filter((name) => name !== 'library')
    .sort()

describe('hrep sync cycles', () => {
  it('holds deletes unless allowed by --allow-delete or allow_delete, and reports them as pending', async () => {
    await world.write('main.hcl', projects(['a', 'b', 'c']))
    expect((await syncOnce()).code).toBe(0)
    expect(liveProjects()).toEqual(['a', 'b', 'c'])

    await world.write('main.hcl', projects(['a', 'b']))
    const held = await syncOnce()
    expect(held.code).toBe(0)
    expect(liveProjects()).toEqual(['a', 'b', 'c'])
    expect(
      metricSum(held.metrics, 'harbor_replicator_pending_changes', {type: 'project', operation: 'delete', reason: 'held'}),
    ).toBe(1)
    expect(held.lines.find((line) => line.msg.includes('held back'))).toMatchObject({
      level: 'warn',
      held: ['project.p["c"]@primary'],
    })
    expect(held.lines.find((line) => line.msg === 'sync cycle finished')).toMatchObject({status: 'success', held_deletes: 1})

    const allowed = await syncOnce({allowDelete: true})
    expect(allowed.code).toBe(0)
    expect(liveProjects()).toEqual(['a', 'b'])
    expect(metricSum(allowed.metrics, 'harbor_replicator_resources_synced', {operation: 'delete', source: 'primary'})).toBe(1)
    expect(metricSum(allowed.metrics, 'harbor_replicator_pending_changes')).toBe(0)

    // allow_delete = true in the hrep block allows them without the flag.
    await world.write('endpoints.hcl', endpointsHcl(world.harbors, '  allow_delete = true\n'))
    await world.write('main.hcl', projects(['a']))
    expect((await syncOnce()).code).toBe(0)
    expect(liveProjects()).toEqual(['a'])
  })

  it('reports an object taken by something hrep does not manage as a conflict: a partial cycle, exit 1', async () => {
    await harborApi(world.harbors.primary!, 'POST', '/projects', {project_name: 'taken', metadata: {public: 'false'}})
    await world.write('main.hcl', projects(['taken', 'free']))
    const run = await syncOnce()
    expect(run.code).toBe(1)
    expect(run.lines.find((line) => line.msg === 'sync cycle finished')).toMatchObject({
      status: 'partial',
      conflicts: 1,
      added: 1,
    })
    expect(run.lines.find((line) => String(line.hint).includes('hrep import'))).toMatchObject({
      level: 'warn',
      endpoint: 'primary',
    })
    expect(metricSum(run.metrics, 'harbor_replicator_sync_total', {status: 'partial'})).toBe(1)
    expect(
      metricSum(run.metrics, 'harbor_replicator_pending_changes', {type: 'project', operation: 'create', reason: 'conflict'}),
    ).toBe(1)
    expect(metricSum(run.metrics, 'harbor_replicator_last_successful_sync_timestamp_seconds')).toBe(0)
  })

  it('counts as drift what changed on Harbor, not what changed in the configuration', async () => {
    await world.write('main.hcl', projects(['a', 'b']))
    expect((await syncOnce()).code).toBe(0)

    // Someone makes a public by hand; the configuration turns on auto_scan for b.
    await harborApi(world.harbors.primary!, 'PUT', '/projects/a', {metadata: {public: 'true'}})
    await world.write(
      'main.hcl',
      `project "p" {\n  for_each  = toset(["a", "b"])\n  name      = each.key\n  public    = false\n  auto_scan = each.key == "b"\n}\n`,
    )
    const run = await syncOnce()
    expect(run.code).toBe(0)
    const cycle = run.lines.find((line) => line.msg === 'sync cycle finished')!
    expect(cycle).toMatchObject({status: 'success', changed: 2, drifted: 1, drifted_objects: ['project.p["a"]@primary']})
    expect(metricSum(run.metrics, 'harbor_replicator_drift_detected_total', {type: 'project', endpoint: 'primary'})).toBe(1)
    expect(metricSum(run.metrics, 'harbor_replicator_drifted_objects', {type: 'project', endpoint: 'primary'})).toBe(1)
    expect(world.harbors.primary!.projects().find((project) => project.name === 'a')?.public).toBe(false)
  })
})

describe('the daemon loop', () => {
  it('waits a jittered interval from the end of each cycle, so cycles never overlap', async () => {
    await world.write('main.hcl', projects(['a', 'b']))
    // Every request takes 20 ms: a cycle lasts long enough to tell "after its end" from "after its start".
    world.harbors.primary!.faults.add({id: 'slow', match: '*', latencyMs: 20})
    const randoms = [0, 1, 0.5, 0.25]
    const lines: Line[] = []
    let finished = 0
    let stop: (() => void) | undefined
    const daemon = await SyncDaemon.start({
      configDir: world.dir,
      intervalMs: 400,
      jitter: 0.5,
      random: () => randoms.shift() ?? 0.5,
      shutdownTimeoutMs: 5_000,
      processMetrics: false,
      log: {
        format: 'json',
        level: 'debug',
        write: (line) => {
          const parsed = JSON.parse(line) as Line
          lines.push(parsed)
          if (parsed.msg === 'sync cycle finished' && ++finished === 4) stop?.()
        },
      },
    })
    stop = () => daemon.shutdown('test')
    expect(await daemon.finished).toBe(0)

    const delays = lines.filter((l) => l.msg === 'next cycle scheduled').map((l) => l.in_ms as number)
    // 400 ms × (1 ± 0.5) for randoms 0, 1, 0.5: 200, 600, 400.
    expect(delays.slice(0, 3)).toEqual([200, 600, 400])
    const cycles = lines
      .filter((l) => l.msg === 'sync cycle finished')
      .map((l) => ({end: Date.parse(l.time as string), duration: l.duration_ms as number}))
    expect(cycles.length).toBeGreaterThanOrEqual(4)
    for (let n = 0; n < 3; n++) {
      const nextStart = cycles[n + 1]!.end - cycles[n + 1]!.duration
      // The next cycle starts its delay after this one ended (a few ms of rounding in the log times).
      expect(nextStart - cycles[n]!.end).toBeGreaterThanOrEqual(delays[n]! - 5)
      expect(cycles[n]!.duration).toBeGreaterThan(20)
    }
  })
})
