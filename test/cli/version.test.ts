/** `hrep --version` prints oclif's user-agent line (name, version, platform, Node), as bug reports quote it. */
import {Config} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {repoRoot, runCli} from '../helpers/cli.js'

describe('hrep --version', () => {
  it("prints oclif's version line", async () => {
    const config = await Config.load(repoRoot)
    const result = await runCli(['--version'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe(`${config.userAgent}\n`)
  })

  it('still prints it when more arguments follow, as oclif does', async () => {
    const result = await runCli(['--version', 'validate'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^hrep\/\d+\.\d+\.\d+ \S+-\S+ node-v\d+/)
  })
})
