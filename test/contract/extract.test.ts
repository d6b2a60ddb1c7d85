/**
 * The spec extract: up to date with Harbor's swagger.yaml (where that file is present), free of prose,
 * covering every route the emulator serves, and converted to JSON Schema the way go-swagger reads
 * Swagger 2.0 (x-nullable, formats, `type: file`).
 */
import {existsSync, readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {EXTRACT_PATH, extractHarborApi, renderExtract, specPath, toJsonSchema} from '../../scripts/spec-extract.js'
import {ROUTES} from '../../src/emulator/routes.js'
import {requestBodyProblems, responseProblems} from './spec-check.js'

const committed = readFileSync(EXTRACT_PATH, 'utf8')
const extract = JSON.parse(committed)

describe('the committed extract', () => {
  // Runs only where Harbor's spec exists (../shared/harbor/swagger.yaml or HARBOR_SPEC): a fresh clone
  // elsewhere has only the extract, which is exactly what the rest of the suite needs.
  it.skipIf(!existsSync(specPath()))('is what npm run spec:extract makes from Harbor swagger.yaml today', () => {
    const fresh = renderExtract(extractHarborApi(readFileSync(specPath(), 'utf8')))
    expect(fresh === committed, 'test/contract/harbor-api.json is stale: run npm run spec:extract and commit it').toBe(true)
  })

  it('holds no prose: no description, example or title keywords', () => {
    const prose: string[] = []
    const walk = (value: unknown, path: string, inProperties: boolean) => {
      if (Array.isArray(value)) {
        for (const [i, item] of value.entries()) walk(item, `${path}/${i}`, false)
      } else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (!inProperties && ['description', 'example', 'title', 'summary'].includes(key)) prose.push(`${path}/${key}`)
          walk(inner, `${path}/${key}`, key === 'properties')
        }
      }
    }
    walk(extract, '', false)
    expect(prose).toEqual([])
    expect(extract.definitions.Robot.properties.description).toEqual({type: 'string'})
  })

  it('covers every route the emulator serves, with the same method and path', () => {
    for (const route of ROUTES) {
      const operation = extract.operations[route.operation]
      expect(operation, route.operation).toBeDefined()
      expect(`${operation.method} ${operation.path.replace(/\/$/, '')}`).toBe(`${route.method} ${route.template}`)
    }
  })
})

describe('Swagger 2.0 to JSON Schema', () => {
  it('turns x-nullable into null-admitting types and refs, drops extensions and prose, keeps a property named description', () => {
    expect(toJsonSchema({type: 'integer', format: 'int64', 'x-nullable': true, description: 'x'})).toEqual({
      type: ['integer', 'null'],
      format: 'int64',
    })
    expect(toJsonSchema({$ref: '#/definitions/A', 'x-nullable': true, 'x-omitempty': true})).toEqual({
      anyOf: [{$ref: '#/definitions/A'}, {type: 'null'}],
    })
    expect(toJsonSchema({type: 'file'})).toEqual({})
    expect(toJsonSchema({type: 'object', properties: {description: {type: 'string', example: 'e'}}})).toEqual({
      type: 'object',
      properties: {description: {type: 'string'}},
    })
  })

  it('checks request bodies as go-swagger does: wrong types, constraints, and tolerated nulls', () => {
    expect(requestBodyProblems('CreateRobot', {name: 'ci', duration: -1, permissions: []})).toEqual([])
    expect(requestBodyProblems('CreateRobot', {name: 'ci', duration: '1'})[0]).toMatch(/^400 BAD_REQUEST: parsing robot body/)
    expect(requestBodyProblems('createProject', {project_name: 'x'.repeat(256)})[0]).toMatch(
      /^422 UNPROCESSABLE_ENTITY: validation failure list:\nproject_name in body should be at most 255 chars long/,
    )
    expect(requestBodyProblems('createProject', {project_name: 'ok', storage_limit: null})).toEqual([])
    expect(requestBodyProblems('UpdateRobot', {name: 'robot$x', description: null})).toEqual([
      'description in body must be string',
    ])
  })

  it('checks responses: types, formats, undeclared success statuses, error envelopes', () => {
    const robot = {id: 1, name: 'robot$x', creation_time: '2024-05-01T08:09:10.123Z', expires_at: -1, editable: true}
    expect(responseProblems('GetRobotByID', 200, robot)).toEqual([])
    expect(responseProblems('GetRobotByID', 200, {...robot, id: '1'})).toEqual(['body/id must be integer'])
    expect(responseProblems('GetRobotByID', 200, {...robot, creation_time: 'yesterday'})).toEqual([
      'body/creation_time must match format "date-time"',
    ])
    expect(responseProblems('getProject', 200, {project_id: 2 ** 31})).toEqual(['body/project_id must match format "int32"'])
    expect(responseProblems('DeleteRobot', 201, undefined)).toEqual(['status 201 is not declared for DeleteRobot'])
    expect(responseProblems('DeleteRobot', 409, {errors: [{code: 'CONFLICT', message: 'x'}]})).toEqual([])
    expect(responseProblems('DeleteRobot', 409, {errors: 'oops'})).toEqual(['body/errors must be array'])
    expect(responseProblems('ListRobot', 200, [], {'x-total-count': 'many'})).toEqual([
      'header X-Total-Count should be an integer, got "many"',
    ])
  })
})
