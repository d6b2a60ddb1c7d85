import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ConfigError, HrepError} from '../../src/model/errors.js'
import {locateState} from '../../src/state/locate.js'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hrep-locate-'))
})

afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

const endpoint =
  'endpoint "primary" {\n  url      = "http://127.0.0.1:1"\n  username = "admin"\n  password = env("HREP_LOCATE_TEST_PASSWORD")\n}\n'

describe('locateState', () => {
  it('prefers --state', async () => {
    expect(await locateState({state: 'x/s.json', config: dir})).toEqual({path: join(process.cwd(), 'x/s.json'), source: 'flag'})
  })

  it('reads a literal state path from the hrep block without evaluating the configuration', async () => {
    // The password's env() is unset: a full load would fail, the literal path does not need it.
    await writeFile(join(dir, 'a.hcl'), endpoint)
    await writeFile(join(dir, 'b.hcl'), 'hrep {\n  parallelism = 4\n  state = "states/prod.json"\n}\n')
    expect(await locateState({config: dir})).toEqual({path: join(dir, 'states/prod.json'), source: 'config'})
  })

  it('evaluates a computed state path with the configuration loader', async () => {
    await writeFile(
      join(dir, 'main.hcl'),
      `variable "env" {\n  default = "staging"\n}\nhrep {\n  state = "\${var.env}.state.json"\n}\n${endpoint}`,
    )
    process.env.HREP_LOCATE_TEST_PASSWORD = 'pw'
    try {
      expect(await locateState({config: dir})).toEqual({path: join(dir, 'staging.state.json'), source: 'config'})
    } finally {
      delete process.env.HREP_LOCATE_TEST_PASSWORD
    }
  })

  it('defaults to hrep.state.json in the configuration directory', async () => {
    await writeFile(join(dir, 'main.hcl'), endpoint)
    expect(await locateState({config: dir})).toEqual({path: join(dir, 'hrep.state.json'), source: 'default'})
  })

  it('reports a syntax error as a config error, and a missing directory plainly', async () => {
    await writeFile(join(dir, 'main.hcl'), 'hrep {\n  state = \n')
    await expect(locateState({config: dir})).rejects.toBeInstanceOf(ConfigError)
    const missing = join(dir, 'nope')
    const error = await locateState({config: missing}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HrepError)
    expect((error as HrepError).message).toContain(`the configuration directory ${missing} does not exist`)
  })
})
