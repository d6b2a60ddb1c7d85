/**
 * Test kinds with the pure members of Harbor's four kinds (keys, containment, replaceOn, secrets)
 * and builders for planner inputs. The I/O members are never called by the planner and throw.
 */
import type {Kind, KeyRef, LiveObject} from '../../src/kinds/kind.js'
import type {Attrs, KindName} from '../../src/model/change.js'
import type {DesiredObject, LiveSnapshot, PlanInput, PlanOptions, StateLike} from '../../src/plan/types.js'

function testKind(
  name: KindName,
  key: (a: Attrs) => string,
  dependsOn: (a: Attrs) => KeyRef[],
  replaceOn: string[] = [],
  sensitive: string[] = [],
): Kind {
  const io = (): never => {
    throw new Error('the planner must not call I/O members')
  }
  return {
    name,
    configSchema: undefined as never,
    sensitive,
    replaceOn,
    key,
    dependsOn,
    parseImportId: (id) => id,
    normalize: (raw) => raw as Attrs,
    list: io,
    find: io,
    create: io,
    update: io,
    delete: io,
  }
}

/** project ⊃ robot (project level), project ⊃ member, oidc_group ⊃ member; a robot's `pull` list only references projects. */
export const kinds: Record<KindName, Kind> = {
  project: testKind(
    'project',
    (a) => String(a.name),
    () => [],
  ),
  oidc_group: testKind(
    'oidc_group',
    (a) => String(a.name),
    () => [],
    ['type'],
  ),
  robot: testKind(
    'robot',
    (a) => (a.project === undefined ? String(a.name) : `${a.project}+${a.name}`),
    (a) => [
      ...(a.project === undefined ? [] : [{kind: 'project' as const, key: String(a.project), contained: true}]),
      // A permission on a project is a reference for ordering, not containment.
      ...((a.pull as string[] | undefined) ?? []).map((p) => ({kind: 'project' as const, key: p})),
    ],
    ['level'],
    ['secret'],
  ),
  project_member: testKind(
    'project_member',
    (a) => `${a.project}/g:${a.group}`,
    (a) => [
      {kind: 'project', key: String(a.project), contained: true},
      {kind: 'oidc_group', key: String(a.group), contained: true},
    ],
  ),
}

export function kindOf(address: string): KindName {
  return address.slice(0, address.indexOf('.')) as KindName
}

/** A desired object; kind from the address, key from the kind. */
export function want(address: string, endpoint: string, attrs: Attrs, extra: Partial<DesiredObject> = {}): DesiredObject {
  const kind = kindOf(address)
  return {address, endpoint, kind, key: kinds[kind].key(attrs), attrs, references: [], ...extra}
}

export interface LiveSpec {
  kind: KindName
  id: string
  attrs: Attrs
}

export function obj(kind: KindName, id: string, attrs: Attrs): LiveSpec {
  return {kind, id, attrs}
}

/** A live snapshot; a string value makes that endpoint unavailable with that message. */
export function liveOf(spec: Record<string, LiveSpec[] | string>): LiveSnapshot {
  const endpoints: LiveSnapshot['endpoints'] = {}
  for (const [endpoint, value] of Object.entries(spec)) {
    if (typeof value === 'string') {
      endpoints[endpoint] = {status: 'unavailable', message: value}
      continue
    }
    const objects: Record<KindName, LiveObject[]> = {project: [], oidc_group: [], robot: [], project_member: []}
    for (const o of value) objects[o.kind].push({id: o.id, key: kinds[o.kind].key(o.attrs), attrs: o.attrs})
    endpoints[endpoint] = {status: 'ok', objects}
  }
  return {endpoints}
}

export type StateSpec = [address: string, endpoint: string, id: string, attrs: Attrs, secretFp?: string]

export function stateOf(entries: StateSpec[] = []): StateLike {
  const resources: StateLike['resources'] = {}
  for (const [address, endpoint, id, attrs, fp] of entries) {
    resources[address] ??= {}
    resources[address][endpoint] = fp === undefined ? {id, attrs} : {id, attrs, secret_fp: fp}
  }
  return {lineage: 'test-lineage', serial: 1, resources}
}

export function input(
  desired: DesiredObject[],
  live: Record<string, LiveSpec[] | string>,
  state: StateSpec[] = [],
  options: PlanOptions = {},
): PlanInput {
  return {desired, live: liveOf(live), state: stateOf(state), kinds, options}
}
