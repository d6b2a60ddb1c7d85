/**
 * Policies next to hrep's kinds (NOTES.md §8, §10–12, checklist §16.9, §16.11–16.13): immutable tag
 * rules, webhooks, registries and replication policies. The registry scenarios register the target
 * itself as a registry (it must be able to reach its own URL) and an unreachable one.
 */
import {check, expectError, expectStatus, idFromLocation, type Scenario, type ScenarioContext, show} from '../scenario.js'

const rule = (pattern: string, disabled = false) => ({
  disabled,
  action: 'immutable',
  template: 'immutable_template',
  tag_selectors: [{kind: 'doublestar', decoration: 'matches', pattern}],
  scope_selectors: {repository: [{kind: 'doublestar', decoration: 'repoMatches', pattern: '**'}]},
})

const webhook = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  targets: [
    {type: 'http', address: 'https://hooks.example.com/harbor?token=abc', auth_header: 'Bearer s3cret', skip_cert_verify: false},
  ],
  event_types: ['PUSH_ARTIFACT'],
  ...extra,
})

/** Registers the target itself as a `harbor` registry (cleaned up); returns its id. */
async function selfRegistry(ctx: ScenarioContext, suffix: string): Promise<number> {
  const {api, target, name, cleanup} = ctx
  const response = await api.post('/registries', {
    name: name(suffix),
    type: 'harbor',
    url: target.url,
    insecure: true,
    credential: {type: 'basic', access_key: target.username, access_secret: target.password},
  })
  expectStatus(response, 201, 'POST /registries for the target itself')
  const id = idFromLocation(response)
  cleanup(() => api.delete(`/registries/${id}`))
  return id
}

/** Creates a pull replication policy from a registry (cleaned up); returns its id. */
async function pullPolicy(
  ctx: ScenarioContext,
  suffix: string,
  registry: number,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const response = await ctx.api.post('/replication/policies', {
    name: ctx.name(suffix),
    src_registry: {id: registry},
    dest_registry: {id: 0},
    trigger: {type: 'manual'},
    filters: [{type: 'name', value: 'library/**'}],
    ...extra,
  })
  expectStatus(response, 201, 'POST /replication/policies')
  const id = idFromLocation(response)
  ctx.cleanup(() => ctx.api.delete(`/replication/policies/${id}`))
  return id
}

