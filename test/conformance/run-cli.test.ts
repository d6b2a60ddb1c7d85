/**
 * `npm run test:conformance` as a user runs it, against an emulator: the exit codes (0 all match,
 * 2 target unusable or bad options), `--only` and `--json`.
 */
import {execFile} from 'node:child_process'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type EmulatorHandle, startEmulator} from '../../src/emulator/index.js'
import {repoRoot} from '../helpers/cli.js'

function runConformance(args: string[], env: Record<string, string>) {
  return new Promise<{code: number; stdout: string; stderr: string}>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/conformance/run.ts', ...args],
      {cwd: repoRoot, env: {...process.env, ...env}},
      (error, stdout, stderr) => resolve({code: error ? Number(error.code ?? 1) : 0, stdout, stderr}),
    )
  })
}

describe('npm run test:conformance', {timeout: 60_000}, () => {
  let harbor: EmulatorHandle
  let dir: string
  const target = () => ({HREP_CONFORMANCE_URL: harbor.url, HREP_CONFORMANCE_PASSWORD: harbor.password})

  beforeAll(async () => {
    harbor = await startEmulator({})
    dir = await mkdtemp(join(tmpdir(), 'hrep-conformance-'))
  })
  afterAll(async () => {
    await harbor.stop()
    await rm(dir, {recursive: true, force: true})
  })

  it('runs the selected scenarios, prints the table, writes JSON and exits 0 when they match', async () => {
    const json = join(dir, 'results.json')
    const result = await runConformance(['--only', '^robot-(names|list-level-system)$', '--json', json], target())
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('2 match, 0 differ, 0 errors, 0 skipped')
    const written = JSON.parse(await readFile(json, 'utf8')) as {results: {scenario: string; outcome: string}[]}
    expect(written.results.map((r) => [r.scenario, r.outcome])).toEqual([
      ['robot-names', 'match'],
      ['robot-list-level-system', 'match'],
    ])
    // What it created is gone again.
    expect(harbor.projects().filter((p) => p.name.startsWith('hrep-conf-'))).toEqual([])
  })

  it('exits 2 with a message, not a stack trace, for a bad --only, a wrong password or no target', async () => {
    const badPattern = await runConformance(['--only', '('], target())
    expect(badPattern.code).toBe(2)
    expect(badPattern.stderr).toMatch(/^--only takes a regular expression/)
    expect(badPattern.stderr).not.toMatch(/\n\s+at /)

    const nothing = await runConformance(['--only', '^no-such-scenario$'], target())
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toContain('no scenario name matches')

    const wrong = await runConformance([], {...target(), HREP_CONFORMANCE_PASSWORD: 'not-the-password'})
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).not.toContain('not-the-password')
    expect(wrong.stderr).not.toMatch(/\n\s+at /)

    const unset = await runConformance([], {HREP_CONFORMANCE_URL: '', HREP_CONFORMANCE_PASSWORD: ''})
    expect(unset.code).toBe(2)
    expect(unset.stderr).toContain('Set HREP_CONFORMANCE_URL')
  })
})
