import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {HrepError} from '../../src/model/errors.js'
import {Secret} from '../../src/model/secret.js'
import {backupPath, hrepVersion, readState, removeResource, setResource, type State, StateStore} from '../../src/state/index.js'

// Lets a test make the next write of one path fail, to prove a failed write changes nothing.
const failWrites = vi.hoisted(() => ({paths: new Set<string>()}))
vi.mock('write-file-atomic', async (importOriginal) => {
  const original = (await importOriginal()) as {default: (path: string, data: string, options?: object) => Promise<void>}
  return {
    default: async (path: string, data: string, options?: object) => {
      if (failWrites.paths.has(path)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})
      return original.default(path, data, options)
    },
  }
})

let dir: string
let statePath: string
const stores: StateStore[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hrep-store-'))
  statePath = join(dir, 'hrep.state.json')
  failWrites.paths.clear()
})

afterEach(async () => {
  for (const store of stores.splice(0)) await store.release()
  await rm(dir, {recursive: true, force: true})
})

async function open(path = statePath): Promise<StateStore> {
  const store = await StateStore.open(path, {lock: {operation: 'apply'}})
  stores.push(store)
  return store
}

const robot = {id: '12', key: 'ci', attrs: {name: 'ci', level: 'system', duration: -1, description: ''}}
const project = {id: '3', key: 'payments', attrs: {public: false, name: 'payments'}}

function withTwo(state: State): State {
  return setResource(setResource(state, 'robot.ci', 'primary', robot), 'project.team["payments"]', 'dr', project)
}

