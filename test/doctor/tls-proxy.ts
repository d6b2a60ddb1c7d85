/**
 * TLS for the doctor tests: a private CA and server certificates made with `selfsigned` (validity and
 * names chosen by the test), and a TLS-terminating proxy on 127.0.0.1 (port 0) that pipes every
 * connection to a plain-http emulator, as nginx does in front of Harbor.
 */
import {connect, type Socket} from 'node:net'
import {createServer} from 'node:tls'
import selfsigned from 'selfsigned'

export interface KeyPair {
  key: string
  cert: string
}

const DAY_MS = 86_400_000

/** A private CA, as a company runs for its internal Harbors. */
export async function makeCa(name: string): Promise<KeyPair> {
  const generated = await selfsigned.generate([{name: 'commonName', value: name}], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - DAY_MS),
    notAfterDate: new Date(Date.now() + 3650 * DAY_MS),
    extensions: [
      {name: 'basicConstraints', cA: true, critical: true},
      {name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true},
    ],
  })
  return {key: generated.private, cert: generated.cert}
}

export interface ServerCertOptions {
  /** DNS names in subjectAltName. @default ['localhost'] */
  dns?: string[]
  /** IP addresses in subjectAltName. @default ['127.0.0.1'] */
  ips?: string[]
  /** Days from now the certificate became valid (negative: in the past). @default -1 */
  validFromDays?: number
  /** Days from now it stops being valid. @default 365 */
  validToDays?: number
}

/** A server certificate signed by `ca`. */
export async function makeServerCert(ca: KeyPair, options: ServerCertOptions = {}): Promise<KeyPair> {
  const dns = options.dns ?? ['localhost']
  const ips = options.ips ?? ['127.0.0.1']
  const generated = await selfsigned.generate([{name: 'commonName', value: dns[0] ?? ips[0] ?? 'harbor'}], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ca,
    notBeforeDate: new Date(Date.now() + (options.validFromDays ?? -1) * DAY_MS),
    notAfterDate: new Date(Date.now() + (options.validToDays ?? 365) * DAY_MS),
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [...dns.map((value) => ({type: 2 as const, value})), ...ips.map((ip) => ({type: 7 as const, ip}))],
      },
      {name: 'extKeyUsage', serverAuth: true},
    ],
  })
  return {key: generated.private, cert: generated.cert}
}

export interface TlsProxy {
  port: number
  close(): Promise<void>
}

/** Terminates TLS with `certificate` on 127.0.0.1 and forwards every connection to `targetPort`. */
export async function startTlsProxy(targetPort: number, certificate: KeyPair): Promise<TlsProxy> {
  const sockets = new Set<Socket>()
  const server = createServer({key: certificate.key, cert: certificate.cert}, (client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    sockets.add(client)
    sockets.add(upstream)
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    client.pipe(upstream).pipe(client)
  })
  // A client that rejects the certificate aborts the handshake: expected here, not a test failure.
  server.on('tlsClientError', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port')
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
