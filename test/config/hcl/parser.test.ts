// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL source text is full of ${...} sequences.
/**
 * parseHcl beyond what the oracle can see: the AST's shape (labels, object keys, templates,
 * heredocs, splats, calls), source positions (code-point columns, UTF-8 bytes, BOM, CRLF),
 * comments, and diagnostics (summary, detail, file:line:column, several at once).
 */
import {describe, expect, it} from 'vitest'
import type {Attribute, Block, Expression, ObjectExpr, TemplateExpr} from '../../../src/config/hcl/ast.js'
import {parseHcl} from '../../../src/config/hcl/index.js'
import {MAX_DIAGNOSTICS} from '../../../src/config/hcl/parse.js'
import {MAX_NESTING} from '../../../src/config/hcl/parser-state.js'
import {ConfigError} from '../../../src/model/errors.js'

function attr(source: string, name = 'a'): Expression {
  const found = parseHcl(source, 'main.hcl').body.items.find((i): i is Attribute => i.type === 'Attribute' && i.name === name)
  if (!found) throw new Error(`no attribute ${name}`)
  return found.expr
}

function errors(source: string): ConfigError {
  try {
    parseHcl(source, 'main.hcl')
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

/** Strips ranges so shapes can be compared. */
function shape(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'range' || key === 'nameRange' ? undefined : v)))
}

describe('parseHcl AST', () => {
  it('reads blocks with quoted and bare labels and nested bodies', () => {
    const file = parseHcl('resource "aws_instance" web {\n  inner {\n    x = 1\n  }\n}\n', 'main.hcl')
    const block = file.body.items[0] as Block
    expect(block.blockType).toBe('resource')
    expect(block.labels.map((l) => [l.value, l.quoted])).toEqual([
      ['aws_instance', true],
      ['web', false],
    ])
    expect((block.body.items[0] as Block).body.items.map((i) => i.type)).toEqual(['Attribute'])
  })

  it("gives a block's header range: its type through its last label, not a comment before the brace", () => {
    const [labelled, bare] = parseHcl('robot "ci" /* the CI robot */ {\n}\nhrep {\n}\n', 'main.hcl').body.items as Block[]
    const columns = (block: Block) => [block.headerRange.start.column, block.headerRange.end.column, block.headerRange.end.line]
    expect(columns(labelled)).toEqual([1, 11, 1])
    expect(columns(bare)).toEqual([1, 5, 3])
  })

  it('decodes label escapes but does not normalise labels', () => {
    const block = parseHcl('b "a\\"b $${x} an\\u0303o" {}\n', 'main.hcl').body.items[0] as Block
    expect(block.labels[0].value).toBe('a"b ${x} an\u0303o')
  })

  it('marks which object keys are bare names', () => {
    const object = attr('a = {x = 1, true = 2, (y) = 3, "z" = 4, k.x = 5, 6 = 7}\n') as ObjectExpr
    expect(object.items.map((i) => [i.key.type, i.keyIsIdentifier])).toEqual([
      ['Variable', true],
      ['Literal', true],
      ['Paren', false],
      ['Template', false],
      ['GetAttr', false],
      ['Literal', false],
    ])
  })

  it('keeps templates as literal, interpolation and directive parts', () => {
    expect(shape(attr('a = "${x}"\n'))).toEqual({
      type: 'Template',
      parts: [{type: 'TemplateInterpolation', expr: {type: 'Variable', name: 'x'}, stripLeft: false, stripRight: false}],
    })
    // A literal emptied by a strip marker stays, so the template is not a bare interpolation.
    expect((attr('a = " ${~x}"\n') as TemplateExpr).parts.map((p) => p.type)).toEqual([
      'TemplateLiteral',
      'TemplateInterpolation',
    ])
    expect(shape(attr('a = "%{ if c }y%{ else }n%{ endif }%{ for k, v in m }${v}%{ endfor }"\n'))).toEqual({
      type: 'Template',
      parts: [
        {
          type: 'TemplateIf',
          condition: {type: 'Variable', name: 'c'},
          // biome-ignore lint/suspicious/noThenProperty: `then` is the AST contract's name for the true branch.
          then: [{type: 'TemplateLiteral', value: 'y'}],
          else: [{type: 'TemplateLiteral', value: 'n'}],
        },
        {
          type: 'TemplateFor',
          keyVar: 'k',
          valueVar: 'v',
          collection: {type: 'Variable', name: 'm'},
          body: [{type: 'TemplateInterpolation', expr: {type: 'Variable', name: 'v'}, stripLeft: false, stripRight: false}],
        },
      ],
    })
  })

  it('decodes escapes, normalises string values to NFC and applies strip markers', () => {
    const literal = (source: string) =>
      (attr(source) as TemplateExpr).parts.map((p) => (p.type === 'TemplateLiteral' ? p.value : '#'))
    expect(literal('a = "q\\"\\\\\\n\\t\\u00e9\\U0001F600 $${x} %%{y} an\\u0303o"\n')).toEqual(['q"\\\n\té😀 ${x} %{y} año'])
    expect(literal('a = "a \\n ${~x~} \\t b"\n')).toEqual(['a', '#', 'b'])
  })

  it('records heredoc markers and removes the common indent of <<-', () => {
    const plain = attr('a = <<EOT\n  x\n  EOT\n') as TemplateExpr
    expect(plain.heredoc).toEqual({marker: 'EOT', stripIndent: false})
    expect(shape(plain.parts)).toEqual([{type: 'TemplateLiteral', value: '  x\n'}])
    const flush = attr('a = <<-END\n    one\n      two\n    END\n') as TemplateExpr
    expect(flush.heredoc).toEqual({marker: 'END', stripIndent: true})
    expect(shape(flush.parts)).toEqual([{type: 'TemplateLiteral', value: 'one\n  two\n'}])
  })

  it('builds traversals, legacy indexes, splats and calls', () => {
    expect(shape(attr('a = x.y[0].1\n'))).toEqual({
      type: 'Index',
      collection: {
        type: 'Index',
        collection: {type: 'GetAttr', object: {type: 'Variable', name: 'x'}, name: 'y'},
        key: {type: 'Literal', value: 0, raw: '0'},
        legacy: false,
      },
      key: {type: 'Literal', value: 1, raw: '1'},
      legacy: true,
    })
    expect(shape(attr('a = x.*.y[0]\n'))).toEqual({
      type: 'Index',
      collection: {
        type: 'Splat',
        source: {type: 'Variable', name: 'x'},
        each: {type: 'GetAttr', object: {type: 'SplatItem'}, name: 'y'},
        full: false,
      },
      key: {type: 'Literal', value: 0, raw: '0'},
      legacy: false,
    })
    expect(shape(attr('a = x[*].y[0]\n'))).toEqual({
      type: 'Splat',
      source: {type: 'Variable', name: 'x'},
      each: {
        type: 'Index',
        collection: {type: 'GetAttr', object: {type: 'SplatItem'}, name: 'y'},
        key: {type: 'Literal', value: 0, raw: '0'},
        legacy: false,
      },
      full: true,
    })
    expect(shape(attr('a = provider::aws::arn(x, y...)\n'))).toEqual({
      type: 'Call',
      name: 'provider::aws::arn',
      args: [
        {type: 'Variable', name: 'x'},
        {type: 'Variable', name: 'y'},
      ],
      expandFinal: true,
    })
  })

  it('parses operators with HCL precedence and for expressions', () => {
    const ops = (e: Expression): unknown =>
      e.type === 'Binary'
        ? [ops(e.left), e.op, ops(e.right)]
        : e.type === 'Unary'
          ? [e.op, ops(e.operand)]
          : e.type === 'Conditional'
            ? [ops(e.condition), '?', ops(e.then), ':', ops(e.else)]
            : e.type === 'Variable'
              ? e.name
              : e.type === 'Literal'
                ? e.value
                : e.type
    expect(ops(attr('a = !x || y && -z.w == 1 + 2 * 3 < 4 ? p : q ? r : s\n'))).toEqual([
      [['!', 'x'], '||', ['y', '&&', [['-', 'GetAttr'], '==', [[1, '+', [2, '*', 3]], '<', 4]]]],
      '?',
      'p',
      ':',
      ['q', '?', 'r', ':', 's'],
    ])
    expect(shape(attr('a = {for k, v in m : k => v... if v != null}\n'))).toMatchObject({
      type: 'For',
      keyVar: 'k',
      valueVar: 'v',
      keyExpr: {type: 'Variable', name: 'k'},
      grouping: true,
      condition: {type: 'Binary', op: '!='},
    })
  })

  it('keeps number source text', () => {
    expect(shape(attr('a = 1.50e2\n'))).toEqual({type: 'Literal', value: 150, raw: '1.50e2'})
  })
})

