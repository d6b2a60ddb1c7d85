/**
 * The TLS check: a handshake with the trust the client will use (the endpoint's `ca_file` alone, or the
 * system store), then an inspection of what the server presented: chain verification, host name,
 * expiry of every certificate in the chain (expired fails, within 30 days warns), and `insecure = true`
 * (a warning, with what verification would have said). Plain http is a warning off this machine.
 */
import {readFile} from 'node:fs/promises'
import {checkServerIdentity, connect, type DetailedPeerCertificate, type PeerCertificate} from 'node:tls'
import type {EndpointConfig} from '../config/model.js'
import {type CertificateFacts, type CheckResult, fail, pass, skip, warn} from './result.js'
import {errorCode, formatMs, hostPort, type Target, withTimeout} from './target.js'

/** Certificates expiring sooner than this are a warning. */
export const EXPIRY_WARNING_DAYS = 30

const DAY_MS = 86_400_000

/** What the handshake showed, before any judgement (so the judgement is pure and testable). */
export interface Handshake {
  /** Chain verification error (OpenSSL code such as `UNABLE_TO_VERIFY_LEAF_SIGNATURE`), undefined when trusted. */
  chainError?: string
  /** Host-name mismatch, in Node's words, undefined when the certificate names the host. */
  hostnameError?: string
  /** Leaf first, then its issuers as the server sent them (or as the trust store completed them). */
  chain: PeerCertificate[]
  protocol?: string
}

/** The outcome: the result and, when a certificate was seen, its facts. */
export interface TlsOutcome {
  result: CheckResult
  certificate?: CertificateFacts
}

/** Runs the TLS check for `endpoint` against `target` (which must be https for a handshake). */
export async function checkTls(
  target: Target,
  endpoint: Pick<EndpointConfig, 'caFile' | 'insecure'>,
  where: string,
  timeoutMs: number,
  now: number = Date.now(),
): Promise<TlsOutcome> {
  if (!target.tls) {
    if (target.loopback) return {result: skip('tls', 'plain http on this machine (loopback): no TLS to check')}
    return {
      result: warn(
        'tls',
        `plain http to ${target.host}: the password crosses the network unencrypted`,
        `serve Harbor over https and change the url of ${where} to https://`,
      ),
    }
  }
  let ca: string | undefined
  if (endpoint.caFile !== undefined) {
    try {
      ca = await readFile(endpoint.caFile, 'utf8')
    } catch (error) {
      return {
        result: fail(
          'tls',
          `cannot read ca_file ${endpoint.caFile} (${errorCode(error) ?? String(error)})`,
          `set ca_file of ${where} to a readable PEM file holding the CA that signed Harbor's certificate (a relative path is taken from the configuration directory)`,
        ),
      }
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      return {
        result: fail(
          'tls',
          `ca_file ${endpoint.caFile} holds no PEM certificate`,
          `put the CA certificate in PEM form (-----BEGIN CERTIFICATE-----) in ca_file of ${where}`,
        ),
      }
    }
  }
  const started = performance.now()
  let handshake: Handshake
  try {
    handshake = await handshakeWith(target, ca, timeoutMs)
  } catch (error) {
    const code = errorCode(error) ?? 'unknown error'
    if (code === 'ETIMEDOUT') {
      return {
        result: fail(
          'tls',
          `no TLS handshake with ${hostPort(target)} within ${formatMs(timeoutMs)}`,
          'the port accepts connections but does not answer a TLS handshake: check that it serves https',
        ),
      }
    }
    return {
      result: fail(
        'tls',
        `TLS handshake with ${hostPort(target)} failed (${(error as Error).message ?? code})`,
        `if Harbor serves plain http on this port, use an http:// url in ${where}; otherwise check the port and the TLS settings of Harbor's proxy`,
      ),
    }
  }
  return judgeHandshake(handshake, {
    target,
    caFile: endpoint.caFile,
    insecure: endpoint.insecure,
    where,
    now,
    ms: performance.now() - started,
  })
}

