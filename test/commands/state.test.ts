import {spawnSync} from 'node:child_process'
import {mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {acquireLock, backupPath, lockInfoPath, lockPath} from '../../src/state/index.js'
import {runCli} from '../helpers/cli.js'

const lineage = '0b9e6c1a-3f55-4c4e-9d1e-6f0a5d1c2b3a'

const journalBegin = {
  type: 'begin',
  at: '2025-01-01T00:00:00.000Z',
  run: 'r',
  operation: 'apply',
  lineage: lineage,
  serial: 4,
  started: '2025-01-01T00:00:00.000Z',
  hrep_version: '0.1.0',
}

let dir: string
let statePath: string

const state = {
  version: 1,
  lineage: lineage,
  serial: 4,
  resources: {
    'project.team["payments"]': {
      dr: {id: '7', key: 'payments', attrs: {name: 'payments', public: false}},
      primary: {id: '3', key: 'payments', attrs: {name: 'payments', public: false}},
    },
    'robot.ci': {
      primary: {
        id: '12',
        key: 'ci',
        attrs: {name: 'ci', description: '', permissions: [{kind: 'project', namespace: '*', access: ['repository:pull']}]},
        secret_fp: 'scrypt:N=1024,r=8,p=1:c2FsdHNhbHRzYWx0c2FsdA==:aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=',
      },
    },
  },
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hrep-state-cmd-'))
  statePath = join(dir, 'states', 'prod.json')
})

afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

