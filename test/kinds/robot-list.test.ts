/**
 * Reading every robot with one paged list (`q=Level=system` lists project robots too), and the
 * per-project lists hrep falls back to when an instance does not, or when a robot cannot be placed.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {HarborClient, RequestOptions} from '../../src/client/types.js'
import type {HarborRobot} from '../../src/kinds/harbor.js'
import type {KindContext} from '../../src/kinds/kind.js'
import {projectKind} from '../../src/kinds/project.js'
import {type RobotAttrs, robotKind} from '../../src/kinds/robot.js'
import {desired, type Harbor, startHarbor} from './harness.js'

let harbor: Harbor
const projects = ['alpha', 'beta', 'gamma']
const pull = {access: ['repository:pull']}

beforeAll(async () => {
  harbor = await startHarbor()
  const ctx = await harbor.ctx()
  await Promise.all(projects.map((name) => projectKind.create(ctx, desired('project', {name}))))
  await Promise.all(
    projects.flatMap((project) =>
      ['ci', 'deploy'].map((name) => robotKind.create(ctx, desired('robot', {name, project, permission: [pull]}))),
    ),
  )
  await robotKind.create(ctx, desired('robot', {name: 'ci', permission: [{namespace: '*', access: ['repository:pull']}]}))
})

afterAll(async () => {
  await harbor?.close()
})

const robotLists = (sent: RequestOptions[]) => sent.filter((options) => options.path === '/robots')
const keys = (live: {key: string}[]) => live.map((object) => object.key).sort()
const expected = ['alpha+ci', 'alpha+deploy', 'beta+ci', 'beta+deploy', 'ci', 'gamma+ci', 'gamma+deploy']

describe('robot list', () => {
  it('reads system and project robots with one list, whatever the number of projects', async () => {
    const {ctx, sent} = await harbor.recording()
    const live = await robotKind.list(ctx)
    expect(keys(live)).toEqual(expected)
    expect(robotLists(sent).map((options) => options.query?.q)).toEqual(['Level=system'])
    const beta = live.find((object) => object.key === 'beta+deploy')!
    expect(beta.attrs).toMatchObject({name: 'deploy', level: 'project', project: 'beta'})
  })

  it('reads project by project when Level=system lists system robots only', async () => {
    const {ctx, sent} = await harbor.recording()
    const systemOnly = withRobotList(ctx, (robots) => robots.filter((robot) => robot.level !== 'project'))
    const live = await robotKind.list(systemOnly)
    expect(keys(live)).toEqual(expected)
    const perProject = robotLists(sent).filter((options) => String(options.query?.q).startsWith('Level=project'))
    expect(perProject).toHaveLength((await harbor.list('project')).size)
  })

  it('places a legacy robot (named without its project) by its permission, and reads project by project when it cannot', async () => {
    const {ctx} = await harbor.recording()
    const legacy = (namespace: string): HarborRobot => ({
      id: 9001,
      name: 'robot$old',
      level: 'project',
      editable: false,
      permissions: [{kind: 'project', namespace, access: [{resource: 'repository', action: 'pull'}]}],
    })
    const placed = await robotKind.list(withRobotList(ctx, (robots) => [...robots, legacy('gamma')]))
    expect(placed.find((object) => object.id === '9001')?.attrs).toMatchObject<Partial<RobotAttrs>>({
      name: 'old',
      project: 'gamma',
    })
    const unplaced = await robotKind.list(withRobotList(ctx, (robots) => [...robots, legacy('gone')]))
    expect(unplaced.find((object) => object.id === '9001')).toBeUndefined()
    expect(keys(unplaced)).toEqual(expected)
  })
})

/** A context whose `/robots?q=Level=system` answer is rewritten by `edit` (other lists pass through). */
function withRobotList(ctx: KindContext, edit: (robots: HarborRobot[]) => HarborRobot[]): KindContext {
  const client: HarborClient = Object.create(ctx.client)
  client.paginate = <T>(path: string, query?: RequestOptions['query'], options?: {signal?: AbortSignal}) => {
    const inner = ctx.client.paginate<T>(path, query, options)
    if (path !== '/robots' || query?.q !== 'Level=system') return inner
    return (async function* () {
      const all: HarborRobot[] = []
      for await (const robot of inner) all.push(robot as HarborRobot)
      yield* edit(all) as T[]
    })()
  }
  return {...ctx, client, memo: new Map()}
}
