import {afterEach, describe, expect, it} from 'vitest'
import {createClient} from '../../src/client/harbor-client.js'
import {parseHarborVersion} from '../../src/client/server-info.js'
import type {HarborClient} from '../../src/client/types.js'
import type {EngineEvent} from '../../src/model/events.js'
import {HrepError} from '../../src/model/errors.js'
import {
  type FakeServer,
  type Handler,
  PASSWORD,
  endpointConfig,
  fastReliability,
  harborError,
  json,
  serveInfo,
  startServer,
} from './fake-server.js'

let server: FakeServer | undefined
let client: HarborClient | undefined

afterEach(async () => {
  await client?.close()
  await server?.close()
  client = undefined
  server = undefined
})

const oneAttempt = {reliability: fastReliability({retry: {attempts: 1, baseDelayMs: 1, maxDelayMs: 1}})}

async function setup(handler: Handler, overrides = {}) {
  server = await startServer(handler)
  const events: EngineEvent[] = []
  client = createClient(endpointConfig(server.url, overrides), {events: {emit: (event) => events.push(event)}})
  const paths = () => server!.requests.map((r) => r.url.split('?')[0]!.replace('/api/v2.0', ''))
  const warnings = () => events.flatMap((e) => (e.type === 'warning' ? [e.message] : []))
  return {server, client, events, paths, warnings}
}

async function rejection(promise: Promise<unknown>): Promise<HrepError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(HrepError)
    return error as HrepError
  }
  throw new Error('expected a rejection')
}

describe('info()', () => {
  it('checks the credentials, reads the version and the robot prefix once', async () => {
    const {client, paths, warnings} = await setup((request, response) => {
      serveInfo(request, response, {version: 'v2.13.1-5bd8a3c1', prefix: 'bot_'})
    })
    const info = await client.info()
    expect(info).toEqual({
      harborVersion: 'v2.13.1-5bd8a3c1',
      version: {major: 2, minor: 13, patch: 1},
      authMode: 'db_auth',
      robotNamePrefix: 'bot_',
      username: 'admin',
      sysadmin: true,
      robot: false,
      readOnly: false,
    })
    expect(await client.info()).toBe(info)
    expect(paths()).toEqual(['/users/current', '/systeminfo', '/configurations'])
    expect(warnings()).toEqual([])
  })

  it('says the credentials were rejected, naming the endpoint, user and config position, never the password', async () => {
    const {client, paths} = await setup(
      (_request, response) => harborError(response, 401, 'UNAUTHORIZED', 'unauthorized'),
      oneAttempt,
    )
    const error = await rejection(client.info())
    expect(error.message).toBe(
      `credentials rejected by endpoint primary (${server!.url}) for user "admin". check username and password of endpoint "primary" (main.hcl:3:1)`,
    )
    expect(error).toMatchObject({errorClass: 'auth', status: 401, exitCode: 1})
    expect(error.message).not.toContain(PASSWORD)
    // Cached: asking again would only extend Harbor's login lockout.
    await rejection(client.info())
    expect(paths()).toEqual(['/users/current'])
  })

  it('treats a /systeminfo without harbor_version as anonymous, i.e. rejected credentials', async () => {
    const {client} = await setup((request, response) => {
      if (request.url.endsWith('/users/current')) return json(response, 200, {username: 'admin', sysadmin_flag: true})
      json(response, 200, {auth_mode: 'db_auth', self_registration: false})
    })
    const error = await rejection(client.info())
    expect(error.message).toContain('credentials rejected by endpoint primary')
    expect(error.message).toContain('as anonymous')
  })

  it('refuses Harbor older than 2.3 with the endpoint and version in the message', async () => {
    const {client} = await setup((request, response) => {
      serveInfo(request, response, {version: 'v2.2.4-2f5a4b7c'})
    })
    const error = await rejection(client.info())
    expect(error.code).toBe('harbor_unsupported')
    expect(error.message).toBe(`endpoint primary (${server!.url}) runs Harbor v2.2.4-2f5a4b7c; hrep needs Harbor 2.3 or newer`)
  })

  it('accepts Harbor 2.3.0 exactly', async () => {
    const {client} = await setup((request, response) => {
      serveInfo(request, response, {version: 'v2.3.0-abcdef12'})
    })
    expect((await client.info()).version).toEqual({major: 2, minor: 3, patch: 0})
  })

  it('falls back to /systeminfo for a robot account (412) and assumes robot$, with a warning', async () => {
    const {client, paths, warnings} = await setup((request, response) => {
      if (request.url.endsWith('/users/current')) return harborError(response, 412, 'PRECONDITION', 'robot account')
      serveInfo(request, response)
    }, oneAttempt)
    const info = await client.info()
    expect(info).toMatchObject({robot: true, robotNamePrefix: 'robot$', sysadmin: false})
    expect(paths()).toEqual(['/users/current', '/systeminfo'])
    expect(warnings()).toEqual([
      'endpoint primary: a robot account cannot read /configurations, so hrep assumes the robot name prefix "robot$"; set robot_prefix in the endpoint block if the instance uses another',
    ])
  })

  it('assumes robot$ with a warning when the user may not read /configurations', async () => {
    const {client, warnings} = await setup((request, response) => {
      if (request.url.endsWith('/configurations')) return harborError(response, 403, 'FORBIDDEN', 'alice')
      serveInfo(request, response)
    }, oneAttempt)
    expect((await client.info()).robotNamePrefix).toBe('robot$')
    expect(warnings()[0]).toContain('user cannot read /configurations (403)')
  })

  it('uses the endpoint robot_prefix without asking /configurations', async () => {
    const {client, paths} = await setup(
      (request, response) => {
        serveInfo(request, response)
      },
      {robotPrefix: 'svc-'},
    )
    expect((await client.info()).robotNamePrefix).toBe('svc-')
    expect(paths()).not.toContain('/configurations')
  })

  it('reports read-only mode (the engine warns about it)', async () => {
    const {client} = await setup((request, response) => {
      if (request.url.endsWith('/systeminfo')) return json(response, 200, {harbor_version: 'v2.10.0-1', read_only: true})
      serveInfo(request, response)
    })
    expect((await client.info()).readOnly).toBe(true)
  })

  it('asks again after a transient failure', async () => {
    let down = true
    const {client} = await setup((request, response) => {
      if (down) return harborError(response, 503, 'UNKNOWN', 'starting')
      serveInfo(request, response)
    }, oneAttempt)
    expect(await rejection(client.info())).toMatchObject({errorClass: 'transient'})
    down = false
    expect((await client.info()).harborVersion).toBe('v2.13.1-5bd8a3c1')
  })
})

describe('parseHarborVersion', () => {
  it.each([
    ['v2.15.2-abcdef12', {major: 2, minor: 15, patch: 2}],
    ['2.3.0', {major: 2, minor: 3, patch: 0}],
    ['v2.10', {major: 2, minor: 10, patch: 0}],
    ['dev', undefined],
  ])('%s', (text, expected) => {
    expect(parseHarborVersion(text)).toEqual(expected)
  })
})
