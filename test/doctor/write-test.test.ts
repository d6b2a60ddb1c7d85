/**
 * `hrep doctor --write-test` against the emulator: the round trip leaves nothing behind; a fault that
 * breaks it mid-way (a create whose answer is lost) still ends with everything deleted; a robot
 * credential that may create but not update robots is cleaned up after; and a cleanup that fails is
 * reported with what to delete by hand.
 */
import {afterEach, describe, expect, it} from 'vitest'
import type {EmulatorHandle, SeedData} from '../../src/emulator/index.js'
import pLimit from 'p-limit'
import {createClient} from '../../src/client/index.js'
import type {HarborClient} from '../../src/client/types.js'
import {endpointUsage, WRITE_TEST_PREFIX} from '../../src/doctor/index.js'
import {runWriteTest} from '../../src/doctor/write-test.js'
import type {KindContext} from '../../src/kinds/kind.js'
import {nullSink} from '../../src/model/events.js'
import {check, configOf, doctor, type EndpointSpec, harbor, stopHarbors} from './helpers.js'

const EVERY_KIND = `
project "team" {
  name = "team"
}

oidc_group "devs" {
  name = "platform-devs"
}

project_member "devs" {
  project = project.team
  group   = oidc_group.devs
  role    = "developer"
}

robot "ci" {
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
`

afterEach(stopHarbors)

/** The emulator's objects, without the admin user: what a write test must leave as it found it. */
function objects(emulator: EmulatorHandle): SeedData {
  const {projects, robots, groups} = emulator.dump()
  return {projects, robots, groups}
}

function doctorObjects(emulator: EmulatorHandle): string[] {
  const dump = emulator.dump()
  return [...(dump.projects ?? []), ...(dump.robots ?? []), ...(dump.groups ?? [])]
    .map((object) => object.name)
    .filter((name) => name.includes(WRITE_TEST_PREFIX))
}