describe('StateStore', () => {
  it('starts from an empty state with a fresh lineage and writes nothing until something is stored', async () => {
    const store = await open()
    expect(store.state.serial).toBe(0)
    expect(store.state.resources).toEqual({})
    expect(store.state.lineage).toMatch(/^[0-9a-f-]{36}$/)
    expect(await store.write(store.state)).toEqual({serial: 0, changed: false})
    await expect(stat(statePath)).rejects.toMatchObject({code: 'ENOENT'})
    expect(store.exists).toBe(false)
  })

  it('writes the canonical text: sorted keys at every level, two-space indent, one trailing newline', async () => {
    const store = await open()
    const lineage = store.state.lineage
    await store.write(
      setResource(store.state, 'robot.ci', 'primary', {
        id: '12',
        key: 'ci',
        attrs: {name: 'ci', access: ['repository:push', 'repository:pull'], b: {z: 1, a: null}, '10': true, '9': false},
      }),
    )
    const text = await readFile(statePath, 'utf8')
    expect(text).toBe(
      [
        '{',
        `  "hrep_version": "${hrepVersion()}",`,
        `  "lineage": "${lineage}",`,
        '  "resources": {',
        '    "robot.ci": {',
        '      "primary": {',
        '        "attrs": {',
        '          "10": true,',
        '          "9": false,',
        '          "access": [',
        '            "repository:push",',
        '            "repository:pull"',
        '          ],',
        '          "b": {',
        '            "a": null,',
        '            "z": 1',
        '          },',
        '          "name": "ci"',
        '        },',
        '        "id": "12",',
        '        "key": "ci"',
        '      }',
        '    }',
        '  },',
        '  "serial": 1,',
        '  "version": 1',
        '}',
        '',
      ].join('\n'),
    )
  })

  it('round-trips: what one store writes, the next reads back equal', async () => {
    const first = await open()
    await first.write(withTwo(first.state))
    const written = first.state
    await first.release()
    const second = await open()
    expect(second.state).toEqual(written)
    expect(second.state.serial).toBe(1)
    expect(await readState(statePath)).toEqual(written)
  })

  it('raises the serial only when the resources change, and keeps the lineage', async () => {
    const store = await open()
    const lineage = store.state.lineage
    expect(await store.write(withTwo(store.state))).toEqual({serial: 1, changed: true})
    const before = await stat(statePath)
    // Same content built afresh (different objects, undefined properties) is not a change.
    const same = setResource(store.state, 'robot.ci', 'primary', {...robot, attrs: {...robot.attrs, extra: undefined}})
    expect(await store.write(same)).toEqual({serial: 1, changed: false})
    expect((await stat(statePath)).mtimeMs).toBe(before.mtimeMs)
    expect(await store.write(removeResource(store.state, 'robot.ci'))).toEqual({serial: 2, changed: true})
    expect(await store.write({...store.state, serial: 99})).toEqual({serial: 2, changed: false})
    expect(store.state.lineage).toBe(lineage)
    expect(JSON.parse(await readFile(statePath, 'utf8')).serial).toBe(2)
  })

  it('hands out frozen snapshots', async () => {
    const store = await open()
    await store.write(withTwo(store.state))
    expect(() => {
      ;(store.state.resources['robot.ci']!.primary!.attrs as Record<string, unknown>).name = 'x'
    }).toThrow(TypeError)
  })

  it('keeps the state as it was before this run in .backup, written once per run', async () => {
    const first = await open()
    await first.write(withTwo(first.state))
    await first.release()
    await expect(stat(backupPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
    const original = await readFile(statePath, 'utf8')

    const second = await open()
    await second.write(removeResource(second.state, 'robot.ci'))
    expect(await readFile(backupPath(statePath), 'utf8')).toBe(original)
    await second.write(removeResource(second.state, 'project.team["payments"]'))
    // Still the state from before this run, not the intermediate one.
    expect(await readFile(backupPath(statePath), 'utf8')).toBe(original)
    expect(JSON.parse(await readFile(statePath, 'utf8')).serial).toBe(3)
  })

  it('leaves the state and the backup intact when the write fails', async () => {
    const first = await open()
    await first.write(withTwo(first.state))
    await first.release()
    const second = await open()
    await second.write(removeResource(second.state, 'robot.ci'))
    const stateText = await readFile(statePath, 'utf8')
    const backupText = await readFile(backupPath(statePath), 'utf8')

    failWrites.paths.add(statePath)
    const error = await second.write(removeResource(second.state, 'project.team["payments"]')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HrepError)
    expect((error as HrepError).message).toContain(`cannot write the state ${statePath}: ENOSPC`)
    expect(await readFile(statePath, 'utf8')).toBe(stateText)
    expect(await readFile(backupPath(statePath), 'utf8')).toBe(backupText)
    expect(second.state.serial).toBe(2)

    // The store recovers once the disk does.
    failWrites.paths.clear()
    expect(await second.write(removeResource(second.state, 'project.team["payments"]'))).toEqual({serial: 3, changed: true})
  })

  it('refuses content that is not plain JSON, or a Secret, before touching any file', async () => {
    const first = await open()
    await first.write(withTwo(first.state))
    await first.release()
    const store = await open()
    const stateText = await readFile(statePath, 'utf8')
    for (const bad of [Number.NaN, new Secret('hunter2-Secret'), 10n]) {
      const next = setResource(store.state, 'robot.ci', 'primary', {...robot, attrs: {...robot.attrs, description: bad}})
      const error = await store.write(next).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(HrepError)
      expect((error as HrepError).message).toMatch(/cannot write \$\.resources\["robot\.ci"\]\.primary\.attrs\.description/)
      expect((error as HrepError).message).not.toContain('hunter2')
    }
    expect(await readFile(statePath, 'utf8')).toBe(stateText)
    await expect(stat(backupPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
  })

  it('refuses a state of another lineage, and writes without the lock', async () => {
    const store = await open()
    await expect(store.write({...withTwo(store.state), lineage: 'other'})).rejects.toThrow(/lineage other/)
    const readOnly = await StateStore.open(join(dir, 'other.json'))
    await expect(readOnly.write(withTwo(readOnly.state))).rejects.toThrow(/opened without the lock/)
  })

  it('refuses to overwrite a file changed on disk behind its back', async () => {
    const store = await open()
    await store.write(withTwo(store.state))
    const edited = (await readFile(statePath, 'utf8')).replace('"12"', '"13"')
    await writeFile(statePath, edited)
    await expect(store.write(removeResource(store.state, 'robot.ci'))).rejects.toThrow(/was changed by something else/)
    expect(await readFile(statePath, 'utf8')).toBe(edited)
  })

  it('creates the state directory when it does not exist', async () => {
    const nested = join(dir, 'deep', 'er', 'hrep.state.json')
    const store = await open(nested)
    await store.write(withTwo(store.state))
    expect(JSON.parse(await readFile(nested, 'utf8')).serial).toBe(1)
  })
})

describe('reading a damaged state file', () => {
  const valid = (over: Record<string, unknown> = {}) =>
    JSON.stringify({version: 1, lineage: 'l-1', serial: 4, resources: {'robot.ci': {primary: robot}}, ...over}, null, 2)

  async function openError(text: string): Promise<HrepError> {
    await writeFile(statePath, text)
    const error = await StateStore.open(statePath, {lock: {operation: 'plan'}}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HrepError)
    // The lock taken for the read is released again.
    await expect(stat(`${statePath}.lock`)).rejects.toMatchObject({code: 'ENOENT'})
    return error as HrepError
  }

  it('names the file, line and column of a truncated file', async () => {
    const text = valid()
    const error = await openError(text.slice(0, text.indexOf('"key"') + 3))
    expect(error.message).toMatch(
      new RegExp(`^${statePath.replace(/[.]/g, '\\.')}:9:\\d+: the state file is not valid JSON: the file ends inside a string`),
    )
  })

  it('names the line and column of a hand edit that broke the syntax', async () => {
    const broken = valid().replace('"serial": 4', '"serial": 4,,')
    const error = await openError(broken)
    const line = broken.split('\n').findIndex((l) => l.includes(',,')) + 1
    expect(error.message).toContain(
      `${statePath}:${line}:15: the state file is not valid JSON: expected a quoted property name, found ","`,
    )
  })

  it('names the path of a value of the wrong type', async () => {
    const error = await openError(valid({resources: {'robot.ci': {primary: {...robot, id: 12}}}}))
    expect(error.message).toBe(
      `state file ${statePath} is not a valid hrep state: resources["robot.ci"].primary.id: expected string, received number`,
    )
  })

  it('reports an invalid address key and an unknown field', async () => {
    expect((await openError(valid({resources: {'robot.ci@dr': {primary: robot}}}))).message).toMatch(
      /invalid address "robot\.ci@dr"/,
    )
    expect((await openError(valid({resources: {'widget.x': {primary: robot}}}))).message).toMatch(/unknown kind/)
    expect((await openError(valid({resources: {'robot.ci': {primary: {...robot, secret: 'x'}}}}))).message).toMatch(
      /resources\["robot\.ci"\]\.primary: Unrecognized key: "secret"/,
    )
  })

  it('refuses an empty file instead of starting over', async () => {
    expect((await openError('')).message).toMatch(/is empty\. Restore it from .*\.backup/)
  })

  it('refuses a newer format, naming the hrep that wrote it', async () => {
    const error = await openError(valid({version: 2, hrep_version: '3.1.0', resources: {new: 'shape'}}))
    expect(error.code).toBe('format_too_new')
    expect(error.message).toBe(
      `state file ${statePath} uses format version 2, written by hrep 3.1.0; this hrep reads version 1 only. Use hrep 3.1.0 or later.`,
    )
  })
})
