/**
 * `hrep fmt` as users run it: rewrites files, --check exits 3 and writes nothing, --diff prints a
 * unified diff, a syntax error reports file:line:column with exit 1 and leaves every file alone.
 */
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {runCli} from '../../helpers/cli.js'

const messy = 'hrep   {\n    state="s.json"\n  parallelism     =     3   \n}\nproject "a" {\n}\n'
const messyFormatted = 'hrep {\n  state       = "s.json"\n  parallelism = 3\n}\n\nproject "a" {\n}\n'
const canonical = 'endpoint "primary" {\n  url = "https://harbor.example.com"\n}\n'

describe('hrep fmt', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hrep-fmt-'))
    await writeFile(join(dir, 'main.hcl'), messy)
    await writeFile(join(dir, 'endpoints.hcl'), canonical)
    await writeFile(join(dir, 'notes.txt'), 'not hcl   \n')
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('--check lists the files that would change, exits 3 and writes nothing', async () => {
    const result = await runCli(['fmt', '-c', dir, '--check'])
    expect(result.code).toBe(3)
    expect(result.stdout.trim().split('\n')).toEqual([join(dir, 'main.hcl')])
    expect(result.stderr).toContain('1 file is not in the canonical layout')
    expect(await readFile(join(dir, 'main.hcl'), 'utf8')).toBe(messy)
  })

  it('--diff prints a unified diff', async () => {
    const result = await runCli(['fmt', '-c', dir, '--diff', '--check'])
    expect(result.code).toBe(3)
    expect(result.stdout).toContain(`--- ${join(dir, 'main.hcl')}`)
    expect(result.stdout).toContain('-    state="s.json"')
    expect(result.stdout).toContain('+  state       = "s.json"')
    expect(result.stdout).not.toContain('endpoints.hcl')
    expect(await readFile(join(dir, 'main.hcl'), 'utf8')).toBe(messy)
  })

  it('rewrites only the files that change, after which --check passes', async () => {
    const before = await stat(join(dir, 'endpoints.hcl'))
    const result = await runCli(['fmt', '-c', dir])
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe(join(dir, 'main.hcl'))
    expect(await readFile(join(dir, 'main.hcl'), 'utf8')).toBe(messyFormatted)
    expect((await stat(join(dir, 'endpoints.hcl'))).mtimeMs).toBe(before.mtimeMs)
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('not hcl   \n')
    expect((await runCli(['fmt', '-c', dir, '--check'])).code).toBe(0)
  })

  it('reports a syntax error with file:line:column, exits 1 and touches no file', async () => {
    await writeFile(join(dir, 'broken.hcl'), 'robot "ci" {\n  name = "ci"\n  duration = 1 2\n}\n')
    const result = await runCli(['fmt', '-c', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${join(dir, 'broken.hcl')}:3:16: Missing newline after argument`)
    expect(result.stderr).toContain('duration = 1 2')
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(await readFile(join(dir, 'main.hcl'), 'utf8')).toBe(messy)
  })

  it('names a directory that does not exist', async () => {
    const result = await runCli(['fmt', '-c', join(dir, 'nope')])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('does not exist')
  })
})
