import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {loadConfig} from '../../src/config/load.js'
import {DEFAULT_RELIABILITY} from '../../src/config/settings.js'
import {ConfigError} from '../../src/model/errors.js'
import {isSecret} from '../../src/model/secret.js'
import {ENDPOINTS, load, loadError} from './helpers.js'

const ROBOT = (extra = '') => `
robot "ci" {
  ${extra}
  permission {
    namespace = "*"
    access    = ["repository:pull"]
  }
}
`

describe('settings', () => {
  it('applies the documented defaults when there is no hrep block', () => {
    const config = load(ENDPOINTS)
    expect(config.hrep).toEqual({
      parallelism: 8,
      timeoutMs: 30_000,
      connectTimeoutMs: 10_000,
      deadlineMs: 120_000,
      retry: {attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000},
      state: '/tmp/hrep-config-test/hrep.state.json',
      allowDelete: false,
    })
    for (const endpoint of config.endpoints) expect(endpoint.reliability).toEqual({...DEFAULT_RELIABILITY, rateLimit: undefined})
    expect(config.endpoints[0]!.reliability).not.toHaveProperty('rateLimit')
  })

  it('merges endpoint settings over the hrep block over the defaults, field by field', () => {
    const config = load(`
hrep {
  state           = "state/prod.json"
  secret_output   = "/secure/secrets.json"
  allow_delete    = true
  parallelism     = 4
  timeout         = "10s"
  connect_timeout = "1500ms"
  deadline        = "2m"
  rate_limit      = 20
  retry {
    attempts = 3
  }
}
endpoint "primary" {
  url      = "https://a.example.com"
  username = "admin"
  password = "x"
}
endpoint "dr" {
  url         = "https://b.example.com"
  username    = "admin"
  password    = "x"
  parallelism = 2
  rate_limit  = "unlimited"
  retry {
    max_delay = "1m"
  }
}
`)
    expect(config.hrep).toMatchObject({
      state: '/tmp/hrep-config-test/state/prod.json',
      secretOutput: '/secure/secrets.json',
      allowDelete: true,
      parallelism: 4,
      timeoutMs: 10_000,
      connectTimeoutMs: 1500,
      deadlineMs: 120_000,
      rateLimit: 20,
    })
    const [primary, dr] = config.endpoints
    expect(primary!.reliability).toEqual({
      parallelism: 4,
      timeoutMs: 10_000,
      connectTimeoutMs: 1500,
      deadlineMs: 120_000,
      rateLimit: 20,
      retry: {attempts: 3, baseDelayMs: 200, maxDelayMs: 10_000},
    })
    expect(dr!.reliability).toEqual({
      parallelism: 2,
      timeoutMs: 10_000,
      connectTimeoutMs: 1500,
      deadlineMs: 120_000,
      retry: {attempts: 3, baseDelayMs: 200, maxDelayMs: 60_000},
    })
  })

  it('normalises endpoint URLs and keeps the password a Secret', () => {
    const config = load(
      `endpoint "a" {
  url      = "https://harbor.example.com/api/v2.0/"
  username = "admin"
  password = env("HARBOR_PASSWORD")
  ca_file  = "certs/ca.pem"
  robot_prefix = "bot$"
}`,
      {env: {HARBOR_PASSWORD: 'pw-Secret-1'}},
    )
    const endpoint = config.endpoints[0]!
    expect(endpoint.url).toBe('https://harbor.example.com')
    expect(endpoint.caFile).toBe('/tmp/hrep-config-test/certs/ca.pem')
    expect(endpoint.robotPrefix).toBe('bot$')
    expect(isSecret(endpoint.password)).toBe(true)
    expect(endpoint.password.reveal()).toBe('pw-Secret-1')
    expect(endpoint.password.origin).toBe('env("HARBOR_PASSWORD")')
    expect(endpoint.range).toMatchObject({file: 'main.hcl', start: {line: 1, column: 1}})
  })

  it('warns about an endpoint that does not verify TLS', () => {
    const config = load(`endpoint "a" {
  url      = "https://a.example.com"
  username = "admin"
  password = "x"
  insecure = true
}`)
    expect(config.endpoints[0]!.insecure).toBe(true)
    expect(config.warnings.map((w) => w.summary)).toEqual(['TLS verification is off'])
  })
})

