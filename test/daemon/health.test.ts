/** Readiness: after a cycle that synced something, and not while every endpoint is down. */
import {describe, expect, it} from 'vitest'
import {EndpointHealth} from '../../src/daemon/health.js'
import {report} from './fixtures.js'

const http = (endpoint: string) =>
  ({type: 'http.request', endpoint, method: 'GET', route: '/projects', status: 200, ms: 1}) as const

describe('EndpointHealth', () => {
  it('is not ready before a cycle has synced anything, then ready', () => {
    const health = new EndpointHealth()
    health.setEndpoints(['primary', 'dr'])
    expect(health.status()).toMatchObject({ready: false, reason: expect.stringMatching(/first sync cycle/), cycles: 0})
    health.cycleFinished(report(['primary', 'dr'], {status: 'failed', unavailable: ['primary', 'dr']}))
    expect(health.status()).toMatchObject({ready: false, reason: expect.stringMatching(/no sync cycle has succeeded/)})
    health.cycleFinished(report(['primary', 'dr'], {status: 'partial', unavailable: ['dr']}))
    expect(health.status()).toMatchObject({
      ready: true,
      cycles: 2,
      endpoints: {primary: {breaker: 'closed', available: true}, dr: {breaker: 'closed', available: false}},
    })
    expect(health.status().last_sync).toMatch(/^\d{4}-/)
  })

  it('is not ready while every endpoint is down, by breaker or by the last cycle', () => {
    const changes: [string, string][] = []
    const health = new EndpointHealth((endpoint, state) => changes.push([endpoint, state]))
    health.setEndpoints(['primary', 'dr'])
    health.cycleFinished(report(['primary', 'dr']))
    expect(health.status().ready).toBe(true)

    health.emit({type: 'breaker', endpoint: 'primary', state: 'open'})
    expect(health.status().ready).toBe(true)
    health.emit({type: 'breaker', endpoint: 'dr', state: 'open'})
    expect(health.status()).toMatchObject({ready: false, reason: expect.stringMatching(/every endpoint is down/)})
    // A request on dr went through: its breaker (a new client's, or a probe) is not open any more.
    health.emit(http('dr'))
    expect(health.status().ready).toBe(true)
    expect(changes).toEqual([
      ['primary', 'closed'],
      ['dr', 'closed'],
      ['primary', 'open'],
      ['dr', 'open'],
      ['dr', 'closed'],
    ])

    health.cycleFinished(report(['primary', 'dr'], {status: 'failed', unavailable: ['primary', 'dr']}))
    expect(health.status().ready).toBe(false)
    health.cycleFinished(report(['primary', 'dr'], {status: 'partial', unavailable: ['primary']}))
    expect(health.status().ready).toBe(true)
  })

  it('ignores interrupted cycles, and a cycle error that read nothing says nothing about the endpoints', () => {
    const health = new EndpointHealth()
    health.setEndpoints(['primary'])
    health.cycleFinished(report(['primary'], {status: 'interrupted'}))
    expect(health.status().cycles).toBe(0)
    health.cycleFinished(report(['primary']))
    health.cycleFinished(
      report(['primary'], {status: 'failed', unavailable: ['primary'], error: {message: 'disk full', errorClass: 'state'}}),
    )
    expect(health.status()).toMatchObject({ready: true, endpoints: {primary: {available: true}}})
  })

  it('forgets removed endpoints and resets breakers when the configuration is reloaded', () => {
    const health = new EndpointHealth()
    health.setEndpoints(['primary', 'dr'])
    health.cycleFinished(report(['primary', 'dr']))
    health.emit({type: 'breaker', endpoint: 'primary', state: 'open'})
    health.setEndpoints(['primary'])
    expect(health.status().endpoints).toEqual({primary: {breaker: 'closed', available: true}})
  })
})
