// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL source text is full of ${...} sequences.
/**
 * The formatter: canonical layout on small cases, and on the whole corpus idempotence and
 * meaning preservation (same tokens; same oracle JSON up to white space inside the expression
 * source the oracle copies).
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {formatHcl, parseHcl} from '../../../src/config/hcl/index.js'
import {ConfigError} from '../../../src/model/errors.js'
import {repoRoot} from '../../helpers/cli.js'
import {oracleParse} from './oracle.js'
import {significantTokens} from './tokens.js'

const fmt = (source: string) => formatHcl(source, 'main.hcl')

describe('formatHcl layout', () => {
  it('indents by two spaces per level and aligns the = of consecutive attributes', () => {
    const source = 'hrep {\n\tstate=  "s.json"\n        parallelism = 8\n  x = {\n  a = 1\n      bb = 2\n  }\n}\n'
    expect(fmt(source)).toBe('hrep {\n  state       = "s.json"\n  parallelism = 8\n  x = {\n    a  = 1\n    bb = 2\n  }\n}\n')
  })

  it('ends an alignment run at a blank line, a comment line or a multi-line value', () => {
    expect(fmt('a = 1\nlong_name = 2\n\nb = 3\nc_long = 4\n# note\nd = 5\nee = [\n  1,\n]\nf = 6\n')).toBe(
      'a         = 1\nlong_name = 2\n\nb      = 3\nc_long = 4\n# note\nd = 5\nee = [\n  1,\n]\nf = 6\n',
    )
  })

  it('aligns across a blank line it removes, so a second pass changes nothing (found by the fuzz test, seed 30)', () => {
    // The blank line after an opening bracket goes; the two trailing comments then form one run.
    const once = fmt('list = [# first\n\n  "b", // second\n]\n')
    expect(once).toBe('list = [ # first\n  "b",   // second\n]\n')
    expect(fmt(once)).toBe(once)
  })

  it('takes the line ending of the first line with content, so files that mix endings format the same twice', () => {
    // Found by the fuzz test (seeds 180 and 281): a blank first line decided the ending, then was dropped.
    for (const source of ['\nscript = <<EOT\r\necho hi\r\nEOT\r\n\r\na = 1\r\n', '\r\nscript = <<EOT\necho hi\nEOT\n\na = 1\n']) {
      const once = fmt(source)
      expect(once).toBe(source.slice(source.indexOf('s')))
      expect(fmt(once)).toBe(once)
    }
  })

  it('aligns by the text it writes, without the blanks that end the lines of a block comment (fuzz seeds 540, 627)', () => {
    const once = fmt('locals {\n  a = 1\n/* note\t\n  */ b = 2\n}\n')
    expect(once).not.toMatch(/[ \t]\n/)
    expect(fmt(once)).toBe(once)
  })

  it('drops a lone carriage return ending a comment at the end of the file, as it drops trailing blanks', () => {
    // Found by the fuzz test (seed 233): HCL counts that CR as part of the comment.
    const once = fmt('# saved \r')
    expect(once).toBe('# saved\n')
    expect(fmt(once)).toBe(once)
  })

  it('puts one blank line between blocks and collapses runs of blank lines', () => {
    expect(fmt('\n\na = 1\nb {\n}\nc "x" {\n\n\n  d = 1\n\n\n  e = 2\n\n}\n\n\n\nf = 1\n\n\n')).toBe(
      'a = 1\n\nb {\n}\n\nc "x" {\n  d = 1\n\n  e = 2\n}\n\nf = 1\n',
    )
  })

  it('keeps a comment attached to the block below it', () => {
    expect(fmt('a = 1\n# about b\nb {\n}\n// after b\nc = 2\n')).toBe('a = 1\n\n# about b\nb {\n}\n\n// after b\nc = 2\n')
  })

  it('normalises spaces between tokens', () => {
    expect(fmt('a   =   f ( 1 ,2 , [ 3,4 ] , {k=v} , x . y [ 0 ] , - 1 , ! b , x -1 , c ? d : e )\n')).toBe(
      'a = f(1, 2, [3, 4], { k = v }, x.y[0], -1, !b, x - 1, c ? d : e)\n',
    )
    expect(fmt('a = { for k , v in m : k => v ... if v }\nb = [ for x in [ 1 ] : x ]\nc = { k : 1 }\n')).toBe(
      'a = { for k, v in m : k => v... if v }\nb = [for x in [1] : x]\nc = { k: 1 }\n',
    )
  })

  it('never merges a number with a following dot', () => {
    // `x.0 . 1` is two legacy indexes; `x.0.1` would be the number 0.1.
    const out = fmt('a = x . 0 . 1\n')
    expect(out).toBe('a = x.0 .1\n')
    expect(significantTokens(out)).toEqual(significantTokens('a = x . 0 . 1\n'))
  })

  it('keeps heredoc bodies, quoted strings and comments byte for byte', () => {
    const source =
      'a {\n        s = <<-EOT\n    keep   \n\t tabs\n      EOT\n  q = "${ x  +  1 }  "\n  # comment   with   spaces\n}\n'
    expect(fmt(source)).toBe(
      'a {\n  s = <<-EOT\n    keep   \n\t tabs\n      EOT\n  q = "${ x  +  1 }  "\n  # comment   with   spaces\n}\n',
    )
  })

  it('removes trailing white space and ends with exactly one newline', () => {
    expect(fmt('a = 1   \nb = 2\t\n\n\n')).toBe('a = 1\nb = 2\n')
    expect(fmt('a = 1')).toBe('a = 1\n')
    expect(fmt('')).toBe('')
    expect(fmt('\n\n  \n')).toBe('')
  })

  it('keeps CRLF line ends and a byte order mark', () => {
    expect(fmt('\ufeffa=1\r\nb {\r\n c = <<EOT\r\nx\r\nEOT\r\n}\r\n')).toBe(
      '\ufeffa = 1\r\n\r\nb {\r\n  c = <<EOT\r\nx\r\nEOT\r\n}\r\n',
    )
  })

  it('throws ConfigError on a syntax error', () => {
    expect(() => fmt('a = {\n')).toThrow(ConfigError)
  })
})

const validDir = join(repoRoot, 'fixtures/hcl/valid')
const corpus = readdirSync(validDir)
  .filter((f) => f.endsWith('.hcl'))
  .sort()

/** Oracle JSON with white space removed from strings that carry expression source (`${...}`, `%{...}`). */
function withoutExpressionSpacing(value: unknown): unknown {
  if (typeof value === 'string') return /\$\{|%\{/.test(value) ? value.replace(/\s+/g, '') : value
  if (Array.isArray(value)) return value.map(withoutExpressionSpacing)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [withoutExpressionSpacing(k) as string, withoutExpressionSpacing(v)]),
    )
  }
  return value
}

describe('formatHcl on the corpus', () => {
  it.each(corpus)('%s: idempotent, same tokens, same oracle JSON', async (file) => {
    const source = readFileSync(join(validDir, file), 'utf8')
    const once = formatHcl(source, file)
    expect(formatHcl(once, file)).toBe(once)
    expect(significantTokens(once)).toEqual(significantTokens(source))
    expect(() => parseHcl(once, file)).not.toThrow()
    expect(withoutExpressionSpacing(await oracleParse(file, once))).toEqual(
      withoutExpressionSpacing(await oracleParse(file, source)),
    )
  })
})
