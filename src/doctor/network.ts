/**
 * The checks below HTTP: does the host name resolve, and does anything accept a TCP connection on the
 * port. Both run with a short timeout of their own, so an endpoint behind a black-holing firewall
 * costs seconds, not the client's connect timeout times its retries.
 */
import {lookup} from 'node:dns/promises'
import {connect} from 'node:net'
import {type CheckResult, fail, pass} from './result.js'
import {errorCode, formatMs, hostPort, type Target, withTimeout} from './target.js'

/** What resolving the host gave: the result, and the addresses when it passed. */
export interface DnsOutcome {
  result: CheckResult
  addresses: string[]
}

/** Resolves `target.host` as the client will (the system resolver, every address family). */
export async function checkDns(target: Target, where: string, timeoutMs: number): Promise<DnsOutcome> {
  if (target.ip) return {result: pass('dns', `${target.host} is an IP address: nothing to resolve`), addresses: [target.host]}
  const started = performance.now()
  try {
    const found = await withTimeout(lookup(target.host, {all: true}), timeoutMs)
    const addresses = [...new Set(found.map((entry) => entry.address))]
    return {
      result: pass('dns', `${target.host} → ${addresses.join(', ')} (${formatMs(performance.now() - started)})`),
      addresses,
    }
  } catch (error) {
    const code = errorCode(error) ?? 'unknown error'
    const hostHint = `check the host name in the url of ${where}`
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      return {
        result: fail(
          'dns',
          `${target.host} does not resolve (${code})`,
          `${hostHint}, and that this machine's resolver knows it (try: getent hosts ${target.host})`,
        ),
        addresses: [],
      }
    }
    if (code === 'ETIMEDOUT') {
      return {
        result: fail(
          'dns',
          `no answer for ${target.host} within ${formatMs(timeoutMs)}`,
          "the DNS server does not answer: check this machine's resolver (/etc/resolv.conf) and its network",
        ),
        addresses: [],
      }
    }
    return {
      result: fail(
        'dns',
        `looking up ${target.host} failed (${code})`,
        `${code === 'EAI_AGAIN' ? 'the DNS server answered with a temporary failure; try again, and ' : ''}${hostHint}`,
      ),
      addresses: [],
    }
  }
}

/** Opens (and closes) a TCP connection to the target, as the client's first step would. */
export async function checkTcp(target: Target, where: string, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now()
  const address = hostPort(target)
  const socket = connect({host: target.host, port: target.port})
  try {
    const remote = await withTimeout(
      new Promise<string>((resolve, reject) => {
        socket.once('connect', () => resolve(socket.remoteAddress ?? target.host))
        socket.once('error', reject)
      }),
      timeoutMs,
    )
    const via = remote === target.host ? '' : ` (${remote})`
    return pass('tcp', `connected to ${address}${via} in ${formatMs(performance.now() - started)}`)
  } catch (error) {
    const code = errorCode(error) ?? 'unknown error'
    const portHint = `check the port in the url of ${where}; without one, https means 443 and http 80`
    switch (code) {
      case 'ECONNREFUSED':
        return fail(
          'tcp',
          `nothing accepts connections on ${address} (connection refused)`,
          `${portHint}; check that Harbor (or the proxy in front of it) is running and that no firewall rejects the port`,
        )
      case 'ETIMEDOUT':
        return fail(
          'tcp',
          `no answer from ${address} within ${formatMs(timeoutMs)}`,
          `a firewall may be dropping the packets, or the host is down: check routing and security groups, and the port in the url of ${where}`,
        )
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return fail(
          'tcp',
          `${address} is unreachable from this machine (${code})`,
          "check this machine's network and routes to the host, or use an address that is reachable from here",
        )
      default:
        return fail('tcp', `connecting to ${address} failed (${code})`, `${portHint}; check that Harbor is running`)
    }
  } finally {
    socket.destroy()
  }
}