beforeEach(async () => {
  await rm(join(dir, 'states'), {recursive: true, force: true})
  await mkdir(join(dir, 'states'))
  await writeFile(join(dir, 'main.hcl'), 'hrep {\n  state = "states/prod.json"\n}\n')
  await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`)
})

const cli = (...args: string[]) => runCli([...args, '-c', dir])

function expectCleanFailure(result: {code: number | null; stderr: string}) {
  expect(result.code).toBe(1)
  expect(result.stderr).not.toMatch(/\n\s+at /)
}

describe('hrep state list', () => {
  it('lists every object with its endpoint, id and key, finding the state through the config', async () => {
    const result = await cli('state', 'list')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      [
        'ADDRESS                           ID  KEY',
        'project.team["payments"]@dr       7   payments',
        'project.team["payments"]@primary  3   payments',
        'robot.ci@primary                  12  ci',
        '',
      ].join('\n'),
    )
  })

  it('filters by endpoint and answers in JSON', async () => {
    const result = await cli('state', 'list', '--endpoint', 'primary', '--json')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      format_version: '1',
      state: statePath,
      lineage,
      serial: 4,
      resources: [
        {address: 'project.team["payments"]', endpoint: 'primary', kind: 'project', key: 'payments', id: '3'},
        {address: 'robot.ci', endpoint: 'primary', kind: 'robot', key: 'ci', id: '12'},
      ],
    })
  })

  it('says when there is no state yet, and --state wins over the config', async () => {
    const result = await cli('state', 'list', '--state', join(dir, 'none.json'))
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`No objects are managed (there is no state at ${join(dir, 'none.json')} yet).\n`)
  })

  it('warns when an interrupted apply left a journal the state does not show yet', async () => {
    await writeFile(`${statePath}.journal`, `${JSON.stringify(journalBegin)}\n`)
    const result = await cli('state', 'list')
    expect(result.code).toBe(0)
    expect(result.stderr).toBe(
      `Warning: an interrupted apply left its journal at ${statePath}.journal; the state does not show its last actions until the next hrep plan or apply recovers them.\n`,
    )
  })

  it('reports a damaged state file by line and column, without a stack trace', async () => {
    await writeFile(statePath, '{\n  "version": 1,\n  "serial": 4\n  "lineage": "x"\n}\n')
    const result = await cli('state', 'list')
    expectCleanFailure(result)
    expect(result.stderr).toContain(
      `Error: ${statePath}:4:3: the state file is not valid JSON: expected "," or "}" after a property value`,
    )
  })
})

describe('hrep state show', () => {
  it('shows every endpoint of an address, never a secret', async () => {
    const result = await cli('state', 'show', 'robot.ci')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      [
        '# robot.ci@primary',
        'id          = "12"',
        'key         = "ci"',
        'description = ""',
        'name        = "ci"',
        'permissions = [',
        '  {',
        '    access    = ["repository:pull"]',
        '    kind      = "project"',
        '    namespace = "*"',
        '  },',
        ']',
        'secret      = (sensitive)',
        '',
      ].join('\n'),
    )
  })

  it('shows one endpoint with ADDR@ENDPOINT, in JSON', async () => {
    const result = await cli('state', 'show', 'project.team["payments"]@dr', '--json')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      format_version: '1',
      address: 'project.team["payments"]',
      instances: [{endpoint: 'dr', id: '7', key: 'payments', attrs: {name: 'payments', public: false}}],
    })
  })

  it('suggests the closest address for a typo', async () => {
    const result = await cli('state', 'show', 'robot.cj')
    expectCleanFailure(result)
    expect(result.stderr).toContain(`robot.cj is not in the state ${statePath}. Did you mean robot.ci?`)
  })
})

describe('hrep state rm', () => {
  it('forgets the objects, keeps a backup, raises the serial, and leaves no lock behind', async () => {
    const before = await readFile(statePath, 'utf8')
    const result = await cli('state', 'rm', 'robot.ci', 'project.team["payments"]@dr')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      [
        'Removed robot.ci@primary',
        'Removed project.team["payments"]@dr',
        `Successfully removed 2 objects from the state (serial 5). Harbor was not changed. The previous state is in ${backupPath(statePath)}.`,
        '',
      ].join('\n'),
    )
    const after = JSON.parse(await readFile(statePath, 'utf8'))
    expect(after.serial).toBe(5)
    expect(after.lineage).toBe(lineage)
    expect(Object.keys(after.resources)).toEqual(['project.team["payments"]'])
    expect(Object.keys(after.resources['project.team["payments"]'])).toEqual(['primary'])
    expect(await readFile(backupPath(statePath), 'utf8')).toBe(before)
    await expect(stat(lockPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
    await expect(stat(lockInfoPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
  })

  it('changes nothing when one of the addresses is not in the state', async () => {
    const before = await readFile(statePath, 'utf8')
    const result = await cli('state', 'rm', 'robot.ci', 'robot.nope')
    expectCleanFailure(result)
    expect(result.stderr).toContain(`not in the state ${statePath}: robot.nope. Nothing was removed`)
    expect(await readFile(statePath, 'utf8')).toBe(before)
    await expect(stat(backupPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
  })

  it('refuses while an interrupted apply waits to be recovered', async () => {
    await writeFile(`${statePath}.journal`, `${JSON.stringify(journalBegin)}\n`)
    const result = await cli('state', 'rm', 'robot.ci')
    expectCleanFailure(result)
    expect(result.stderr).toContain(`an interrupted apply left its journal at ${statePath}.journal`)
    expect(JSON.parse(await readFile(statePath, 'utf8')).serial).toBe(4)
  })

  it('fails at once while another process holds the lock, naming it', async () => {
    const lock = await acquireLock(statePath, {operation: 'apply'})
    try {
      const result = await cli('state', 'rm', 'robot.ci')
      expectCleanFailure(result)
      expect(result.stderr).toContain(`is locked by "hrep apply" (pid ${process.pid} on host ${hostname()}`)
      expect(JSON.parse(await readFile(statePath, 'utf8')).serial).toBe(4)
    } finally {
      await lock.release()
    }
  })
})

describe('hrep state unlock', () => {
  async function leftoverLock(pid: number) {
    await mkdir(lockPath(statePath))
    const info = {
      id: 'i',
      pid,
      host: hostname(),
      user: 'ci',
      operation: 'apply',
      command: 'hrep apply',
      started: new Date().toISOString(),
      hrep_version: '0.1.0',
    }
    await writeFile(lockInfoPath(statePath), JSON.stringify(info))
  }

  it('removes the lock of a holder that is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'})
    await leftoverLock(Number(gone.stdout))
    const result = await cli('state', 'unlock')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      `Removed the lock on ${statePath}, held by "hrep apply" (pid ${gone.stdout} on host ${hostname()}`,
    )
    await expect(stat(lockPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
  })

  it('refuses while the holder is running on this host, unless --force', async () => {
    await leftoverLock(process.pid)
    const refused = await cli('state', 'unlock')
    expectCleanFailure(refused)
    expect(refused.stderr).toContain('which is still running on this host')
    expect((await stat(lockPath(statePath))).isDirectory()).toBe(true)
    const forced = await cli('state', 'unlock', '--force')
    expect(forced.code).toBe(0)
    await expect(stat(lockPath(statePath))).rejects.toMatchObject({code: 'ENOENT'})
  })

  it('says when the state is not locked', async () => {
    const result = await cli('state', 'unlock')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`The state ${statePath} is not locked.\n`)
  })
})
