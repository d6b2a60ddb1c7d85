/**
 * The TLS check against an emulator behind a TLS-terminating proxy, with certificates the test makes:
 * an unknown CA, the right and a wrong ca_file, a certificate about to expire, an expired one, one for
 * another host name, and insecure = true.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type EmulatorHandle, startEmulator} from '../../src/emulator/index.js'
import {check, configOf, doctor, type EndpointSpec, statuses} from './helpers.js'
import {type KeyPair, makeCa, makeServerCert, startTlsProxy, type TlsProxy} from './tls-proxy.js'

let emulator: EmulatorHandle
let dir: string
let caFile: string
let otherCaFile: string
const proxies: Record<'good' | 'expiring' | 'expired' | 'otherName', TlsProxy> = {} as never

beforeAll(async () => {
  emulator = await startEmulator({loginLockMs: 0})
  const ca = await makeCa('Example Corp Internal CA')
  const other = await makeCa('Someone Else CA')
  dir = mkdtempSync(join(tmpdir(), 'hrep-doctor-tls-'))
  caFile = join(dir, 'ca.pem')
  otherCaFile = join(dir, 'other.pem')
  writeFileSync(caFile, ca.cert)
  writeFileSync(otherCaFile, other.cert)
  const proxy = async (certificate: Promise<KeyPair>) => startTlsProxy(emulator.port, await certificate)
  proxies.good = await proxy(makeServerCert(ca))
  proxies.expiring = await proxy(makeServerCert(ca, {validToDays: 10}))
  proxies.expired = await proxy(makeServerCert(ca, {validFromDays: -60, validToDays: -2}))
  proxies.otherName = await proxy(makeServerCert(ca, {dns: ['harbor.example.com'], ips: []}))
})

afterAll(async () => {
  await Promise.all(Object.values(proxies).map((proxy) => proxy.close()))
  await emulator.stop()
  rmSync(dir, {recursive: true, force: true})
})

function endpoint(proxy: TlsProxy, extra?: string, host = 'localhost'): EndpointSpec {
  return {url: `https://${host}:${proxy.port}`, ...(extra ? {extra} : {})}
}

describe('doctor TLS', () => {
  it('fails a certificate from a CA this machine does not trust, and says to set ca_file', async () => {
    const report = await doctor(configOf([endpoint(proxies.good)]))
    const tls = check(report, 'tls')
    expect(tls.status).toBe('fail')
    expect(tls.detail).toBe(
      "the certificate (issued by Example Corp Internal CA) is not signed by a CA in this machine's CA store (UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
    )
    expect(tls.hint).toMatch(/^set ca_file in endpoint "primary" \(main\.hcl:1:1\) to the PEM of the CA that signed it/)
    expect(check(report, 'ping')).toMatchObject({status: 'skip', detail: 'skipped: no TLS connection hrep would trust'})
    expect(report.endpoints[0]!.facts.certificate).toMatchObject({
      issuer: 'Example Corp Internal CA',
      names: ['localhost', '127.0.0.1'],
    })
  })

  it('fails a ca_file holding another CA', async () => {
    const report = await doctor(configOf([endpoint(proxies.good, `  ca_file = "${otherCaFile}"`)]))
    expect(check(report, 'tls')).toMatchObject({status: 'fail'})
    expect(check(report, 'tls').detail).toContain(`not signed by a CA in ca_file ${otherCaFile}`)
    expect(check(report, 'tls').hint).toContain(`into ${otherCaFile}`)
  })

  it('verifies against the right ca_file, and the Harbor checks pass through the TLS connection', async () => {
    const report = await doctor(configOf([endpoint(proxies.good, `  ca_file = "${caFile}"`)]))
    expect(report.ok).toBe(true)
    const tls = check(report, 'tls')
    expect(tls.status).toBe('pass')
    expect(tls.detail).toMatch(
      new RegExp(
        `^verified against ca_file ${caFile}: localhost, 127\\.0\\.0\\.1, issued by Example Corp Internal CA, TLSv1\\.[23]`,
      ),
    )
    expect(tls.detail).toMatch(/valid until \d{4}-\d\d-\d\d \((364|365) days\)$/)
    expect(statuses(report)).toMatchObject({dns: 'pass', tcp: 'pass', ping: 'pass', credentials: 'pass', version: 'pass'})
  })

  it('warns about a certificate that expires within 30 days', async () => {
    const report = await doctor(configOf([endpoint(proxies.expiring, `  ca_file = "${caFile}"`)]))
    expect(report.ok).toBe(true)
    const tls = check(report, 'tls')
    expect(tls.status).toBe('warn')
    expect(tls.detail).toMatch(/^the certificate expires on \d{4}-\d\d-\d\d, in (9|10) days; verified against/)
    expect(tls.hint).toMatch(/^renew Harbor's certificate before/)
    expect(report.endpoints[0]!.facts.certificate?.days_left).toBeGreaterThanOrEqual(9)
  })

  it('fails an expired certificate', async () => {
    const report = await doctor(configOf([endpoint(proxies.expired, `  ca_file = "${caFile}"`)]))
    const tls = check(report, 'tls')
    expect(tls.status).toBe('fail')
    expect(tls.detail).toMatch(/^the certificate expired on \d{4}-\d\d-\d\d \((2|3) days ago\)$/)
    expect(check(report, 'ping').status).toBe('skip')
  })

  it('fails a certificate for another host name', async () => {
    const report = await doctor(configOf([endpoint(proxies.otherName, `  ca_file = "${caFile}"`, '127.0.0.1')]))
    const tls = check(report, 'tls')
    expect(tls.status).toBe('fail')
    expect(tls.detail).toBe('the certificate is for harbor.example.com, not for 127.0.0.1')
    expect(tls.hint).toContain('reissue the certificate with 127.0.0.1 as a subjectAltName')
  })

  it('warns about insecure = true, says what verification would have found, and carries on', async () => {
    const report = await doctor(configOf([endpoint(proxies.expired, '  insecure = true')]))
    const tls = check(report, 'tls')
    expect(tls.status).toBe('warn')
    expect(tls.detail).toMatch(
      /^certificate verification is off \(insecure = true\); it would not verify: the certificate expired on/,
    )
    expect(check(report, 'credentials').status).toBe('pass')
    expect(report.ok).toBe(true)
  })

  it('fails a ca_file that cannot be read', async () => {
    const missing = join(dir, 'missing.pem')
    const report = await doctor(configOf([endpoint(proxies.good, `  ca_file = "${missing}"`)]))
    expect(check(report, 'tls')).toMatchObject({status: 'fail', detail: `cannot read ca_file ${missing} (ENOENT)`})
  })
})
