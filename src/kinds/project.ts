/**
 * The `project` kind. Key: the project name (Harbor has no rename, so the name is the identity).
 * Metadata (strings in Harbor) becomes booleans and a severity; the storage limit (bytes) comes from
 * `/quotas`; the CVE allowlist is a sorted set of ids. `retention_id` and other metadata hrep does not
 * manage are never read or sent.
 */
import {z} from 'zod'
import {HrepError} from '../model/errors.js'
import type {HarborCveAllowlist, HarborProject, HarborProjectMetadata, HarborQuota} from './harbor.js'
import {collect, idFromLocation, isForbidden, isNotFound, listProjects, restated, send, segment, statusOf} from './io.js'
import type {CreateResult, Kind, KindContext, LiveObject} from './kind.js'
import {flag, harborName, harborNameProblem, onlyKeys, quickFlag, quickUnit, sortedSet, unitValue} from './schema.js'
import {formatStorageLimit, parseStorageLimit, parseUnixSeconds} from './units.js'

/** Harbor's vulnerability severities, lowest first (metadata `severity`). */
export const SEVERITIES = ['none', 'low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

/** Normalised project attributes. Absent optional attributes are not managed. */
export type ProjectAttrs = {
  name: string
  /** Always managed; default false (private). */
  public: boolean
  auto_scan?: boolean
  severity?: Severity
  prevent_vul?: boolean
  reuse_sys_cve_allowlist?: boolean
  /** Bytes; -1 = unlimited. */
  storage_limit?: number
  /** CVE ids, upper-cased, sorted, unique. */
  cve_allowlist?: string[]
  /** Unix seconds; null = never expires. */
  cve_allowlist_expires_at?: number | null
}

/** The raw view `normalize` takes: the project as listed, and its storage limit when the quota could be read. */
export interface ProjectLive {
  project: HarborProject
  /** `hard.storage` of the project's quota; undefined when there is no quota or it could not be read. */
  storageLimit?: number
}

/** Boolean attributes stored as Harbor metadata strings under the same key. */
const BOOLEAN_METADATA = ['public', 'auto_scan', 'prevent_vul', 'reuse_sys_cve_allowlist'] as const

/** Harbor's meaning of an absent metadata key (`pkg/project/models/project.go`: missing reuse_sys_cve_allowlist means true). */
const ABSENT_MEANS: Record<(typeof BOOLEAN_METADATA)[number], boolean> = {
  public: false,
  auto_scan: false,
  prevent_vul: false,
  reuse_sys_cve_allowlist: true,
}

/** Harbor's `isTrue`: "true" in any case, or "1". */
function metadataTrue(value: string): boolean {
  return value.toLowerCase() === 'true' || value === '1'
}

const CVE_ID = /^CVE-\d{4}-\d{4,}$/

const configSchema = z
  .strictObject({
    name: harborName('project'),
    public: flag().default(false),
    auto_scan: flag().optional(),
    severity: z
      .string({error: () => `expected one of ${SEVERITIES.join(', ')}`})
      .transform((value) => value.toLowerCase())
      .pipe(z.enum(SEVERITIES, {error: () => `expected one of ${SEVERITIES.join(', ')}`}))
      .optional(),
    prevent_vul: flag().optional(),
    reuse_sys_cve_allowlist: flag().optional(),
    storage_limit: unitValue(parseStorageLimit, 'a size like "10GiB", bytes, or "unlimited"').optional(),
    cve_allowlist: z
      .array(
        z
          .string({error: () => 'expected a CVE id like "CVE-2024-12345"'})
          .transform((value) => value.trim().toUpperCase())
          .check((ctx) => {
            if (!CVE_ID.test(ctx.value)) {
              ctx.issues.push({code: 'custom', message: `"${ctx.value}" is not a CVE id like "CVE-2024-12345"`, input: ctx.value})
            }
          }),
        {error: () => 'expected a list of CVE ids'},
      )
      .transform((ids) => sortedSet(ids))
      .optional(),
    cve_allowlist_expires_at: z
      .union([z.number(), z.string(), z.null()], {error: () => 'expected a date like "2026-12-31", Unix seconds, or null'})
      .transform((value, ctx) => {
        if (value === null) return null
        const parsed = parseUnixSeconds(value)
        if (parsed.ok) return parsed.value
        ctx.addIssue({code: 'custom', message: parsed.message})
        return z.NEVER
      })
      .optional(),
  })
  .transform((body): ProjectAttrs => withoutUndefined(body))

const PROJECT_KEYS: ReadonlySet<string> = new Set(Object.keys(configSchema.in.shape))

/** The quick twin of `configSchema` (see Kind.quickConfig): the same attributes, or undefined when unsure. */
function quickProjectConfig(input: Readonly<Record<string, unknown>>): ProjectAttrs | undefined {
  if (!onlyKeys(input, PROJECT_KEYS)) return undefined
  const name = input.name
  if (typeof name !== 'string' || harborNameProblem(name, 'project') !== undefined) return undefined
  // Keys in the schema's order, absent ones left out, as withoutUndefined leaves them.
  const attrs: ProjectAttrs = {name, public: false}
  if (input.public !== undefined) {
    const value = quickFlag(input.public)
    if (value === undefined) return undefined
    attrs.public = value
  }
  if (input.auto_scan !== undefined) {
    const value = quickFlag(input.auto_scan)
    if (value === undefined) return undefined
    attrs.auto_scan = value
  }
  if (input.severity !== undefined) {
    if (typeof input.severity !== 'string') return undefined
    const severity = input.severity.toLowerCase()
    if (!(SEVERITIES as readonly string[]).includes(severity)) return undefined
    attrs.severity = severity as Severity
  }
  if (input.prevent_vul !== undefined) {
    const value = quickFlag(input.prevent_vul)
    if (value === undefined) return undefined
    attrs.prevent_vul = value
  }
  if (input.reuse_sys_cve_allowlist !== undefined) {
    const value = quickFlag(input.reuse_sys_cve_allowlist)
    if (value === undefined) return undefined
    attrs.reuse_sys_cve_allowlist = value
  }
  if (input.storage_limit !== undefined) {
    const value = quickUnit(input.storage_limit, parseStorageLimit)
    if (value === undefined) return undefined
    attrs.storage_limit = value
  }
  if (input.cve_allowlist !== undefined) {
    if (!Array.isArray(input.cve_allowlist)) return undefined
    const ids: string[] = []
    for (const item of input.cve_allowlist) {
      if (typeof item !== 'string') return undefined
      const id = item.trim().toUpperCase()
      if (!CVE_ID.test(id)) return undefined
      ids.push(id)
    }
    attrs.cve_allowlist = sortedSet(ids)
  }
  const expires = input.cve_allowlist_expires_at
  if (expires === null) attrs.cve_allowlist_expires_at = null
  else if (expires !== undefined) {
    if (typeof expires !== 'string' && !(typeof expires === 'number' && Number.isFinite(expires))) return undefined
    const parsed = parseUnixSeconds(expires)
    if (!parsed.ok) return undefined
    attrs.cve_allowlist_expires_at = parsed.value
  }
  return attrs
}

/** A copy without undefined-valued keys: absent and undefined must mean the same ("not managed"). */
function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = item
  return out as T
}

