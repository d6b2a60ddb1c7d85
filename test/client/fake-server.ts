/**
 * A programmable HTTP server on 127.0.0.1 (port 0) for the client and reliability tests: each test
 * answers requests exactly as the fault it exercises needs (a status, a reset, a hang), which the
 * emulator cannot always shape that precisely. Every request is recorded with its headers and body.
 */
import {createServer as createHttpsServer} from 'node:https'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import type {EndpointConfig, ReliabilitySettings} from '../../src/config/model.js'
import {Secret} from '../../src/model/secret.js'
import {DEFAULT_RELIABILITY} from '../../src/reliability/defaults.js'

export interface RecordedRequest {
  method: string
  /** Path and raw query, as received. */
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>

export interface FakeServer {
  url: string
  port: number
  requests: RecordedRequest[]
  /** Replaces the handler for the following requests. */
  handle(handler: Handler): void
  close(): Promise<void>
}

export const PASSWORD = 'Pa55-w0rd-never-shown'

/** Sends JSON with Harbor's content type. */
export function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, {'content-type': 'application/json; charset=utf-8', ...headers})
  response.end(body === undefined ? '' : JSON.stringify(body))
}

/** Harbor's error envelope. */
export function harborError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(response, status, {errors: [{code, message}]}, headers)
}

/** Starts the server on 127.0.0.1, port 0; over TLS with `tls` (a key and certificate in PEM). */
export async function startServer(handler: Handler, tls?: {key: string; cert: string}): Promise<FakeServer> {
  let current = handler
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(recorded)
      Promise.resolve(current(recorded, res)).catch((error: unknown) => {
        res.destroy(error as Error)
      })
    })
  }
  const server: Server = tls === undefined ? createServer(listener) : createHttpsServer(tls, listener)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    requests,
    handle(next) {
      current = next
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** A port nothing listens on (bound, then released): connecting to it is refused. */
export async function refusedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Test-friendly reliability: the real defaults, with short waits unless a test needs more. */
export function fastReliability(overrides: Partial<ReliabilitySettings> = {}): ReliabilitySettings {
  return {
    ...DEFAULT_RELIABILITY,
    timeoutMs: 2_000,
    connectTimeoutMs: 1_000,
    deadlineMs: 10_000,
    ...overrides,
    retry: {attempts: 5, baseDelayMs: 1, maxDelayMs: 5, ...overrides.retry},
  }
}

/** An EndpointConfig for `url` as the config loader would produce it. */
export function endpointConfig(url: string, overrides: Partial<EndpointConfig> = {}): EndpointConfig {
  return {
    name: 'primary',
    url,
    username: 'admin',
    password: new Secret(PASSWORD, 'literal'),
    insecure: false,
    reliability: fastReliability(),
    range: {file: 'main.hcl', start: {line: 3, column: 1, byte: 20}, end: {line: 8, column: 2, byte: 120}},
    ...overrides,
  }
}

/** Answers the three requests of `client.info()` like a Harbor 2.13 with an admin user logged in. */
export function serveInfo(
  request: RecordedRequest,
  response: ServerResponse,
  options: {version?: string; prefix?: string} = {},
): boolean {
  const path = request.url.split('?')[0]
  if (path === '/api/v2.0/users/current') {
    json(response, 200, {user_id: 1, username: 'admin', sysadmin_flag: true})
    return true
  }
  if (path === '/api/v2.0/systeminfo') {
    json(response, 200, {harbor_version: options.version ?? 'v2.13.1-5bd8a3c1', auth_mode: 'db_auth', read_only: false})
    return true
  }
  if (path === '/api/v2.0/configurations') {
    json(response, 200, {robot_name_prefix: {value: options.prefix ?? 'robot$', editable: true}})
    return true
  }
  return false
}