describe('doctor --write-test', () => {
  it('creates, reads back and deletes a project, robot, group and membership, leaving nothing behind', async () => {
    const emulator = await harbor({seed: {projects: [{name: 'existing'}]}})
    const before = objects(emulator)
    const report = await doctor(configOf([{url: emulator.url}], EVERY_KIND), {
      writeTest: true,
      writeTestName: 'hrep-doctor-0a1b2c3d',
    })
    const result = check(report, 'write_test')
    expect(result).toEqual({
      name: 'write_test',
      status: 'pass',
      detail:
        'created, read back and deleted project "hrep-doctor-0a1b2c3d", system robot "robot$hrep-doctor-0a1b2c3d" (secret set, description updated), OIDC group "hrep-doctor-0a1b2c3d" and its membership in the project',
    })
    expect(objects(emulator)).toEqual(before)
    // Each object went through create, read and delete; the robot also through PATCH (secret) and PUT.
    const routes = emulator.requests.map(
      (request) => `${request.method} ${request.route.replace(/^[A-Z]+ /, '')} ${request.status}`,
    )
    for (const route of [
      'POST /projects 201',
      'DELETE /projects/{project_name_or_id} 200',
      'POST /robots 201',
      'PATCH /robots/{robot_id} 200',
      'PUT /robots/{robot_id} 200',
      'DELETE /robots/{robot_id} 200',
      'POST /usergroups 201',
      'DELETE /usergroups/{group_id} 200',
      'POST /projects/{project_name_or_id}/members 201',
      'DELETE /projects/{project_name_or_id}/members/{mid} 200',
    ]) {
      expect(routes).toContain(route)
    }
  })

  it('only tries the kinds the configuration manages on the endpoint', async () => {
    const emulator = await harbor()
    const report = await doctor(configOf([{url: emulator.url}], 'project "team" {\n  name = "team"\n}\n'), {writeTest: true})
    expect(check(report, 'write_test').detail).toMatch(/^created, read back and deleted project "hrep-doctor-[0-9a-f]{8}"$/)
    expect(emulator.requests.some((request) => request.path.startsWith('/api/v2.0/robots'))).toBe(false)
  })

  it('cleans up when a fault breaks the round trip mid-way, even an object whose create answer was lost', async () => {
    // Harbor creates the robot, then the answer is lost: the write test cannot know its id.
    const emulator = await harbor({faults: [{match: 'POST /robots', afterHandler: 502}]})
    const report = await doctor(configOf([{url: emulator.url}], EVERY_KIND), {writeTest: true})
    const result = check(report, 'write_test')
    expect(result.status).toBe('fail')
    expect(result.detail).toMatch(
      /^creating system robot "robot\$hrep-doctor-[0-9a-f]{8}" failed: endpoint primary: POST \/robots returned 502.*; before that it created project "hrep-doctor-[0-9a-f]{8}"; everything it created was deleted again$/,
    )
    expect(result.hint).toContain('failed mid-way')
    expect(result.leftovers).toBeUndefined()
    expect(doctorObjects(emulator)).toEqual([])
    expect(emulator.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/robots/')).map((r) => r.status)).toEqual([
      200,
    ])
  })

  it('cleans up after a robot credential that may create robots but not set their secret', async () => {
    const emulator = await harbor({
      seed: {
        robots: [
          {
            name: 'maker',
            secret: 'Maker-Secret-1',
            permissions: [
              {
                kind: 'system',
                namespace: '/',
                access: ['project:create', 'robot:create', 'robot:delete', 'robot:list', 'robot:read'],
              },
              // A robot may only grant a subset of its own rights (Harbor 2.12+): the test robot gets repository:pull.
              {kind: 'project', namespace: '*', access: ['project:read', 'project:delete', 'repository:pull']},
            ],
          },
        ],
      },
    })
    const robot: EndpointSpec = {url: emulator.url, username: 'robot$maker', password: 'Maker-Secret-1'}
    const report = await doctor(
      configOf([robot], 'robot "ci" {\n  permission {\n    namespace = "*"\n    access = ["repository:pull"]\n  }\n}\n'),
      {
        writeTest: true,
      },
    )
    const result = check(report, 'write_test')
    expect(result.status).toBe('fail')
    expect(result.detail).toMatch(
      /^creating system robot "robot\$hrep-doctor-[0-9a-f]{8}" failed: endpoint primary: PATCH \/robots\/\d+ returned 403/,
    )
    expect(result.detail).toMatch(/everything it created was deleted again$/)
    expect(result.hint).toBe('the credential may not do this: see the Permissions check, or use a system administrator')
    expect(doctorObjects(emulator)).toEqual([])
  })

  it('still cleans up when interrupted (Ctrl-C) in the middle of the round trip', async () => {
    const interrupt = new AbortController()
    const emulator = await harbor({
      // Ctrl-C right after Harbor created the project.
      onRequest: (entry) => {
        if (entry.method === 'POST' && entry.route.endsWith(' /projects') && entry.status === 201)
          interrupt.abort(new Error('interrupted by SIGINT'))
      },
    })
    const report = await doctor(configOf([{url: emulator.url}], EVERY_KIND), {writeTest: true, signal: interrupt.signal})
    const result = check(report, 'write_test')
    expect(result.status).toBe('fail')
    // The abort usually cuts the create's answer off (the project exists, its id never arrived); at the
    // latest it stops the read-back. Either way the project is deleted.
    expect(result.detail).toMatch(
      /^interrupted while (creating|reading back) project "hrep-doctor-[0-9a-f]{8}"; everything it created was deleted again$/,
    )
    expect(result.hint).toBe('run hrep doctor --write-test again to finish the round trip')
    expect(emulator.requests.filter((r) => r.method === 'DELETE').map((r) => `${r.route} ${r.status}`)).toEqual([
      'DELETE /projects/{project_name_or_id} 200',
    ])
    expect(doctorObjects(emulator)).toEqual([])
  })

  it('deletes by id an object it created but cannot find by name', async () => {
    const emulator = await harbor()
    const config = configOf([{url: emulator.url}], 'oidc_group "devs" {\n  name = "devs"\n}\n')
    const client = createClient(config.endpoints[0]!)
    try {
      // A listing that hides every group (as Harbor's does for other group types in ldap/http mode).
      const hiding: HarborClient = {
        endpoint: client.endpoint,
        url: client.url,
        request: (options) => client.request(options),
        paginate: (path, query, options) =>
          path === '/usergroups' ? (async function* () {})() : client.paginate(path, query, options),
        info: (signal) => client.info(signal),
        close: () => client.close(),
      }
      const ctx: KindContext = {client: hiding, info: await client.info(), limit: pLimit(4), memo: new Map(), events: nullSink}
      const usage = endpointUsage(config, 'primary')
      const result = await runWriteTest({ctx, usage, authMode: 'db_auth', robotPrefix: 'robot$', name: 'hrep-doctor-00000001'})
      expect(result.status).toBe('fail')
      expect(result.detail).toBe(
        'reading back OIDC group "hrep-doctor-00000001" failed: OIDC group "hrep-doctor-00000001" was created, but reading it back found nothing; before that it created project "hrep-doctor-00000001"; everything it created was deleted again',
      )
      expect(doctorObjects(emulator)).toEqual([])
    } finally {
      await client.close()
    }
  })

  it('reports a failed cleanup loudly, with what to delete by hand', async () => {
    const emulator = await harbor({faults: [{match: 'DELETE /projects/{name}', status: 503}]})
    const report = await doctor(configOf([{url: emulator.url}], 'project "team" {\n  name = "team"\n}\n'), {
      writeTest: true,
      writeTestName: 'hrep-doctor-deadbeef',
    })
    const result = check(report, 'write_test')
    expect(result.status).toBe('fail')
    expect(result.detail).toMatch(
      /^CLEANUP FAILED, these objects are left on the instance: project "hrep-doctor-deadbeef" \(id \d+\) \(endpoint primary: DELETE \/projects\/hrep-doctor-deadbeef returned 503/,
    )
    expect(result.leftovers).toEqual([expect.stringMatching(/^project "hrep-doctor-deadbeef" \(id \d+\)$/)])
    expect(result.hint).toMatch(/^delete by hand \(Harbor UI or API\): project "hrep-doctor-deadbeef" \(id \d+\)/)
    // It is really there: the report is not crying wolf.
    expect(doctorObjects(emulator)).toEqual(['hrep-doctor-deadbeef'])
  })
})