describe('resources', () => {
  it('expands for_each over a set into addresses keyed by element, named by each.key', () => {
    const config = load(`${ENDPOINTS}
locals {
  teams = ["search", "payments", "search"]
}
project "team" {
  for_each = toset(local.teams)
  public   = false
}
project "infra" {
  name = "platform-infra"
}
project "tools" {}
`)
    expect(config.resources.map((r) => [r.address, r.attrs.name])).toEqual([
      ['project.team["payments"]', 'payments'],
      ['project.team["search"]', 'search'],
      ['project.infra', 'platform-infra'],
      ['project.tools', 'tools'],
    ])
    expect(config.resources[0]).toMatchObject({kind: 'project', endpoints: ['primary', 'dr'], secrets: {}})
  })

  it('expands for_each over a map with each.value', () => {
    const config = load(`${ENDPOINTS}
project "team" {
  for_each = {payments = {public = true}, search = {public = false}}
  name     = "team-\${each.key}"
  public   = each.value.public
}
`)
    expect(config.resources.map((r) => [r.address, r.attrs])).toEqual([
      ['project.team["payments"]', {name: 'team-payments', public: true}],
      ['project.team["search"]', {name: 'team-search', public: false}],
    ])
  })

  it('resolves references between resources in any order and records them per instance', () => {
    const config = load({
      'a-members.hcl': `
project_member "devs" {
  for_each = project.team
  project  = each.value
  group    = oidc_group.devs
  role     = "developer"
}
robot "deploy" {
  name    = "deploy"
  level   = "project"
  project = project.team["search"].name
  permission {
    access = ["repository:pull"]
  }
}
`,
      'b-projects.hcl': `${ENDPOINTS}
project "team" {
  for_each = toset(["payments", "search"])
}
oidc_group "devs" {
  name = "platform-devs"
}
`,
    })
    const byAddress = new Map(config.resources.map((r) => [r.address, r]))
    expect(byAddress.get('project_member.devs["payments"]')).toMatchObject({
      attrs: {project: 'payments', group: 'platform-devs', group_type: 'oidc', role: 'developer'},
      references: ['oidc_group.devs', 'project.team["payments"]'],
    })
    expect(byAddress.get('robot.deploy')).toMatchObject({
      attrs: {project: 'search', level: 'project'},
      references: ['project.team["search"]'],
    })
    expect(config.files).toEqual([join(process.cwd(), 'a-members.hcl'), join(process.cwd(), 'b-projects.hcl')])
  })

  it('sends a resource to the endpoints it names, in declaration order, and to every endpoint by default', () => {
    const config = load(`${ENDPOINTS}
project "both" {}
project "dr_only" {
  name      = "dr-only"
  endpoints = [endpoint.dr]
}
project "by_name" {
  name      = "by-name"
  endpoints = ["dr", "primary", "dr"]
}
`)
    expect(config.resources.map((r) => r.endpoints)).toEqual([['primary', 'dr'], ['dr'], ['dr', 'primary']])
  })

  it('splits sensitive attributes into Secrets, never leaving them in attrs', () => {
    const config = load(`${ENDPOINTS}${ROBOT('secret = env("CI_SECRET")')}`, {env: {CI_SECRET: 'Sup3rSecretValue'}})
    const robot = config.resources[0]!
    expect(robot.attrs).not.toHaveProperty('secret')
    expect(isSecret(robot.secrets.secret)).toBe(true)
    expect(robot.secrets.secret!.reveal()).toBe('Sup3rSecretValue')
    expect(robot.secrets.secret!.origin).toBe('env("CI_SECRET")')
    expect(JSON.stringify(config)).not.toContain('Sup3rSecretValue')
  })

  it('lets locals refer to each other in any order', () => {
    const config = load(`${ENDPOINTS}
locals {
  full = "\${local.prefix}-\${local.suffix}"
}
locals {
  prefix = "team"
  suffix = upper("x")
}
project "p" {
  name = lower(local.full)
}
`)
    expect(config.resources[0]!.attrs.name).toBe('team-x')
  })

  it('reads file() relative to the config directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hrep-file-'))
    try {
      await writeFile(join(dir, 'secret.txt'), 'Fr0mAFileSecret\n')
      const config = load(`${ENDPOINTS}${ROBOT('secret = trimspace(file("secret.txt"))')}`, {baseDir: dir})
      expect(config.resources[0]!.secrets.secret!.reveal()).toBe('Fr0mAFileSecret')
      expect(config.resources[0]!.secrets.secret!.origin).toBe('robot.ci.secret')
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

describe('replicate and import', () => {
  it('reads a replicate block with its defaults', () => {
    const config = load(`${ENDPOINTS}
replicate "mirror" {
  from = endpoint.primary
  to   = [endpoint.dr]
}
replicate "teams" {
  from          = endpoint.dr
  to            = ["primary"]
  kinds         = ["project", "robot"]
  include       = ["team-*"]
  exclude       = ["team-tmp-*"]
  prune         = true
  robot_secrets = "rotate"
}
`)
    expect(config.replicates.map(({range: _, ...r}) => r)).toEqual([
      {
        name: 'mirror',
        from: 'primary',
        to: ['dr'],
        kinds: ['project', 'oidc_group', 'robot', 'project_member'],
        include: [],
        exclude: [],
        prune: false,
        robotSecrets: 'independent',
      },
      {
        name: 'teams',
        from: 'dr',
        to: ['primary'],
        kinds: ['project', 'robot'],
        include: ['team-*'],
        exclude: ['team-tmp-*'],
        prune: true,
        robotSecrets: 'rotate',
      },
    ])
  })

  it('reads import blocks; without an endpoint, one import per endpoint of the resource', () => {
    const config = load(`${ENDPOINTS}${ROBOT()}
project "team" {
  for_each  = toset(["a"])
  endpoints = [endpoint.dr]
}
import {
  to       = robot.ci
  id       = "ci"
  endpoint = endpoint.dr
}
import {
  to = project.team["a"]
  id = "a"
}
`)
    expect(
      config.imports.map(({range: _, idRange, ...i}) => ({...i, idAt: `${idRange.start.line}:${idRange.start.column}`})),
    ).toEqual([
      {to: 'robot.ci', id: 'ci', key: 'ci', endpoint: 'dr', idAt: '28:14'},
      {to: 'project.team["a"]', id: 'a', key: 'a', endpoint: 'dr', idAt: '33:8'},
    ])
  })

  it('refuses an import ID the kind cannot read or that names another object, at the id, once per block', () => {
    const error = loadError(`${ENDPOINTS}${ROBOT()}
project "team" {
  for_each = toset(["a"])
}
import {
  to = project_member.devs
  id = "payments"
}
project_member "devs" {
  project = project.team["a"]
  group   = "devs"
  role    = "developer"
}
import {
  to = robot.ci
  id = "deploy"
}
import {
  to = project.team
  id = "a"
}
`)
    const found = error.diagnostics.map((d) => [d.summary, d.range?.start.line])
    expect(found).toEqual([
      ['Invalid import ID', 27],
      ['Import ID does not match the declaration', 36],
      ['Import to a resource with for_each', 39],
    ])
    expect(error.diagnostics[2]!.detail).toContain('import one instance, like project.team["a"]')
  })
})

describe('files and hash', () => {
  it('hashes names and contents, independent of the order sources are given in', () => {
    const a = load({'x/a.hcl': ENDPOINTS, 'x/b.hcl': 'project "p" {}\n'})
    const b = load({'y/b.hcl': 'project "p" {}\n', 'y/a.hcl': ENDPOINTS})
    const c = load({'x/a.hcl': ENDPOINTS, 'x/b.hcl': 'project "q" {}\n'})
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(b.hash).toBe(a.hash)
    expect(c.hash).not.toBe(a.hash)
  })

  describe('loadConfig', () => {
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hrep-load-'))
      await writeFile(join(dir, 'b.hcl'), 'project "p" {}\n')
      await writeFile(join(dir, 'a.hcl'), ENDPOINTS)
      await writeFile(join(dir, '.hidden.hcl'), 'this is not hcl {{{')
      await writeFile(join(dir, 'notes.txt'), 'ignored')
      await mkdir(join(dir, 'sub.hcl'))
      await mkdir(join(dir, 'empty'))
    })
    afterAll(() => rm(dir, {recursive: true, force: true}))

    it('reads every *.hcl file sorted by name, skipping hidden files and directories', async () => {
      const config = await loadConfig(dir, {env: {}})
      expect(config.files).toEqual([join(dir, 'a.hcl'), join(dir, 'b.hcl')])
      expect(Object.keys(config.sources)).toEqual([join(dir, 'a.hcl'), join(dir, 'b.hcl')])
      expect(config.dir).toBe(dir)
      expect(config.resources.map((r) => r.address)).toEqual(['project.p'])
    })

    it('refuses a directory without *.hcl files, and one that does not exist, naming it', async () => {
      for (const missing of [join(dir, 'empty'), join(dir, 'nope')]) {
        const error = await loadConfig(missing).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ConfigError)
        expect((error as ConfigError).diagnostics[0]!.detail).toContain(missing)
      }
    })
  })
})

