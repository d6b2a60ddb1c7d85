// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are HCL source, where ${} is interpolation
import {describe, expect, it} from 'vitest'
import {isSecret} from '../../src/model/secret.js'
import {ENDPOINTS, load, loadErrors, where} from './helpers.js'

/** A config whose project name shows the variable's value. */
function withVariable(declaration: string, use = 'var.v'): string {
  return `${ENDPOINTS}\nvariable "v" {\n${declaration}\n}\nproject "p" {\n  name = ${use}\n}\n`
}

function projectName(text: string, options = {}): unknown {
  return load(text, options).resources[0]!.attrs.name
}

describe('variable sources', () => {
  it('takes the default, then HREP_VAR_name, then --var: the later wins', () => {
    const text = withVariable('  default = "from-default"')
    expect(projectName(text)).toBe('from-default')
    expect(projectName(text, {env: {HREP_VAR_v: 'from-env'}})).toBe('from-env')
    expect(projectName(text, {env: {HREP_VAR_v: 'from-env'}, vars: {v: 'from-flag'}})).toBe('from-flag')
  })

  it('reports a variable with no value at its declaration, naming both ways to set it', () => {
    const errors = loadErrors(withVariable('  description = "no default"'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({summary: 'No value for required variable "v"'})
    expect(where(errors[0]!)).toBe('main.hcl:14:1')
    expect(errors[0]!.detail).toContain('--var v=VALUE')
    expect(errors[0]!.detail).toContain('HREP_VAR_v')
  })

  it('refuses --var for an undeclared variable, suggesting the declared one', () => {
    const errors = loadErrors(withVariable('  default = "x"'), {vars: {w: 'y'}})
    expect(errors.map((e) => e.summary)).toEqual(['Value for undeclared variable'])
    expect(errors[0]!.detail).toContain('Did you mean "v"?')
  })

  it('converts text from the command line to the declared type', () => {
    const text = `${ENDPOINTS}
variable "parallel" {
  type    = number
  default = 8
}
variable "teams" {
  type = list(string)
}
hrep {
  parallelism = var.parallel
}
project "team" {
  for_each = toset(var.teams)
}
`
    const config = load(text, {vars: {parallel: '3', teams: '["a", "b"]'}})
    expect(config.hrep.parallelism).toBe(3)
    expect(config.resources.map((r) => r.address)).toEqual(['project.team["a"]', 'project.team["b"]'])
  })

  it('reports a value that does not match the type', () => {
    const text = `${ENDPOINTS}\nvariable "n" {\n  type = number\n}\nvariable "l" {\n  type = list(string)\n  default = {a = 1}\n}\n`
    const errors = loadErrors(text, {vars: {n: 'many'}})
    expect(errors.map((e) => e.summary)).toEqual(['Invalid value for variable "n"', 'Invalid value for variable "l"'])
    expect(errors[0]!.detail).toContain('--var n')
    expect(where(errors[1]!)).toBe('main.hcl:19:13')
  })

  it('reports a malformed collection value from the command line', () => {
    const errors = loadErrors(`${ENDPOINTS}\nvariable "l" {\n  type = list(string)\n}\n`, {vars: {l: '["a", '}})
    expect(errors.map((e) => e.summary)).toEqual(['Invalid value for variable "l"'])
  })

  it('converts to object types with optional attributes', () => {
    const text = `${ENDPOINTS}
variable "team" {
  type    = object({name = string, public = optional(bool)})
  default = {name = "docs"}
}
project "p" {
  name   = var.team.name
  public = coalesce(var.team.public, true)
}
`
    expect(load(text).resources[0]!.attrs).toEqual({name: 'docs', public: true})
  })

  it('refuses references and unknown types in a variable block', () => {
    const errors = loadErrors(
      `${ENDPOINTS}\nvariable "a" {\n  default = var.b\n}\nvariable "b" {\n  type = strng\n}\nvariable "c" {\n  defualt = 1\n}\n`,
    )
    expect(errors.map((e) => e.summary)).toEqual([
      'References not allowed here',
      'Invalid type constraint',
      'Unsupported argument',
    ])
    expect(errors[2]!.detail).toContain('Did you mean "default"?')
  })
})

describe('sensitive variables', () => {
  it('turn into Secrets where they are used, and may set a password', () => {
    const config = load(`variable "pw" {
  default   = "Harbor12345"
  sensitive = true
}
endpoint "a" {
  url      = "https://a.example.com"
  username = "admin"
  password = var.pw
}
`)
    expect(isSecret(config.endpoints[0]!.password)).toBe(true)
    expect(config.endpoints[0]!.password.origin).toBe('var.pw')
  })

  it('cannot reach an attribute that is not sensitive', () => {
    const errors = loadErrors(withVariable('  default   = "hunter2-value"\n  sensitive = true', '"team-${var.v}"'))
    expect(errors.map((e) => e.summary)).toEqual(['Sensitive value in a non-sensitive argument'])
    expect(JSON.stringify(errors)).not.toContain('hunter2')
  })
})