/** One handshake that does not reject an untrusted certificate, so it can be inspected. */
function handshakeWith(target: Target, ca: string | undefined, timeoutMs: number): Promise<Handshake> {
  const socket = connect({
    host: target.host,
    port: target.port,
    // SNI takes names only; for an IP the server picks its default certificate, as for the client.
    ...(target.ip ? {} : {servername: target.host}),
    ...(ca === undefined ? {} : {ca}),
    rejectUnauthorized: false,
  })
  const done = new Promise<Handshake>((resolve, reject) => {
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerCertificate(true)
      const chain = certificateChain(leaf)
      let chainError: string | undefined
      const authError = socket.authorizationError as unknown
      const authCode = typeof authError === 'string' ? authError : errorCode(authError)
      // Node puts a host-name mismatch into authorizationError too; report it separately below.
      if (!socket.authorized && authCode !== undefined && authCode !== 'ERR_TLS_CERT_ALTNAME_INVALID') chainError = authCode
      const identity = chain[0] === undefined ? undefined : checkServerIdentity(target.host, chain[0])
      resolve({chainError, hostnameError: identity?.message, chain, protocol: socket.getProtocol() ?? undefined})
    })
    socket.once('error', reject)
  })
  return withTimeout(done, timeoutMs).finally(() => socket.destroy())
}

/** The leaf and its issuers, stopping where a certificate is its own issuer. */
function certificateChain(leaf: DetailedPeerCertificate): PeerCertificate[] {
  const chain: PeerCertificate[] = []
  const seen = new Set<string>()
  let current: DetailedPeerCertificate | undefined = leaf
  while (current && Object.keys(current).length > 0 && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256)
    chain.push(current)
    current = current.issuerCertificate
  }
  return chain
}

/** What the judgement needs besides the handshake. */
export interface TlsContext {
  target: Target
  caFile?: string
  insecure: boolean
  where: string
  /** This machine's time (ms since the epoch). */
  now: number
  ms: number
}

/** Verification errors that mean "signed by a CA this machine does not trust". */
const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
])