export const policyScenarios: Scenario[] = [
  {
    name: 'immutable-rules',
    covers: '§16.9',
    expected: 'create stores disabled=false; an identical rule is 409; a PUT that flips disabled changes only the flag',
    async run({api, createProject}) {
      const project = await createProject('imm')
      const path = `/projects/${project.id}/immutabletagrules`
      const created = await api.post(path, rule('v*', true))
      expectStatus(created, 201, 'POST rule with disabled=true')
      const id = idFromLocation(created)
      const list = await api.get(path)
      const stored = list.json.find((r: {id: number}) => r.id === id)
      check(stored?.disabled === false, 'stored enabled', list.json)
      expectError(await api.post(path, rule('v*')), 409, 'CONFLICT', 'the identical rule again')
      expectStatus(await api.put(`${path}/${id}`, {...rule('release-*', true), id}), 200, 'PUT disabled + new pattern')
      const flipped = (await api.get(path)).json.find((r: {id: number}) => r.id === id)
      check(flipped.disabled === true && flipped.tag_selectors[0].pattern === 'v*', 'only the flag changed', flipped)
      expectStatus(await api.put(`${path}/${id}`, {...rule('release-*', true), id}), 200, 'PUT the new pattern')
      const changed = (await api.get(path)).json.find((r: {id: number}) => r.id === id)
      check(changed.tag_selectors[0].pattern === 'release-*', 'then the pattern changed', changed)
      expectError(
        await api.put(`${path}/${id}`, {...rule('x'), id: id + 1000}),
        400,
        'BAD_REQUEST',
        'PUT with another id in the body',
      )
      expectStatus(await api.delete(`${path}/${id}`), 200, 'DELETE rule')
      return 'created enabled; duplicate 409; flag-only PUT; content PUT'
    },
  },
  {
    name: 'webhook-policies',
    covers: '§16.13',
    expected: 'enabled defaults to false, a duplicate name is 409, PUT overwrites every field, auth_header comes back in clear',
    // payload_format (checked for slack targets here) exists since 2.8.
    harborVersion: '>=2.8',
    async run({api, createProject, name}) {
      const project = await createProject('hook')
      const path = `/projects/${project.id}/webhook/policies`
      const created = await api.post(path, webhook(name('hook'), {description: 'first'}))
      expectStatus(created, 201, 'POST webhook without enabled')
      const id = idFromLocation(created)
      const read = (await api.get(`${path}/${id}`)).json
      check(read.enabled === false, 'enabled false', read)
      check(read.targets[0].auth_header === 'Bearer s3cret', 'auth_header in clear', read.targets)
      check(read.targets[0].address === 'https://hooks.example.com/harbor', 'address without the query', read.targets[0].address)
      expectError(await api.post(path, webhook(name('hook'))), 409, 'CONFLICT', 'the same name again')
      expectStatus(
        await api.put(`${path}/${id}`, webhook(name('hook'), {enabled: true, event_types: ['PULL_ARTIFACT']})),
        200,
        'PUT without description',
      )
      const after = (await api.get(`${path}/${id}`)).json
      check(
        after.enabled === true && (after.description ?? '') === '' && after.event_types.join() === 'PULL_ARTIFACT',
        'every field overwritten',
        after,
      )
      expectError(
        await api.post(path, webhook(name('bad'), {event_types: ['NO_SUCH_EVENT']})),
        400,
        'BAD_REQUEST',
        'an unknown event type',
      )
      const slack = webhook(name('slack'), {
        targets: [{type: 'slack', address: 'https://hooks.slack.com/x', payload_format: 'CloudEvents'}],
      })
      expectError(await api.post(path, slack), 400, 'BAD_REQUEST', 'a payload format on a slack target')
      return 'enabled false by default; 409; PUT overwrote description and events; bad bodies 400'
    },
  },
  {
    name: 'registry-health-gate',
    covers: '§16.11',
    expected: 'creating a registry pings it: an unreachable URL is 400 "the registry is unhealthy"; an unknown type is 500',
    async run({api, name}) {
      const unreachable = await api.post('/registries', {name: name('down'), type: 'harbor', url: 'http://127.0.0.1:1'})
      if (unreachable.status === 201) await api.delete(`/registries/${idFromLocation(unreachable)}`)
      expectError(unreachable, 400, 'BAD_REQUEST', 'POST an unreachable registry', 'the registry is unhealthy')
      const unknownType = await api.post('/registries', {name: name('odd'), type: 'no-such-type', url: 'http://127.0.0.1:1'})
      if (unknownType.status === 201) await api.delete(`/registries/${idFromLocation(unknownType)}`)
      expectError(unknownType, 500, 'UNKNOWN', 'POST an unknown registry type', 'internal server error')
      return `${show(unreachable)}; ${show(unknownType)}`
    },
  },
  {
    name: 'registry-secret-and-references',
    covers: '§16.11',
    expected: 'GET masks access_secret as "*****"; a registry used by a replication policy cannot be deleted (412)',
    async run(ctx) {
      const {api} = ctx
      const registry = await selfRegistry(ctx, 'self')
      const read = (await api.get(`/registries/${registry}`)).json
      check(read.credential?.access_secret === '*****', 'access_secret "*****"', read.credential)
      await pullPolicy(ctx, 'uses', registry)
      const refused = await api.delete(`/registries/${registry}`)
      expectError(refused, 412, 'PRECONDITION', 'DELETE a registry in use')
      return `masked; ${show(refused)}`
    },
  },
  {
    name: 'replication-local-side-and-deletion',
    covers: '§16.12',
    expected: 'the local side reads back as id 0 "Local"; `deletion` is honoured and `replicate_deletion` ignored on input',
    async run(ctx) {
      const {api} = ctx
      const registry = await selfRegistry(ctx, 'repl')
      const id = await pullPolicy(ctx, 'repl', registry, {replicate_deletion: true})
      const read = (await api.get(`/replication/policies/${id}`)).json
      check(
        read.dest_registry?.id === 0 && read.dest_registry?.name === 'Local',
        'dest_registry {id:0, name:"Local"}',
        read.dest_registry,
      )
      check(read.src_registry?.id === registry, 'src_registry is the remote', read.src_registry)
      check(read.deletion === false && read.replicate_deletion === false, 'replicate_deletion ignored', read)
      expectStatus(
        await api.put(`/replication/policies/${id}`, {...read, deletion: true, replicate_deletion: false}),
        200,
        'PUT deletion true',
      )
      const after = (await api.get(`/replication/policies/${id}`)).json
      check(after.deletion === true && after.replicate_deletion === true, 'deletion honoured', after)
      return 'Local side id 0; deletion false → true'
    },
  },
  {
    name: 'replication-validation',
    covers: '§12',
    expected: 'exactly one remote side (400), a 6-field cron starting with 0 (400), unique names (409)',
    async run(ctx) {
      const {api, name} = ctx
      const registry = await selfRegistry(ctx, 'rv')
      await pullPolicy(ctx, 'rv', registry)
      const both = await api.post('/replication/policies', {
        name: name('both'),
        src_registry: {id: registry},
        dest_registry: {id: registry},
      })
      expectError(both, 400, 'BAD_REQUEST', 'both sides remote')
      const cron = await api.post('/replication/policies', {
        name: name('cron'),
        src_registry: {id: registry},
        trigger: {type: 'scheduled', trigger_settings: {cron: '* * * * *'}},
      })
      expectError(cron, 400, 'BAD_REQUEST', 'a 5-field cron')
      const duplicate = await api.post('/replication/policies', {name: name('rv'), src_registry: {id: registry}})
      expectError(duplicate, 409, 'CONFLICT', 'a duplicate name')
      return '400, 400, 409'
    },
  },
]
