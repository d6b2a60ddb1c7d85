/**
 * kill -9 at random moments of `hrep apply`, then `hrep apply` again: every time, every endpoint
 * must hold exactly what the config says (the next plan is empty), with no duplicate and no orphan
 * (every object hrep created is in state, every state entry exists), the state must parse, and its
 * serial must never go down. The config alternates between variants so that every run has creates,
 * updates and deletes to be interrupted. 20 kills here; `npm run soak` runs 200.
 */
import type {ChildProcess} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {spawnCli} from '../helpers/cli.js'
import {type HarborWorld, startHarbors} from '../helpers/harbors.js'
import {seededRandom} from '../helpers/random.js'

const KILLS = process.env.HREP_SOAK ? 200 : 20
const SEED = Number(process.env.HREP_CRASH_SEED ?? 20261123)

/** Config variant `v`: which projects, groups, robots and roles exist shifts with v. */
function variant(v: number): string {
  const projects = Array.from({length: 8}, (_, i) => `p${(i + v * 2) % 12}`)
  const groups = Array.from({length: 3}, (_, i) => `g${(i + v) % 5}`)
  const robots = Array.from({length: 6}, (_, i) => `r${(i + v) % 9}`)
  const role = ['developer', 'maintainer', 'guest'][v % 3]
  const members = projects.flatMap((project) => groups.map((group) => `${project}/${group}`))
  return `
locals {
  projects = ${JSON.stringify(projects)}
  groups   = ${JSON.stringify(groups)}
  robots   = ${JSON.stringify(robots)}
  members  = ${JSON.stringify(members)}
}

project "p" {
  for_each  = toset(local.projects)
  name      = each.key
  auto_scan = ${v % 2 === 0}
}

oidc_group "g" {
  for_each = toset(local.groups)
  name     = each.key
}

project_member "m" {
  for_each = toset(local.members)
  project  = split("/", each.key)[0]
  group    = split("/", each.key)[1]
  role     = "${role}"
}

robot "r" {
  for_each    = toset(local.robots)
  name        = each.key
  description = "variant ${v}"
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
`
}

function waitFor(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    let seen = ''
    const listener = (chunk: Buffer) => {
      seen += chunk.toString()
      if (pattern.test(seen)) {
        child.stderr!.off('data', listener)
        resolve()
      }
    }
    child.stderr!.on('data', listener)
    child.on('close', () => resolve())
  })
}

function finished(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode)
    else child.on('close', (code) => resolve(code))
  })
}

describe(`apply killed with SIGKILL ${KILLS} times`, () => {
  let world: HarborWorld

  beforeAll(async () => {
    world = await startHarbors(['primary', 'dr'], {randomSeed: SEED})
    // Some latency, so that a kill lands in the middle of a run.
    for (const harbor of Object.values(world.harbors)) harbor.faults.add({match: '*', latencyMs: 1, jitterMs: 6})
  })
  afterAll(() => world?.close())

  it('converges after every kill, without duplicates or orphans', {timeout: KILLS * 20_000}, async () => {
    const next = seededRandom(SEED)
    let lastSerial = 0
    for (let kill = 0; kill < KILLS; kill++) {
      await world.write('main.hcl', variant(kill % 4))
      const child = spawnCli(['apply', '--auto-approve'], {cwd: world.dir})
      child.stdout!.resume()
      await waitFor(child, /Applying/)
      await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 700)))
      child.kill('SIGKILL')
      await finished(child)

      const afterKill = await world.state()
      if (afterKill) {
        expect(afterKill.serial, `kill ${kill}: serial went down`).toBeGreaterThanOrEqual(lastSerial)
        lastSerial = afterKill.serial
      }

      const resume = await world.run(['apply', '--auto-approve'], {timeoutMs: 120_000})
      expect(resume.code, `kill ${kill} (seed ${SEED}): resume failed\n${resume.stdout}\n${resume.stderr}`).toBe(0)
      const check = await world.run(['plan', '--detailed-exitcode'])
      expect(check.code, `kill ${kill} (seed ${SEED}): not converged\n${check.stdout}`).toBe(0)

      const state = (await world.state())!
      expect(state.serial).toBeGreaterThanOrEqual(lastSerial)
      lastSerial = state.serial
      await expectStateMatchesLive(world, state)
      await expectRobotSecretsWork(world, state, kill)
    }
    const journal = await readFile(join(world.dir, 'hrep.state.json.journal'), 'utf8').catch(() => '')
    expect(journal).toBe('')
  })
})

/**
 * Every robot hrep manages has its secret set (a fingerprint in state, nothing pending), and the
 * secret secret_output records for that endpoint logs in there.
 */
async function expectRobotSecretsWork(world: HarborWorld, state: StateFile, kill: number) {
  type SecretRecord = {logins: Record<string, string>; secret: string; previous?: SecretRecord[]}
  const records = JSON.parse(await readFile(join(world.dir, 'secrets.json'), 'utf8')) as Record<string, SecretRecord>
  for (const [address, byEndpoint] of Object.entries(state.resources)) {
    if (!address.startsWith('robot.')) continue
    for (const [endpoint, entry] of Object.entries(byEndpoint)) {
      expect(entry.secret_fp, `kill ${kill}: ${address}@${endpoint} has no secret fingerprint`).toBeDefined()
      const record = records[address]!
      const holder = [record, ...(record.previous ?? [])].find((candidate) => endpoint in candidate.logins)
      expect(holder, `kill ${kill}: secret_output has no secret of ${address}@${endpoint}`).toBeDefined()
      const login = await fetch(`${world.harbors[endpoint]!.url}/api/v2.0/users/current`, {
        headers: {authorization: `Basic ${Buffer.from(`${holder!.logins[endpoint]}:${holder!.secret}`).toString('base64')}`},
      })
      expect(login.status, `kill ${kill}: the recorded secret of ${address}@${endpoint} does not log in`).toBe(412)
    }
  }
}

type StateFile = NonNullable<Awaited<ReturnType<HarborWorld['state']>>>

/** Every state entry exists live under its id, and every live object (but Harbor's own admin memberships) is in state. */
async function expectStateMatchesLive(world: HarborWorld, state: StateFile) {
  for (const [endpoint, harbor] of Object.entries(world.harbors)) {
    const dump = harbor.dump()
    const live = new Set<string>()
    for (const project of dump.projects ?? []) live.add(`project:${project.name}`)
    for (const group of dump.groups ?? []) live.add(`oidc_group:${group.name}`)
    for (const robot of dump.robots ?? []) live.add(`robot:${robot.project ? `${robot.project}+${robot.name}` : robot.name}`)
    for (const project of dump.projects ?? []) {
      for (const member of harbor.members(project.name))
        if (member.group) live.add(`project_member:${project.name}/${member.group}`)
    }
    const inState = new Set<string>()
    for (const [address, byEndpoint] of Object.entries(state.resources)) {
      const entry = byEndpoint[endpoint]
      if (!entry) continue
      const kind = address.slice(0, address.indexOf('.'))
      const attrs = entry.attrs as Record<string, string>
      const key =
        kind === 'project_member'
          ? `${attrs.project}/${attrs.group}`
          : kind === 'robot' && attrs.level === 'project'
            ? `${attrs.project}+${attrs.name}`
            : attrs.name
      inState.add(`${kind}:${key}`)
    }
    expect(
      [...inState].filter((key) => !live.has(key)),
      `${endpoint}: in state but not live`,
    ).toEqual([])
    expect(
      [...live].filter((key) => !inState.has(key)),
      `${endpoint}: live but not in state (orphans)`,
    ).toEqual([])
  }
}
