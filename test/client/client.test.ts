import {inspect} from 'node:util'
import {afterEach, describe, expect, it} from 'vitest'
import {createClient} from '../../src/client/harbor-client.js'
import type {HarborClient} from '../../src/client/types.js'
import type {EngineEvent} from '../../src/model/events.js'
import {Secret} from '../../src/model/secret.js'
import {HarborError} from '../../src/reliability/errors.js'
import {type FakeServer, PASSWORD, endpointConfig, fastReliability, harborError, json, startServer} from './fake-server.js'

let server: FakeServer | undefined
let client: HarborClient | undefined

afterEach(async () => {
  await client?.close()
  await server?.close()
  client = undefined
  server = undefined
})

async function setup(handler: Parameters<typeof startServer>[0], overrides = {}) {
  server = await startServer(handler)
  const events: EngineEvent[] = []
  client = createClient(endpointConfig(server.url, overrides), {events: {emit: (event) => events.push(event)}})
  return {server, client, events}
}

async function failure(promise: Promise<unknown>): Promise<HarborError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(HarborError)
    return error as HarborError
  }
  throw new Error('expected the request to fail')
}

/** Go's url.QueryUnescape: `+` is a space, then percent-decoding. */
function goQueryUnescape(text: string): string {
  return decodeURIComponent(text.replaceAll('+', ' '))
}

