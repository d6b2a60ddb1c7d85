// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are HCL source, where ${} is interpolation
/**
 * Robustness of the loader: thousands of mutated versions of valid configurations (the HCL tests'
 * seeded mutation generator applied to one file of a configuration directory) go through
 * loadConfigFromSources. Each must load or throw ConfigError whose diagnostics point inside the
 * given files; nothing else may escape. Set HREP_FUZZ_SEED to replay a run (the seed is printed).
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseHcl} from '../../src/config/hcl/index.js'
import {lex} from '../../src/config/hcl/lexer.js'
import {loadConfigFromSources} from '../../src/config/load.js'
import {ConfigError} from '../../src/model/errors.js'
import {repoRoot} from '../helpers/cli.js'
import {MUTATION_KINDS, mutate, seededRandom} from './hcl/mutate.js'

const INPUTS = 2500

/** Every valid configuration directory the project ships, as path → text. */
function configurations(): Record<string, string>[] {
  const dirs = [join(repoRoot, 'fixtures/demo'), ...['full', 'mirror'].map((name) => join(repoRoot, 'fixtures/config', name))]
  return dirs.map((dir) =>
    Object.fromEntries(
      readdirSync(dir)
        .filter((name) => name.endsWith('.hcl'))
        .sort()
        .map((name) => [join(dir, name), readFileSync(join(dir, name), 'utf8')]),
    ),
  )
}

/** Words that keep a file parseable but change what it means: names, roots, literals of every type. */
const IDENTS = [
  'var',
  'local',
  'each',
  'endpoint',
  'project',
  'robot',
  'oidc_group',
  'null',
  'true',
  'false',
  'for_each',
  'endpoints',
  'name',
  'nope',
  'key',
  'value',
  'primary',
  'dr',
  'team',
  'permission',
  'hrep',
  'retry',
]
const QUOTED = [
  '',
  'x',
  'team-*',
  'CVE-1',
  '30s',
  '0',
  'robot$x',
  'UPPER',
  '-1',
  'unlimited',
  'rotate',
  'project',
  '${null}',
  '%{ if true }y%{ endif }',
]
const NUMBERS = ['0', '1', '1.5', '99999999999', '256']

/**
 * Replaces one identifier, number or string text with another from the lists above: the result
 * mostly still parses, so it exercises the evaluator and the schemas rather than the parser.
 */
function replaceWord(text: string, random: () => number): string {
  const tokens = lex(text, 'mutate.hcl').tokens.filter(
    (t) => t.kind === 'Ident' || t.kind === 'NumberLit' || t.kind === 'QuotedLit',
  )
  if (tokens.length === 0) return text
  const token = tokens[Math.floor(random() * tokens.length)]!
  const words = token.kind === 'Ident' ? IDENTS : token.kind === 'NumberLit' ? NUMBERS : QUOTED
  return text.slice(0, token.start) + words[Math.floor(random() * words.length)] + text.slice(token.end)
}

/** Why a thrown value breaks the loader's contract, or undefined when it keeps it. */
function contractProblem(error: unknown, sources: Record<string, string>): string | undefined {
  if (!(error instanceof ConfigError))
    return `threw ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`
  if (error.diagnostics.length === 0) return 'ConfigError without diagnostics'
  for (const diagnostic of error.diagnostics) {
    const range = diagnostic.range
    if (!range) continue
    const text = sources[range.file]
    if (text === undefined) return `diagnostic "${diagnostic.summary}" names an unknown file ${range.file}`
    const bytes = Buffer.byteLength(text, 'utf8')
    if (range.start.byte < 0 || range.end.byte > bytes || range.start.byte > range.end.byte || range.start.line < 1) {
      return `diagnostic "${diagnostic.summary}" has a range outside its file: ${JSON.stringify(range)}`
    }
  }
  return undefined
}

describe('loadConfigFromSources on mutated configurations', () => {
  it(`ends in a model or a ConfigError for ${INPUTS} mutations`, () => {
    const seed = process.env.HREP_FUZZ_SEED ? Number(process.env.HREP_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31)
    console.log(`config robustness seed: ${seed} (replay with HREP_FUZZ_SEED=${seed})`)
    const random = seededRandom(seed)
    const configs = configurations()
    for (const config of configs) expect(() => loadConfigFromSources(config, {env: {}, baseDir: repoRoot})).not.toThrow()
    const failures: string[] = []
    const outcomes = {loaded: 0, syntax: 0, semantic: 0}
    for (let index = 0; index < INPUTS; index++) {
      const config = configs[Math.floor(random() * configs.length)]!
      const paths = Object.keys(config)
      const path = paths[Math.floor(random() * paths.length)]!
      // Half the inputs get the HCL tests' mutations (mostly syntax errors), half a change of words.
      let text: string
      if (random() < 0.5) {
        text = mutate(config[path]!, MUTATION_KINDS[Math.floor(random() * MUTATION_KINDS.length)]!, random)
        if (random() < 0.3) text = mutate(text, MUTATION_KINDS[Math.floor(random() * MUTATION_KINDS.length)]!, random)
      } else {
        text = replaceWord(config[path]!, random)
        if (random() < 0.5) text = replaceWord(text, random)
      }
      const sources = {...config, [path]: text}
      try {
        loadConfigFromSources(sources, {env: {}, baseDir: repoRoot})
        outcomes.loaded++
      } catch (error) {
        const problem = contractProblem(error, sources)
        if (problem) failures.push(`#${index} (${path}): ${problem}\n--- input ---\n${text}`)
        else if (isSyntaxError(text, path)) outcomes.syntax++
        else outcomes.semantic++
      }
    }
    if (process.env.HREP_FUZZ_VERBOSE) console.log(outcomes)
    expect(failures.slice(0, 3).join('\n\n'), `seed ${seed}`).toBe('')
    // All three outcomes must occur, or the mutations do not reach the evaluator.
    expect(outcomes.loaded).toBeGreaterThan(100)
    expect(outcomes.syntax).toBeGreaterThan(500)
    expect(outcomes.semantic).toBeGreaterThan(500)
  })
})

function isSyntaxError(text: string, path: string): boolean {
  try {
    parseHcl(text, path)
    return false
  } catch {
    return true
  }
}
