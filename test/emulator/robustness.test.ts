/**
 * Robustness: random bodies and paths (fast-check, fixed seed) never crash a handler. Whatever arrives,
 * the emulator answers with a status and Harbor's error envelope, and no request reaches the
 * "unexpected error" path that would hide an emulator bug behind a 500.
 */
import fc from 'fast-check'
import {request} from 'undici'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {type EmulatorHandle, EXPECT_INVALID_HEADER, startEmulator} from '../../src/emulator/index.js'

const AUTH = `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`

const ROUTES: [string, string][] = [
  ['POST', '/projects'],
  ['PUT', '/projects/p1'],
  ['POST', '/projects/p1/members'],
  ['PUT', '/projects/p1/members/1'],
  ['POST', '/projects/p1/metadatas/'],
  ['POST', '/robots'],
  ['PUT', '/robots/1'],
  ['PATCH', '/robots/1'],
  ['POST', '/usergroups'],
  ['PUT', '/usergroups/1'],
  ['PUT', '/configurations'],
  ['PUT', '/quotas/1'],
  ['POST', '/users'],
  ['POST', '/projects/p1/immutabletagrules'],
  ['POST', '/projects/p1/webhook/policies'],
  ['POST', '/registries'],
  ['PUT', '/registries/1'],
  ['POST', '/replication/policies'],
]

/** JSON values shaped loosely like Harbor bodies: known field names with random values. */
const FIELD_NAMES = [
  'name',
  'project_name',
  'metadata',
  'permissions',
  'level',
  'duration',
  'group_name',
  'group_type',
  'role_id',
  'member_group',
  'member_user',
  'secret',
  'hard',
  'targets',
  'event_types',
  'url',
  'type',
  'src_registry',
  'filters',
  'trigger',
  'access',
  'kind',
  'namespace',
  'id',
  'disabled',
  'auth_mode',
  'robot_name_prefix',
  'storage_limit',
  'cve_allowlist',
]
const body = fc.letrec((tie) => ({
  value: fc.oneof(
    {depthSize: 'small'},
    fc.constant(null),
    fc.boolean(),
    fc.integer({min: -3, max: 2 ** 31}),
    fc.string({maxLength: 12}),
    fc.array(tie('value'), {maxLength: 3}),
    tie('object'),
  ),
  object: fc.dictionary(fc.constantFrom(...FIELD_NAMES), tie('value'), {maxKeys: 5}),
})).object

describe('random requests', () => {
  let handle: EmulatorHandle
  beforeAll(async () => {
    handle = await startEmulator({
      loginLockMs: 0,
      seed: {
        users: [{username: 'u1'}],
        groups: [{name: 'g1'}],
        projects: [{name: 'p1', members: [{group: 'g1', role: 2}]}],
        robots: [{name: 'r1', permissions: [{kind: 'project', namespace: 'p1', access: ['repository:pull']}]}],
      },
    })
  })
  afterAll(async () => handle?.stop())

  it('always get an answer with Harbor status semantics, never a handler crash', async () => {
    const stderr = vi.spyOn(process.stderr, 'write')
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), body, async ([method, path], json) => {
        const response = await request(`${handle.url}/api/v2.0${path}`, {
          method: method as 'POST',
          headers: {
            authorization: AUTH,
            'content-type': 'application/json',
            'X-Is-Resource-Name': 'true',
            [EXPECT_INVALID_HEADER]: '1',
          },
          body: JSON.stringify(json),
        })
        const text = await response.body.text()
        expect(response.statusCode).toBeGreaterThanOrEqual(200)
        if (response.statusCode >= 400 && text !== '') expect(JSON.parse(text).errors[0].code).toBeTypeOf('string')
      }),
      {seed: 20240501, numRuns: 400},
    )
    const crashes = stderr.mock.calls.map(([chunk]) => String(chunk)).filter((line) => line.startsWith('emulator:'))
    stderr.mockRestore()
    expect(crashes).toEqual([])
    expect((await request(`${handle.url}/api/v2.0/ping`)).statusCode).toBe(200)
  })
})
