import {describe, expect, it} from 'vitest'
import type {DesiredResource} from '../../src/config/model.js'
import {Secret} from '../../src/model/secret.js'
import {expandDesired} from '../../src/plan/desired.js'
import {kinds} from './fixtures.js'

const range = {file: 'main.hcl', start: {line: 1, column: 1, byte: 0}, end: {line: 1, column: 2, byte: 1}}

function resource(address: string, attrs: Record<string, unknown>, extra: Partial<DesiredResource> = {}): DesiredResource {
  return {
    address,
    kind: address.slice(0, address.indexOf('.')) as DesiredResource['kind'],
    attrs,
    secrets: {},
    endpoints: ['a', 'b'],
    references: [],
    range,
    ...extra,
  }
}

describe('expandDesired', () => {
  it('fans each resource out to its endpoints with its key', () => {
    const objects = expandDesired([resource('robot.r', {name: 'r', project: 'team'}, {references: ['project.team']})], kinds)
    expect(objects).toEqual([
      {
        address: 'robot.r',
        endpoint: 'a',
        kind: 'robot',
        key: 'team+r',
        attrs: {name: 'r', project: 'team'},
        references: ['project.team'],
        secret: {declared: false},
      },
      {
        address: 'robot.r',
        endpoint: 'b',
        kind: 'robot',
        key: 'team+r',
        attrs: {name: 'r', project: 'team'},
        references: ['project.team'],
        secret: {declared: false},
      },
    ])
  })

  it('asks whether a declared secret matches state, per endpoint, and never copies the secret', () => {
    const asked: string[] = []
    const objects = expandDesired([resource('robot.r', {name: 'r'}, {secrets: {secret: new Secret('Hidden123')}})], kinds, {
      secretMatches: (address, endpoint) => {
        asked.push(`${address}@${endpoint}`)
        return endpoint === 'a' ? true : undefined
      },
      adopt: (_address, endpoint) => endpoint === 'b',
    })
    expect(asked).toEqual(['robot.r@a', 'robot.r@b'])
    expect(objects.map((o) => [o.secret, o.adopt])).toEqual([
      [{declared: true, fingerprintMatches: true}, undefined],
      [{declared: true}, true],
    ])
    expect(JSON.stringify(objects)).not.toContain('Hidden123')
  })

  it('gives kinds without a secret no secret field', () => {
    expect(expandDesired([resource('project.p', {name: 'p'}, {endpoints: ['a']})], kinds)[0]!.secret).toBeUndefined()
  })
})
