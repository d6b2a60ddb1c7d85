/**
 * Helpers for the config tests: load configuration text with a clean environment, collect the
 * diagnostics of a load that must fail, and evaluate one expression on its own.
 */
import {expect} from 'vitest'
import {DiagnosticBag} from '../../src/config/diagnostic-bag.js'
import {type EvalHost, Evaluator} from '../../src/config/evaluate.js'
import {parseHcl} from '../../src/config/hcl/index.js'
import {type LoadOptions, loadConfigFromSources} from '../../src/config/load.js'
import type {LoadedConfig} from '../../src/config/model.js'
import {poison, type Value} from '../../src/config/values.js'
import {ConfigError, type Diagnostic} from '../../src/model/errors.js'

/** Two endpoints most tests need. */
export const ENDPOINTS = `
endpoint "primary" {
  url      = "https://harbor-a.example.com"
  username = "admin"
  password = "Harbor12345"
}

endpoint "dr" {
  url      = "https://harbor-b.example.com"
  username = "admin"
  password = "Harbor12345"
}
`

function sourcesOf(text: string | Record<string, string>): Record<string, string> {
  return typeof text === 'string' ? {'main.hcl': text} : text
}

/** Loads text (one `main.hcl`, or path → text) with an empty environment unless one is given. */
export function load(text: string | Record<string, string>, options: LoadOptions = {}): LoadedConfig {
  return loadConfigFromSources(sourcesOf(text), {env: {}, baseDir: '/tmp/hrep-config-test', ...options})
}

/** The ConfigError of a load that must fail. */
export function loadError(text: string | Record<string, string>, options: LoadOptions = {}): ConfigError {
  try {
    load(text, options)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected the configuration to be rejected')
}

/** The error diagnostics of a load that must fail. */
export function loadErrors(text: string | Record<string, string>, options: LoadOptions = {}): Diagnostic[] {
  return loadError(text, options).diagnostics.filter((d) => d.severity === 'error')
}

/** `file:line:column` of a diagnostic, for compact assertions. */
export function where(diagnostic: Diagnostic): string {
  const r = diagnostic.range
  return r ? `${r.file}:${r.start.line}:${r.start.column}` : '-'
}

/** The text a diagnostic's range covers in `source`. */
export function covered(diagnostic: Diagnostic, source: string): string {
  const r = diagnostic.range
  if (!r) return ''
  return Buffer.from(source, 'utf8').subarray(r.start.byte, r.end.byte).toString('utf8')
}

/**
 * Evaluates one expression with `var.NAME` bound to `vars` and nothing else, and returns its value
 * and the diagnostics it produced.
 */
export function evaluateExpression(
  expression: string,
  vars: Record<string, Value> = {},
  env: Record<string, string | undefined> = {},
): {value: Value; diagnostics: Diagnostic[]; source: string} {
  const source = `x = ${expression}\n`
  const file = parseHcl(source, 'expr.hcl')
  const item = file.body.items[0]
  if (item?.type !== 'Attribute') throw new Error('not an attribute')
  const diagnostics = new DiagnosticBag()
  const host: EvalHost = {
    diagnostics,
    functionContext: {baseDir: '/tmp', env},
    isRoot: (name) => name === 'var',
    resolve(_root, name, at) {
      if (Object.hasOwn(vars, name)) return vars[name] as Value
      diagnostics.error('Reference to undeclared input variable', at.range)
      return poison
    },
    bareRoot: (_root, range) => diagnostics.error('Invalid reference', range),
    rootNames: () => ['var'],
  }
  const value = new Evaluator(host).evaluate(item.expr)
  return {value, diagnostics: diagnostics.items, source}
}
