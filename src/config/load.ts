/**
 * The config loader: every `*.hcl` file of a directory into the typed model of `model.ts`. Parse all
 * files; sort their blocks into declarations; evaluate variables, then locals, endpoints and resources
 * in dependency order; validate each block with its schema; build the model. Every problem of every
 * stage is collected, and the load fails with one ConfigError holding all of them (and the file texts,
 * so the CLI can show each line with a caret). No secret ever appears in a diagnostic.
 */
import {createHash} from 'node:crypto'
import {readFile, readdir, stat} from 'node:fs/promises'
import {basename, join, resolve} from 'node:path'
import type {KindName} from '../model/change.js'
import {ConfigError, type Diagnostic} from '../model/errors.js'
import type {Kind} from '../kinds/kind.js'
import {kinds as registeredKinds} from '../kinds/registry.js'
import type {ConfigFile} from './hcl/ast.js'
import {parseHcl} from './hcl/index.js'
import {ConfigContext, type KindFacts} from './context.js'
import {collectDeclarations} from './declarations.js'
import {DiagnosticBag} from './diagnostic-bag.js'
import {schemaKeys} from './issues.js'
import type {LoadedConfig} from './model.js'
import {buildResources, instancesByAddress} from './resources.js'
import {buildEndpoints, buildHrepSettings, buildImports, buildReplicates} from './settings.js'
import {evaluateVariables} from './variables.js'
import {maskSources, scrubDiagnostics} from './mask.js'
import {type Value, containsSecret, isObjectValue} from './values.js'
import {isSecret} from '../model/secret.js'

export interface LoadOptions {
  /** `--var name=value` values (they win over `HREP_VAR_name` and defaults). */
  vars?: Record<string, string>
  /** The environment for `env()` and `HREP_VAR_name` (default: process.env). */
  env?: Record<string, string | undefined>
  /** The config directory: `file()` and relative paths resolve against it (default: the loaded directory, or the cwd). */
  baseDir?: string
  /** The resource kinds (default: the registry); tests may pass their own. */
  kinds?: Readonly<Record<KindName, Kind>>
}