/** Normalised attributes of a project as Harbor returns it (see ProjectLive). Pure. */
export function normalizeProject(live: ProjectLive): ProjectAttrs {
  const metadata: HarborProjectMetadata = live.project.metadata ?? {}
  const attrs: ProjectAttrs = {name: live.project.name ?? '', public: false}
  for (const key of BOOLEAN_METADATA) {
    const value = metadata[key]
    attrs[key] = typeof value === 'string' && value !== '' ? metadataTrue(value) : ABSENT_MEANS[key]
  }
  const severity = metadata.severity?.toLowerCase()
  if (severity) attrs.severity = severity as Severity
  if (live.storageLimit !== undefined) attrs.storage_limit = live.storageLimit
  const allowlist = live.project.cve_allowlist
  attrs.cve_allowlist = sortedSet(
    (allowlist?.items ?? []).map((item) => (item.cve_id ?? '').trim().toUpperCase()).filter(Boolean),
  )
  // Harbor stores "never" as null, 0 or nothing depending on how the list was written.
  attrs.cve_allowlist_expires_at = allowlist?.expires_at ? allowlist.expires_at : null
  return attrs
}

/** The metadata strings for the managed attributes present in `attrs` (only those in `only`, when given). */
function metadataFor(attrs: ProjectAttrs, only?: ReadonlySet<string>): Record<string, string> {
  const metadata: Record<string, string> = {}
  for (const key of BOOLEAN_METADATA) {
    if (attrs[key] !== undefined && (!only || only.has(key))) metadata[key] = String(attrs[key])
  }
  if (attrs.severity !== undefined && (!only || only.has('severity'))) metadata.severity = attrs.severity
  return metadata
}

