/**
 * Bulk discovery, `hrep import --all --endpoint NAME --generate-config FILE`: the generated file is
 * laid out by fmt's rules, validates with the rest of the configuration, and the next plan is empty
 * (the round trip), for objects with every attribute hrep manages and names that need sanitising;
 * what the configuration already declares is referenced, not declared again; an existing FILE is
 * kept unless --force; FILE must be a *.hcl file of the configuration directory. Then the command
 * as a process, with the single-object form too.
 */
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {formatHcl} from '../../src/config/hcl/index.js'
import {loadConfig} from '../../src/config/load.js'
import type {SeedData} from '../../src/emulator/index.js'
import {importAll} from '../../src/engine/import-all.js'
import {Workspace} from '../../src/engine/workspace.js'
import {HrepError} from '../../src/model/errors.js'
import {type HarborWorld, startHarbors} from '../helpers/harbors.js'

const SEED: SeedData = {
  users: [{username: 'alice'}],
  groups: [{name: '/org/platform devs'}, {name: 'ldap-admins', type: 1, ldapDn: 'CN=Admins, OU=Groups,DC=Example,DC=com'}],
  projects: [
    {
      name: 'team.a',
      public: true,
      metadata: {auto_scan: 'true', severity: 'High', prevent_vul: 'true', reuse_sys_cve_allowlist: 'false'},
      storageLimit: 10 * 1024 ** 3,
      cveAllowlist: {items: ['CVE-2024-0001', 'cve-2023-12345'], expiresAt: 1893456000},
      members: [
        {group: '/org/platform devs', role: 'developer'},
        {group: 'ldap-admins', role: 'maintainer'},
        {user: 'alice', role: 'guest'},
      ],
    },
    {name: '9lives'},
    {name: 'existing', members: [{group: '/org/platform devs', role: 'guest'}]},
  ],
  robots: [
    {
      name: 'ci',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal "${" that the generated HCL must escape
      description: 'say "hi" ${not.a.template} %{nor} \\ this',
      duration: 30,
      disabled: true,
      permissions: [
        {kind: 'project', namespace: '*', access: ['repository:pull']},
        {kind: 'project', namespace: 'team.a', access: ['repository:push', 'repository:pull']},
        {kind: 'system', namespace: '/', access: ['project:list']},
      ],
    },
    {
      name: 'deploy',
      level: 'project',
      project: 'team.a',
      permissions: [{kind: 'project', namespace: 'team.a', access: ['artifact:read']}],
    },
    {
      name: 'deploy',
      level: 'project',
      project: 'existing',
      permissions: [{kind: 'project', namespace: 'existing', access: ['repository:pull']}],
    },
  ],
}

/** A block the configuration already has: generated members and robots of "existing" reference it. */
const DECLARED = 'project "kept" {\n  name      = "existing"\n  endpoints = [endpoint.dr]\n}\n'

