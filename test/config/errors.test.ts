import {describe, expect, it} from 'vitest'
import {colors} from '../../src/cli/color.js'
import {renderDiagnostics} from '../../src/cli/diagnostics.js'
import {ENDPOINTS, covered, loadError, loadErrors, where} from './helpers.js'

/** The one error of a configuration with exactly one mistake, with the text its range covers. */
function onlyError(text: string, options = {}) {
  const errors = loadErrors(text, options)
  expect(errors.map((e) => e.summary)).toHaveLength(1)
  const error = errors[0]!
  return {...error, at: where(error), text: covered(error, text)}
}

const ROBOT = `
robot "ci" {
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
`

describe('structure', () => {
  it('reports syntax errors of every file and nothing else', () => {
    const error = loadError({'a.hcl': 'endpoint "x" {\n', 'b.hcl': `${ENDPOINTS}\nproject "p" {\n  name = \n}\n`})
    expect(error.diagnostics.map(where)).toEqual(['a.hcl:1:14', 'b.hcl:15:10'])
    expect(Object.keys(error.sources).sort()).toEqual(['a.hcl', 'b.hcl'])
  })

  it('reports an unknown block type with a suggestion', () => {
    const error = onlyError(`${ENDPOINTS}\nrobots "ci" {}\n`)
    expect(error).toMatchObject({summary: 'Unsupported block type', at: 'main.hcl:14:1', text: 'robots'})
    expect(error.detail).toContain('Did you mean "robot"?')
  })

  it('reports an unknown attribute with a suggestion from the schema, at its name', () => {
    const endpoint = onlyError('endpoint "a" {\n  url = "https://a"\n  username = "u"\n  password = "p"\n  usrname = "x"\n}\n')
    expect(endpoint).toMatchObject({summary: 'Unsupported argument', at: 'main.hcl:5:3', text: 'usrname'})
    expect(endpoint.detail).toContain('Did you mean "username"?')
    const project = onlyError(`${ENDPOINTS}\nproject "p" {\n  publc = true\n}\n`)
    expect(project).toMatchObject({summary: 'Unsupported argument', address: 'project.p', text: 'publc'})
    expect(project.detail).toContain('Did you mean "public"?')
  })

  it('names the nested block an unknown argument is in', () => {
    const error = onlyError(`${ENDPOINTS}\nhrep {\n  retry {\n    atempts = 3\n  }\n}\n`)
    expect(error).toMatchObject({summary: 'Unsupported argument', text: 'atempts'})
    expect(error.detail).toContain('not expected in the retry block in the hrep block. Did you mean "attempts"?')
  })

  it('refuses reliability settings that contradict each other, at the attribute', () => {
    const backoff = onlyError(`${ENDPOINTS}\nhrep {\n  retry {\n    base_delay = "20s"\n    max_delay  = "1s"\n  }\n}\n`)
    expect(backoff).toMatchObject({summary: 'Invalid value for "base_delay"', text: '"20s"'})
    expect(backoff.detail).toContain('base_delay must not be longer than max_delay')
    const deadline = onlyError(`${ENDPOINTS}\nhrep {\n  timeout  = "30s"\n  deadline = "10s"\n}\n`)
    expect(deadline).toMatchObject({summary: 'Invalid value for "deadline"', text: '"10s"'})
  })

  it('suggests the role meant by a misspelt one', () => {
    const error = onlyError(
      `${ENDPOINTS}\nproject "p" {}\nproject_member "m" {\n  project = project.p\n  user    = "alice"\n  role    = "develper"\n}\n`,
    )
    expect(error).toMatchObject({summary: 'Invalid value for "role"', text: '"develper"'})
    expect(error.detail).toContain('did you mean "developer"?')
  })

  it('suggests a meta-argument for a misspelt one', () => {
    const error = onlyError(`${ENDPOINTS}\nproject "p" {\n  for_eech = toset(["a"])\n}\n`)
    expect(error).toMatchObject({summary: 'Unsupported argument', text: 'for_eech'})
    expect(error.detail).toContain('Did you mean "for_each"?')
  })

  it('reports an unknown nested block, and an attribute inside a nested block, at their place', () => {
    const errors = loadErrors(`${ENDPOINTS}
robot "ci" {
  permision {
  }
  permission {
    namespace = "*"
    acess     = ["repository:pull"]
  }
}
`)
    expect(errors.map((e) => [e.summary, where(e)])).toEqual([
      ['Unsupported block type', 'main.hcl:15:3'],
      ['Missing required argument', 'main.hcl:17:3'],
      ['Unsupported argument', 'main.hcl:19:5'],
    ])
    expect(errors[0]!.detail).toContain('Did you mean "permission"?')
    expect(errors[2]!.detail).toContain('Did you mean "access"?')
  })

  it('reports duplicate blocks at the second, naming the first', () => {
    const errors = loadErrors(
      `${ENDPOINTS}\nendpoint "dr" {\n  url = "https://c"\n}\nproject "p" {}\nproject "p" {}\nhrep {}\nhrep {}\n`,
    )
    expect(errors.map((e) => [e.summary, where(e)])).toEqual([
      ['Duplicate endpoint "dr"', 'main.hcl:14:1'],
      ['Duplicate project "p"', 'main.hcl:18:1'],
      ['Duplicate hrep block', 'main.hcl:20:1'],
    ])
    expect(errors[0]!.detail).toContain('main.hcl:8:1')
  })

  it('reports two declarations of the same local value, even in different blocks', () => {
    const error = onlyError(`${ENDPOINTS}\nlocals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n`)
    expect(error).toMatchObject({summary: 'Duplicate local value "a"', at: 'main.hcl:18:3'})
  })

  it('reports two resources that would manage the same Harbor object', () => {
    const error = onlyError(
      `${ENDPOINTS}\nproject "a" {\n  name = "shared"\n}\nproject "b" {\n  name = "shared"\n  endpoints = [endpoint.dr]\n}\n`,
    )
    expect(error.summary).toBe('Two resources manage the same object')
    expect(error.detail).toContain('project.b and project.a')
    expect(error.detail).toContain('endpoint "dr"')
  })

  it('reports wrong labels and top-level arguments', () => {
    const errors = loadErrors(`${ENDPOINTS}\nproject {}\nhrep "x" {}\nparallelism = 3\nendpoint "bad name" {}\n`)
    expect(errors.map((e) => e.summary)).toEqual([
      'Missing name for project block',
      'Extraneous label',
      'Unexpected argument',
      'Invalid name',
    ])
  })

  it('requires at least one endpoint', () => {
    expect(onlyError('project "p" {}\n').summary).toBe('No endpoint declared')
  })
})

