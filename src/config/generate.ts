/**
 * HCL for live objects: what `hrep import --all --generate-config FILE` writes. One block per object,
 * labelled from its name (sanitised into a valid block name, made unique per kind), holding exactly
 * the attributes that make its declaration equal to the object, so the next plan is empty. Project
 * robots and memberships reference their project and group blocks (generated here or already
 * declared). Robot secrets cannot be read from Harbor: each robot gets a commented-out
 * `secret = env("HREP_SECRET_<LABEL>")` to opt into a secret hrep sets. The text is laid out by
 * `formatHcl`, the rules of `hrep fmt`.
 */
import type {Attrs, KindName} from '../model/change.js'
import {formatHcl} from './hcl/index.js'
import {formatStorageLimit} from '../kinds/units.js'

/** One live object to declare. */
export interface GeneratedObject {
  kind: KindName
  key: string
  /** Normalised attributes, as the kind's `list` returns them. */
  attrs: Attrs
}

export interface GenerateOptions {
  /** The file name, for layout errors (the text always parses). */
  filename: string
  /** The endpoint the objects were read from (its `endpoints` local and the header). */
  endpoint: string
  objects: readonly GeneratedObject[]
  /** Expressions of objects declared elsewhere, by `kind\0key` (`project.team["a"]`), for references. */
  existing?: ReadonlyMap<string, string>
  /** Block names already taken, as `kind.name` (declared blocks, replicate blocks' address spaces). */
  taken?: ReadonlySet<string>
  /** Comment lines for the header (what was left out and why). */
  notes?: readonly string[]
  /** The command line the file came from, for the header. */
  command?: string
}

export interface GeneratedConfig {
  /** The formatted HCL text. */
  text: string
  /** The address each generated object is declared at, by `kind\0key`. */
  addresses: Map<string, string>
  /** Objects that cannot be declared, with why (an unknown group type). */
  skipped: {kind: KindName; key: string; reason: string}[]
  /** The `locals` name holding the endpoints of every generated block. */
  endpointsLocal: string
}

const KIND_TITLES: Record<KindName, string> = {
  project: 'Projects',
  oidc_group: 'Groups',
  robot: 'Robot accounts',
  project_member: 'Project members',
}
const ORDER: readonly KindName[] = ['project', 'oidc_group', 'robot', 'project_member']

/** A quoted HCL string: escapes, and `${`/`%{` doubled so nothing is read as a template. */
export function hclString(value: string): string {
  let out = '"'
  for (const char of value) {
    const code = char.codePointAt(0)!
    if (char === '"') out += '\\"'
    else if (char === '\\') out += '\\\\'
    else if (char === '\n') out += '\\n'
    else if (char === '\r') out += '\\r'
    else if (char === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += char
  }
  // Function replacers: in a replacement string "$$" would mean one "$".
  return `${out.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{')}"`
}

/** An HCL value for JSON-like data: strings, numbers, booleans, null, lists. */
function hclValue(value: unknown): string {
  if (typeof value === 'string') return hclString(value)
  if (Array.isArray(value)) return `[${value.map(hclValue).join(', ')}]`
  if (value === null || value === undefined) return 'null'
  return String(value)
}

/** A valid block name from any text: other characters become `_`, and a leading digit or `-` gets a `_` before it. */
export function blockLabel(text: string): string {
  let label = text.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/_+/g, '_')
  label = label.replace(/^_+(?=[A-Za-z])/, '').replace(/_+$/, '')
  if (label === '') return '_'
  return /^[A-Za-z_]/.test(label) ? label : `_${label}`
}

/** An environment variable name for a robot's secret placeholder. */
function secretVariable(label: string): string {
  return `HREP_SECRET_${label
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')}`
}

function labelSource(object: GeneratedObject): string {
  const a = object.attrs
  switch (object.kind) {
    case 'robot':
      return a.project === undefined ? String(a.name) : `${a.project}_${a.name}`
    case 'project_member':
      return a.user !== undefined ? `${a.project}_user_${a.user}` : `${a.project}_${a.group}`
    default:
      return String(a.name)
  }
}

const kk = (kind: string, key: string) => `${kind}\u0000${key}`

/** Generates the configuration of `options.objects` (see the module comment). */
export function generateConfig(options: GenerateOptions): GeneratedConfig {
  const taken = new Set(options.taken ?? [])
  const local = `imported_from_${blockLabel(options.endpoint).replace(/^_/, '').replaceAll('-', '_')}`
  const labels = new Map<string, string>()
  const addresses = new Map<string, string>()
  const skipped: GeneratedConfig['skipped'] = []
  const byKind = new Map<KindName, GeneratedObject[]>()
  for (const object of options.objects) {
    if (object.kind === 'oidc_group' && String(object.attrs.type).startsWith('unknown')) {
      skipped.push({kind: object.kind, key: object.key, reason: `its group type (${object.attrs.type}) is not one hrep knows`})
      continue
    }
    byKind.set(object.kind, [...(byKind.get(object.kind) ?? []), object])
  }
  for (const kind of ORDER) {
    const list = (byKind.get(kind) ?? []).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    byKind.set(kind, list)
    for (const object of list) {
      const base = blockLabel(labelSource(object))
      let label = base
      for (let n = 2; taken.has(`${kind}.${label}`); n++) label = `${base}_${n}`
      taken.add(`${kind}.${label}`)
      labels.set(kk(kind, object.key), label)
      addresses.set(kk(kind, object.key), `${kind}.${label}`)
    }
  }
  const reference = (kind: KindName, key: string): string | undefined =>
    addresses.get(kk(kind, key)) ?? options.existing?.get(kk(kind, key))

  const lines: string[] = []
  const command = options.command ?? `hrep import --all --endpoint ${options.endpoint}`
  lines.push(
    `# Generated by \`${command}\`: the objects on endpoint ${options.endpoint}`,
    '# that the configuration did not declare yet, each imported into the state at its address.',
    '# Review and rename freely (hrep follows a renamed block: it moves, it is not recreated).',
    `# Every block applies to ${options.endpoint} only; add endpoints to local.${local} to manage them elsewhere too.`,
    ...(options.notes ?? []).map((note) => `# ${note}`),
    '',
    'locals {',
    `  ${local} = [endpoint.${options.endpoint}]`,
    '}',
  )
  for (const kind of ORDER) {
    const list = byKind.get(kind) ?? []
    if (list.length === 0) continue
    lines.push('', `# ${KIND_TITLES[kind]} (${list.length})`)
    for (const object of list) {
      const label = labels.get(kk(kind, object.key))!
      lines.push('', `${kind} ${hclString(label)} {`, ...body(object, label, reference), `  endpoints = local.${local}`, '}')
    }
  }
  const text = formatHcl(`${lines.join('\n')}\n`, options.filename)
  return {text, addresses, skipped, endpointsLocal: local}
}

