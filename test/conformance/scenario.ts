/**
 * The behaviour scenarios shared by the emulator's test suite and the conformance runner: each scenario
 * states the behaviour Harbor has (as of the version the emulator follows), exercises it over HTTP
 * against any target, creates only objects whose names start with the run's unique prefix, and removes
 * them again. A scenario returns what it observed; a difference throws a Mismatch naming both sides.
 */
import {type ApiResponse, HarborApi, idFromLocation, qParam} from './harbor.js'

/** Where to run: a Harbor (or emulator) and an admin account. */
export interface Target {
  url: string
  username: string
  password: string
  /** Lower-case, unique per run; every object a scenario creates starts with it. */
  prefix: string
}

/** What the runner learnt about the target before running scenarios. */
export interface TargetInfo {
  harborVersion: string
  version: [number, number, number]
  authMode: string
  robotPrefix: string
}

/** A difference between what Harbor should do and what the target did. */
export class Mismatch extends Error {
  override name = 'Mismatch'
  constructor(
    readonly expected: string,
    readonly observed: string,
  ) {
    super(`expected ${expected}; observed ${observed}`)
  }
}

/** What a scenario gets: the admin API, the target's facts, unique names and a cleanup stack. */
export interface ScenarioContext {
  target: Target
  info: TargetInfo
  /** The API as the target's admin. */
  api: HarborApi
  /** A unique object name: `<prefix>-<suffix>`. */
  name(suffix: string): string
  /** Registers an undo action; they run in reverse order after the scenario, also when it fails. */
  cleanup(action: () => Promise<unknown>): void
  /** Creates a project (cleaned up); returns its id and name. */
  createProject(suffix: string, body?: Record<string, unknown>): Promise<{id: number; name: string}>
  /** Creates a user group (cleaned up); returns its id and name. */
  createGroup(suffix: string, type?: number): Promise<{id: number; name: string}>
  /** Creates a robot (cleaned up); returns the create response body. */
  createRobot(body: Record<string, unknown>): Promise<{id: number; name: string; secret: string}>
  /** Creates a local user (db_auth only; cleaned up). */
  createUser(suffix: string): Promise<{id: number; username: string; password: string}>
}

/** One behaviour, runnable against the emulator and against a real Harbor. */
export interface Scenario {
  /** Short, unique, kebab-case. */
  name: string
  /** What it covers: `§16.4` for the NOTES checklist, or the NOTES section. */
  covers: string
  /** The behaviour expected of Harbor, in one sentence. */
  expected: string
  /** Harbor versions the behaviour applies to, e.g. `>=2.12` (space-separated bounds). */
  harborVersion?: string
  /** Auth modes the scenario can run in (others skip it). */
  authModes?: string[]
  /** Runs the scenario; returns a short description of what it observed. */
  run(ctx: ScenarioContext): Promise<string>
}

/** Throws a Mismatch unless `condition` holds. */
export function check(condition: boolean, expected: string, observed: unknown): void {
  if (!condition) throw new Mismatch(expected, typeof observed === 'string' ? observed : JSON.stringify(observed))
}

/** A short rendering of a response for mismatch reports. */
export function show(response: ApiResponse): string {
  const body = response.text.length > 200 ? `${response.text.slice(0, 200)}…` : response.text
  return `${response.status} ${body.trim()}`
}

/** Throws a Mismatch unless the response has the status. */
export function expectStatus(response: ApiResponse, status: number, what: string): void {
  check(response.status === status, `${what} → ${status}`, `${what} → ${show(response)}`)
}

/** Throws a Mismatch unless the response is Harbor's error envelope with this status and code. */
export function expectError(response: ApiResponse, status: number, code: string, what: string, message?: string | RegExp): void {
  const error = response.json?.errors?.[0]
  const matches =
    response.status === status &&
    error?.code === code &&
    (message === undefined || (typeof message === 'string' ? error.message === message : message.test(error.message)))
  check(matches, `${what} → ${status} ${code}${message ? ` "${message}"` : ''}`, `${what} → ${show(response)}`)
}

/** Parses `vMAJOR.MINOR.PATCH…`. */
export function parseVersion(text: string): [number, number, number] {
  const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(text)
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0]
}

function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}

/** Whether `version` satisfies a range like `>=2.12` or `>=2.3 <2.13`. */
export function versionSatisfies(version: [number, number, number], range: string): boolean {
  return range
    .split(/\s+/)
    .filter(Boolean)
    .every((bound) => {
      const match = /^(>=|<=|>|<|=)?v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(bound)
      if (!match) throw new Error(`invalid version range "${range}"`)
      const other: [number, number, number] = [Number(match[2]), Number(match[3] ?? 0), Number(match[4] ?? 0)]
      const order = compareVersions(version, other)
      switch (match[1] ?? '=') {
        case '>=':
          return order >= 0
        case '<=':
          return order <= 0
        case '>':
          return order > 0
        case '<':
          return order < 0
        default:
          return order === 0
      }
    })
}

