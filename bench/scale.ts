/**
 * `npm run bench [-- --scale small|default|large] [--latency-ms 10] [--endpoints 3]`: hrep at scale
 * against emulated Harbors with network latency, measured against the API's lower bound and against
 * the per-object read pattern of the Terraform provider, in one run on the same emulators.
 *
 * 1. Builds the CLI from the working tree (bench/lib/build.ts) and starts the emulators in a child
 *    process (their CPU is not hrep's), each adding `--latency-ms` to every request.
 * 2. Writes a configuration declaring the scale's objects on every endpoint (bench/lib/scale-config.ts).
 * 3. apply from empty targets: `hrep apply --auto-approve`, run as a user runs it (CI output).
 * 4. plan on in-sync endpoints: `hrep plan --detailed-exitcode` right after, which must find nothing
 *    to do (exit 0); the median of several runs.
 * 5. The per-object read pattern over every object in the state (bench/lib/per-object.ts).
 * 6. CPU time of the pure planner on captured inputs (bench/lib/planner-cpu.ts).
 * Prints a table and writes bench/results/latest.json. Targets are in docs/performance.md; this is a
 * benchmark, not a test: it reports misses and never fails because of them.
 *
 * More flags: --secrets show|output|declared (where robot secrets come from, default show; see
 * scale-config.ts), --parallelism N (per endpoint, default hrep's 8), --plan-runs N (default 3),
 * --src DIR (build hrep from another checkout, to compare), --keep (keep the working directory),
 * --skip-per-object, --out FILE (default bench/results/latest.json).
 */
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {DEFAULT_RELIABILITY} from '../src/reliability/defaults.js'
import {buildCli} from './lib/build.js'
import {calibrate} from './lib/calibrate.js'
import {type Census, type RequestCounts, startEmulatorProcess} from './lib/emulator-process.js'
import {createRequests, documentedReadRequests, fullReadRequests, lowerBoundMs} from './lib/lower-bound.js'
import {perObjectReads} from './lib/per-object.js'
import {measurePlanner} from './lib/planner-cpu.js'
import {type HrepRun, runHrep, tail} from './lib/run-hrep.js'
import {
  endpointName,
  endpointsHcl,
  objectCount,
  ROBOT_SECRET_BASE,
  resourcesHcl,
  SCALE_SIZES,
  SCALES,
  SECRET_MODES,
  type ScaleName,
  type SecretMode,
} from './lib/scale-config.js'

const repo = fileURLToPath(new URL('..', import.meta.url))

/** Issue 10's targets (docs/performance.md). */
const TARGETS = {planRatio: 1.5, applyRatio: 2, plannerCpuMs: 1000, peakRssMb: 400, perObjectSpeedup: 20}

const {values: flags} = parseArgs({
  options: {
    scale: {type: 'string', default: 'default'},
    'latency-ms': {type: 'string', default: '10'},
    endpoints: {type: 'string', default: '3'},
    parallelism: {type: 'string'},
    secrets: {type: 'string', default: 'show'},
    'plan-runs': {type: 'string', default: '3'},
    src: {type: 'string'},
    keep: {type: 'boolean', default: false},
    'skip-per-object': {type: 'boolean', default: false},
    out: {type: 'string', default: join(repo, 'bench/results/latest.json')},
  },
})

function usage(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

function whole(name: string, text: string, min = 1): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < min) usage(`--${name} must be a whole number ≥ ${min} (got ${text})`)
  return value
}

function oneOf<T extends string>(name: string, text: string, options: readonly T[]): T {
  if (!(options as readonly string[]).includes(text)) usage(`--${name} must be one of ${options.join(', ')} (got ${text})`)
  return text as T
}

