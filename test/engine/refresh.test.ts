/**
 * A refresh never leaves a read behind: when one list of an endpoint fails, its other lists are
 * cancelled and waited for, so a `hrep sync` cycle cannot report while requests of it still run.
 */
import {afterEach, expect, it} from 'vitest'
import {Workspace} from '../../src/engine/workspace.js'
import type {EngineEvent} from '../../src/model/events.js'
import {endpointsHcl, type HarborWorld, startHarbors} from '../helpers/harbors.js'

let world: HarborWorld | undefined

afterEach(async () => {
  await world?.close()
  world = undefined
})

it('cancels and waits for the other lists of an endpoint once one fails', async () => {
  world = await startHarbors(['primary'])
  const harbor = world.harbors.primary!
  await world.write('endpoints.hcl', endpointsHcl(world.harbors, '  retry {\n    attempts = 1\n  }\n'))
  await world.write(
    'main.hcl',
    'oidc_group "devs" {\n  name = "devs"\n}\n\nrobot "ci" {\n  permission {\n    namespace = "*"\n    access    = ["repository:pull"]\n  }\n}\n',
  )
  // The robot list never answers; the group list fails at once.
  harbor.faults.add({id: 'hang', match: 'GET /robots', hang: true})
  harbor.faults.add({id: 'fail', match: 'GET /usergroups', status: 500})
  const events: EngineEvent[] = []
  const workspace = await Workspace.open({configDir: world.dir, events: {emit: (e) => events.push(e)}, operation: 'plan'})
  try {
    const {result} = await workspace.plan()
    expect(result.unavailable.map((endpoint) => endpoint.endpoint)).toEqual(['primary'])
    // The hanging robot list ended (cancelled) before the plan returned.
    const robotReads = events.filter(
      (e): e is Extract<EngineEvent, {type: 'http.request'}> => e.type === 'http.request' && e.route.startsWith('/robots'),
    )
    expect(robotReads.map((e) => e.status)).toEqual(['error'])
  } finally {
    await workspace.close()
  }
})
