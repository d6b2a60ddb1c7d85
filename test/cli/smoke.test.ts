import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'

describe('hrep binary', () => {
  it('prints its version', async () => {
    const result = await runCli(['--version'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^hrep\/\d+\.\d+\.\d+ /)
  })

  it('rejects an unknown flag with exit 1 and no stack trace', async () => {
    const result = await runCli(['validate', '--no-such-flag'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('--no-such-flag')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('the demo configuration (README quick start)', () => {
  it('validates with no environment set and is in canonical layout', async () => {
    const validate = await runCli(['validate', '-c', 'fixtures/demo'])
    expect(validate.code, validate.stderr).toBe(0)
    expect(validate.stdout).toContain('Success! The configuration is valid.')
    const fmt = await runCli(['fmt', '--check', '-c', 'fixtures/demo'])
    expect(fmt.code, fmt.stdout).toBe(0)
  })
})