describe('values', () => {
  it('reports a wrong type at the value', () => {
    const error = onlyError(`${ENDPOINTS}\nproject "p" {\n  public = [true]\n}\n`)
    expect(error).toMatchObject({summary: 'Invalid value for "public"', at: 'main.hcl:15:12', text: '[true]'})
    expect(error.detail).toContain('got a list')
  })

  it('reports a missing required argument at the block header', () => {
    const error = onlyError('endpoint "a" {\n  url = "https://a"\n  username = "u"\n}\n')
    expect(error).toMatchObject({summary: 'Missing required argument', at: 'main.hcl:1:1', text: 'endpoint "a"'})
    expect(error.detail).toContain('"password"')
  })

  it('reports a bad element of a literal list at the element', () => {
    const error = onlyError(
      `${ENDPOINTS}\nrobot "ci" {\n  permission {\n    namespace = "*"\n    access = ["repository:pull", "repository:pul"]\n  }\n}\n`,
    )
    expect(error.text).toBe('"repository:pul"')
  })

  it('reports bad durations and numbers in the hrep block', () => {
    const errors = loadErrors(
      `${ENDPOINTS}\nhrep {\n  timeout = "30 seconds"\n  parallelism = 0\n  rate_limit = -1\n  retry {\n    attempts = 1.5\n  }\n}\n`,
    )
    expect(
      errors.map((e) => [
        e.summary,
        covered(
          e,
          `${ENDPOINTS}\nhrep {\n  timeout = "30 seconds"\n  parallelism = 0\n  rate_limit = -1\n  retry {\n    attempts = 1.5\n  }\n}\n`,
        ),
      ]),
    ).toEqual([
      ['Invalid value for "timeout"', '"30 seconds"'],
      ['Invalid value for "parallelism"', '0'],
      ['Invalid value for "rate_limit"', '-1'],
      ['Invalid value for "attempts"', '1.5'],
    ])
  })

  it('reports invalid endpoint URLs', () => {
    const error = onlyError('endpoint "a" {\n  url = "harbor.example.com"\n  username = "u"\n  password = "p"\n}\n')
    expect(error).toMatchObject({summary: 'Invalid value for "url"', text: '"harbor.example.com"'})
  })
})