/** Reads the target's version, auth mode and robot prefix (as admin). */
export async function targetInfo(target: Target): Promise<TargetInfo> {
  const api = new HarborApi(target.url, {username: target.username, password: target.password})
  const system = await api.get('/systeminfo')
  if (system.status === 200 && system.json?.harbor_version === undefined) {
    // Harbor answers bad credentials anonymously: systeminfo without harbor_version.
    throw new Error(`${target.url} did not accept the credentials of ${target.username} (it answered as to an anonymous caller)`)
  }
  if (system.status !== 200 || typeof system.json?.harbor_version !== 'string') {
    throw new Error(`cannot read ${target.url}/api/v2.0/systeminfo as ${target.username}: ${show(system)}`)
  }
  const config = await api.get('/configurations')
  if (config.status !== 200)
    throw new Error(`cannot read /configurations as ${target.username} (an admin is needed): ${show(config)}`)
  return {
    harborVersion: system.json.harbor_version,
    version: parseVersion(system.json.harbor_version),
    authMode: config.json?.auth_mode?.value ?? system.json.auth_mode,
    robotPrefix: config.json?.robot_name_prefix?.value ?? 'robot$',
  }
}

/** The outcome of one scenario run. */
export interface ScenarioResult {
  scenario: Scenario
  outcome: 'match' | 'mismatch' | 'skipped' | 'error'
  observed: string
  ms: number
}

/** Why a scenario does not apply to a target, or undefined when it does. */
export function skipReason(scenario: Scenario, info: TargetInfo): string | undefined {
  // Before 2.3 most of these APIs were legacy handlers with other semantics (NOTES.md §0).
  if (!versionSatisfies(info.version, '>=2.3'))
    return `Harbor ${info.harborVersion} is older than 2.3, which hrep does not support`
  if (scenario.harborVersion && !versionSatisfies(info.version, scenario.harborVersion)) {
    return `applies to Harbor ${scenario.harborVersion}, target is ${info.harborVersion}`
  }
  if (scenario.authModes && !scenario.authModes.includes(info.authMode)) {
    return `needs auth_mode ${scenario.authModes.join(' or ')}, target is ${info.authMode}`
  }
  return undefined
}

function makeContext(target: Target, info: TargetInfo, undo: (() => Promise<unknown>)[], index: number): ScenarioContext {
  const api = new HarborApi(target.url, {username: target.username, password: target.password})
  const name = (suffix: string) => `${target.prefix}-${index}-${suffix}`
  const ctx: ScenarioContext = {
    target,
    info,
    api,
    name,
    cleanup: (action) => void undo.push(action),
    async createProject(suffix, body = {}) {
      const projectName = name(suffix)
      const response = await api.post('/projects', {project_name: projectName, ...body})
      expectStatus(response, 201, `POST /projects ${projectName}`)
      const id = idFromLocation(response)
      undo.push(() => api.delete(`/projects/${id}`))
      return {id, name: projectName}
    },
    async createGroup(suffix, type = 3) {
      const groupName = name(suffix)
      const response = await api.post('/usergroups', {group_name: groupName, group_type: type})
      expectStatus(response, 201, `POST /usergroups ${groupName}`)
      const id = idFromLocation(response)
      undo.push(() => api.delete(`/usergroups/${id}`))
      return {id, name: groupName}
    },
    async createRobot(body) {
      const response = await api.post('/robots', body)
      expectStatus(response, 201, `POST /robots ${String(body.name)}`)
      const created = response.json as {id: number; name: string; secret: string}
      undo.push(() => api.delete(`/robots/${created.id}`))
      return created
    },
    async createUser(suffix) {
      const username = name(suffix)
      const password = 'Conform4nce!x'
      const response = await api.post('/users', {username, password, email: `${username}@example.com`, realname: username})
      expectStatus(response, 201, `POST /users ${username}`)
      const id = idFromLocation(response)
      undo.push(() => api.delete(`/users/${id}`))
      return {id, username, password}
    },
  }
  return ctx
}

let counter = 0

/** Runs one scenario with its cleanup; never throws. */
export async function runScenario(scenario: Scenario, target: Target, info: TargetInfo): Promise<ScenarioResult> {
  const started = Date.now()
  const reason = skipReason(scenario, info)
  if (reason) return {scenario, outcome: 'skipped', observed: reason, ms: 0}
  const undo: (() => Promise<unknown>)[] = []
  let result: ScenarioResult
  try {
    const observed = await scenario.run(makeContext(target, info, undo, ++counter))
    result = {scenario, outcome: 'match', observed, ms: 0}
  } catch (error) {
    result =
      error instanceof Mismatch
        ? {scenario, outcome: 'mismatch', observed: error.observed, ms: 0}
        : {scenario, outcome: 'error', observed: (error as Error).stack ?? String(error), ms: 0}
  }
  for (const action of undo.reverse()) {
    try {
      await action()
    } catch {
      // Cleanup is best effort; a leftover object carries the run's prefix.
    }
  }
  result.ms = Date.now() - started
  return result
}

export {HarborApi, idFromLocation, qParam}
