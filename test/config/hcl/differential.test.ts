/**
 * Differential test against HashiCorp's HCL (the oracle, @cdktn/hcl2json): every file of the
 * valid corpus must convert to the same JSON through our parser as through the oracle; every
 * file of the invalid corpus must be rejected by both, ours at the line of the oracle's first
 * diagnostic; and the probe snippets must get the same verdict.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseHcl} from '../../../src/config/hcl/index.js'
import {ConfigError} from '../../../src/model/errors.js'
import {repoRoot} from '../../helpers/cli.js'
import {OracleConversionLimit, oracleFirstErrorLine, oracleParse, toOracleJson} from './oracle.js'
import {SNIPPETS} from './snippets.js'

const validDir = join(repoRoot, 'fixtures/hcl/valid')
const invalidDir = join(repoRoot, 'fixtures/hcl/invalid')
const validFiles = readdirSync(validDir)
  .filter((f) => f.endsWith('.hcl'))
  .sort()
const invalidFiles = readdirSync(invalidDir)
  .filter((f) => f.endsWith('.hcl'))
  .sort()

function read(path: string): string {
  return readFileSync(path, 'utf8')
}

type Verdict = {ok: true; json: unknown} | {ok: false; line: number | undefined; message: string} | {limit: true}

async function oracleVerdict(name: string, text: string): Promise<Verdict> {
  try {
    return {ok: true, json: await oracleParse(name, text)}
  } catch (error) {
    const message = (error as Error).message
    // Failures of hcl2json's converter (after a successful parse) are limitations of the oracle.
    if (!message.startsWith('parse config:')) return {limit: true}
    return {ok: false, line: oracleFirstErrorLine(message), message}
  }
}

function ourVerdict(name: string, text: string): Verdict {
  try {
    return {ok: true, json: toOracleJson(parseHcl(text, name))}
  } catch (error) {
    if (error instanceof OracleConversionLimit) return {limit: true}
    if (!(error instanceof ConfigError)) throw error
    return {ok: false, line: error.diagnostics[0]?.range?.start.line, message: error.message}
  }
}

describe('the corpus', () => {
  it('has at least 60 valid and 30 invalid files', () => {
    expect(validFiles.length).toBeGreaterThanOrEqual(60)
    expect(invalidFiles.length).toBeGreaterThanOrEqual(30)
  })
})

describe('valid corpus: same JSON as HashiCorp HCL', () => {
  it.each(validFiles)('%s', async (file) => {
    const text = read(join(validDir, file))
    const theirs = await oracleVerdict(file, text)
    expect(theirs).toMatchObject({ok: true})
    expect(ourVerdict(file, text)).toEqual(theirs)
  })
})

describe('invalid corpus: rejected by both, at the same line', () => {
  it.each(invalidFiles)('%s', async (file) => {
    const text = read(join(invalidDir, file))
    const theirs = await oracleVerdict(file, text)
    expect(theirs).toMatchObject({ok: false})
    const ours = ourVerdict(file, text)
    expect(ours).toMatchObject({ok: false})
    expect((ours as {line: number}).line, (theirs as {message: string}).message).toBe((theirs as {line: number}).line)
  })
})

describe('probe snippets: same verdict as HashiCorp HCL', () => {
  it('has the research edge cases and our own', () => {
    expect(SNIPPETS.length).toBeGreaterThan(300)
  })

  it.each(SNIPPETS.map((s) => [JSON.stringify(s).slice(0, 70), s]))('%s', async (_label, text) => {
    const theirs = await oracleVerdict('t.hcl', text)
    const ours = ourVerdict('t.hcl', text)
    if ('limit' in theirs) {
      // The oracle parsed it but could not convert it; we must at least accept it.
      expect(ours).not.toMatchObject({ok: false})
      return
    }
    if (theirs.ok) {
      expect(ours).toEqual(theirs)
    } else {
      expect(ours).toMatchObject({ok: false, line: theirs.line})
    }
  })
})