/** The TLS result for a handshake. Pure. */
export function judgeHandshake(handshake: Handshake, context: TlsContext): TlsOutcome {
  const {target, caFile, where, now} = context
  const leaf = handshake.chain[0]
  if (leaf === undefined) {
    return {result: fail('tls', `${hostPort(target)} presented no certificate`, "check the TLS settings of Harbor's proxy")}
  }
  const certificate = certificateFacts(handshake, now)
  const names = certificate.names.length > 0 ? certificate.names.join(', ') : certificate.subject
  const expiry = earliestExpiry(handshake.chain)
  const expired = expiry.time < now || handshake.chainError === 'CERT_HAS_EXPIRED'
  const notYetValid =
    handshake.chain.some((cert) => Date.parse(cert.valid_from) > now) || handshake.chainError === 'CERT_NOT_YET_VALID'
  const trust = caFile === undefined ? "this machine's CA store" : `ca_file ${caFile}`

  // What verification says, in order of what an operator must fix first.
  let problem: {detail: string; hint: string} | undefined
  if (expired) {
    problem = {
      detail: `${expiry.which} expired on ${isoDay(expiry.time)} (${days(-daysUntil(expiry.time, now))} ago)`,
      hint: `renew Harbor's certificate${expiry.which === 'the certificate' ? '' : ' chain'}; until then every client refuses it`,
    }
  } else if (notYetValid) {
    problem = {
      detail: `the certificate is not valid before ${leaf.valid_from}`,
      hint: "check this machine's clock, or wait until the certificate becomes valid",
    }
  } else if (handshake.chainError !== undefined && UNKNOWN_CA.has(handshake.chainError)) {
    const issuer = certificate.issuer
    problem = {
      detail: `the certificate (issued by ${issuer}) is not signed by a CA in ${trust} (${handshake.chainError})`,
      hint:
        caFile === undefined
          ? `set ca_file in ${where} to the PEM of the CA that signed it (${issuer}); if that CA is an intermediate, also make the proxy send the full chain`
          : `put the CA that signed Harbor's certificate (${issuer}) into ${caFile}; if it is an intermediate CA, add its root too, or make the proxy send the full chain`,
    }
  } else if (handshake.chainError !== undefined) {
    problem = {
      detail: `the certificate does not verify (${handshake.chainError})`,
      hint: "check the certificate and chain Harbor's proxy presents (openssl s_client -connect host:port -showcerts)",
    }
  } else if (handshake.hostnameError !== undefined) {
    problem = {
      detail: `the certificate is for ${names}, not for ${target.host}`,
      hint: `use one of those names in the url of ${where}, or reissue the certificate with ${target.host} as a subjectAltName`,
    }
  }

  if (context.insecure) {
    const would = problem === undefined ? 'it would verify' : `it would not verify: ${problem.detail}`
    return {
      result: warn(
        'tls',
        `certificate verification is off (insecure = true); ${would}`,
        `set ca_file in ${where} to the CA that signed Harbor's certificate and remove insecure = true: without verification anyone on the path can read the password`,
      ),
      certificate,
    }
  }
  if (problem !== undefined) return {result: fail('tls', problem.detail, problem.hint), certificate}

  const left = daysUntil(expiry.time, now)
  const summary = `verified against ${trust}: ${names}, issued by ${certificate.issuer}, ${handshake.protocol ?? 'TLS'} (${formatMs(context.ms)})`
  if (left < EXPIRY_WARNING_DAYS) {
    return {
      result: warn(
        'tls',
        `${expiry.which} expires on ${isoDay(expiry.time)}, in ${days(left)}; ${summary}`,
        `renew Harbor's certificate before ${isoDay(expiry.time)}`,
      ),
      certificate,
    }
  }
  return {result: pass('tls', `${summary}; valid until ${isoDay(expiry.time)} (${days(left)})`), certificate}
}

/** The certificate of the chain that expires first (a short-lived intermediate counts as much as the leaf). */
function earliestExpiry(chain: readonly PeerCertificate[]): {time: number; which: string} {
  let time = Number.POSITIVE_INFINITY
  let which = 'the certificate'
  chain.forEach((cert, index) => {
    const at = Date.parse(cert.valid_to)
    if (at < time) {
      time = at
      which = index === 0 ? 'the certificate' : `the issuing CA certificate ${commonName(cert.subject) ?? ''}`.trimEnd()
    }
  })
  return {time, which}
}

function certificateFacts(handshake: Handshake, now: number): CertificateFacts {
  const leaf = handshake.chain[0]!
  const expiry = earliestExpiry(handshake.chain)
  return {
    subject: commonName(leaf.subject) ?? '(no common name)',
    issuer: commonName(leaf.issuer) ?? first(leaf.issuer?.O) ?? '(unknown issuer)',
    names: subjectAltNames(leaf.subjectaltname),
    valid_to: new Date(Date.parse(leaf.valid_to)).toISOString(),
    days_left: daysUntil(expiry.time, now),
    ...(handshake.protocol === undefined ? {} : {protocol: handshake.protocol}),
  }
}

function commonName(name: PeerCertificate['subject'] | undefined): string | undefined {
  return first(name?.CN)
}

/** Certificate name fields may repeat (an array); the first value is the one people know. */
function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** `DNS:harbor.example.com, IP Address:10.0.0.5` → the names and addresses. */
function subjectAltNames(text: string | undefined): string[] {
  if (!text) return []
  return text
    .split(/,\s*/)
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .filter((entry) => entry !== '')
}

function daysUntil(time: number, now: number): number {
  return Math.floor((time - now) / DAY_MS)
}

function days(count: number): string {
  return `${count} day${count === 1 ? '' : 's'}`
}

function isoDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10)
}