const scale: ScaleName = oneOf('scale', flags.scale!, SCALES)
const secrets: SecretMode = oneOf('secrets', flags.secrets!, SECRET_MODES)
const latencyMs = whole('latency-ms', flags['latency-ms']!, 0)
const endpointCount = whole('endpoints', flags.endpoints!)
const parallelism = flags.parallelism === undefined ? DEFAULT_RELIABILITY.parallelism : whole('parallelism', flags.parallelism)
const planRuns = whole('plan-runs', flags['plan-runs']!)
const size = SCALE_SIZES[scale]
const concurrency = parallelism * endpointCount

const say = (line: string) => process.stdout.write(`${line}\n`)
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const ratio = (actual: number, bound: number) => (bound > 0 ? actual / bound : Number.NaN)

function mergeRoutes(counts: RequestCounts[]): Record<string, number> {
  const merged: Record<string, number> = {}
  for (const count of counts) for (const [route, n] of Object.entries(count.byRoute)) merged[route] = (merged[route] ?? 0) + n
  return Object.fromEntries(Object.entries(merged).sort((a, b) => b[1] - a[1]))
}

function check(run: HrepRun, expected: number, what: string): void {
  if (run.code !== expected) throw new Error(`${what} exited with ${run.code} (expected ${expected}):\n${tail(run)}`)
}

/** Throws unless every endpoint holds exactly the scale's objects more than `before`. */
function checkCensus(census: Census[], before: Census[]): void {
  census.forEach((after, i) => {
    const got = {
      projects: after.projects - before[i]!.projects,
      systemRobots: after.systemRobots - before[i]!.systemRobots,
      projectRobots: after.projectRobots - before[i]!.projectRobots,
      groups: after.groups - before[i]!.groups,
      members: sum(after.membersPerProject) - sum(before[i]!.membersPerProject) - (after.projects - before[i]!.projects),
    }
    for (const key of Object.keys(got) as (keyof typeof got)[]) {
      if (got[key] !== size[key]) {
        throw new Error(`endpoint ${endpointName(i)} holds ${got[key]} new ${key} after apply, expected ${size[key]}`)
      }
    }
  })
}

const loadBefore = os.loadavg()
say(
  `hrep scale benchmark: scale ${scale}, ${endpointCount} endpoints, ${latencyMs} ms latency, parallelism ${parallelism} per endpoint, robot secrets: ${secrets}`,
)
say(
  `per endpoint: ${size.projects} projects, ${size.projectRobots + size.systemRobots} robots (${size.projectRobots} project-level), ` +
    `${size.groups} OIDC groups, ${size.members} memberships = ${objectCount(size).toLocaleString('en')} objects; ` +
    `${(objectCount(size) * endpointCount).toLocaleString('en')} in all`,
)
say(`machine: ${os.cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`)

const source = flags.src === undefined ? repo : resolve(flags.src)
const cli = buildCli(source, existsSync(join(source, 'node_modules')) ? undefined : join(repo, 'node_modules'))
say(`hrep CLI: ${cli.built ? 'built' : 'reused'} from ${join(source, 'src')} in ${seconds(cli.ms)} (${cli.root})`)

