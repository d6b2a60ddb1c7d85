/**
 * Bulk discovery, `hrep import --all --endpoint NAME --generate-config FILE`: reads every object of
 * the chosen kinds on one endpoint, writes declarations for those the configuration does not manage
 * yet (src/config/generate.ts) into FILE, a `*.hcl` file of the configuration directory, and imports
 * them into the state. The generated text is validated with the rest of the configuration and
 * checked to describe each object exactly before anything is written; the file is written before the
 * state, so a failure in between leaves declared but unmanaged objects (the next plan shows them as
 * conflicts), never state entries without a declaration (which the next plan would delete).
 */
import {access, readFile} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import {generateConfig, type GeneratedObject} from '../config/generate.js'
import {type LoadOptions, loadConfigFromSources} from '../config/load.js'
import type {LoadedConfig} from '../config/model.js'
import {closest} from '../model/suggest.js'
import {listProjects} from '../kinds/io.js'
import type {Kind, LiveObject} from '../kinds/kind.js'
import {kinds as allKinds} from '../kinds/registry.js'
import type {KindName} from '../model/change.js'
import {HrepError} from '../model/errors.js'
import {expandDesired} from '../plan/desired.js'
import {diffManaged, visibleAttrs} from '../plan/diff.js'
import {addressKind} from '../plan/world.js'
import {applyEdits, type StateEdit} from '../state/index.js'
import {freshContext} from './endpoints.js'
import {mirrorSelector} from './mirror-select.js'
import {recoverJournal} from './recover.js'
import {READ_ORDER} from './refresh.js'
import type {Workspace} from './workspace.js'

export interface ImportAllRequest {
  endpoint: string
  /** The kinds to discover (default: all). */
  kinds?: readonly KindName[]
  /** The file to write (absolute or relative to the working directory). */
  file: string
  /** Replace FILE when it exists (its declarations are then generated anew). */
  overwrite?: boolean
  /** The options the configuration was loaded with (`--var`), to validate the generated file with it. */
  load?: LoadOptions
  /** The command line, for the file's header. */
  command?: string
  signal?: AbortSignal
}

export interface ImportAllResult {
  file: string
  /** Imported objects by kind. */
  imported: Partial<Record<KindName, number>>
  /** Addresses the configuration already declared whose objects were imported without generating anything. */
  adopted: string[]
  /** Objects left out, by reason (already managed, the projects' creator memberships, ...). */
  left: {reason: string; count: number}[]
  /** Objects the generated declaration does not fully describe (the next plan shows them); normally empty. */
  inexact: string[]
  serial: number
}

