import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import selfsigned from 'selfsigned'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createClient} from '../../src/client/harbor-client.js'
import type {EngineEvent} from '../../src/model/events.js'
import {HarborError} from '../../src/reliability/errors.js'
import {type FakeServer, endpointConfig, json, startServer} from './fake-server.js'

/** A private CA, as a company runs for its internal Harbors. */
async function authority(name: string): Promise<{key: string; cert: string}> {
  const generated = await selfsigned.generate([{name: 'commonName', value: name}], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      {name: 'basicConstraints', cA: true, critical: true},
      {name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true},
    ],
  })
  return {key: generated.private, cert: generated.cert}
}

/** A server certificate for 127.0.0.1 signed by `ca`. */
async function serverCertificate(ca: {key: string; cert: string}): Promise<{key: string; cert: string}> {
  const generated = await selfsigned.generate([{name: 'commonName', value: '127.0.0.1'}], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ca,
    extensions: [
      {name: 'subjectAltName', altNames: [{type: 7, ip: '127.0.0.1'}]},
      {name: 'extKeyUsage', serverAuth: true},
    ],
  })
  return {key: generated.private, cert: generated.cert}
}

let server: FakeServer
let dir: string
let caFile: string
let otherCaFile: string

beforeAll(async () => {
  const ca = await authority('Example Corp Internal CA')
  const other = await authority('Someone Else CA')
  dir = mkdtempSync(join(tmpdir(), 'hrep-tls-'))
  caFile = join(dir, 'ca.pem')
  otherCaFile = join(dir, 'other.pem')
  writeFileSync(caFile, ca.cert)
  writeFileSync(otherCaFile, other.cert)
  server = await startServer((_request, response) => json(response, 200, []), await serverCertificate(ca))
})

afterAll(async () => {
  await server.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('TLS', () => {
  it('trusts a server whose certificate the CA in ca_file signed', async () => {
    const client = createClient(endpointConfig(server.url, {caFile}))
    try {
      expect((await client.request({method: 'GET', path: '/projects'})).status).toBe(200)
    } finally {
      await client.close()
    }
  })

  it.each([
    ['no ca_file', undefined],
    ['another CA', 'other'],
  ])('refuses an unknown certificate (%s) at once, with what to do about it', async (_name, which) => {
    const client = createClient(endpointConfig(server.url, which === undefined ? {} : {caFile: otherCaFile}))
    const before = server.requests.length
    try {
      await client.request({method: 'GET', path: '/projects'})
      expect.unreachable('the request should fail')
    } catch (error) {
      expect(error).toBeInstanceOf(HarborError)
      const failure = error as HarborError
      expect(failure).toMatchObject({errorClass: 'permanent', notSent: true, attempts: 1})
      expect(failure.message).toMatch(/TLS handshake failed \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/)
      expect(failure.message).toContain('set ca_file')
    } finally {
      await client.close()
    }
    expect(server.requests.length).toBe(before)
  })

  it('skips verification with insecure = true and warns about it', async () => {
    const events: EngineEvent[] = []
    const client = createClient(endpointConfig(server.url, {insecure: true}), {events: {emit: (e) => events.push(e)}})
    try {
      expect((await client.request({method: 'GET', path: '/projects'})).status).toBe(200)
    } finally {
      await client.close()
    }
    expect(events).toContainEqual({
      type: 'warning',
      endpoint: 'primary',
      message:
        'endpoint primary: TLS certificate verification is off (insecure = true); anyone on the path can read the password',
    })
  })

  it('says when the server does not speak TLS at all', async () => {
    const plain = await startServer((_request, response) => json(response, 200, []))
    const client = createClient(endpointConfig(plain.url.replace('http:', 'https:')))
    try {
      await expect(client.request({method: 'GET', path: '/projects'})).rejects.toThrow(
        'the server does not speak TLS there: check https:// or http:// and the port in url',
      )
    } finally {
      await client.close()
      await plain.close()
    }
  })

  it('names an unreadable ca_file and where the endpoint is declared', () => {
    const missing = join(dir, 'missing.pem')
    expect(() => createClient(endpointConfig(server.url, {caFile: missing}))).toThrow(
      `main.hcl:3:1: endpoint primary: cannot read ca_file ${missing} (ENOENT)`,
    )
  })

  it('names a ca_file that holds no certificate', () => {
    const junk = join(dir, 'junk.pem')
    writeFileSync(junk, 'not a certificate')
    expect(() => createClient(endpointConfig(server.url, {caFile: junk}))).toThrow(`ca_file ${junk} holds no PEM certificate`)
  })
})