describe('hrep import --all', () => {
  let world: HarborWorld

  beforeEach(async () => {
    world = await startHarbors(['primary', 'dr'])
    world.harbors.dr!.seed(SEED)
    await world.write('main.hcl', DECLARED)
  })
  afterEach(() => world.close())

  async function run(file: string, overwrite = false, kinds?: ('project' | 'robot' | 'oidc_group' | 'project_member')[]) {
    const workspace = await Workspace.open({configDir: world.dir, events: {emit() {}}, operation: 'import'})
    try {
      return await importAll(workspace, {endpoint: 'dr', file, overwrite, kinds})
    } finally {
      await workspace.close()
    }
  }

  async function plan() {
    const workspace = await Workspace.open({configDir: world.dir, events: {emit() {}}, operation: 'plan'})
    try {
      return (await workspace.plan()).result
    } finally {
      await workspace.close()
    }
  }

  it('writes a formatted, valid configuration for every object, imports them, and the next plan is empty', async () => {
    const file = join(world.dir, 'imported.hcl')
    const result = await run(file)
    expect(result.imported).toEqual({project: 2, oidc_group: 2, robot: 3, project_member: 4})
    expect(result.inexact).toEqual([])
    // project "existing" is declared as project.kept: imported there, not declared again.
    expect(result.adopted).toEqual(['project.kept'])
    expect(result.left).toEqual([{reason: "the membership Harbor gives each project's creator", count: 3}])
    const text = await readFile(file, 'utf8')
    expect(formatHcl(text, file)).toBe(text)
    // Labels from names, references to blocks, secrets as commented placeholders.
    expect(text).toContain('project "team_a" {')
    expect(text).toContain('project "_9lives" {')
    expect(text).toContain('oidc_group "org_platform_devs" {')
    expect(text).toContain('robot "team_a_deploy" {')
    expect(text).toMatch(/\n {2}project += project\.team_a\n/)
    expect(text).toMatch(/\n {2}project += project\.kept\n/)
    expect(text).toMatch(/\n {2}group += oidc_group\.org_platform_devs\n/)
    expect(text).toMatch(/\n {4}namespace = project\.team_a\n/)
    expect(text).toContain('description = "say \\"hi\\" $${not.a.template} %%{nor} \\\\ this"')
    expect(text).toContain('  # secret = env("HREP_SECRET_CI")')
    expect(text).toContain('Harbor never returns a robot secret')
    expect(text).toMatch(/storage_limit += "10GiB"/)

    const config = await loadConfig(world.dir)
    expect(config.resources).toHaveLength(12)
    const outcome = await plan()
    expect(outcome.changes.map((c) => `${c.action} ${c.id}: ${c.reason}`)).toEqual([])
    expect(outcome.conflicts).toEqual([])
    expect(outcome.warnings).toEqual([])
    const state = await world.state()
    expect(Object.keys(state!.resources)).toContain('robot.ci')
    expect(world.harbors.dr!.requests.filter((r) => r.method !== 'GET')).toEqual([])
    expect(world.harbors.primary!.requests.filter((r) => r.path.includes('/projects'))).toEqual([])
  })

  it('keeps an existing file unless forced, and generates the same blocks again', async () => {
    const file = join(world.dir, 'imported.hcl')
    await run(file, false, ['project', 'oidc_group'])
    const first = await readFile(file, 'utf8')
    const refused = await run(file).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(HrepError)
    expect((refused as Error).message).toMatch(/imported\.hcl already exists; pass --force/)
    expect(await readFile(file, 'utf8')).toBe(first)
    const again = await run(file, true, ['project', 'oidc_group'])
    expect(again.imported).toEqual({project: 2, oidc_group: 2})
    // The same blocks; only the header's note differs (project "existing" is managed by now).
    const blocks = (text: string) => text.replace(/^# Left out.*\n/gm, '')
    expect(blocks(await readFile(file, 'utf8'))).toBe(blocks(first))
    expect((await plan()).changes).toEqual([])
  })

  it('refuses a file outside the configuration directory, and one that is not *.hcl', async () => {
    for (const file of [join(world.dir, '..', 'elsewhere.hcl'), join(world.dir, 'imported.txt')]) {
      const error = await run(file).catch((e: unknown) => e)
      expect((error as Error).message).toContain('must name a *.hcl file in the configuration directory')
    }
    expect(await world.state()).toBeUndefined()
  })

  it('runs as a process: the bulk form, then the single form and its errors', async () => {
    await world.write('main.hcl', '# nothing declared yet\n')
    const bulk = await world.run([
      'import',
      '--all',
      '--endpoint',
      'dr',
      '--kinds',
      'project,oidc_group',
      '--generate-config',
      'imported.hcl',
    ])
    expect(bulk.code, bulk.stderr).toBe(0)
    expect(bulk.stdout).toMatch(/Wrote .*imported\.hcl \(3 project, 2 oidc_group\)\./)
    expect(bulk.stdout).toContain('Imported 5 objects from dr into the state')

    await writeFile(
      join(world.dir, 'robots.hcl'),
      'robot "deploy" {\n  project   = project.team_a\n  endpoints = local.imported_from_dr\n  permission {\n    access = ["artifact:read"]\n  }\n}\n',
    )
    const one = await world.run(['import', 'robot.deploy@dr', 'robot$team.a+deploy'])
    expect(one.code, one.stderr).toBe(0)
    expect(one.stdout).toMatch(/✔ robot\.deploy@dr: imported \(Harbor id \d+\)/)
    expect(one.stdout).toContain('Import successful.')

    const wrong = await world.run(['import', 'robot.deplyo@dr', 'deploy'])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('robot.deplyo is not declared in the configuration (did you mean robot.deploy?)')
    expect(wrong.stderr).not.toContain('    at ')
    const usage = await world.run(['import', '--all', '--endpoint', 'dr'])
    expect(usage.code).toBe(1)
    expect(usage.stderr).toContain('--all needs --generate-config FILE')

    const plain = await world.run(['plan', '--detailed-exitcode'])
    expect(plain.code, plain.stdout + plain.stderr).toBe(0)
  })
})
