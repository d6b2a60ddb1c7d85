// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are HCL source, where ${} is interpolation
/**
 * `hrep validate` as a user runs it: the real CLI in a child process, on the demo configuration and
 * on small configurations written to a temporary directory.
 */
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseVarFlags} from '../../src/cli/flags.js'
import type {ValidateJson} from '../../src/commands/validate.js'
import {HrepError} from '../../src/model/errors.js'
import {runCli} from '../helpers/cli.js'

const PASSWORD = 'TopS3cretPassw0rd'
const ROBOT_SECRET = 'R0botSecretValue9'

/** The environment of a user who has set nothing for hrep. */
const cleanEnv = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith('HREP_VAR_'))
    .map((k) => [k, undefined]),
)

let dir: string

async function configDir(name: string, files: Record<string, string>): Promise<string> {
  const path = join(dir, name)
  await mkdir(path)
  for (const [file, text] of Object.entries(files)) await writeFile(join(path, file), text)
  return path
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hrep-validate-'))
})

afterAll(() => rm(dir, {recursive: true, force: true}))

describe('hrep validate on the demo configuration', () => {
  it('prints endpoints and resource counts, and succeeds with no environment set', async () => {
    const result = await runCli(['validate', '-c', 'fixtures/demo'], {env: cleanEnv})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Configuration in fixtures/demo (3 files)')
    expect(result.stdout).toMatch(
      /Endpoints \(2\)\n {2}primary {2}http:\/\/127\.0\.0\.1:8081\n {2}dr {7}http:\/\/127\.0\.0\.1:8082/,
    )
    expect(result.stdout).toMatch(/project +3\n/)
    expect(result.stdout).toMatch(/project_member +6\n/)
    expect(result.stdout).toContain('Success! The configuration is valid.')
    expect(result.stdout).not.toContain('Harbor12345')
  })

  it('gives the documented JSON shape with --json', async () => {
    const result = await runCli(['validate', '-c', 'fixtures/demo', '--json'], {env: cleanEnv})
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as ValidateJson
    expect(json).toMatchObject({format_version: '1', valid: true, error_count: 0, warning_count: 0, diagnostics: []})
    expect(json.endpoints).toEqual([
      {name: 'primary', url: 'http://127.0.0.1:8081', insecure: false},
      {name: 'dr', url: 'http://127.0.0.1:8082', insecure: false},
    ])
    expect(json.resources).toContainEqual({address: 'project.team["payments"]', kind: 'project', endpoints: ['primary', 'dr']})
    expect(result.stdout).not.toContain('Harbor12345')
  })

  it('takes --var over HREP_VAR_ over the default', async () => {
    const viaEnv = await runCli(['validate', '-c', 'fixtures/demo'], {
      env: {...cleanEnv, HREP_VAR_dr_url: 'https://dr.example.com'},
    })
    expect(viaEnv.stdout).toContain('https://dr.example.com')
    const viaFlag = await runCli(['validate', '-c', 'fixtures/demo', '--var', 'dr_url=https://flag.example.com'], {
      env: {...cleanEnv, HREP_VAR_dr_url: 'https://dr.example.com'},
    })
    expect(viaFlag.code).toBe(0)
    expect(viaFlag.stdout).toContain('https://flag.example.com')
  })
})

describe('hrep validate on an invalid configuration', () => {
  let invalid: string
  const text = `endpoint "primary" {
  url      = "https://a.example.com"
  username = "admin"
  password = "${PASSWORD}"
}

project "team" {
  publc = true
}

robot "ci" {
  secret      = "short"
  description = endpoint.primary.password
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
`
  beforeAll(async () => {
    invalid = await configDir('invalid', {'main.hcl': text})
  })

  it('shows every error with file:line:column and a caret, exits 1, and never a stack trace', async () => {
    const result = await runCli(['validate', '-c', invalid, '--no-color'], {env: cleanEnv})
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    const file = join(invalid, 'main.hcl')
    expect(result.stderr).toContain(`Error: ${file}:8:3: Unsupported argument`)
    expect(result.stderr).toContain('  8 |   publc = true\n    |   ^^^^^')
    expect(result.stderr).toContain('Did you mean "public"?')
    expect(result.stderr).toContain(`Error: ${file}:12:17: Invalid value for "secret"`)
    expect(result.stderr).toContain(`Error: ${file}:13:17: Sensitive value in a non-sensitive argument`)
    expect(result.stderr).not.toMatch(/\n\s+at /)
    // Secrets written in the file are masked in the source lines shown, too.
    expect(result.stderr).not.toContain(PASSWORD)
    expect(result.stderr).toContain('  12 |   secret      = "*****"')
  })

  it('reports the errors in the --json document, exit 1', async () => {
    const result = await runCli(['validate', '-c', invalid, '--json'], {env: cleanEnv})
    expect(result.code).toBe(1)
    const json = JSON.parse(result.stdout) as ValidateJson
    expect(json).toMatchObject({valid: false, error_count: 3, warning_count: 0, endpoints: [], resources: []})
    expect(json.diagnostics[0]).toEqual({
      severity: 'error',
      summary: 'Unsupported argument',
      detail: 'An argument named "publc" is not expected in project.team. Did you mean "public"?',
      address: 'project.team',
      range: {
        filename: join(invalid, 'main.hcl'),
        start: {line: 8, column: 3, byte: text.indexOf('publc')},
        end: {line: 8, column: 8, byte: text.indexOf('publc') + 5},
      },
    })
    expect(result.stdout).not.toContain(PASSWORD)
    expect(result.stdout).not.toContain('short')
  })

  it('never prints a secret, whatever goes wrong around it', async () => {
    const leaky = await configDir('leaky', {
      'main.hcl': `variable "pw" {
  default   = "${PASSWORD}"
  sensitive = true
}
endpoint "a" {
  url      = "https://\${var.pw}.example.com"
  username = var.pw
  password = var.pw
}
robot "ci" {
  secret = "${ROBOT_SECRET}"
  name   = "\${var.pw}"
  permission {
    namespace = var.pw
    access    = [var.pw]
  }
}
`,
    })
    for (const args of [
      ['validate', '-c', leaky],
      ['validate', '-c', leaky, '--json'],
      ['validate', '-c', leaky, '--var', `pw=${ROBOT_SECRET}x`],
    ]) {
      const result = await runCli(args, {env: cleanEnv})
      expect(result.code).toBe(1)
      for (const secret of [PASSWORD, ROBOT_SECRET]) {
        expect(result.stdout).not.toContain(secret)
        expect(result.stderr).not.toContain(secret)
      }
    }
  })

  it('names a missing directory', async () => {
    const result = await runCli(['validate', '-c', join(dir, 'nope')], {env: cleanEnv})
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Configuration directory not found')
    expect(result.stderr).toContain(join(dir, 'nope'))
  })

  it('refuses a malformed --var without echoing its value', async () => {
    const result = await runCli(['validate', '-c', 'fixtures/demo', '--var', PASSWORD], {env: cleanEnv})
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('--var takes NAME=VALUE')
    expect(result.stderr).not.toContain(PASSWORD)
  })
})

describe('parseVarFlags', () => {
  it('splits at the first "=", and a later --var for the same name wins', () => {
    expect(parseVarFlags(['a=1', 'b=x=y', 'a=2', 'c='])).toEqual({a: '2', b: 'x=y', c: ''})
    expect(parseVarFlags(undefined)).toEqual({})
  })

  it('refuses an entry without a name', () => {
    expect(() => parseVarFlags(['=1'])).toThrow(HrepError)
    expect(() => parseVarFlags(['no-equals'])).toThrow('has no "="')
  })
})