/** The CVE allowlist body for a PUT: desired items, and expiry from desired or else from live. */
function allowlistFor(desired: ProjectAttrs, live?: ProjectAttrs): HarborCveAllowlist {
  const items = desired.cve_allowlist ?? live?.cve_allowlist ?? []
  const expires =
    desired.cve_allowlist_expires_at !== undefined ? desired.cve_allowlist_expires_at : live?.cve_allowlist_expires_at
  return {items: items.map((cve_id) => ({cve_id})), expires_at: expires ?? null}
}

function projectPath(name: string): string {
  return `/projects/${segment(name)}`
}

/** Every project quota's hard storage limit by project id; undefined when the credential may not read quotas. */
async function storageLimits(ctx: KindContext): Promise<Map<number, number> | undefined> {
  try {
    const quotas = await collect<HarborQuota>(ctx, '/quotas', {reference: 'project'})
    const limits = new Map<number, number>()
    for (const quota of quotas) {
      const id = quota.ref?.id
      const storage = quota.hard?.storage
      if (typeof id === 'number' && typeof storage === 'number') limits.set(id, storage)
    }
    return limits
  } catch (error) {
    if (!isForbidden(error)) throw error
    ctx.events.emit({
      type: 'warning',
      endpoint: ctx.client.endpoint,
      message: `cannot read project quotas on endpoint ${ctx.client.endpoint} (needs a system admin): storage_limit is not compared`,
    })
    return undefined
  }
}

/** The quota of one project, or undefined when it has none (per-project quotas were off when it was created). */
async function quotaOf(ctx: KindContext, projectId: string): Promise<HarborQuota | undefined> {
  const quotas = await collect<HarborQuota>(ctx, '/quotas', {reference: 'project', reference_id: projectId})
  return quotas[0]
}

async function setStorageLimit(ctx: KindContext, name: string, projectId: string, bytes: number): Promise<void> {
  const quota = await quotaOf(ctx, projectId)
  if (quota?.id === undefined) {
    throw new HrepError(
      'quota_missing',
      `project "${name}" on endpoint ${ctx.client.endpoint} has no quota (per-project quotas were disabled when it was created), so storage_limit ${formatStorageLimit(bytes)} cannot be set`,
    )
  }
  await send(ctx, {method: 'PUT', path: `/quotas/${quota.id}`, body: {hard: {storage: bytes}}})
}

function toLive(project: HarborProject, storageLimit: number | undefined): LiveObject<ProjectAttrs> {
  const attrs = normalizeProject({project, storageLimit})
  return {id: String(project.project_id ?? ''), key: attrs.name, attrs}
}