type Reference = (kind: KindName, key: string) => string | undefined

function attr(name: string, value: string): string {
  return `  ${name} = ${value}`
}

function body(object: GeneratedObject, label: string, reference: Reference): string[] {
  switch (object.kind) {
    case 'project':
      return projectBody(object.attrs, label)
    case 'oidc_group':
      return groupBody(object.attrs, label)
    case 'robot':
      return robotBody(object.attrs, label, reference)
    case 'project_member':
      return memberBody(object.attrs, reference)
  }
}

function projectBody(a: Attrs, label: string): string[] {
  const out: string[] = []
  if (a.name !== label) out.push(attr('name', hclString(String(a.name))))
  out.push(attr('public', String(a.public === true)))
  for (const flag of ['auto_scan', 'prevent_vul', 'reuse_sys_cve_allowlist']) {
    if (typeof a[flag] === 'boolean') out.push(attr(flag, String(a[flag])))
  }
  if (typeof a.severity === 'string') out.push(attr('severity', hclString(a.severity)))
  if (typeof a.storage_limit === 'number') out.push(attr('storage_limit', hclString(formatStorageLimit(a.storage_limit))))
  const allowlist = Array.isArray(a.cve_allowlist) ? a.cve_allowlist : []
  if (allowlist.length > 0) out.push(attr('cve_allowlist', hclValue(allowlist)))
  if (typeof a.cve_allowlist_expires_at === 'number')
    out.push(attr('cve_allowlist_expires_at', String(a.cve_allowlist_expires_at)))
  return out
}

function groupBody(a: Attrs, label: string): string[] {
  const out: string[] = []
  if (a.name !== label) out.push(attr('name', hclString(String(a.name))))
  if (a.type !== 'oidc') out.push(attr('type', hclString(String(a.type))))
  if (typeof a.ldap_dn === 'string') out.push(attr('ldap_dn', hclString(a.ldap_dn)))
  return out
}

interface PermissionAttrs {
  kind: string
  namespace: string
  access: string[]
}

function robotBody(a: Attrs, label: string, reference: Reference): string[] {
  const out: string[] = []
  const project = typeof a.project === 'string' ? a.project : undefined
  if (a.name !== label) out.push(attr('name', hclString(String(a.name))))
  if (project !== undefined) out.push(attr('project', reference('project', project) ?? hclString(project)))
  if (a.description !== '' && a.description !== undefined) out.push(attr('description', hclString(String(a.description))))
  if (a.duration !== -1 && a.duration !== undefined) out.push(attr('duration', String(a.duration)))
  if (a.disable === true) out.push(attr('disable', 'true'))
  out.push(
    '  # Harbor never returns a robot secret, so this one cannot be known. To have hrep set a secret you',
    '  # choose (now and on every endpoint of this block), set the variable and uncomment the line:',
    `  # secret = env("${secretVariable(label)}")`,
  )
  for (const permission of (a.permissions as PermissionAttrs[] | undefined) ?? []) {
    out.push('  permission {')
    if (project === undefined) {
      const namespace =
        permission.namespace === '*' || permission.namespace === '/'
          ? hclString(permission.namespace)
          : (reference('project', permission.namespace) ?? hclString(permission.namespace))
      // The kind follows from the namespace ("/" is system scope); say it only when it does not.
      const implied = permission.namespace === '/' ? 'system' : 'project'
      if (permission.kind !== implied) out.push(`    kind = ${hclString(permission.kind)}`)
      out.push(`    namespace = ${namespace}`)
    }
    out.push(`    access = ${hclValue(permission.access)}`, '  }')
  }
  return out
}

function memberBody(a: Attrs, reference: Reference): string[] {
  const project = String(a.project)
  const out = [attr('project', reference('project', project) ?? hclString(project))]
  if (typeof a.user === 'string') out.push(attr('user', hclString(a.user)))
  else {
    const group = String(a.group)
    const ref = reference('oidc_group', group)
    if (ref !== undefined) out.push(attr('group', ref))
    else {
      out.push(attr('group', hclString(group)))
      if (typeof a.group_type === 'string' && a.group_type !== 'oidc') out.push(attr('group_type', hclString(a.group_type)))
    }
  }
  out.push(attr('role', hclString(String(a.role))))
  return out
}