describe('references', () => {
  it('reports references to undeclared things with suggestions, at the name', () => {
    const text = `${ENDPOINTS}
variable "team" {
  default = "a"
}
locals {
  prefix = "x"
}
project "team" {}
project "p1" {
  name = "\${var.taem}-\${local.prefx}"
}
project_member "m" {
  project = project.tema
  group   = "devs"
  role    = "developer"
  endpoints = [endpoint.primray]
}
`
    const errors = loadErrors(text)
    expect(errors.map((e) => [e.summary, covered(e, text), e.detail?.match(/Did you mean [^?]+\?/)?.[0]])).toEqual([
      ['Reference to undeclared input variable', 'taem', 'Did you mean var.team?'],
      ['Reference to undeclared local value', 'prefx', 'Did you mean local.prefix?'],
      ['Reference to undeclared resource', 'tema', 'Did you mean project.team?'],
      ['Reference to undeclared endpoint', 'primray', 'Did you mean endpoint.primary?'],
    ])
  })

  it('reports an endpoint named as a string that is not declared', () => {
    const error = onlyError(`${ENDPOINTS}\nproject "p" {\n  endpoints = ["primary", "backup"]\n}\n`)
    expect(error).toMatchObject({summary: 'Reference to undeclared endpoint', text: '"backup"'})
  })

  it('reports a cycle between locals once, naming it', () => {
    const error = onlyError(`${ENDPOINTS}\nlocals {\n  a = local.b\n  b = "\${local.c}x"\n  c = local.a\n}\n`)
    expect(error.summary).toBe('Cycle in references')
    expect(error.detail).toContain('local.a → local.b → local.c → local.a')
  })

  it('reports a cycle between resources, and a resource referring to itself', () => {
    const errors = loadErrors(`${ENDPOINTS}
project "a" {
  name = project.b.name
}
project "b" {
  name = "\${project.a.name}-b"
}
project "self" {
  name = project.self.name
}
`)
    expect(errors.map((e) => [e.summary, e.detail?.split(': ')[1]])).toEqual([
      ['Cycle in references', 'project.a → project.b → project.a.'],
      ['Cycle in references', 'project.self → project.self.'],
    ])
  })

  it('reports each outside for_each, and a bad for_each', () => {
    const errors = loadErrors(`${ENDPOINTS}
project "a" {
  name = each.key
}
project "b" {
  for_each = [1, 2]
}
project "c" {
  for_each = "abc"
}
project "d" {
  for_each = ["x", "x"]
}
`)
    expect(errors.map((e) => e.summary)).toEqual([
      'Reference to "each" outside for_each',
      'Invalid for_each argument',
      'Invalid for_each argument',
      'Duplicate for_each key',
    ])
  })

  it('reports env() of an unset variable at the call', () => {
    const error = onlyError('endpoint "a" {\n  url = "https://a"\n  username = "u"\n  password = env("HARBOR_A_PASSWORD")\n}\n')
    expect(error).toMatchObject({summary: 'Environment variable HARBOR_A_PASSWORD is not set', at: 'main.hcl:4:18'})
  })

  it('checks replicate and import blocks', () => {
    const errors = loadErrors(`${ENDPOINTS}${ROBOT}
replicate "r" {
  from = endpoint.primary
  to   = [endpoint.primary]
}
replicate "s" {
  from  = endpoint.dr
  to    = [endpoint.primary]
  kinds = ["projects"]
}
import {
  to = robot.cj
  id = "ci"
}
import {
  to = "robot.ci"
  id = "ci"
}
`)
    expect(errors.map((e) => e.summary)).toEqual([
      'Invalid replicate "r"',
      'Invalid value for "kinds"',
      'Import to an undeclared resource',
      'Invalid import address',
    ])
    expect(errors[2]!.detail).toContain('Did you mean robot.ci?')
  })
})

describe('reporting', () => {
  it('collects every error of a configuration, sorted by place', () => {
    const errors = loadErrors({
      'b.hcl': 'project "p" {\n  public = "maybe"\n}\nrobot "r" {}\n',
      'a.hcl': `${ENDPOINTS}\nlocals {\n  x = env("UNSET_VAR")\n  y = lower(1, 2)\n}\n`,
    })
    expect(errors.map(where)).toEqual(['a.hcl:15:11', 'a.hcl:16:7', 'b.hcl:2:12', 'b.hcl:4:1'])
  })

  it('renders each error with its line and a caret under the range', () => {
    const error = loadError(
      'endpoint "a" {\n  url = "https://a"\n  username = "u"\n  password = "p"\n  parallelism = "many"\n}\n',
    )
    const text = renderDiagnostics(error.diagnostics, error.sources, colors(false))
    expect(text).toContain('Error: main.hcl:5:17: Invalid value for "parallelism"')
    expect(text).toContain('  5 |   parallelism = "many"\n    |                 ^^^^^^')
  })
})
