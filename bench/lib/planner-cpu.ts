/**
 * CPU time of the pure planner, in this process: the planner's inputs are captured once the way the
 * engine builds them (config loaded, state read, every endpoint refreshed, desired objects expanded),
 * then `plan()` runs several times and the median CPU time is reported. The capture's own steps are
 * timed too, as a breakdown of where a plan's time goes outside the network.
 */
import {loadConfig} from '../../src/config/load.js'
import {closeEndpoints, connectEndpoints} from '../../src/engine/endpoints.js'
import {READ_ORDER, refresh} from '../../src/engine/refresh.js'
import {kinds} from '../../src/kinds/registry.js'
import {nullSink} from '../../src/model/events.js'
import {expandDesired} from '../../src/plan/desired.js'
import {SECRET_ATTR} from '../../src/plan/diff.js'
import {plan} from '../../src/plan/planner.js'
import {fingerprintMatchesAsync, readState} from '../../src/state/index.js'

export interface PlannerCpu {
  /** Median CPU time of one `plan()` call, ms. */
  medianMs: number
  runsMs: number[]
  desiredObjects: number
  liveObjects: number
  /** Changes the plan holds (0 for in-sync endpoints). */
  changes: number
  /** Wall time of the steps before the planner, ms (in this process, for the breakdown). */
  steps: {loadConfigMs: number; readStateMs: number; refreshMs: number; fingerprintsMs: number; expandMs: number}
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Captures the planner's inputs for the config in `dir` and times `plan()` `runs` times. */
export async function measurePlanner(dir: string, runs = 7): Promise<PlannerCpu> {
  let mark = performance.now()
  const lap = () => {
    const now = performance.now()
    const ms = now - mark
    mark = now
    return ms
  }
  const config = await loadConfig(dir)
  const loadConfigMs = lap()
  const state = await readState(config.hrep.state)
  const readStateMs = lap()
  const sessions = await connectEndpoints(config, {events: nullSink})
  let live: Awaited<ReturnType<typeof refresh>>
  try {
    live = await refresh(sessions, {events: nullSink, kinds, kindsFor: () => new Set(READ_ORDER)})
  } finally {
    await closeEndpoints(sessions.values())
  }
  const refreshMs = lap()
  // Declared robot secrets are checked against the state's fingerprints first, as the engine does.
  const matches = new Map<string, boolean>()
  await Promise.all(
    config.resources.flatMap((resource) => {
      const secret = resource.secrets[SECRET_ATTR]
      if (secret === undefined) return []
      return resource.endpoints.map(async (endpoint) => {
        const fingerprint = state.resources[resource.address]?.[endpoint]?.secret_fp
        if (fingerprint !== undefined)
          matches.set(`${resource.address}@${endpoint}`, await fingerprintMatchesAsync(secret.reveal(), fingerprint))
      })
    }),
  )
  const fingerprintsMs = lap()
  const desired = expandDesired(config.resources, kinds, {
    secretMatches: (address, endpoint) => matches.get(`${address}@${endpoint}`),
  })
  const expandMs = lap()
  let liveObjects = 0
  for (const endpoint of Object.values(live.endpoints)) {
    if (endpoint.status !== 'ok') throw new Error(`an endpoint could not be read: ${endpoint.message}`)
    for (const list of Object.values(endpoint.objects)) liveObjects += list?.length ?? 0
  }
  const runsMs: number[] = []
  let changes = 0
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage()
    const result = plan({desired, live, state, kinds})
    const used = process.cpuUsage(before)
    runsMs.push((used.user + used.system) / 1000)
    changes = result.changes.length
  }
  return {
    medianMs: median(runsMs),
    runsMs,
    desiredObjects: desired.length,
    liveObjects,
    changes,
    steps: {loadConfigMs, readStateMs, refreshMs, fingerprintsMs, expandMs},
  }
}
