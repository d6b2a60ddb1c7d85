/**
 * Tuple and object constructors that fail, against HashiCorp's HCL: every diagnostic (summary,
 * detail, start and end line:column), not only the first error's line that the differential test
 * compares. One input per way a collection's item loop can end badly (missing separators, end of
 * file, failed items, the object's key/value separator) and per recovery rule (what is reported,
 * and what is silenced, after the first error).
 */
import {describe, expect, it} from 'vitest'
import {parseHcl} from '../../../src/config/hcl/index.js'
import {ConfigError} from '../../../src/model/errors.js'
import {oracleParse} from './oracle.js'

const FILE = 'collection-probe.hcl'

/** A diagnostic as both parsers can state it: `L,C-[L,]C: Summary; Detail` (hcl.Diagnostic's text). */
type Stated = string

/** The oracle's diagnostics for `text`, one string each, or 'ok' when it accepts the text. */
async function theirs(text: string): Promise<Stated[] | 'ok'> {
  try {
    await oracleParse(FILE, text)
    return 'ok'
  } catch (error) {
    const message = (error as Error).message
    const list = /^parse config: \[(.*)\]$/s.exec(message)
    if (!list) throw new Error(`unexpected oracle message: ${message}`)
    // Diagnostics are joined by spaces, each starting with the file name.
    return list[1].split(new RegExp(`(?:^| )${FILE.replaceAll('.', '\\.')}:`)).filter((part) => part !== '')
  }
}

/** Ours, stated the same way. */
function ours(text: string): Stated[] | 'ok' {
  try {
    parseHcl(text, FILE)
    return 'ok'
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return error.diagnostics.map((d) => {
      const {start, end} = d.range!
      const to = start.line === end.line ? `${end.column}` : `${end.line},${end.column}`
      return `${start.line},${start.column}-${to}: ${d.summary}; ${d.detail}`
    })
  }
}

const PROBES: ReadonlyArray<[what: string, text: string]> = [
  ['tuple: no comma between items', 'a = [1 2]\n'],
  ['tuple: end of file after an item', 'a = [1, 2'],
  ['tuple: end of file after a comma', 'a = [1,\n'],
  ['tuple: a newline does not separate items', 'a = [1\n2]\n'],
  ['tuple: a failed item', 'a = [1, ), 2]\n'],
  ['tuple: a bracket of another kind closes it', 'a = [1, 2}\n'],
  ['object: no separator between items', 'a = {x = 1 y = 2}\n'],
  ['object: end of file after a value', 'a = {x = 1'],
  ['object: end of file after a key', 'a = {x'],
  ['object: end of file after a newline', 'a = {x = 1\n'],
  ['object: a key without a value, then a newline', 'a = {x\n}\n'],
  ['object: a key without a value, then a comma', 'a = {x, y = 1}\n'],
  ['object: a name after a key', 'a = {x y}\n'],
  ['object: something else after a key', 'a = {x 1}\n'],
  ['object: a failed key', 'a = {) = 1}\n'],
  ['object: a failed value', 'a = {x = ), y = 2}\n'],
  ['object: a bracket of another kind closes it', 'a = {x = 1]\n'],
  ['nested: the inner failure ends both', 'a = [{x = 1 y = 2}, 3 4]\n'],
  ['nested: an object in a tuple, end of file after a value', 'a = [1, {x = 1'],
  ['nested: an object in a tuple, end of file after a newline', 'a = [1, {x = 1\n'],
  ['recovery: later separator errors are silenced', 'a = [1 2]\nb = {x = 1 y = 2}\nc = [3 4]\n'],
  ['recovery: escape errors are still reported', 'a = [1 2]\nb = ["\\q"]\n'],
  ['recovery: lexical errors come first', "a = {x = 'y' z = 1}\nb = [1 2]\n"],
  ['recovery: an error outside collections first', 'a = 1 +\nb = [1 2]\n'],
  ['for on the next line, then a bad item', 'a = {\n  for k in v : k => v\n  x = 1\n}\n'],
  [
    'valid: newlines, blank lines, comments and trailing commas',
    'a = {\n  x = [\n    1, # one\n\n    2,\n  ]\n\n  y: 3,\n  /* z */ z = {}\n}\n',
  ],
]

describe('collection constructors: the same diagnostics as HashiCorp HCL', () => {
  it.each(PROBES)('%s', async (_what, text) => {
    expect(ours(text)).toEqual(await theirs(text))
  })
})
