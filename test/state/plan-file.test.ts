import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {Change} from '../../src/model/change.js'
import {HrepError} from '../../src/model/errors.js'
import {Secret} from '../../src/model/secret.js'
import {
  assertPlanFresh,
  checkPlanFresh,
  createSavedPlan,
  hrepVersion,
  readPlanFile,
  secretFingerprint,
  writePlanFile,
} from '../../src/state/index.js'

let dir: string
let planPath: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hrep-plan-'))
  planPath = join(dir, 'tfplan.json')
})

afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

const changes: Change[] = [
  {
    id: 'project.team["payments"]@dr',
    address: 'project.team["payments"]',
    endpoint: 'dr',
    kind: 'project',
    key: 'payments',
    action: 'create',
    after: {name: 'payments', public: false},
    diffs: [{path: 'public', before: undefined, after: false}],
    reason: 'not on the endpoint',
    dependsOn: [],
  },
  {
    id: 'robot.ci@dr',
    address: 'robot.ci',
    endpoint: 'dr',
    kind: 'robot',
    key: 'ci',
    action: 'update',
    before: {description: 'old'},
    after: {description: 'new'},
    liveId: '17',
    diffs: [
      {path: 'description', before: 'old', after: 'new'},
      {path: 'secret', before: '(sensitive)', after: '(sensitive)', sensitive: true},
    ],
    reason: 'drift',
    dependsOn: ['project.team["payments"]@dr'],
  },
]

const state = {lineage: '5b0c6d9e-1111-4222-8333-944445555666', serial: 7}
const secret = 'Declared-Robot-Secret-9'

function samplePlan() {
  return createSavedPlan({
    state,
    configHash: 'c0ffee',
    changes,
    drift: [
      {
        address: 'robot.old',
        endpoint: 'dr',
        kind: 'robot',
        key: 'old',
        action: 'forget',
        before: {name: 'old'},
        diffs: [],
        reason: 'gone from Harbor',
        notable: true,
      },
    ],
    targets: ['robot.ci'],
    unavailable: [{endpoint: 'primary', message: 'connection refused'}],
    secretFingerprints: {'robot.ci@dr': secretFingerprint(secret)},
  })
}

