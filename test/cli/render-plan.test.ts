import {describe, expect, it} from 'vitest'
import {colors} from '../../src/cli/color.js'
import {renderPlan, summaryLine} from '../../src/cli/render-plan.js'
import type {Change} from '../../src/model/change.js'
import {plan} from '../../src/plan/planner.js'
import {input, obj, want} from '../plan/fixtures.js'

const plain = colors(false)

describe('renderPlan', () => {
  it('renders creates, updates, replaces and deletes per endpoint, with the summary', () => {
    const result = plan(
      input(
        [
          want('project.team["a"]', 'dr', {name: 'a', public: false}),
          want('robot.ci', 'dr', {name: 'ci', description: 'new'}, {secret: {declared: true, fingerprintMatches: false}}),
          want('oidc_group.devs', 'primary', {name: 'devs', type: 'oidc'}),
        ],
        {
          dr: [obj('robot', '5', {name: 'ci', description: 'old'})],
          primary: [obj('oidc_group', '6', {name: 'devs', type: 'ldap'}), obj('project', '7', {name: 'old'})],
        },
        [
          ['robot.ci', 'dr', '5', {name: 'ci', description: 'old'}, 'fp'],
          ['oidc_group.devs', 'primary', '6', {name: 'devs', type: 'ldap'}],
          ['project.old', 'primary', '7', {name: 'old'}],
        ],
      ),
    )
    expect(renderPlan(result, plain)).toBe(
      [
        'hrep will perform the following actions:',
        '',
        'Endpoint dr:',
        '',
        '  # project.team["a"] will be created (not on the endpoint)',
        '  + project.team["a"]',
        '      + name   = "a"',
        '      + public = false',
        '',
        '  # robot.ci will be updated in place (configuration changed; the declared secret changed)',
        '  ~ robot.ci',
        '      ~ description = "old" -> "new"',
        '      ~ secret      = (sensitive)',
        '',
        'Endpoint primary:',
        '',
        '  # oidc_group.devs must be replaced (type cannot be changed in place)',
        '-/+ oidc_group.devs',
        '      ~ type = "ldap" -> "oidc" # forces replacement',
        '',
        '  # project.old will be destroyed (no longer in the configuration)',
        '  - project.old',
        '      - name = "old"',
        '',
        'Plan: 2 to add, 1 to change, 2 to destroy.',
      ].join('\n'),
    )
  })

  it('states when nothing changes', () => {
    expect(renderPlan(plan(input([], {p: []})), plain)).toBe('No changes. Your Harbor configuration matches.')
  })

  it('shows conflicts with their import command, unavailable endpoints, forgets and warnings', () => {
    const result = plan(
      input(
        [want('project.lib', 'dr', {name: 'library'})],
        {dr: [obj('project', '8', {name: 'library'})], third: 'connection refused'},
        [
          ['project.gone', 'dr', '1', {name: 'gone'}],
          ['project.kept', 'dr', '2', {name: 'kept'}],
        ],
      ),
    )
    const text = renderPlan({...result, warnings: [{message: 'something to know'}]}, plain)
    expect(text).toBe(
      [
        'hrep will also update the state, without changing Harbor:',
        '  - project.gone@dr: forget (deleted outside hrep)',
        '  - project.kept@dr: forget (deleted outside hrep)',
        '',
        'Conflicts: these objects already exist and hrep does not manage them; nothing is planned for them.',
        '',
        '  ! project.lib@dr: project "library" already exists on dr and is not managed by hrep',
        "    To adopt it: hrep import 'project.lib@dr' library",
        '',
        'Unavailable: endpoint third could not be read: connection refused. Nothing is planned for it.',
        '',
        'Warning: something to know',
        '',
        'No changes on the endpoints and objects that could be planned.',
      ].join('\n'),
    )
  })

  it('counts imports in the summary and shows the adopted id', () => {
    const result = plan(input([want('project.x', 'dr', {name: 'x'}, {adopt: true})], {dr: [obj('project', '9', {name: 'x'})]}))
    const text = renderPlan(result, plain)
    expect(text).toContain('  # project.x will be imported (adopting the existing object)\n  = project.x\n        id = "9"')
    expect(text.endsWith('Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.')).toBe(true)
  })

  it('shows a long value of a new object as indented JSON', () => {
    const permissions = [{kind: 'project', namespace: '*', access: ['repository:pull', 'repository:push']}]
    const text = renderPlan(plan(input([want('robot.ci', 'p', {name: 'ci', permissions})], {p: []})), plain)
    expect(text).toContain(
      [
        '      + permissions = [',
        '          {',
        '            "kind": "project",',
        '            "namespace": "*",',
        '            "access": [',
        '              "repository:pull",',
        '              "repository:push"',
        '            ]',
        '          }',
        '        ]',
      ].join('\n'),
    )
  })

  it('shows long structured values as a line diff', () => {
    const perms = (ns: string[]) => ns.map((namespace) => ({namespace, access: ['repository:pull', 'repository:push']}))
    const result = plan(
      input(
        [want('robot.ci', 'p', {name: 'ci', permissions: perms(['a', 'b'])})],
        {p: [obj('robot', '1', {name: 'ci', permissions: perms(['a'])})]},
        [['robot.ci', 'p', '1', {name: 'ci', permissions: perms(['a'])}]],
      ),
    )
    const text = renderPlan(result, plain)
    expect(text).toContain('      ~ permissions\n')
    expect(text).toContain('          +     "namespace": "b",')
    expect(text).not.toContain('          -')
  })

  it('renders a refresh-only plan as drift to record', () => {
    const result = plan(
      input([], {p: [obj('project', '1', {name: 'a', public: true})]}, [['project.a', 'p', '1', {name: 'a', public: false}]], {
        refreshOnly: true,
      }),
    )
    expect(renderPlan(result, plain)).toBe(
      [
        'Objects have changed outside of hrep:',
        '',
        'Endpoint p:',
        '',
        '  # project.a has changed (changed outside hrep)',
        '  ~ project.a',
        '      ~ public = false -> true',
        '',
        'This is a refresh-only plan: applying it records these changes in the state and changes nothing in Harbor.',
      ].join('\n'),
    )
    const clean = plan(input([], {p: []}, [], {refreshOnly: true}))
    expect(renderPlan(clean, plain)).toBe('No changes. The state matches every endpoint that could be read.')
  })

  it('never prints a secret that reached a change by mistake', () => {
    const change: Change = {
      id: 'robot.ci@p',
      address: 'robot.ci',
      endpoint: 'p',
      kind: 'robot',
      key: 'ci',
      action: 'update',
      diffs: [{path: 'secret', before: 'OldSecret1', after: 'NewSecret1', sensitive: true}],
      reason: '',
      dependsOn: [],
    }
    const text = renderPlan({changes: [change]}, plain)
    expect(text).toContain('~ secret = (sensitive)')
    expect(text).not.toMatch(/OldSecret1|NewSecret1/)
  })

  it('colours only when asked', () => {
    const result = plan(input([want('project.a', 'p', {name: 'a'})], {p: []}))
    expect(renderPlan(result, plain)).not.toContain('\u001b[')
    expect(renderPlan(result, colors(true))).toContain('\u001b[32m+\u001b[39m')
  })

  it('summarises like Terraform', () => {
    expect(summaryLine([])).toBe('Plan: 0 to add, 0 to change, 0 to destroy.')
  })
})
