/**
 * Config-driven import (`import { to = ..., id = ..., endpoint = ... }`) through plan and apply, as
 * Terraform does it: the plan shows "will be imported" (and the update when the object differs),
 * apply records the existing object in the state instead of creating one, and then the block is a
 * no-op. An object that does not exist, or an ID naming another object, is an error at the block.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {colors} from '../../src/cli/color.js'
import {renderPlan} from '../../src/cli/render-plan.js'
import {type PlanOutcome, Workspace} from '../../src/engine/workspace.js'
import {ConfigError} from '../../src/model/errors.js'
import {type HarborWorld, startHarbors} from '../helpers/harbors.js'

const ROBOT = `
robot "ci" {
  description = "CI"
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}

project "team" {
  name = "team-a"
}
`

describe('import blocks', () => {
  let world: HarborWorld

  beforeEach(async () => {
    world = await startHarbors(['primary', 'dr'])
    world.harbors.dr!.seed({
      projects: [{name: 'team-a'}],
      robots: [
        {name: 'ci', description: 'by hand', permissions: [{kind: 'project', namespace: '*', access: ['repository:pull']}]},
      ],
    })
  })
  afterEach(() => world.close())

  async function plan(apply = false): Promise<PlanOutcome> {
    const workspace = await Workspace.open({configDir: world.dir, events: {emit() {}}, operation: 'apply'})
    try {
      const outcome = await workspace.plan()
      if (apply) {
        const result = await workspace.apply(outcome)
        expect(result.failed).toEqual([])
      }
      return outcome
    } finally {
      await workspace.close()
    }
  }

  it('imports on plan and apply, updates what differs, and is a no-op afterwards', async () => {
    await world.write(
      'main.hcl',
      `${ROBOT}
import {
  to       = robot.ci
  id       = "robot$ci"
  endpoint = endpoint.dr
}

import {
  to = project.team
  id = "team-a"
}
`,
    )
    const dr = world.harbors.dr!
    const robotId = String(
      (
        await (await fetch(`${dr.url}/api/v2.0/robots`, {headers: {authorization: `Basic ${btoa('admin:Harbor12345')}`}})).json()
      )[0].id,
    )
    const first = await plan()
    const lines = first.result.changes.map((c) => `${c.action}${c.importing ? ' (import)' : ''} ${c.id}`)
    expect(lines.sort()).toEqual([
      'create project.team@primary',
      'create robot.ci@primary',
      'noop (import) project.team@dr',
      'update (import) robot.ci@dr',
    ])
    const text = renderPlan(first.result, colors(false))
    expect(text).toContain('# robot.ci will be imported and updated in place')
    expect(text).toContain('# project.team will be imported')
    expect(text).toContain('Plan: 2 to import, 2 to add, 1 to change, 0 to destroy.')

    await plan(true)
    const state = await world.state()
    expect(state!.resources['robot.ci']!.dr!.id).toBe(robotId)
    expect(dr.robots().map((r) => [r.name, r.description])).toEqual([['ci', 'CI']])
    expect((await plan()).result.changes).toEqual([])
  })

  it('is an error at the id when the object does not exist, or the ID names another object', async () => {
    await world.write(
      'main.hcl',
      `${ROBOT}\nimport {\n  to       = robot.ci\n  id       = "ci"\n  endpoint = endpoint.primary\n}\n`,
    )
    const missing = await plan().catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ConfigError)
    const diagnostic = (missing as ConfigError).diagnostics[0]!
    expect(diagnostic.summary).toBe('Cannot import an object that does not exist')
    expect(diagnostic.detail).toContain('robot "ci" (id = "ci") does not exist on endpoint primary')
    expect(diagnostic.range?.start.line).toBe(16) // the id attribute

    await world.write(
      'main.hcl',
      `${ROBOT}\nimport {\n  to       = robot.ci\n  id       = "deploy"\n  endpoint = endpoint.dr\n}\n`,
    )
    const mismatch = await plan().catch((e: unknown) => e)
    expect((mismatch as ConfigError).diagnostics[0]!.detail).toContain(
      'id = "deploy" names robot "deploy", but robot.ci declares robot "ci"',
    )
    expect(await world.state()).toBeUndefined()
  })
})