describe('saved plan files', () => {
  it('round-trip everything apply needs', async () => {
    const plan = samplePlan()
    await writePlanFile(planPath, plan)
    const read = await readPlanFile(planPath)
    expect(read).toEqual(JSON.parse(JSON.stringify(plan)))
    expect(read).toMatchObject({
      format_version: 1,
      hrep_version: hrepVersion(),
      lineage: state.lineage,
      serial: 7,
      config_hash: 'c0ffee',
      options: {targets: ['robot.ci'], refresh_only: false},
    })
    expect(read.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(Number.isNaN(Date.parse(read.created))).toBe(false)
    expect(read.changes.map((change) => change.id)).toEqual(['project.team["payments"]@dr', 'robot.ci@dr'])
    expect(read.drift[0]?.action).toBe('forget')
  })

  it('are written with mode 0600, with no secret in them', async () => {
    await writePlanFile(planPath, samplePlan())
    expect((await stat(planPath)).mode & 0o777).toBe(0o600)
    expect(await readFile(planPath, 'utf8')).not.toContain(secret)
  })

  it('refuse a Secret object instead of writing a placeholder, and keep the old file', async () => {
    await writePlanFile(planPath, samplePlan())
    const before = await readFile(planPath, 'utf8')
    const leaking = samplePlan()
    leaking.changes = [{...changes[1]!, after: {secret: new Secret(secret) as unknown as string}}]
    await expect(writePlanFile(planPath, leaking)).rejects.toThrow(
      /cannot write \$\.changes\[0\]\.after\.secret: a Secret object/,
    )
    expect(await readFile(planPath, 'utf8')).toBe(before)
  })

  describe('reading a bad file', () => {
    async function readError(text: string): Promise<HrepError> {
      await writeFile(planPath, text)
      const error = await readPlanFile(planPath).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(HrepError)
      return error as HrepError
    }

    it('names a missing file', async () => {
      await expect(readPlanFile(join(dir, 'nope.json'))).rejects.toThrow(`the plan file ${join(dir, 'nope.json')} does not exist`)
    })

    it('names the line and column of a truncated file', async () => {
      await writePlanFile(planPath, samplePlan())
      const text = await readFile(planPath, 'utf8')
      const error = await readError(text.slice(0, 200))
      expect(error.message).toMatch(new RegExp(`^${planPath}:\\d+:\\d+: the plan file is not valid JSON`))
    })

    it('recognises a state file passed as a plan', async () => {
      const error = await readError(JSON.stringify({version: 1, lineage: 'x', serial: 1, resources: {}}))
      expect(error.message).toBe(`${planPath} is a state file, not a saved plan (make one with hrep plan --out FILE)`)
    })

    it('refuses a newer format, naming the hrep that wrote it', async () => {
      const error = await readError(JSON.stringify({format_version: 4, hrep_version: '2.0.0'}))
      expect(error.code).toBe('format_too_new')
      expect(error.message).toContain('uses format version 4, written by hrep 2.0.0; this hrep reads version 1 only')
    })

    it('names the damaged field', async () => {
      const plan = JSON.parse(JSON.stringify(samplePlan()))
      plan.changes[1].action = 'explode'
      const error = await readError(JSON.stringify(plan))
      expect(error.message).toMatch(/^the plan file .* is damaged: changes\[1\]\.action: /)
    })
  })
})

describe('checkPlanFresh', () => {
  const plan = samplePlan()

  it('accepts the state and config the plan was made from', () => {
    expect(checkPlanFresh(plan, state, 'c0ffee')).toEqual({fresh: true, moved: {}, reasons: []})
    expect(() => assertPlanFresh(plan, state, 'c0ffee')).not.toThrow()
  })

  it('says the serial moved when another run wrote the state', () => {
    const freshness = checkPlanFresh(plan, {...state, serial: 9}, 'c0ffee')
    expect(freshness.fresh).toBe(false)
    expect(freshness.moved).toEqual({serial: {plan: 7, state: 9}})
    expect(() => assertPlanFresh(plan, {...state, serial: 9}, 'c0ffee', 'tfplan.json')).toThrow(
      'tfplan.json is stale: the state changed after it was made (serial 7 then, 9 now). Run hrep plan again.',
    )
  })

  it('says the lineage moved for another state, and the config for an edited configuration', () => {
    const freshness = checkPlanFresh(plan, {lineage: 'other', serial: 7}, 'beef')
    expect(freshness.moved).toEqual({lineage: {plan: state.lineage, state: 'other'}, config: {plan: 'c0ffee', current: 'beef'}})
    expect(freshness.reasons).toEqual([
      `it was made for a different state (lineage ${state.lineage}; this state's lineage is other)`,
      'the configuration changed after it was made',
    ])
  })

  it('lets a plan made before any state existed apply to a state still unwritten', () => {
    const first = createSavedPlan({state: {lineage: 'random-1', serial: 0}, configHash: 'c0ffee', changes})
    expect(checkPlanFresh(first, {lineage: 'random-2', serial: 0}, 'c0ffee').fresh).toBe(true)
    // Once that state is written, the plan is stale because the state moved on, not because it is foreign.
    const later = checkPlanFresh(first, {lineage: 'random-2', serial: 1}, 'c0ffee')
    expect(later.moved).toEqual({serial: {plan: 0, state: 1}})
    expect(later.reasons).toEqual(['the state changed after it was made (serial 0 then, 1 now)'])
    expect(checkPlanFresh({...first, serial: 3}, {lineage: 'random-2', serial: 4}, 'c0ffee').moved).toHaveProperty('lineage')
  })
})
