/**
 * What the offline commands load. undici takes ~100 ms to load on a small machine; `hrep validate`,
 * `fmt` and `state` never send a request, so the client loads it on the first request only.
 */
import {spawn} from 'node:child_process'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cliCommand, repoRoot} from '../helpers/cli.js'

let dir: string
let probe: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hrep-startup-'))
  probe = join(dir, 'probe.cjs')
  // Preloaded into the CLI process: on exit, says how many of undici's files were loaded.
  await writeFile(
    probe,
    `process.on('exit', () => {
  const loaded = Object.keys(require('node:module')._cache).filter((path) => path.includes('/node_modules/undici/'))
  process.stderr.write('undici files loaded: ' + loaded.length + '\\n')
})
`,
  )
})

afterAll(() => rm(dir, {recursive: true, force: true}))

function undiciFilesLoaded(args: string[]): Promise<{code: number | null; loaded: number}> {
  const child = spawn(process.execPath, ['--require', probe, ...cliCommand(), ...args], {cwd: repoRoot, stdio: 'pipe'})
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  child.stdin.end()
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      const match = /undici files loaded: (\d+)/.exec(stderr)
      if (!match) reject(new Error(`no probe line from hrep ${args.join(' ')}: ${stderr}`))
      else resolve({code, loaded: Number(match[1])})
    })
  })
}

describe('start-up of the offline commands', () => {
  // From sources (HREP_TEST_BIN=dev) oclif imports every command to list them, doctor's undici with it.
  it.skipIf(process.env.HREP_TEST_BIN === 'dev')('hrep validate does not load the HTTP client library', async () => {
    const result = await undiciFilesLoaded(['validate', '-c', 'fixtures/demo'])
    expect(result.code).toBe(0)
    expect(result.loaded).toBe(0)
  })

  it('a command that talks to Harbor does load it (the probe sees it)', async () => {
    // An endpoint nobody listens on: the plan fails, but only after trying to connect.
    const config = join(dir, 'config')
    await rm(config, {recursive: true, force: true})
    await mkdir(config)
    await writeFile(
      join(config, 'main.hcl'),
      'endpoint "primary" {\n  url      = "http://127.0.0.1:9"\n  username = "admin"\n  password = "Harbor12345"\n}\n\nproject "team" {\n  name = "team"\n}\n',
    )
    const result = await undiciFilesLoaded(['plan', '-c', config])
    expect(result.code).toBe(1)
    expect(result.loaded).toBeGreaterThan(0)
  })
})
