/**
 * `hrep apply` as a process: the approval question on a terminal, the refusal without one, and
 * Ctrl-C / SIGTERM (the first finishes in-flight changes and saves state; a second stops at once
 * and the journal lets the next run finish).
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {cliCommand, repoRoot, spawnCli} from '../helpers/cli.js'
import {type HarborWorld, startHarbors} from '../helpers/harbors.js'

const CONFIG = `
project "team" {
  for_each = toset(["a", "b", "c", "d", "e", "f"])
  name     = "team-\${each.key}"
}

oidc_group "devs" {
  name = "devs"
}

project_member "devs" {
  for_each = project.team
  project  = each.value
  group    = oidc_group.devs
  role     = "developer"
}
`

const hasPython = spawnSync('python3', ['--version']).status === 0

/**
 * Runs hrep on a pseudo-terminal (test/helpers/pty-answer.py), answering the approval question.
 * Asynchronous: the emulators live in this process and must keep answering meanwhile.
 */
function onTerminal(world: HarborWorld, args: string[], answer: string): Promise<{status: number | null; stdout: string}> {
  const child = spawn(
    'python3',
    [`${repoRoot}test/helpers/pty-answer.py`, 'Enter a value:', answer, '--', process.execPath, ...cliCommand(), ...args],
    {cwd: world.dir, env: {...process.env, NO_COLOR: '1'}},
  )
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  // Terminal control sequences (cursor, spinner) are not part of what is asserted.
  const plain = () => stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
  return new Promise((resolve) => child.on('close', (status) => resolve({status, stdout: plain()})))
}

function exited(child: ReturnType<typeof spawnCli>): Promise<{code: number | null; stderr: string}> {
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  child.stdout!.resume()
  return new Promise((resolve) => child.on('close', (code) => resolve({code, stderr})))
}

function whenStderr(child: ReturnType<typeof spawnCli>, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (pattern.test(seen)) resolve()
    })
    child.on('close', () => reject(new Error(`hrep exited before printing ${pattern}:\n${seen}`)))
  })
}

describe('hrep apply', () => {
  let world: HarborWorld

  beforeEach(async () => {
    world = await startHarbors()
    await world.write('main.hcl', CONFIG)
  })
  afterEach(() => world.close())

  it('refuses to apply without a terminal unless --auto-approve is given', async () => {
    const result = await world.run(['apply'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('--auto-approve')
    expect(world.harbors.primary!.projects()).toEqual([])
  })

  // python3 drives the pseudo-terminal; without it this case cannot be run here.
  it.skipIf(!hasPython)('asks on a terminal and applies only after the answer yes', async () => {
    const declined = await onTerminal(world, ['apply'], 'no')
    expect(declined.stdout).toContain("Only 'yes' will be accepted to approve.")
    expect(declined.stdout).toContain('Apply cancelled.')
    expect(declined.status).toBe(1)
    expect(world.harbors.primary!.projects()).toEqual([])

    const approved = await onTerminal(world, ['apply'], 'yes')
    expect(approved.stdout).toContain('Apply complete! Resources: 26 added, 0 changed, 0 destroyed.')
    expect(approved.status).toBe(0)
  })

  it('on SIGINT finishes the changes in flight, saves state and exits 130; the next run completes', async () => {
    for (const harbor of Object.values(world.harbors)) harbor.faults.add({match: 'POST /**', latencyMs: 300})
    const child = spawnCli(['apply', '--auto-approve', '--parallelism', '1'], {cwd: world.dir})
    const done = exited(child)
    await whenStderr(child, /created after/)
    child.kill('SIGINT')
    const {code, stderr} = await done
    expect(code).toBe(130)
    expect(stderr).toContain('SIGINT received')
    const state = await world.state()
    const saved = Object.keys(state!.resources).length
    expect(saved).toBeGreaterThan(0)
    expect(existsSync(join(world.dir, 'hrep.state.json.journal'))).toBe(false)

    for (const harbor of Object.values(world.harbors)) harbor.faults.clear()
    const resumed = await world.run(['apply', '--auto-approve'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect((await world.run(['plan', '--detailed-exitcode'])).code).toBe(0)
  })

  it('on a second signal stops at once, and the next run recovers from the journal', async () => {
    for (const harbor of Object.values(world.harbors)) harbor.faults.add({match: 'POST /**', latencyMs: 1500})
    const child = spawnCli(['apply', '--auto-approve'], {cwd: world.dir})
    const done = exited(child)
    await whenStderr(child, /Applying/)
    await new Promise((resolve) => setTimeout(resolve, 300))
    child.kill('SIGTERM')
    await whenStderr(child, /SIGTERM received/)
    child.kill('SIGTERM')
    const {code} = await done
    expect(code).toBe(143)
    expect(existsSync(join(world.dir, 'hrep.state.json.journal'))).toBe(true)

    for (const harbor of Object.values(world.harbors)) harbor.faults.clear()
    const resumed = await world.run(['apply', '--auto-approve'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).toContain('recovered an interrupted run')
    expect((await world.run(['plan', '--detailed-exitcode'])).code).toBe(0)
    for (const harbor of Object.values(world.harbors)) expect(harbor.projects()).toHaveLength(6)
  })
})
