/**
 * The daemon's HTTP listener: `GET /metrics` (Prometheus text format), `GET /healthz` (the process
 * answers: always 200) and `GET /readyz` (200 when ready, 503 otherwise), both with a small JSON body;
 * 404 for any other path, 405 for another method. Plain HTTP, no authentication: bind it to loopback or
 * a pod network, as Prometheus exporters usually are.
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {HrepError} from '../model/errors.js'

/** The default `--listen`: loopback only, on the port the seed project's exporter used. */
export const DEFAULT_LISTEN = '127.0.0.1:9464'

export interface ListenAddress {
  host: string
  port: number
}

/** `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (every interface); throws an HrepError naming the flag. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim())
  const port = match ? Number(match[3]) : Number.NaN
  if (!match || port > 65535) {
    throw new HrepError(
      'flag_invalid',
      `--listen takes HOST:PORT, like 127.0.0.1:9464, 0.0.0.0:9464 or [::1]:9464, not "${text}"`,
    )
  }
  const host = match[1] ?? match[2] ?? ''
  return {host: host === '' ? '0.0.0.0' : host, port}
}

/** A JSON answer: the status code and the body. */
export interface JsonAnswer {
  status: number
  body: unknown
}

export interface MonitorRoutes {
  metrics: () => Promise<{contentType: string; body: string}>
  health: () => JsonAnswer
  readiness: () => JsonAnswer
}

export interface MonitorServer {
  /** Where it listens, `HOST:PORT` with the port the system chose for port 0. */
  address: string
  close(): Promise<void>
}

/** Starts listening; throws an HrepError when the address cannot be bound (in use, not local...). */
export async function startMonitorServer(listen: ListenAddress, routes: MonitorRoutes): Promise<MonitorServer> {
  const server = createServer((request, response) => {
    handle(request, response, routes).catch((error: unknown) => {
      if (!response.headersSent)
        send(response, 500, 'application/json', JSON.stringify({error: (error as Error).message}), request)
      else response.destroy()
    })
  })
  // Scrapes are short; a client that holds a connection open must not keep the daemon from stopping.
  server.keepAliveTimeout = 5_000
  server.requestTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? 'the address is in use'
          : error.code === 'EADDRNOTAVAIL'
            ? 'no such local address'
            : error.message
      reject(new HrepError('listen_failed', `cannot listen on ${listen.host}:${listen.port}: ${why}`))
    })
    server.listen(listen.port, listen.host, () => resolve())
  })
  const bound = server.address() as AddressInfo
  const address = bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`
  let closing: Promise<void> | undefined
  return {
    address,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}

async function handle(request: IncomingMessage, response: ServerResponse, routes: MonitorRoutes): Promise<void> {
  const path = (request.url ?? '/').split('?')[0]
  const route = path === '/metrics' || path === '/healthz' || path === '/readyz' ? path : undefined
  if (route === undefined) {
    send(
      response,
      404,
      'application/json',
      JSON.stringify({error: 'not found', paths: ['/metrics', '/healthz', '/readyz']}),
      request,
    )
    return
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD')
    send(response, 405, 'application/json', JSON.stringify({error: 'method not allowed'}), request)
    return
  }
  if (route === '/metrics') {
    const {contentType, body} = await routes.metrics()
    send(response, 200, contentType, body, request)
    return
  }
  const answer = route === '/healthz' ? routes.health() : routes.readiness()
  send(response, answer.status, 'application/json', JSON.stringify(answer.body), request)
}

function send(response: ServerResponse, status: number, contentType: string, body: string, request: IncomingMessage): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  })
  response.end(request.method === 'HEAD' ? undefined : body)
}
