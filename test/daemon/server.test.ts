/** The listener: addresses it accepts, and what /metrics, /healthz, /readyz and anything else answer. */
import {createServer} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {type MonitorServer, parseListenAddress, startMonitorServer} from '../../src/daemon/server.js'
import {HrepError} from '../../src/model/errors.js'

describe('parseListenAddress', () => {
  it('takes HOST:PORT, [IPv6]:PORT and :PORT (every interface)', () => {
    expect(parseListenAddress('127.0.0.1:9464')).toEqual({host: '127.0.0.1', port: 9464})
    expect(parseListenAddress(':9464')).toEqual({host: '0.0.0.0', port: 9464})
    expect(parseListenAddress('[::1]:0')).toEqual({host: '::1', port: 0})
    expect(parseListenAddress('hrep.local:80')).toEqual({host: 'hrep.local', port: 80})
  })

  it('refuses anything else with a message naming the flag', () => {
    for (const text of ['9464', 'localhost', '127.0.0.1:70000', '127.0.0.1:', '::1:9464']) {
      expect(() => parseListenAddress(text)).toThrow(HrepError)
      expect(() => parseListenAddress(text)).toThrow(/--listen takes HOST:PORT/)
    }
  })
})

describe('startMonitorServer', () => {
  let server: MonitorServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  const routes = {
    metrics: async () => ({contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'up 1\n'}),
    health: () => ({status: 200, body: {status: 'ok'}}),
    readiness: () => ({status: 503, body: {ready: false, reason: 'not yet'}}),
  }

  it('serves the three paths, HEAD included, and 404/405 for the rest', async () => {
    server = await startMonitorServer({host: '127.0.0.1', port: 0}, routes)
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/)
    const url = (path: string) => `http://${server!.address}${path}`

    const metrics = await fetch(url('/metrics?debug=1'))
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toContain('text/plain')
    expect(await metrics.text()).toBe('up 1\n')
    const health = await fetch(url('/healthz'))
    expect([health.status, await health.json()]).toEqual([200, {status: 'ok'}])
    const ready = await fetch(url('/readyz'))
    expect([ready.status, await ready.json()]).toEqual([503, {ready: false, reason: 'not yet'}])
    const head = await fetch(url('/readyz'), {method: 'HEAD'})
    expect([head.status, await head.text()]).toEqual([503, ''])
    const post = await fetch(url('/metrics'), {method: 'POST'})
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    await post.text()
    const missing = await fetch(url('/metrics/extra'))
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({error: 'not found'})
  })

  it('answers 500 when collecting the metrics fails, and keeps serving', async () => {
    let fail = true
    server = await startMonitorServer(
      {host: '127.0.0.1', port: 0},
      {
        ...routes,
        metrics: async () => {
          if (fail) throw new Error('collector broke')
          return routes.metrics()
        },
      },
    )
    const broken = await fetch(`http://${server.address}/metrics`)
    expect([broken.status, await broken.json()]).toEqual([500, {error: 'collector broke'}])
    fail = false
    expect((await fetch(`http://${server.address}/metrics`)).status).toBe(200)
  })

  it('fails with a clear HrepError when the port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as {port: number}).port
    try {
      await expect(startMonitorServer({host: '127.0.0.1', port}, routes)).rejects.toThrow(
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is in use`),
      )
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })
})