const work = mkdtempSync(join(os.tmpdir(), 'hrep-bench-'))
const emulators = await startEmulatorProcess(endpointCount, latencyMs)
try {
  writeFileSync(join(work, 'endpoints.hcl'), endpointsHcl(emulators.urls, emulators.username, emulators.password, secrets))
  for (const [file, text] of Object.entries(resourcesHcl(size, secrets))) writeFileSync(join(work, file), text)
  const common = ['-c', work, ...(flags.parallelism === undefined ? [] : ['--parallelism', String(parallelism)])]
  const env: Record<string, string> = secrets === 'declared' ? {HREP_VAR_robot_secret: ROBOT_SECRET_BASE} : {}

  // --- apply from empty targets ---
  const applyCalibration = await calibrate(emulators.urls, emulators, parallelism)
  say(`\ncalibration: ${applyCalibration.effectiveLatencyMs.toFixed(1)} ms effective round trip at concurrency ${concurrency}`)
  const emptyCensus = await emulators.census()
  await emulators.resetCounts()
  let emulatorCpu = await emulators.cpuMs()
  say('apply from empty targets...')
  const applyArgs = ['apply', '--auto-approve', ...(secrets === 'show' ? ['--show-secrets'] : []), ...common]
  let apply = await runHrep(cli, work, 'apply', applyArgs, env)
  let applyOutput = 'human (CI: plain lines)'
  const applyFailure =
    apply.code !== 0 && sum((await emulators.counts()).map((c) => c.byRoute['POST /projects'] ?? 0)) === 0
      ? tail(apply, 3)
      : undefined
  if (applyFailure !== undefined) {
    // The human output failed before anything was created: measure the engine through --json instead.
    say(`  the apply with human output failed before changing anything:\n${applyFailure}\n  measuring with --json instead`)
    applyOutput = `--json (human output failed: ${applyFailure.split('\n').at(-1)})`
    await emulators.resetCounts()
    emulatorCpu = await emulators.cpuMs()
    apply = await runHrep(cli, work, 'apply-json', [...applyArgs, '--json'], env)
  }
  check(apply, 0, 'hrep apply')
  const applyCounts = await emulators.counts()
  const applyEmulatorCpuMs = (await emulators.cpuMs()) - emulatorCpu
  const fullCensus = await emulators.census()
  checkCensus(fullCensus, emptyCensus)
  const applyLowerRequests = sum(
    fullCensus.map((after, i) => fullReadRequests(emptyCensus[i]!) + createRequests(emptyCensus[i]!, after)),
  )
  const applyRequests = sum(applyCounts.map((c) => c.total))
  say(`  ${seconds(apply.wallMs)}, ${applyRequests} requests, peak RSS ${apply.peakRssMb.toFixed(0)} MB`)

  // --- plan on in-sync endpoints ---
  const planCalibration = await calibrate(emulators.urls, emulators, parallelism)
  say(`calibration: ${planCalibration.effectiveLatencyMs.toFixed(1)} ms effective round trip at concurrency ${concurrency}`)
  const planRunsData: {run: HrepRun; requests: number; byRoute: Record<string, number>; emulatorCpuMs: number}[] = []
  for (let i = 0; i < planRuns; i++) {
    await emulators.resetCounts()
    emulatorCpu = await emulators.cpuMs()
    say(`plan on in-sync endpoints (${i + 1}/${planRuns})...`)
    const run = await runHrep(cli, work, `plan-${i + 1}`, ['plan', '--detailed-exitcode', ...common], env)
    check(run, 0, 'hrep plan --detailed-exitcode (in sync: no changes expected)')
    const counts = await emulators.counts()
    planRunsData.push({
      run,
      requests: sum(counts.map((c) => c.total)),
      byRoute: mergeRoutes(counts),
      emulatorCpuMs: (await emulators.cpuMs()) - emulatorCpu,
    })
    say(`  ${seconds(run.wallMs)}, ${planRunsData.at(-1)!.requests} requests, peak RSS ${run.peakRssMb.toFixed(0)} MB`)
  }
  const planWallMs = median(planRunsData.map((p) => p.run.wallMs))
  const planLowerRequests = sum(fullCensus.map(fullReadRequests))
  const planDocumentedRequests = sum(fullCensus.map(documentedReadRequests))

  // --- the per-object read pattern ---
  let perObject: Awaited<ReturnType<typeof perObjectReads>> | undefined
  if (!flags['skip-per-object']) {
    say('per-object reads (one GET per object, parallelism 10)...')
    const urls = Object.fromEntries(emulators.urls.map((url, i) => [endpointName(i), url]))
    perObject = await perObjectReads(join(work, 'hrep.state.json'), urls, emulators)
    if (perObject.failures > 0) throw new Error(`${perObject.failures} per-object reads failed`)
    say(`  ${seconds(perObject.wallMs)}, ${perObject.requests} requests`)
  }

  // --- the pure planner ---
  say('planner CPU (in-process, captured inputs)...')
  if (secrets === 'declared') process.env.HREP_VAR_robot_secret = ROBOT_SECRET_BASE
  const planner = await measurePlanner(work)
  if (planner.changes !== 0) throw new Error(`the planner found ${planner.changes} changes on in-sync endpoints`)

  const planLower = lowerBoundMs(planLowerRequests, latencyMs, concurrency)
  const applyLower = lowerBoundMs(applyLowerRequests, latencyMs, concurrency)
  const peakRssMb = Math.max(apply.peakRssMb, ...planRunsData.map((p) => p.run.peakRssMb))
  const results = {
    generated: new Date().toISOString(),
    command:
      `npm run bench -- --scale ${scale} --latency-ms ${latencyMs} --endpoints ${endpointCount} --secrets ${secrets}` +
      `${flags.parallelism ? ` --parallelism ${parallelism}` : ''}${flags.src ? ` --src ${flags.src}` : ''}`,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      node: process.version,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg(),
    },
    settings: {
      scale,
      latencyMs,
      endpoints: endpointCount,
      parallelism,
      concurrency,
      secrets,
      perEndpoint: size,
      objects: objectCount(size) * endpointCount,
    },
    hrep: {run: 'CLI child process: node bin/run.js, built from the working tree (bench/lib/build.ts)', source: cli.root},
    apply: {
      output: applyOutput,
      wallMs: apply.wallMs,
      requests: applyRequests,
      byRoute: mergeRoutes(applyCounts),
      lowerBound: {
        requests: applyLowerRequests,
        ms: applyLower,
        calibratedMs: lowerBoundMs(applyLowerRequests, applyCalibration.effectiveLatencyMs, concurrency),
      },
      ratio: ratio(apply.wallMs, applyLower),
      calibratedRatio: ratio(apply.wallMs, lowerBoundMs(applyLowerRequests, applyCalibration.effectiveLatencyMs, concurrency)),
      requestRatio: ratio(applyRequests, applyLowerRequests),
      peakRssMb: apply.peakRssMb,
      cpuMs: apply.cpuMs,
      emulatorCpuMs: applyEmulatorCpuMs,
      calibration: applyCalibration,
    },
    plan: {
      wallMs: planWallMs,
      runsMs: planRunsData.map((p) => p.run.wallMs),
      requests: planRunsData.at(-1)!.requests,
      byRoute: planRunsData.at(-1)!.byRoute,
      lowerBound: {
        requests: planLowerRequests,
        ms: planLower,
        calibratedMs: lowerBoundMs(planLowerRequests, planCalibration.effectiveLatencyMs, concurrency),
        documentedApiRequests: planDocumentedRequests,
      },
      ratio: ratio(planWallMs, planLower),
      calibratedRatio: ratio(planWallMs, lowerBoundMs(planLowerRequests, planCalibration.effectiveLatencyMs, concurrency)),
      requestRatio: ratio(planRunsData.at(-1)!.requests, planLowerRequests),
      peakRssMb: Math.max(...planRunsData.map((p) => p.run.peakRssMb)),
      cpuMs: median(planRunsData.map((p) => p.run.cpuMs)),
      emulatorCpuMs: median(planRunsData.map((p) => p.emulatorCpuMs)),
      calibration: planCalibration,
    },
    perObject: perObject && {...perObject, ratioToPlan: perObject.wallMs / planWallMs},
    planner,
    peakRssMb,
    targets: {
      planRatio: {target: TARGETS.planRatio, met: ratio(planWallMs, planLower) <= TARGETS.planRatio},
      applyRatio: {target: TARGETS.applyRatio, met: ratio(apply.wallMs, applyLower) <= TARGETS.applyRatio},
      plannerCpuMs: {target: TARGETS.plannerCpuMs, met: planner.medianMs < TARGETS.plannerCpuMs},
      peakRssMb: {target: TARGETS.peakRssMb, met: peakRssMb < TARGETS.peakRssMb},
      perObjectSpeedup: {
        target: TARGETS.perObjectSpeedup,
        met: perObject === undefined ? null : perObject.wallMs / planWallMs >= TARGETS.perObjectSpeedup,
      },
    },
  }
  mkdirSync(dirname(flags.out!), {recursive: true})
  writeFileSync(flags.out!, `${JSON.stringify(results, null, 2)}\n`)
  const row = (cells: string[]) =>
    say(
      `${cells[0]!.padEnd(30)}${cells
        .slice(1)
        .map((c) => c.padStart(14))
        .join('')}`,
    )
  const mark = (met: boolean | null) => (met === null ? 'n/a' : met ? 'met' : 'MISSED')
  const {plan, targets} = results
  const applied = results.apply
  const reads = results.perObject
  say('')
  row(['', 'wall', 'requests', 'lower bound', 'ratio', 'calibrated', 'target'])
  row([
    'plan, in sync (median)',
    seconds(plan.wallMs),
    String(plan.requests),
    seconds(plan.lowerBound.ms),
    `${plan.ratio.toFixed(2)}x`,
    `${plan.calibratedRatio.toFixed(2)}x`,
    `≤ ${TARGETS.planRatio}x ${mark(targets.planRatio.met)}`,
  ])
  row(['  fewest requests', '', String(plan.lowerBound.requests), '', `${plan.requestRatio.toFixed(2)}x`, '', ''])
  row([
    'apply, from empty',
    seconds(applied.wallMs),
    String(applied.requests),
    seconds(applied.lowerBound.ms),
    `${applied.ratio.toFixed(2)}x`,
    `${applied.calibratedRatio.toFixed(2)}x`,
    `≤ ${TARGETS.applyRatio}x ${mark(targets.applyRatio.met)}`,
  ])
  row(['  fewest requests', '', String(applied.lowerBound.requests), '', `${applied.requestRatio.toFixed(2)}x`, '', ''])
  if (reads) {
    row([
      'per-object reads (Terraform)',
      seconds(reads.wallMs),
      String(reads.requests),
      '',
      `${reads.ratioToPlan.toFixed(1)}x plan`,
      '',
      `≥ ${TARGETS.perObjectSpeedup}x ${mark(targets.perObjectSpeedup.met)}`,
    ])
  }
  row(['planner CPU (median)', `${planner.medianMs.toFixed(0)} ms`, '', '', '', '', `< 1 s ${mark(targets.plannerCpuMs.met)}`])
  row(['peak RSS of hrep', `${results.peakRssMb.toFixed(0)} MB`, '', '', '', '', `< 400 MB ${mark(targets.peakRssMb.met)}`])
  say('')
  say(
    `hrep CPU: apply ${seconds(applied.cpuMs)}, plan ${seconds(plan.cpuMs)}; emulator CPU: apply ${seconds(applied.emulatorCpuMs)}, plan ${seconds(plan.emulatorCpuMs)}`,
  )
  say(
    `planner first run ${planner.runsMs[0].toFixed(0)} ms; in-process steps: load config ${planner.steps.loadConfigMs.toFixed(0)} ms, ` +
      `read state ${planner.steps.readStateMs.toFixed(0)} ms, refresh ${planner.steps.refreshMs.toFixed(0)} ms` +
      (secrets === 'declared' ? `, check declared secrets ${planner.steps.fingerprintsMs.toFixed(0)} ms` : ''),
  )
  say(`documented-API read (one robot list per project): ${plan.lowerBound.documentedApiRequests} requests`)
  say(`apply output: ${applied.output}`)
  say(`load average at the end: ${results.machine.loadAverageAfter.map((l) => l.toFixed(2)).join(' ')}; results in ${flags.out}`)
  if (flags.keep) say(`working directory kept: ${work}`)
} finally {
  await emulators.stop()
  if (!flags.keep) rmSync(work, {recursive: true, force: true})
}
