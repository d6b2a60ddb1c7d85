/**
 * `hrep emulator` as a user runs it: prints `listening on URL`, serves the seed, applies the faults
 * file, stops with exit 0 on SIGTERM, and refuses bad files with a clear message and exit 1.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {request} from 'undici'
import {describe, expect, it} from 'vitest'
import {repoRoot, runCli, spawnCli} from '../helpers/cli.js'

function waitForUrl(child: ReturnType<typeof spawnCli>): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`no "listening on" line in 30 s\n${out}\n${err}`)), 30_000)
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk
    })
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code}\n${out}\n${err}`)))
  })
}

describe('hrep emulator', () => {
  it('serves the seed with the faults file until SIGTERM, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hrep-emulator-'))
    const faults = join(dir, 'faults.json')
    writeFileSync(faults, JSON.stringify([{match: 'GET /usergroups', status: 503}]))
    const child = spawnCli([
      'emulator',
      '--port',
      '0',
      '--seed',
      join(repoRoot, 'fixtures/emulator/demo.json'),
      '--faults',
      faults,
    ])
    const url = await waitForUrl(child)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const auth = {authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`}
    const projects = await request(`${url}/api/v2.0/projects`, {headers: auth})
    expect(((await projects.body.json()) as {name: string}[]).map((p) => p.name)).toEqual(['payments', 'search'])
    const groups = await request(`${url}/api/v2.0/usergroups`, {headers: auth})
    await groups.body.dump()
    expect(groups.statusCode).toBe(503)
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
  })

  it('refuses an invalid faults file, naming the rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hrep-emulator-'))
    const faults = join(dir, 'faults.json')
    writeFileSync(faults, JSON.stringify([{match: '*', status: 418}]))
    const result = await runCli(['emulator', '--port', '0', '--faults', faults])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${faults}: rule 1: "status" must be one of 500, 502, 503, 504, 429`)
    expect(result.stderr).not.toContain('    at ')
  })

  it('refuses a seed that names an unknown object', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hrep-emulator-'))
    const seed = join(dir, 'seed.json')
    writeFileSync(seed, JSON.stringify({projects: [{name: 'p', members: [{user: 'ghost', role: 'developer'}]}]}))
    const result = await runCli(['emulator', '--port', '0', '--seed', seed])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('seed: project "p" member: unknown user "ghost"')
  })
})
