/**
 * The network target of an endpoint (host, port, scheme) and how doctor's messages name the endpoint's
 * declaration, shared by the low-level checks (DNS, TCP, TLS) and the Harbor-level ones.
 */
import {isIP} from 'node:net'
import type {EndpointConfig} from '../config/model.js'
import {formatRange} from '../model/errors.js'

/** Where an endpoint's Harbor listens, as its url says. */
export interface Target {
  /** Host name or IP address, without IPv6 brackets. */
  host: string
  port: number
  tls: boolean
  /** The host is an IP address (no DNS lookup, no SNI). */
  ip: boolean
  /** The host is this machine (plain http is harmless there). */
  loopback: boolean
}

const LOOPBACK_NAMES = new Set(['localhost', '::1'])

/** The target of `url`, or undefined when it is not an http(s) URL. */
export function targetOf(url: string): Target | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  const tls = parsed.protocol === 'https:'
  const port = parsed.port === '' ? (tls ? 443 : 80) : Number(parsed.port)
  const loopback = LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host)
  return {host, port, tls, ip: isIP(host) !== 0, loopback}
}

/** `host:port`, with IPv6 addresses in brackets. */
export function hostPort(target: Pick<Target, 'host' | 'port'>): string {
  return isIP(target.host) === 6 ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`
}

/** `endpoint "primary" (main.hcl:3:1)`: how hints point at the block to edit. */
export function endpointRef(endpoint: Pick<EndpointConfig, 'name' | 'range'>): string {
  return endpoint.range ? `endpoint "${endpoint.name}" (${formatRange(endpoint.range)})` : `endpoint "${endpoint.name}"`
}

/** `promise`, or a rejection with `{code: 'ETIMEDOUT'}` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.()
      reject(Object.assign(new Error(`timed out after ${ms} ms`), {code: 'ETIMEDOUT'}))
    }, ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/** A duration for people: `850 ms`, `5 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`
}

/** The `code` of a Node error (`ECONNREFUSED`), if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as {code?: unknown})?.code
  return typeof code === 'string' ? code : undefined
}
