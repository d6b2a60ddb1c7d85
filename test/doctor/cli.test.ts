/**
 * `hrep doctor` as a user runs it: a real process against an emulated Harbor and a closed port, in
 * human and JSON form, with its exit codes, and never a password in the output.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CHECK_NAMES, type DoctorReport} from '../../src/doctor/index.js'
import {type HarborWorld, startHarbors} from '../helpers/harbors.js'
import {closedPort} from './helpers.js'

let world: HarborWorld
let port: number

beforeAll(async () => {
  world = await startHarbors(['primary'])
  port = await closedPort()
  await world.write(
    'closed.hcl',
    `endpoint "closed" {\n  url      = "http://127.0.0.1:${port}"\n  username = "admin"\n  password = "Closed-Port-Secret-1"\n}\n`,
  )
  await world.write('main.hcl', 'project "team" {\n  name = "team"\n}\n')
})

afterAll(() => world.close())

function expectNoSecret(text: string): void {
  expect(text).not.toContain(world.harbors.primary!.password)
  expect(text).not.toContain('Closed-Port-Secret-1')
}

describe('hrep doctor (process)', () => {
  it('prints one line per check with fix hints, grouped per endpoint in configuration order, and exits 1 on a failure', async () => {
    const result = await world.run(['doctor', '--no-color'])
    expect(result.code, result.stderr).toBe(1)
    const out = result.stdout
    // Files load in name order: closed.hcl declares its endpoint before endpoints.hcl.
    expect(out.indexOf('Endpoint closed')).toBeLessThan(out.indexOf('Endpoint primary'))
    expect(out).toMatch(/Endpoint primary http:\/\/127\.0\.0\.1:\d+ {2}ready\n/)
    expect(out).toMatch(/ {2}✔ Credentials {3}"admin" is a system administrator\n/)
    expect(out).toMatch(
      new RegExp(
        `  ✖ TCP {11}nothing accepts connections on 127\\.0\\.0\\.1:${port} \\(connection refused\\)\\n {18}→ check the port in the url of endpoint "closed" \\(closed\\.hcl:1:1\\)`,
      ),
    )
    expect(out).toContain(
      '  – TLS, Ping, Clock, Credentials, Version, Health, Auth mode, Read-only, Robot prefix, Permissions, Write test: skipped: no TCP connection',
    )
    expect(out).toContain('1 of 2 endpoints not ready: fix the ✖ lines above, then run hrep doctor again.')
    expectNoSecret(result.stdout + result.stderr)
  })

  it('prints the documented JSON document, and exits 0 when the selected endpoint passes', async () => {
    const result = await world.run(['doctor', '--json', '--endpoint', 'primary'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as DoctorReport
    expect(report).toMatchObject({format_version: '1', ok: true, summary: {fail: 0}})
    expect(report.endpoints).toHaveLength(1)
    const [primary] = report.endpoints
    expect(primary).toMatchObject({endpoint: 'primary', url: world.harbors.primary!.url, status: 'pass'})
    expect(primary!.checks.map((c) => c.name)).toEqual([...CHECK_NAMES])
    for (const c of primary!.checks) {
      expect(Object.keys(c).sort()).toEqual(
        c.hint === undefined ? ['detail', 'name', 'status'] : ['detail', 'hint', 'name', 'status'],
      )
    }
    expect(primary!.facts).toMatchObject({credential: 'admin', auth_mode: 'db_auth', robot_prefix: 'robot$'})
    expectNoSecret(result.stdout + result.stderr)
  })

  it('reports an unknown --endpoint and a configuration that does not load', async () => {
    const unknown = await world.run(['doctor', '--endpoint', 'nope'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('no endpoint named "nope" in the configuration; it declares closed, primary')
    await world.write('broken.hcl', 'project "x" {\n  name = \n}\n')
    const broken = await world.run(['doctor', '--json'])
    expect(broken.code).toBe(1)
    expect(JSON.parse(broken.stdout)).toMatchObject({ok: false, endpoints: [], error: {code: 'config_invalid'}})
  })
})
