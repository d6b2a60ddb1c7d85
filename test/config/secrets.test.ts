import {inspect} from 'node:util'
import {describe, expect, it} from 'vitest'
import {load, loadError} from './helpers.js'

const PASSWORD = 'Endp0intPassword'
const ROBOT = 'R0botSecretValue'
const VARIABLE = 'Variab1eSecretValue'

const CONFIG = `
variable "token" {
  default   = "${VARIABLE}"
  sensitive = true
}
endpoint "a" {
  url      = "https://a.example.com"
  username = "admin"
  password = env("A_PASSWORD")
}
robot "ci" {
  secret = "${ROBOT}"
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
robot "deploy" {
  secret = var.token
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
`

describe('secrets in the loaded model', () => {
  it('are Secrets that no serialisation reveals', () => {
    const config = load(CONFIG, {env: {A_PASSWORD: PASSWORD}})
    expect(config.endpoints[0]!.password.reveal()).toBe(PASSWORD)
    expect(config.resources.map((r) => r.secrets.secret?.reveal())).toEqual([ROBOT, VARIABLE])
    expect(config.resources.map((r) => r.secrets.secret?.origin)).toEqual(['robot.ci.secret', 'var.token'])
    const printed = [
      JSON.stringify(config.endpoints),
      JSON.stringify(config.resources),
      inspect(config, {depth: 10}),
      String(config.endpoints[0]!.password),
    ]
    for (const text of printed) {
      for (const secret of [PASSWORD, ROBOT, VARIABLE]) expect(text).not.toContain(secret)
    }
  })
})

describe('secrets in diagnostics', () => {
  it('never appear in a message, even where a value is quoted', () => {
    // The same text serves as a password and, wrongly, as a project name that Harbor would refuse.
    const error = loadError(`
locals {
  shared = "${PASSWORD}"
}
endpoint "a" {
  url      = "https://a.example.com"
  username = "admin"
  password = local.shared
}
project "p" {
  name = local.shared
}
robot "weak" {
  secret = "Sh0rtpw"
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
`)
    expect(error.diagnostics.map((d) => d.summary)).toEqual(['Invalid value for "name"', 'Invalid value for "secret"'])
    const text = JSON.stringify(error.diagnostics) + error.message
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toContain('Sh0rtpw')
    expect(text).toContain('(sensitive)')
  })

  it('stay secrets when another block refers to them', () => {
    const error = loadError(
      `
endpoint "a" {
  url      = "https://a.example.com"
  username = "admin"
  password = "x"
}
robot "ci" {
  secret = env("CI_SECRET")
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
robot "copy" {
  description = "copy of \${robot.ci.secret}"
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
`,
      {env: {CI_SECRET: ROBOT}},
    )
    expect(error.diagnostics.map((d) => [d.summary, d.address ?? d.detail])).toEqual([
      ['Sensitive value in a non-sensitive argument', expect.stringContaining('robot.copy')],
    ])
    expect(JSON.stringify(error.diagnostics)).not.toContain(ROBOT)
  })

  it('are masked in the source lines an error shows, columns unchanged', () => {
    const text = `locals {
  pw = "${PASSWORD}"
}
endpoint "a" {
  url      = "https://a.example.com"
  username = "admin"
  password = local.pw
  timeout  = 5
}
`
    const error = loadError(text)
    expect(error.diagnostics.map((d) => d.summary)).toEqual(['Invalid value for "timeout"'])
    const shown = error.sources['main.hcl']!
    expect(shown).not.toContain(PASSWORD)
    expect(shown.split('\n')[1]).toBe(`  pw = "${'*'.repeat(PASSWORD.length)}"`)
    expect(shown.length).toBe(text.length)
  })
})