/** Runs a bulk discovery (see the module comment). */
export async function importAll(workspace: Workspace, request: ImportAllRequest): Promise<ImportAllResult> {
  const config = workspace.config
  const file = resolve(request.file)
  await checkDestination(config, file, request.overwrite === true)
  if (!config.endpoints.some((e) => e.name === request.endpoint)) {
    const suggestion = closest(
      request.endpoint,
      config.endpoints.map((e) => e.name),
    )
    throw new HrepError(
      'endpoint_unknown',
      `there is no endpoint "${request.endpoint}" in the configuration${suggestion ? `; did you mean ${suggestion}?` : ''}`,
    )
  }
  const kinds = READ_ORDER.filter((kind) => request.kinds === undefined || request.kinds.includes(kind))
  const sessions = await workspace.connect(request.signal)
  await recoverJournal(workspace.store, sessions, allKinds, workspace.events)
  const session = sessions.get(request.endpoint)!
  const ctx = freshContext(session)
  if (ctx === undefined) {
    throw new HrepError(
      'endpoint_unavailable',
      `endpoint ${request.endpoint} cannot be reached: ${session.unavailable ?? 'not connected'}`,
    )
  }

  // What the rest of the configuration (without FILE, which is being replaced) already claims there.
  const others = config.resources.filter((resource) => resolve(resource.range.file) !== file)
  const declared = expandDesired(others, allKinds).filter((object) => object.endpoint === request.endpoint)
  const existing = new Map(declared.map((object) => [`${object.kind}\u0000${object.key}`, object.address]))
  const otherAddresses = new Set(others.map((resource) => resource.address))
  const state = workspace.store.state
  const managed = new Set<string>()
  for (const [address, byEndpoint] of Object.entries(state.resources)) {
    const entry = byEndpoint[request.endpoint]
    // Entries of FILE's own blocks are generated again; every other managed object stays with its owner.
    if (entry === undefined || !otherAddresses.has(address)) continue
    managed.add(`${addressKind(address)}\u0000${entry.key}`)
  }
  const mirrored = config.replicates.filter((r) => r.to.includes(request.endpoint))
  const rotating = config.replicates.filter((r) => r.from === request.endpoint && r.robotSecrets === 'rotate')

  const read = await Promise.all(kinds.map(async (kind) => [kind, await allKinds[kind].list(ctx)] as const))
  const owners = kinds.includes('project_member') ? await projectOwners(ctx) : new Map<string, string>()
  const counts = new Map<string, number>()
  const leave = (reason: string) => counts.set(reason, (counts.get(reason) ?? 0) + 1)
  const objects: GeneratedObject[] = []
  const adopted: {address: string; kind: KindName; object: LiveObject}[] = []
  const live = new Map<string, LiveObject>()
  for (const [kind, list] of read) {
    for (const object of list) {
      const id = `${kind}\u0000${object.key}`
      const declaredAt = existing.get(id)
      if (managed.has(id)) leave('already managed')
      else if (declaredAt !== undefined) {
        // Declared but not managed yet: adopted at its declared address, like hrep import.
        if (state.resources[declaredAt]?.[request.endpoint] === undefined) adopted.push({address: declaredAt, kind, object})
        else leave('declared, and its address manages another object')
      } else if (
        mirrored.some((r) => r.kinds.includes(kind) && mirrorSelector(r.include, r.exclude).selects(kind, object.attrs))
      ) {
        leave('mirrored by a replicate block')
      } else if (
        kind === 'robot' &&
        rotating.some((r) => r.kinds.includes('robot') && mirrorSelector(r.include, r.exclude).selects(kind, object.attrs))
      ) {
        leave('robots whose secret a replicate block rotates')
      } else if (
        kind === 'project_member' &&
        object.attrs.user !== undefined &&
        owners.get(String(object.attrs.project)) === object.attrs.user &&
        object.attrs.role === 'projectAdmin'
      ) {
        leave("the membership Harbor gives each project's creator")
      } else {
        objects.push({kind, key: object.key, attrs: object.attrs})
        live.set(id, object)
      }
    }
  }
  const left = [...counts].map(([reason, count]) => ({reason, count}))

  const taken = new Set<string>()
  for (const resource of others) taken.add(resource.address.replace(/\[.*$/s, ''))
  for (const replicate of config.replicates) for (const kind of READ_ORDER) taken.add(`${kind}.${replicate.name}`)
  const generated = generateConfig({
    filename: file,
    endpoint: request.endpoint,
    objects,
    existing,
    taken,
    command: request.command,
    notes: left.map((l) => `Left out: ${l.count} object(s): ${l.reason}.`),
  })
  for (const skip of generated.skipped) left.push({reason: `${skip.kind} "${skip.key}": ${skip.reason}`, count: 1})

  // Validate with the rest of the configuration, exactly as the next plan will load it.
  const sources: Record<string, string> = {}
  for (const path of config.files) if (resolve(path) !== file) sources[path] = await readFile(path, 'utf8')
  sources[file] = generated.text
  const next = loadConfigFromSources(sources, {...request.load, baseDir: config.dir})
  const inexact = checkExact(next, generated.addresses, live, request.endpoint)

  await writeFileAtomic(file, generated.text, {fsync: true}).catch((error: Error) => {
    throw new HrepError('generate_unwritable', `cannot write ${file}: ${error.message}`)
  })
  const edits: StateEdit[] = []
  const imported: Partial<Record<KindName, number>> = {}
  for (const [id, address] of generated.addresses) {
    const object = live.get(id)!
    const kind = id.slice(0, id.indexOf('\u0000')) as KindName
    imported[kind] = (imported[kind] ?? 0) + 1
    edits.push({
      op: 'set',
      address,
      endpoint: request.endpoint,
      entry: {id: object.id, key: object.key, attrs: visibleAttrs(allKinds[kind] as Kind, object.attrs)},
    })
  }
  for (const {address, kind, object} of adopted) {
    edits.push({
      op: 'set',
      address,
      endpoint: request.endpoint,
      entry: {id: object.id, key: object.key, attrs: visibleAttrs(allKinds[kind] as Kind, object.attrs)},
    })
  }
  // Entries of FILE's previous blocks that were not generated again (their objects are gone).
  const regenerated = new Set(generated.addresses.values())
  for (const resource of config.resources) {
    if (resolve(resource.range.file) !== file || regenerated.has(resource.address)) continue
    if (state.resources[resource.address]?.[request.endpoint] !== undefined) {
      edits.push({op: 'remove', address: resource.address, endpoint: request.endpoint})
    }
  }
  const written = await workspace.store.write(applyEdits(state, edits)).catch((error: Error) => {
    throw new HrepError(
      'state_write_failed',
      `${file} was written, but the state could not be: ${error.message}. Nothing is imported yet; the next hrep plan shows the objects as conflicts (run the import again with --force)`,
      {cause: error},
    )
  })
  return {file, imported, adopted: adopted.map((a) => a.address).sort(), left, inexact, serial: written.serial}
}

/** Refuses a FILE outside the configuration directory, not ending in .hcl, or existing without `overwrite`. */
async function checkDestination(config: LoadedConfig, file: string, overwrite: boolean): Promise<void> {
  if (!file.endsWith('.hcl') || dirname(file) !== resolve(config.dir)) {
    throw new HrepError(
      'generate_destination_invalid',
      `--generate-config must name a *.hcl file in the configuration directory ${config.dir} (not ${file}): the imported objects must be declared in the configuration, or the next plan would delete them`,
    )
  }
  const exists = await access(file).then(
    () => true,
    () => false,
  )
  if (exists && !overwrite) {
    throw new HrepError(
      'generate_destination_exists',
      `${file} already exists; pass --force to replace it (its blocks are generated anew)`,
    )
  }
}

/** Project name → owner username (Harbor makes the owner a projectAdmin member on create). */
async function projectOwners(ctx: Parameters<typeof listProjects>[0]): Promise<Map<string, string>> {
  const owners = new Map<string, string>()
  for (const project of await listProjects(ctx)) {
    if (project.name !== undefined && project.owner_name !== undefined) owners.set(project.name, project.owner_name)
  }
  return owners
}

/** The generated objects whose loaded declaration differs from the live object (normally none). */
function checkExact(
  next: LoadedConfig,
  addresses: ReadonlyMap<string, string>,
  live: ReadonlyMap<string, LiveObject>,
  endpoint: string,
): string[] {
  const byAddress = new Map(next.resources.map((resource) => [resource.address, resource]))
  const inexact: string[] = []
  for (const [id, address] of addresses) {
    const resource = byAddress.get(address)
    const object = live.get(id)!
    if (resource === undefined || !resource.endpoints.includes(endpoint)) {
      inexact.push(`${address}: not declared on ${endpoint}`)
      continue
    }
    const kind = allKinds[resource.kind]
    const key = kind.key(resource.attrs)
    const diffs = diffManaged(kind, resource.attrs, object.attrs)
    if (key !== object.key) inexact.push(`${address}: declares "${key}", not "${object.key}"`)
    else if (diffs.length > 0) inexact.push(`${address}: ${diffs.map((d) => d.path).join(', ')}`)
  }
  return inexact
}