describe('the full example configuration', () => {
  it('loads with every block and most of the language', async () => {
    const dir = join(process.cwd(), 'fixtures/config/full')
    const config = await loadConfig(dir, {env: {}})
    expect(config.hrep).toMatchObject({state: join(dir, 'state/hrep.state.json'), parallelism: 16, rateLimit: 50})
    expect(config.endpoints.map((e) => [e.name, e.url, e.reliability.parallelism, e.reliability.rateLimit])).toEqual([
      ['primary', 'https://harbor-a.example.com', 16, 50],
      ['dr', 'https://harbor-b.example.com', 4, undefined],
      ['lab', 'https://harbor.lab.example.com', 16, 50],
    ])
    const byAddress = new Map(config.resources.map((r) => [r.address, r]))
    expect(byAddress.get('project.team["web"]')?.attrs).toMatchObject({
      name: 'team-web',
      public: true,
      severity: 'critical',
      storage_limit: -1,
    })
    expect(byAddress.get('project_member.leads["search/carol"]')).toMatchObject({
      attrs: {project: 'team-search', user: 'carol', role: 'maintainer'},
      endpoints: ['primary', 'dr'],
      references: ['project.team["search"]'],
    })
    expect(byAddress.get('robot.ci')?.attrs.description).toBe('PAYMENTS, SEARCH, WEB')
    expect(byAddress.get('robot.deploy["payments"]')?.attrs.description).toBe(
      'Pulls images of team-payments\n(private project)\n',
    )
    expect(byAddress.get('robot.ci')?.secrets.secret?.origin).toBe('env("HREP_CI_SECRET")')
    expect(config.imports.map((i) => `${i.to}@${i.endpoint}`)).toEqual([
      'robot.ci@dr',
      'project.shared@primary',
      'project.shared@dr',
      'project.shared@lab',
    ])
  })
})
