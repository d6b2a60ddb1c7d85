/**
 * `npm run spec:extract`: reads Harbor's Swagger 2.0 spec (../shared/harbor/swagger.yaml, or the path in
 * HARBOR_SPEC) and writes test/contract/harbor-api.json, a description-free extract of the operations
 * hrep and the emulator use: method, path, parameters, body schema and response schemas, converted to
 * JSON Schema (draft-07) that ajv compiles. The output is deterministic (sorted keys, two-space
 * indent, one trailing newline), so `git diff` shows exactly what changed in Harbor's spec.
 *
 * Conversion rules (Swagger 2.0 → JSON Schema):
 * - `x-nullable: true` → the type also admits `null` (`{anyOf: [{$ref}, {type: 'null'}]}` for refs);
 *   go-swagger's `x-isnullable` typo in Harbor's `Configurations` is not an extension it knows, so it
 *   is dropped like every other `x-*` key;
 * - `type: file` → `{}` (any body);
 * - prose (`description`, `example`, `title`, `summary`) and `discriminator` are dropped; a *property*
 *   named `description` is kept;
 * - formats stay as they are: the validator registers its own stubs (date-time, int32, int64, ...).
 */
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {parse} from 'yaml'

/** The operations the emulator serves and hrep calls (Harbor operationIds). */
export const EXTRACTED_OPERATIONS = [
  'getPing',
  'getHealth',
  'getSystemInfo',
  'getPermissions',
  'getConfigurations',
  'updateConfigurations',
  'listProjects',
  'headProject',
  'createProject',
  'getProject',
  'updateProject',
  'deleteProject',
  'getProjectDeletable',
  'getProjectSummary',
  'listProjectMetadatas',
  'addProjectMetadatas',
  'getProjectMetadata',
  'updateProjectMetadata',
  'deleteProjectMetadata',
  'listProjectMembers',
  'createProjectMember',
  'getProjectMember',
  'updateProjectMember',
  'deleteProjectMember',
  'listUserGroups',
  'createUserGroup',
  'searchUserGroups',
  'getUserGroup',
  'updateUserGroup',
  'deleteUserGroup',
  'ListRobot',
  'CreateRobot',
  'GetRobotByID',
  'UpdateRobot',
  'RefreshSec',
  'DeleteRobot',
  'listQuotas',
  'getQuota',
  'updateQuota',
  'listUsers',
  'createUser',
  'getCurrentUserInfo',
  'searchUsers',
  'getUser',
  'deleteUser',
  'ListImmuRules',
  'CreateImmuRule',
  'UpdateImmuRule',
  'DeleteImmuRule',
  'ListWebhookPoliciesOfProject',
  'CreateWebhookPolicyOfProject',
  'GetWebhookPolicyOfProject',
  'UpdateWebhookPolicyOfProject',
  'DeleteWebhookPolicyOfProject',
  'listRegistries',
  'createRegistry',
  'getRegistry',
  'updateRegistry',
  'deleteRegistry',
  'pingRegistry',
  'listRegistryProviderTypes',
  'listReplicationPolicies',
  'createReplicationPolicy',
  'getReplicationPolicy',
  'updateReplicationPolicy',
  'deleteReplicationPolicy',
] as const

/** The default location of Harbor's spec: the shared research folder next to the repository. */
export const DEFAULT_SPEC_PATH = fileURLToPath(new URL('../../shared/harbor/swagger.yaml', import.meta.url))

/** Where the extract is committed. */
export const EXTRACT_PATH = fileURLToPath(new URL('../test/contract/harbor-api.json', import.meta.url))

/** The spec path to read: HARBOR_SPEC when set, the shared copy otherwise. */
export function specPath(): string {
  return process.env.HARBOR_SPEC || DEFAULT_SPEC_PATH
}

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}
type JsonObject = {[key: string]: Json}

const PROSE = new Set(['description', 'example', 'title', 'summary', 'discriminator', 'externalDocs'])
const HTTP_METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const
const PARAM_KEYS = [
  'name',
  'in',
  'type',
  'format',
  'required',
  'default',
  'maximum',
  'minimum',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'enum',
  'items',
  'collectionFormat',
]

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Converts one Swagger 2.0 schema object to JSON Schema, recursively; `$ref`s stay `#/definitions/X`. */
export function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema)
  if (!isObject(schema)) return schema
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(schema)) {
    if (PROSE.has(key) || key.startsWith('x-')) continue
    if (key === 'properties' && isObject(value)) {
      const properties: JsonObject = {}
      for (const [name, property] of Object.entries(value)) properties[name] = toJsonSchema(property)
      out.properties = properties
    } else if (key === 'type' && value === 'file') {
      // go-swagger streams a file body; any JSON value is acceptable to a schema check.
    } else if (['items', 'additionalProperties', 'not'].includes(key) && isObject(value)) {
      out[key] = toJsonSchema(value)
    } else if (['allOf', 'anyOf', 'oneOf'].includes(key) && Array.isArray(value)) {
      out[key] = value.map(toJsonSchema)
    } else {
      out[key] = value
    }
  }
  if (schema['x-nullable'] === true) {
    if (typeof out.$ref === 'string') return {anyOf: [out, {type: 'null'}]}
    if (typeof out.type === 'string') out.type = [out.type, 'null']
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
  }
  return out
}