describe('parseHcl positions', () => {
  it('counts columns in code points and offsets in UTF-8 bytes, after a BOM', () => {
    const source = '\ufeffcafé = "日本😀" # note\nb = 1\n'
    const file = parseHcl(source, 'main.hcl')
    const [cafe, b] = file.body.items as Attribute[]
    expect(cafe.nameRange.start).toEqual({line: 1, column: 1, byte: 3})
    expect(cafe.expr.range.start).toEqual({line: 1, column: 8, byte: Buffer.byteLength('\ufeffcafé = ')})
    // The quote, 日, 本, 😀 (one code point, two UTF-16 units) and the closing quote.
    expect(cafe.expr.range.end).toEqual({line: 1, column: 13, byte: Buffer.byteLength('\ufeffcafé = "日本😀"')})
    expect(b.range.start).toEqual({line: 2, column: 1, byte: Buffer.byteLength(source.split('\n')[0]) + 1})
    expect(file.comments).toEqual([
      {
        style: '#',
        text: '# note',
        range: {
          file: 'main.hcl',
          start: {line: 1, column: 14, byte: Buffer.byteLength('\ufeffcafé = "日本😀" ')},
          end: {line: 1, column: 20, byte: Buffer.byteLength('\ufeffcafé = "日本😀" # note')},
        },
      },
    ])
  })

  it('handles CRLF line ends and keeps them inside heredocs', () => {
    const file = parseHcl('a = 1\r\n// c\r\nb = <<EOT\r\nwin\r\nEOT\r\n/* x */\r\n', 'main.hcl')
    const b = file.body.items[1] as Attribute
    expect(b.nameRange.start.line).toBe(3)
    expect(shape((b.expr as TemplateExpr).parts)).toEqual([{type: 'TemplateLiteral', value: 'win\r\n'}])
    expect(file.comments.map((c) => [c.style, c.text, c.range.start.line])).toEqual([
      ['//', '// c', 2],
      ['/*', '/* x */', 6],
    ])
  })

  it('ranges every node from its first to its last token', () => {
    const source = 'a = f(x, [1, 2])\nb {\n  c = "s"\n}\n'
    const file = parseHcl(source, 'main.hcl')
    const slice = (r: {start: {byte: number}; end: {byte: number}}) =>
      Buffer.from(source).subarray(r.start.byte, r.end.byte).toString()
    const [a, b] = file.body.items as [Attribute, Block]
    expect(slice(a.range)).toBe('a = f(x, [1, 2])')
    expect(slice(a.expr.range)).toBe('f(x, [1, 2])')
    expect(slice(b.range)).toBe('b {\n  c = "s"\n}')
    expect(slice(b.openBraceRange)).toBe('{')
    expect(slice(b.closeBraceRange)).toBe('}')
    expect(slice((b.body.items[0] as Attribute).expr.range)).toBe('"s"')
  })
})