/** Loads every `*.hcl` file in `dir` (sorted by name; hidden files skipped). */
export async function loadConfig(dir: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const names = await configFileNames(dir)
  const sources: Record<string, string> = {}
  for (const name of names) {
    const path = join(dir, name)
    try {
      sources[path] = await readFile(path, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error'
      throw new ConfigError([{severity: 'error', summary: 'Cannot read configuration file', detail: `${path}: ${code}.`}])
    }
  }
  return loadConfigFromSources(sources, {...options, baseDir: options.baseDir ?? dir})
}

async function configFileNames(dir: string): Promise<string[]> {
  const fail = (summary: string, detail: string): never => {
    throw new ConfigError([{severity: 'error', summary, detail}])
  }
  const names: string[] = []
  try {
    const info = await stat(dir)
    if (!info.isDirectory())
      fail('Not a configuration directory', `${dir} is a file; -c/--config takes the directory that holds the *.hcl files.`)
    for (const entry of await readdir(dir, {withFileTypes: true})) {
      if (!entry.name.endsWith('.hcl') || entry.name.startsWith('.')) continue
      // A symlink counts when it leads to a file; directories named *.hcl do not.
      const isFile =
        entry.isFile() || (entry.isSymbolicLink() && (await stat(join(dir, entry.name)).catch(() => undefined))?.isFile())
      if (isFile) names.push(entry.name)
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error
    const code = (error as NodeJS.ErrnoException).code
    fail(
      'Configuration directory not found',
      `${dir} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'unknown error'})`}.`,
    )
  }
  names.sort()
  if (names.length === 0) fail('No configuration files', `There is no *.hcl file in ${dir}.`)
  return names
}

/**
 * Loads configuration text given as path → content (for tests and the benchmark). Paths are used
 * as given in diagnostics; `options.baseDir` (default: the cwd) is the config directory.
 */
export function loadConfigFromSources(sources: Record<string, string>, options: LoadOptions = {}): LoadedConfig {
  const dir = resolve(options.baseDir ?? '.')
  const paths = Object.keys(sources).sort((a, b) => compare(basename(a), basename(b)) || compare(a, b))
  const diagnostics = new DiagnosticBag()
  if (paths.length === 0)
    diagnostics.error('No configuration files', undefined, `There is no *.hcl file in ${options.baseDir ?? '.'}.`)
  const files: ConfigFile[] = []
  for (const path of paths) {
    try {
      files.push(parseHcl(sources[path] as string, path))
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      for (const diagnostic of error.diagnostics) diagnostics.add(diagnostic)
    }
  }
  // After a syntax error, evaluating the rest would only report its consequences.
  if (diagnostics.hasErrors()) throw new ConfigError(sorted(diagnostics.items), sources)

  const kinds = options.kinds ?? registeredKinds
  const functionContext = {baseDir: dir, env: options.env ?? process.env}
  const declarations = collectDeclarations(files, diagnostics)
  const variables = evaluateVariables(
    declarations.variables,
    {vars: options.vars ?? {}, env: functionContext.env},
    functionContext,
    diagnostics,
  )
  const kindFacts = new Map<KindName, KindFacts>()
  const factsOf = (kind: KindName): KindFacts => {
    let facts = kindFacts.get(kind)
    if (facts === undefined) {
      facts = {hasName: schemaKeys(kinds[kind].configSchema).includes('name'), sensitive: new Set(kinds[kind].sensitive)}
      kindFacts.set(kind, facts)
    }
    return facts
  }
  const context = new ConfigContext(declarations, variables, diagnostics, functionContext, factsOf)
  context.evaluateAll()
  const hrep = buildHrepSettings(context, declarations.hrep, dir)
  const endpoints = buildEndpoints(context, hrep, dir)
  const endpointNames = [...declarations.endpoints.keys()]
  if (endpointNames.length === 0 && files.length > 0) {
    diagnostics.error(
      'No endpoint declared',
      undefined,
      'hrep needs at least one endpoint "NAME" { url = ..., username = ..., password = ... } block.',
    )
  }
  const resources = buildResources(context, kinds, endpointNames)
  const replicates = buildReplicates(context)
  const imports =
    declarations.imports.length === 0
      ? []
      : buildImports(
          context,
          instancesByAddress(context),
          endpointNames,
          new Map(resources.map((resource) => [resource.address, resource])),
          kinds,
        )

  // Diagnostics show source lines: a secret written literally in a file must not appear there either.
  const secrets = secretTexts(context, variables, kinds)
  const shownSources = maskSources(files, sources, secrets)
  if (diagnostics.hasErrors()) throw new ConfigError(scrubDiagnostics(sorted(diagnostics.items), secrets), shownSources)
  // Hashed when first read (saving or checking a plan), not by every load: validate, plan without
  // --out and the daemon's loads never read it, and hashing is ~0.7 ms per 600 KB.
  let hash: string | undefined
  return {
    dir,
    files: paths.map((path) => resolve(path)),
    hrep,
    endpoints,
    resources,
    replicates,
    imports,
    get hash() {
      hash ??= hashSources(sources, paths)
      return hash
    },
    sources: shownSources,
    warnings: scrubDiagnostics(sorted(diagnostics.items), secrets),
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** sha256 over the sorted file names and contents: a saved plan records it to notice a changed config. */
export function hashSources(sources: Record<string, string>, paths = Object.keys(sources).sort()): string {
  const hash = createHash('sha256')
  // Piece by piece: the same bytes as one string of name, NUL, text, NUL, without copying the text.
  for (const path of paths)
    hash
      .update(basename(path))
      .update('\u0000')
      .update(sources[path] as string)
      .update('\u0000')
  return hash.digest('hex')
}

/** Diagnostics in file order (those without a place first), stable otherwise. */
function sorted(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({d, i}))
    .sort((a, b) => {
      const ra = a.d.range
      const rb = b.d.range
      if (!ra || !rb) return (ra ? 1 : 0) - (rb ? 1 : 0) || a.i - b.i
      return compare(ra.file, rb.file) || ra.start.byte - rb.start.byte || a.i - b.i
    })
    .map(({d}) => d)
}

/** The text of every secret the load saw: endpoint passwords, sensitive attributes, sensitive variables. */
function secretTexts(
  context: ConfigContext,
  variables: ReadonlyMap<string, Value>,
  kinds: Readonly<Record<KindName, Kind>>,
): Set<string> {
  const texts = new Set<string>()
  const collect = (value: Value | undefined): void => {
    if (isSecret(value)) texts.add(value.reveal())
    else if (typeof value === 'string') texts.add(value)
    else if (Array.isArray(value)) value.forEach(collect)
    else if (isObjectValue(value)) Object.values(value).forEach(collect)
  }
  for (const endpoint of context.endpointInstances.values()) collect(endpoint.body.password)
  for (const declaration of context.declarations.resources) {
    // Most kinds have no sensitive attribute: their instances are not looked at.
    const {sensitive} = kinds[declaration.kind]
    if (sensitive.length === 0) continue
    for (const instance of context.instancesOf(declaration)) for (const key of sensitive) collect(instance.body[key])
  }
  for (const value of variables.values()) if (containsSecret(value)) collect(value)
  return texts
}