/** The project kind. */
export const projectKind: Kind<ProjectAttrs> = {
  name: 'project',
  configSchema,
  quickConfig: quickProjectConfig,
  sensitive: [],
  replaceOn: [],
  key: (attrs) => attrs.name,
  dependsOn: () => [],
  parseImportId(id) {
    const name = id.trim()
    const problem = harborNameProblem(name, 'project')
    if (problem) throw new HrepError('import_id_invalid', `invalid import ID for a project: ${problem}`)
    return name
  },
  normalize: (raw) => normalizeProject(raw as ProjectLive),

  async list(ctx) {
    const [projects, limits] = await Promise.all([listProjects(ctx), storageLimits(ctx)])
    return projects
      .filter((project) => typeof project.name === 'string')
      .map((project) => toLive(project, project.project_id === undefined ? undefined : limits?.get(project.project_id)))
  },

  async find(ctx, key) {
    let project: HarborProject
    try {
      project = (await send<HarborProject>(ctx, {method: 'GET', path: projectPath(key), resourceName: true})).body
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
    let storageLimit: number | undefined
    if (project.project_id !== undefined) {
      try {
        storageLimit = (await quotaOf(ctx, String(project.project_id)))?.hard?.storage
      } catch (error) {
        if (!isForbidden(error)) throw error
      }
    }
    return toLive(project, storageLimit)
  },

  async create(ctx, attrs): Promise<CreateResult> {
    const response = await send(ctx, {
      method: 'POST',
      path: '/projects',
      body: {
        project_name: attrs.name,
        metadata: metadataFor(attrs),
        // Harbor honours this only for a system admin with per-project quotas on; otherwise the next plan shows the difference.
        ...(attrs.storage_limit === undefined ? {} : {storage_limit: attrs.storage_limit}),
      },
    })
    let id = idFromLocation(response.headers)
    const needsAllowlist = (attrs.cve_allowlist?.length ?? 0) > 0 || typeof attrs.cve_allowlist_expires_at === 'number'
    if (id === undefined || needsAllowlist) {
      const created = await send<HarborProject>(ctx, {method: 'GET', path: projectPath(attrs.name), resourceName: true})
      id ??= String(created.body.project_id)
    }
    // Harbor ignores cve_allowlist on create and makes an empty one: set it with a PUT.
    if (needsAllowlist) {
      await send(ctx, {
        method: 'PUT',
        path: projectPath(attrs.name),
        resourceName: true,
        body: {cve_allowlist: allowlistFor(attrs)},
      })
    }
    return {id}
  },

  async update(ctx, live, desired, changed) {
    const fields = new Set(changed)
    const metadata = metadataFor(desired, fields)
    const allowlistChanged = fields.has('cve_allowlist') || fields.has('cve_allowlist_expires_at')
    if (Object.keys(metadata).length > 0 || allowlistChanged) {
      // PUT merges metadata (keys not sent stay) and replaces the allowlist only when one is sent.
      await send(ctx, {
        method: 'PUT',
        path: projectPath(live.attrs.name),
        resourceName: true,
        body: {
          ...(Object.keys(metadata).length > 0 ? {metadata} : {}),
          ...(allowlistChanged ? {cve_allowlist: allowlistFor(desired, live.attrs)} : {}),
        },
      })
    }
    if (fields.has('storage_limit') && desired.storage_limit !== undefined) {
      await setStorageLimit(ctx, live.attrs.name, live.id, desired.storage_limit)
    }
  },

  async delete(ctx, live) {
    try {
      await send(ctx, {method: 'DELETE', path: projectPath(live.attrs.name), resourceName: true})
    } catch (error) {
      if (isNotFound(error)) return
      if (statusOf(error) === 412) {
        throw restated(
          error,
          'invalid',
          `project "${live.attrs.name}" on endpoint ${ctx.client.endpoint} still holds repositories; Harbor deletes only empty projects`,
        )
      }
      throw error
    }
  },
}