describe('requests', () => {
  it('sends Basic auth, JSON bodies and reads JSON answers with their headers', async () => {
    const {server, client} = await setup((_request, response) => {
      json(response, 201, {id: 7}, {location: '/api/v2.0/robots/7'})
    })
    const response = await client.request<{id: number}>({method: 'POST', path: '/robots', body: {name: 'ci', level: 'system'}})
    expect(response.status).toBe(201)
    expect(response.body).toEqual({id: 7})
    expect(response.headers.location).toBe('/api/v2.0/robots/7')
    const sent = server.requests[0]!
    expect(sent.url).toBe('/api/v2.0/robots')
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`)
    expect(sent.headers['content-type']).toBe('application/json')
    expect(JSON.parse(sent.body)).toEqual({name: 'ci', level: 'system'})
    expect(sent.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('sends X-Is-Resource-Name only when the path carries a project name', async () => {
    const {server, client} = await setup((_request, response) => json(response, 200, []))
    await client.request({method: 'GET', path: '/projects/1234', resourceName: true})
    await client.request({method: 'GET', path: '/projects/1234'})
    for await (const _ of client.paginate('/projects/team/members', {}, {resourceName: true})) {
      // no members
    }
    expect(server.requests.map((r) => r.headers['x-is-resource-name'])).toEqual(['true', undefined, 'true'])
  })

  it('encodes q twice, so a + in a value survives both of Harbor decodings', async () => {
    const {server, client} = await setup((_request, response) => json(response, 200, []))
    await client.request({method: 'GET', path: '/robots', query: {q: 'name=team+ci bot,Level=project', page_size: 10}})
    const raw = new URL(server.requests[0]!.url, 'http://x').search.slice(1)
    const params = Object.fromEntries(raw.split('&').map((pair) => pair.split('=').map(goQueryUnescape)))
    // go-swagger decoded once above; Harbor's q parser decodes again.
    expect(goQueryUnescape(params.q!)).toBe('name=team+ci bot,Level=project')
    expect(params.page_size).toBe('10')
  })

  it('never sends a cookie, even when every answer sets one, and hides Set-Cookie from callers', async () => {
    const {server, client} = await setup((_request, response) => {
      json(response, 200, {}, {'set-cookie': 'sid=0123456789abcdef; Path=/; HttpOnly'})
    })
    await client.request({method: 'GET', path: '/projects'})
    await client.request({method: 'POST', path: '/projects', body: {project_name: 'a'}})
    await client.request({method: 'PUT', path: '/projects/a', body: {}, resourceName: true})
    const last = await client.request({method: 'DELETE', path: '/projects/a', resourceName: true})
    expect(server.requests).toHaveLength(4)
    for (const request of server.requests) expect(request.headers.cookie).toBeUndefined()
    expect(last.headers['set-cookie']).toBeUndefined()
  })

  it('reveals a Secret in a body only on the wire', async () => {
    const {server, client} = await setup((_request, response) => json(response, 200, undefined))
    await client.request({method: 'PATCH', path: '/robots/3', body: {secret: new Secret('Robot-Secret-123', 'env("X")')}})
    expect(JSON.parse(server.requests[0]!.body)).toEqual({secret: 'Robot-Secret-123'})
  })

  it('returns an empty success body as undefined and plain text as text', async () => {
    const {client} = await setup((request, response) => {
      if (request.url.endsWith('/ping')) {
        response.writeHead(200, {'content-type': 'text/plain'})
        response.end('Pong')
      } else {
        response.writeHead(200)
        response.end()
      }
    })
    expect((await client.request({method: 'DELETE', path: '/usergroups/4'})).body).toBeUndefined()
    expect((await client.request({method: 'GET', path: '/ping'})).body).toBe('Pong')
  })
})

describe('paging', () => {
  const items = Array.from({length: 250}, (_, i) => ({id: i + 1, name: `p${String(i + 1).padStart(3, '0')}`}))

  function pages(total: number | undefined, list = items) {
    return (request: {url: string}, response: Parameters<typeof json>[0]) => {
      const query = new URL(request.url, 'http://x').searchParams
      const page = Number(query.get('page'))
      const size = Number(query.get('page_size'))
      const headers: Record<string, string> = total === undefined ? {} : {'x-total-count': String(total)}
      json(response, 200, list.slice((page - 1) * size, page * size), headers)
    }
  }

  it('reads every page of 100 until the total is reached', async () => {
    const {server, client} = await setup(pages(250))
    const seen: string[] = []
    for await (const item of client.paginate<{name: string}>('/projects', {with_detail: false})) seen.push(item.name)
    expect(seen).toEqual(items.map((i) => i.name))
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/v2.0/projects?with_detail=false&page=1&page_size=100',
      '/api/v2.0/projects?with_detail=false&page=2&page_size=100',
      '/api/v2.0/projects?with_detail=false&page=3&page_size=100',
    ])
  })

  it('stops at page * 100 >= X-Total-Count without asking for an empty page', async () => {
    const {server, client} = await setup(pages(200, items.slice(0, 200)))
    let count = 0
    for await (const _ of client.paginate('/projects')) count++
    expect(count).toBe(200)
    expect(server.requests).toHaveLength(2)
  })

  it('stops on a short page when there is no X-Total-Count', async () => {
    const {server, client} = await setup(pages(undefined))
    let count = 0
    for await (const _ of client.paginate('/robots')) count++
    expect(count).toBe(250)
    expect(server.requests).toHaveLength(3)
  })

  it('stops when the server ignores page, as /usergroups/search does, instead of repeating items', async () => {
    const {server, client} = await setup((_request, response) =>
      json(response, 200, items.slice(0, 100), {'x-total-count': '250'}),
    )
    const seen: number[] = []
    for await (const item of client.paginate<{id: number}>('/usergroups/search', {groupname: 'p'})) seen.push(item.id)
    expect(seen).toEqual(items.slice(0, 100).map((i) => i.id))
    expect(server.requests).toHaveLength(2)
  })

  it('fails with a clear error when a list is not a list', async () => {
    const {client} = await setup((_request, response) => json(response, 200, {items: []}))
    const iterate = async () => {
      for await (const _ of client.paginate('/projects')) {
        // nothing
      }
    }
    const error = await failure(iterate())
    expect(error.message).toBe('endpoint primary: GET /projects did not return a JSON list')
  })
})

describe('errors', () => {
  it('carries status, Harbor code and message, method, path, endpoint and request id', async () => {
    const {client} = await setup((_request, response) =>
      harborError(response, 404, 'NOT_FOUND', 'project team not found', {'x-request-id': 'req-42'}),
    )
    const error = await failure(client.request({method: 'GET', path: '/projects/team', resourceName: true}))
    expect(error).toMatchObject({
      errorClass: 'not_found',
      code: 'harbor_not_found',
      status: 404,
      harborCode: 'NOT_FOUND',
      harborMessage: 'project team not found',
      method: 'GET',
      path: '/projects/team',
      endpoint: 'primary',
      requestId: 'req-42',
      attempts: 1,
      exitCode: 1,
    })
    expect(error.message).toBe(
      'endpoint primary: GET /projects/team returned 404 NOT_FOUND: project team not found [request id req-42]',
    )
  })

  it('accepts error answers with an empty body, an HTML page or plain text', async () => {
    const {client} = await setup(
      (request, response) => {
        if (request.url.includes('empty')) {
          response.writeHead(400)
          response.end()
        } else if (request.url.includes('html')) {
          response.writeHead(502, {'content-type': 'text/html'})
          response.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
        } else {
          response.writeHead(403, {'content-type': 'text/plain'})
          response.end('denied by proxy\nsecond line')
        }
      },
      {reliability: fastReliability({retry: {attempts: 1, baseDelayMs: 1, maxDelayMs: 1}})},
    )
    const empty = await failure(client.request({method: 'POST', path: '/usergroups/empty', body: {}}))
    expect(empty).toMatchObject({errorClass: 'invalid', status: 400, harborCode: undefined, harborMessage: undefined})
    expect(empty.message).toBe('endpoint primary: POST /usergroups/empty returned 400')
    const html = await failure(client.request({method: 'GET', path: '/html'}))
    expect(html).toMatchObject({errorClass: 'transient', status: 502, harborMessage: undefined})
    const text = await failure(client.request({method: 'GET', path: '/text'}))
    expect(text).toMatchObject({errorClass: 'auth', status: 403, harborMessage: 'denied by proxy'})
  })

  it('never shows the password or a secret the request carried, wherever the server echoes them', async () => {
    const basic = Buffer.from(`admin:${PASSWORD}`).toString('base64')
    const {client, events} = await setup(
      (request, response) => {
        // A hostile or buggy server echoing everything it got.
        harborError(response, 400, 'BAD_REQUEST', `bad ${request.headers.authorization} ${PASSWORD} body=${request.body}`)
      },
      {reliability: fastReliability({retry: {attempts: 1, baseDelayMs: 1, maxDelayMs: 1}})},
    )
    const patch = await failure(client.request({method: 'PATCH', path: '/robots/3', body: {secret: 'Plain-Robot-Secret-9'}}))
    const wrapped = await failure(
      client.request({method: 'PUT', path: '/configurations', body: {ldap_search_password: new Secret('Ldap-Pass-77')}}),
    )
    for (const error of [patch, wrapped]) {
      const views = [error.message, String(error), JSON.stringify(error), inspect(error, {depth: 10}), error.stack ?? '']
      for (const view of views) {
        expect(view).not.toContain(PASSWORD)
        expect(view).not.toContain(basic)
        expect(view).not.toContain('Plain-Robot-Secret-9')
        expect(view).not.toContain('Ldap-Pass-77')
      }
    }
    expect(patch.harborMessage).toContain('(sensitive)')
    const logged = JSON.stringify(events)
    expect(logged).not.toContain(PASSWORD)
    expect(logged).not.toContain('Plain-Robot-Secret-9')
  })

  it('keeps credentials out of network errors too', async () => {
    const {server, client} = await setup(
      (_request, response) => {
        response.socket?.destroy()
      },
      {
        reliability: fastReliability({retry: {attempts: 2, baseDelayMs: 1, maxDelayMs: 1}}),
      },
    )
    const error = await failure(client.request({method: 'GET', path: '/projects'}))
    expect(error).toMatchObject({errorClass: 'transient', notSent: false, attempts: 2})
    expect(server.requests).toHaveLength(2)
    expect(inspect(error, {depth: 10})).not.toContain(PASSWORD)
    expect(inspect(error, {depth: 10})).not.toContain(Buffer.from(`admin:${PASSWORD}`).toString('base64'))
  })

  it('refuses a url with credentials in it, naming the config position', () => {
    expect(() => createClient(endpointConfig('https://admin:pw@harbor.example.com'))).toThrow(
      'main.hcl:3:1: endpoint primary: put credentials in username and password, not in the url',
    )
  })

  it('explains a redirect instead of following it', async () => {
    const {client} = await setup((_request, response) => {
      response.writeHead(301, {location: 'https://harbor.example.com/api/v2.0/projects'})
      response.end()
    })
    const error = await failure(client.request({method: 'GET', path: '/projects'}))
    expect(error.errorClass).toBe('permanent')
    expect(error.message).toContain('redirects to https://harbor.example.com/api/v2.0/projects')
  })
})

describe('events', () => {
  it('reports each HTTP request with its route template, not the raw path', async () => {
    const {client, events} = await setup((_request, response) => json(response, 200, []))
    await client.request({method: 'GET', path: '/projects/team/members/12', resourceName: true})
    await client.request({method: 'GET', path: '/robots/55'})
    const requests = events.filter((e) => e.type === 'http.request')
    expect(requests.map((e) => e.type === 'http.request' && [e.method, e.route, e.status, e.attempt])).toEqual([
      ['GET', '/projects/{project}/members/{id}', 200, 1],
      ['GET', '/robots/{id}', 200, 1],
    ])
  })

  it('counts operations and attempts for the request amplification', async () => {
    let calls = 0
    const {client} = await setup((_request, response) => {
      calls++
      if (calls === 1) harborError(response, 503, 'UNKNOWN', 'busy')
      else json(response, 200, [])
    })
    await client.request({method: 'GET', path: '/projects'})
    await client.request({method: 'GET', path: '/robots'})
    expect(client.stats!()).toEqual({operations: 2, attempts: 3, retries: 1, failures: 0})
  })
})