function collectRefs(value: Json, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, into)
  else if (isObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/definitions/')) {
        into.add(inner.slice('#/definitions/'.length))
      } else collectRefs(inner, into)
    }
  }
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (!isObject(value)) return value
  const out: JsonObject = {}
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key] as Json)
  return out
}

function deref(spec: JsonObject, value: Json, section: 'parameters' | 'responses'): JsonObject {
  if (isObject(value) && typeof value.$ref === 'string') {
    const name = value.$ref.replace(`#/${section}/`, '')
    const target = (spec[section] as JsonObject | undefined)?.[name]
    if (!isObject(target)) throw new Error(`unresolved ${value.$ref}`)
    return target
  }
  if (!isObject(value)) throw new Error(`expected an object in ${section}`)
  return value
}

/** Builds the extract object from the text of Harbor's swagger.yaml. Throws when an operation is missing. */
export function extractHarborApi(specText: string): JsonObject {
  const spec = parse(specText) as JsonObject
  if (spec.swagger !== '2.0') throw new Error('expected a Swagger 2.0 document')
  const wanted = new Set<string>(EXTRACTED_OPERATIONS)
  const operations: JsonObject = {}
  const paths = spec.paths as JsonObject
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue
    const shared = Array.isArray(item.parameters) ? item.parameters : []
    for (const method of HTTP_METHODS) {
      const op = item[method]
      if (!isObject(op) || typeof op.operationId !== 'string' || !wanted.has(op.operationId)) continue
      const parameters: Json[] = []
      let body: JsonObject | undefined
      for (const raw of [...shared, ...((op.parameters as Json[]) ?? [])]) {
        const param = deref(spec, raw, 'parameters')
        if (param.in === 'body') {
          body = {name: param.name as string, required: param.required === true, schema: toJsonSchema(param.schema ?? {})}
          continue
        }
        const kept: JsonObject = {}
        for (const key of PARAM_KEYS) if (param[key] !== undefined) kept[key] = param[key] as Json
        if (kept.required === undefined) kept.required = param.in === 'path'
        parameters.push(kept)
      }
      const responses: JsonObject = {}
      for (const [status, raw] of Object.entries((op.responses as JsonObject) ?? {})) {
        const response = deref(spec, raw, 'responses')
        const entry: JsonObject = {}
        if (response.schema !== undefined) entry.schema = toJsonSchema(response.schema)
        if (isObject(response.headers)) {
          const headers: JsonObject = {}
          for (const [name, header] of Object.entries(response.headers)) headers[name] = toJsonSchema(header)
          entry.headers = headers
        }
        responses[status] = entry
      }
      operations[op.operationId] = {
        method: method.toUpperCase(),
        path,
        consumes: (op.consumes ?? spec.consumes ?? ['application/json']) as Json,
        produces: (op.produces ?? spec.produces ?? ['application/json']) as Json,
        parameters,
        ...(body ? {body} : {}),
        responses,
      }
      wanted.delete(op.operationId)
    }
  }
  if (wanted.size > 0) throw new Error(`operations not found in the spec: ${[...wanted].join(', ')}`)
  const definitions: JsonObject = {}
  const allDefinitions = spec.definitions as JsonObject
  const pending = new Set<string>()
  collectRefs(operations, pending)
  while (pending.size > 0) {
    const [name] = pending
    pending.delete(name!)
    if (definitions[name!] !== undefined) continue
    const definition = allDefinitions[name!]
    if (definition === undefined) throw new Error(`unresolved #/definitions/${name}`)
    definitions[name!] = toJsonSchema(definition)
    const more = new Set<string>()
    collectRefs(definitions[name!] as Json, more)
    for (const ref of more) if (definitions[ref] === undefined) pending.add(ref)
  }
  const info = spec.info as JsonObject
  return sortKeys({
    basePath: spec.basePath as Json,
    definitions,
    operations,
    source: {
      apiVersion: info.version as Json,
      note: 'Generated by `npm run spec:extract` from Harbor api/v2.0/swagger.yaml; do not edit.',
      sha256: createHash('sha256').update(specText).digest('hex'),
    },
  }) as JsonObject
}

/** The extract as the committed file holds it. */
export function renderExtract(extract: JsonObject): string {
  return `${JSON.stringify(extract, null, 2)}\n`
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const from = specPath()
  const text = renderExtract(extractHarborApi(readFileSync(from, 'utf8')))
  writeFileSync(EXTRACT_PATH, text)
  const operations = Object.keys(JSON.parse(text).operations).length
  process.stdout.write(`wrote ${EXTRACT_PATH} (${operations} operations) from ${from}\n`)
}
