import {BaseCommand} from '../cli/base-command.js'
import type {Colors} from '../cli/color.js'
import {renderDiagnostics} from '../cli/diagnostics.js'
import {configFlags, loadOptionsFromFlags} from '../cli/flags.js'
import {loadConfig} from '../config/load.js'
import type {LoadedConfig} from '../config/model.js'
import {KIND_NAMES} from '../model/change.js'
import {ConfigError, type Diagnostic, isHrepError} from '../model/errors.js'

/** `format_version` of the `--json` output; raised only by an incompatible change (docs/config.md). */
export const VALIDATE_FORMAT_VERSION = '1'

/** One diagnostic in `hrep validate --json`, shaped like `terraform validate -json`. */
export interface ValidateJsonDiagnostic {
  severity: 'error' | 'warning'
  summary: string
  detail: string
  address?: string
  range?: {
    filename: string
    start: {line: number; column: number; byte: number}
    end: {line: number; column: number; byte: number}
  }
}

/** The whole `hrep validate --json` document (documented in docs/config.md). */
export interface ValidateJson {
  format_version: string
  valid: boolean
  error_count: number
  warning_count: number
  diagnostics: ValidateJsonDiagnostic[]
  endpoints: {name: string; url: string; insecure: boolean}[]
  resources: {address: string; kind: string; endpoints: string[]}[]
  replicates: {name: string; from: string; to: string[]; kinds: string[]; prune: boolean}[]
  imports: {to: string; id: string; endpoint: string}[]
}

function jsonDiagnostic(diagnostic: Diagnostic): ValidateJsonDiagnostic {
  const {range} = diagnostic
  return {
    severity: diagnostic.severity,
    summary: diagnostic.summary,
    detail: diagnostic.detail ?? '',
    ...(diagnostic.address === undefined ? {} : {address: diagnostic.address}),
    ...(range === undefined ? {} : {range: {filename: range.file, start: {...range.start}, end: {...range.end}}}),
  }
}

/** The `--json` document for a load that succeeded (config) or failed (diagnostics). */
export function validateJson(config: LoadedConfig | undefined, diagnostics: readonly Diagnostic[]): ValidateJson {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  return {
    format_version: VALIDATE_FORMAT_VERSION,
    valid: errors === 0 && config !== undefined,
    error_count: errors,
    warning_count: diagnostics.length - errors,
    diagnostics: diagnostics.map(jsonDiagnostic),
    endpoints: (config?.endpoints ?? []).map((e) => ({name: e.name, url: e.url, insecure: e.insecure})),
    resources: (config?.resources ?? []).map((r) => ({address: r.address, kind: r.kind, endpoints: [...r.endpoints]})),
    replicates: (config?.replicates ?? []).map((r) => ({
      name: r.name,
      from: r.from,
      to: [...r.to],
      kinds: [...r.kinds],
      prune: r.prune,
    })),
    imports: (config?.imports ?? []).map((i) => ({to: i.to, id: i.id, endpoint: i.endpoint})),
  }
}

/** The human summary of a valid configuration (no secret can reach it: only names, URLs and counts). */
export function validateSummary(config: LoadedConfig, dir: string, c: Colors): string[] {
  const lines: string[] = []
  const files = config.files.length
  lines.push(`Configuration in ${dir} (${files} file${files === 1 ? '' : 's'})`, '')
  const nameWidth = Math.max(0, ...config.endpoints.map((e) => e.name.length))
  lines.push(c.bold(`Endpoints (${config.endpoints.length})`))
  for (const endpoint of config.endpoints) {
    lines.push(
      `  ${endpoint.name.padEnd(nameWidth)}  ${endpoint.url}${endpoint.insecure ? c.yellow('  (TLS not verified)') : ''}`,
    )
  }
  lines.push('', c.bold(`Resources (${config.resources.length})`))
  const counts = new Map<string, number>()
  for (const resource of config.resources) counts.set(resource.kind, (counts.get(resource.kind) ?? 0) + 1)
  const kindWidth = Math.max(...KIND_NAMES.map((k) => k.length))
  for (const kind of KIND_NAMES) {
    const count = counts.get(kind)
    if (count) lines.push(`  ${kind.padEnd(kindWidth)}  ${count}`)
  }
  if (config.resources.length === 0) lines.push('  (none)')
  if (config.replicates.length > 0) {
    lines.push('', c.bold(`Replicate (${config.replicates.length})`))
    for (const r of config.replicates) {
      lines.push(`  ${r.name}: ${r.from} → ${r.to.join(', ')} (${r.kinds.join(', ')}; prune ${r.prune ? 'on' : 'off'})`)
    }
  }
  if (config.imports.length > 0) {
    lines.push('', c.bold(`Import (${config.imports.length})`))
    for (const i of config.imports) lines.push(`  ${i.to}@${i.endpoint} ← id ${JSON.stringify(i.id)}`)
  }
  return lines
}

export default class Validate extends BaseCommand {
  static override summary = 'Check the configuration without contacting Harbor or reading state.'
  static override description =
    'Loads every *.hcl file of the configuration directory, evaluates it and validates every block. ' +
    'Prints what it found, or every problem with its file:line:column. Exit status 1 when the configuration is invalid.'
  static override examples = [
    '<%= config.bin %> validate',
    '<%= config.bin %> validate -c fixtures/demo --var dr_url=https://harbor-b.example.com',
    '<%= config.bin %> validate --json',
  ]
  static override flags = {...configFlags}

  async run(): Promise<void> {
    const {flags} = await this.parse(Validate)
    let config: LoadedConfig
    try {
      const {dir, options} = loadOptionsFromFlags(flags)
      config = await loadConfig(dir, options)
    } catch (error) {
      if (!flags.json) throw error
      if (error instanceof ConfigError) {
        this.out(JSON.stringify(validateJson(undefined, error.diagnostics), null, 2))
        process.exitCode = 1
        return
      }
      if (isHrepError(error)) {
        this.out(JSON.stringify(validateJson(undefined, [{severity: 'error', summary: error.message}]), null, 2))
        process.exitCode = 1
        return
      }
      throw error
    }
    if (flags.json) {
      this.out(JSON.stringify(validateJson(config, config.warnings), null, 2))
      return
    }
    if (config.warnings.length > 0)
      this.err(`${renderDiagnostics(config.warnings, config.sources, this.errColors(flags['no-color']))}\n`)
    const c = this.colors(flags['no-color'])
    for (const line of validateSummary(config, flags.config, c)) this.out(line)
    this.out()
    this.out(
      c.green(
        c.bold(
          config.warnings.length > 0
            ? 'Success! The configuration is valid, but there were warnings (above).'
            : 'Success! The configuration is valid.',
        ),
      ),
    )
  }
}