describe('parseHcl diagnostics', () => {
  it('names file, line and column with an HCL-style summary and detail', () => {
    const source = 'hrep {\n  state = "x.json"\n  parallelism = 4 4\n}\n'
    const error = errors(source)
    const at = source.indexOf('4 4') + 2
    expect(error.diagnostics).toEqual([
      {
        severity: 'error',
        summary: 'Missing newline after argument',
        detail: 'An argument definition must end with a newline.',
        range: {file: 'main.hcl', start: {line: 3, column: 19, byte: at}, end: {line: 3, column: 20, byte: at + 1}},
      },
    ])
    expect(error.sources).toEqual({'main.hcl': source})
    expect(error.exitCode).toBe(1)
  })

  it('reports an unclosed block at its opening brace', () => {
    const error = errors('a = 1\nb "x" {\n  c = 2\n')
    expect(error.diagnostics[0]).toMatchObject({summary: 'Unclosed configuration block', range: {start: {line: 2, column: 7}}})
  })

  it('collects several errors where recovery is sound', () => {
    const error = errors('a = \'x\'\nb = "\\q"\nc = 1\nc = 2\nd = ;\n')
    expect(error.diagnostics.map((d) => [d.summary, d.range?.start.line])).toEqual([
      ['Invalid character', 1],
      ['Invalid character', 5],
      ['Invalid expression', 1],
      ['Invalid escape sequence', 2],
      ['Attribute redefined', 4],
    ])
    expect(error.message).toBe('5 errors in the configuration, the first: Invalid character')
  })

  it('explains common mistakes', () => {
    expect(errors('a = x ** 2\n').diagnostics[0].summary).toBe('Invalid expression')
    expect(errors('"a" = 1\n').diagnostics[0].summary).toBe('Invalid argument name')
    expect(errors('a = "%{ iff x }y%{ endif }"\n').diagnostics[0].detail).toBe(
      '"iff" is not a valid template control keyword. Did you mean "if"?',
    )
    expect(errors('b { c {} }\n').diagnostics[0].summary).toBe('Argument definition required')
    expect(errors('a = [1 2]\n').diagnostics[0].summary).toBe('Missing item separator')
  })

  it('stops at a nesting depth that could exhaust the stack, with a diagnostic instead of a crash', () => {
    const deep = MAX_NESTING + 1
    for (const source of [
      `a = ${'('.repeat(deep)}1${')'.repeat(deep)}\n`,
      `a = ${'-'.repeat(deep)}1\n`,
      `a = ${'"${'.repeat(deep)}1${'}"'.repeat(deep)}\n`,
      `${'b {\n'.repeat(deep)}${'}\n'.repeat(deep)}`,
      `a = ${'['.repeat(100_000)}`,
    ]) {
      const error = errors(source)
      expect(error.diagnostics.map((d) => d.summary)).toEqual(['Nesting too deep'])
    }
    const allowed = MAX_NESTING - 5
    expect(() => parseHcl(`a = ${'['.repeat(allowed)}1${']'.repeat(allowed)}\n`, 'main.hcl')).not.toThrow()
  })

  it('reports at most MAX_DIAGNOSTICS problems per file', () => {
    const error = errors(`a = "${'\\q'.repeat(500)}"\n`)
    expect(error.diagnostics).toHaveLength(MAX_DIAGNOSTICS)
    expect(error.diagnostics.at(-1)).toMatchObject({summary: 'Too many errors', range: {start: {line: 1}}})
    expect(error.diagnostics.at(-1)?.detail).toContain(`${500 - MAX_DIAGNOSTICS + 1} more problems`)
  })
})
