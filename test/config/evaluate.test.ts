// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are HCL source, where ${} is interpolation
import {describe, expect, it} from 'vitest'
import {containsPoison} from '../../src/config/values.js'
import {Secret, isSecret} from '../../src/model/secret.js'
import {covered, evaluateExpression} from './helpers.js'

/** The value of an expression that must evaluate without diagnostics. */
function value(expression: string, vars = {}, env = {}) {
  const result = evaluateExpression(expression, vars, env)
  expect(result.diagnostics).toEqual([])
  return result.value
}

/** The single diagnostic of an expression that must fail, with the text its range covers. */
function failure(expression: string, vars = {}, env = {}) {
  const result = evaluateExpression(expression, vars, env)
  expect(containsPoison(result.value)).toBe(true)
  expect(result.diagnostics).toHaveLength(1)
  const diagnostic = result.diagnostics[0]!
  return {...diagnostic, text: covered(diagnostic, result.source)}
}

describe('literals and operators', () => {
  it('evaluates literals, tuples and objects', () => {
    expect(value('[1, "a", true, null, {b = 2, "c d" = 3}]')).toEqual([1, 'a', true, null, {b: 2, 'c d': 3}])
  })

  it('follows HCL precedence and converts numeric strings in arithmetic', () => {
    expect(value('1 + 2 * 3 - 4 / 2')).toBe(5)
    expect(value('(1 + 2) * 3 % 5')).toBe(4)
    expect(value('"3" * 2')).toBe(6)
    expect(value('-var.n', {n: 4})).toBe(-4)
  })

  it('compares by type and content', () => {
    expect(value('[1, {a = "x"}] == [1, {a = "x"}]')).toBe(true)
    expect(value('1 == "1"')).toBe(false)
    expect(value('2 <= 2 && 3 > 2 && !(1 != 1)')).toBe(true)
  })

  it('short-circuits && and || so a guarded reference is never evaluated', () => {
    expect(value('false && var.missing.attr')).toBe(false)
    expect(value('true || var.missing')).toBe(true)
  })

  it('reports a wrong operand at the operand', () => {
    const d = failure('1 + {a = 1}')
    expect(d.summary).toBe('Invalid operand')
    expect(d.text).toBe('{a = 1}')
  })

  it('reports division by zero at the divisor', () => {
    const d = failure('10 / (2 - 2)')
    expect(d.summary).toBe('Division by zero')
    expect(d.text).toBe('(2 - 2)')
  })

  it('picks one branch of a conditional and evaluates only that one', () => {
    expect(value('var.n > 1 ? "big" : var.missing', {n: 5})).toBe('big')
    const d = failure('"maybe" ? 1 : 2')
    expect(d.summary).toBe('Invalid condition')
    expect(d.text).toBe('"maybe"')
  })
})

describe('templates', () => {
  it('interpolates numbers and bools, and unwraps a lone interpolation', () => {
    expect(value('"n=${var.n} ok=${true} f=${1.5}"', {n: 3})).toBe('n=3 ok=true f=1.5')
    expect(value('"${var.n}"', {n: 3})).toBe(3)
    expect(value('"${[1, 2]}"')).toEqual([1, 2])
  })

  it('runs if and for directives with strip markers', () => {
    expect(value('"%{ if var.on }yes%{ else }no%{ endif }"', {on: false})).toBe('no')
    expect(value('"%{ for i, t in var.l ~}\\n${i}=${t},\\n%{~ endfor }"', {l: ['a', 'b']})).toBe('0=a,1=b,')
  })

  it('evaluates heredocs, with <<- removing the common indent', () => {
    const text = value('<<-EOT\n    hello ${var.who}\n      indented\n    EOT\n', {who: 'you'})
    expect(text).toBe('hello you\n  indented\n')
  })

  it('refuses null and collections inside a string, at the interpolated expression', () => {
    expect(failure('"a${null}"').summary).toBe('Invalid template interpolation value')
    const d = failure('"list: ${var.l}"', {l: ['x']})
    expect(d.text).toBe('var.l')
  })
})

describe('collections', () => {
  it('builds lists and maps with for expressions, keys in lexical order', () => {
    expect(value('[for s in ["b", "a"] : upper(s)]')).toEqual(['B', 'A'])
    expect(value('[for k, v in {z = 1, a = 2} : "${k}${v}"]')).toEqual(['a2', 'z1'])
    expect(value('{for s in ["x", "yy"] : s => length(s) if s != "x"}')).toEqual({yy: 2})
  })

  it('groups values by key with ... and refuses duplicate keys without it', () => {
    expect(value('{for s in ["a1", "a2", "b1"] : split("", s)[0] => s...}')).toEqual({a: ['a1', 'a2'], b: ['b1']})
    const d = failure('{for s in ["a1", "a2"] : split("", s)[0] => s}')
    expect(d.summary).toBe('Duplicate object key')
  })

  it('applies splats to every element; a null source gives an empty list', () => {
    expect(value('[{a = 1}, {a = 2}][*].a')).toEqual([1, 2])
    expect(value('var.l.*.name', {l: [{name: 'x'}, {name: 'y'}]})).toEqual(['x', 'y'])
    expect(value('var.none[*].a', {none: null})).toEqual([])
  })

  it('indexes lists and maps, legacy .N included', () => {
    expect(value('["a", "b"][1]')).toBe('b')
    expect(value('var.l.0', {l: ['first']})).toBe('first')
    expect(value('{a = {b = "deep"}}["a"].b')).toBe('deep')
  })

  it('reports a missing key with a suggestion, at the key', () => {
    const d = failure('{payments = 1}["paymnets"]')
    expect(d.summary).toBe('Invalid index')
    expect(d.detail).toContain('Did you mean "payments"?')
    expect(d.text).toBe('"paymnets"')
  })

  it('reports an index out of range', () => {
    expect(failure('["a"][3]').detail).toContain('out of range')
  })

  it('reports a missing attribute with a suggestion, and explains attributes of lists', () => {
    const d = failure('{name = "x"}.nmae')
    expect(d.summary).toBe('Unsupported attribute')
    expect(d.detail).toContain('Did you mean "name"?')
    expect(d.text).toBe('nmae')
    expect(failure('var.l.name', {l: [{name: 'x'}]}).detail).toContain('[*].name')
  })

  it('uses identifier keys as names and parenthesised keys as expressions', () => {
    expect(value('{(var.k) = 1, k = 2, "q" = 3}', {k: 'dynamic'})).toEqual({dynamic: 1, k: 2, q: 3})
    expect(failure('{var.k = 1}', {k: 'x'}).summary).toBe('Ambiguous attribute key')
  })

  it('keeps __proto__ as an ordinary key', () => {
    const result = value('{"__proto__" = 1}') as Record<string, unknown>
    expect(Object.keys(result)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
  })
})

describe('functions', () => {
  it('env reads the environment, with an optional default', () => {
    expect(value('env("HOME_DIR")', {}, {HOME_DIR: '/home/a'})).toBe('/home/a')
    expect(value('env("UNSET", "fallback")')).toBe('fallback')
  })

  it('env of an unset variable is an error at the name', () => {
    const d = failure('env("HARBOR_PASSWORD")')
    expect(d.summary).toBe('Environment variable HARBOR_PASSWORD is not set')
    expect(d.text).toBe('"HARBOR_PASSWORD"')
  })

  it('converts collections', () => {
    expect(value('toset(["b", "a", "b"])')).toEqual(['a', 'b'])
    expect(value('toset([10, -1, 2, 10])')).toEqual([-1, 2, 10])
    expect(value('tolist(toset(["b", "a"]))')).toEqual(['a', 'b'])
    expect(value('tomap({a = 1})')).toEqual({a: 1})
    expect(value('[tostring(1), tonumber("2"), tobool("true")]')).toEqual(['1', 2, true])
  })

  it('transforms strings', () => {
    expect(value('[lower("AbC"), upper("AbC"), trimspace("  x \\n")]')).toEqual(['abc', 'ABC', 'x'])
    expect(value('join("-", ["a", "b"], ["c"])')).toBe('a-b-c')
    expect(value('split(",", "a,b,,c")')).toEqual(['a', 'b', '', 'c'])
    expect(value('replace("a.b.c", ".", "/")')).toBe('a/b/c')
    expect(value('replace("team-a1", "/[0-9]+/", "N")')).toBe('team-aN')
  })

  it('combines collections', () => {
    expect(value('concat(["a"], [], ["b", "c"])')).toEqual(['a', 'b', 'c'])
    expect(value('merge({a = 1, b = 1}, null, {b = 2})')).toEqual({a: 1, b: 2})
    expect(value('[length("héllo"), length([1, 2]), length({a = 1})]')).toEqual([5, 2, 1])
    expect(value('[lookup({a = 1}, "a"), lookup({a = 1}, "b", 0)]')).toEqual([1, 0])
    expect(value('coalesce(null, "", "x", "y")')).toBe('x')
    expect(value('[keys({b = 1, a = 2}), values({b = 1, a = 2})]')).toEqual([
      ['a', 'b'],
      [2, 1],
    ])
    expect(value('[contains(["a"], "a"), distinct([1, 1, 2]), flatten([[1, [2]], 3])]')).toEqual([true, [1, 2], [1, 2, 3]])
  })

  it('expands a final list argument with ...', () => {
    expect(value('concat(var.lists...)', {lists: [['a'], ['b']]})).toEqual(['a', 'b'])
  })

  it('reports a wrong argument count at the call', () => {
    const d = failure('lower("a", "b")')
    expect(d.summary).toBe('Wrong number of arguments')
    expect(d.detail).toContain('lower() takes 1 argument, got 2')
    expect(d.text).toBe('lower("a", "b")')
  })

  it('reports a wrong argument type at the argument', () => {
    const d = failure('join(",", "not a list")')
    expect(d.summary).toBe('Error in function call')
    expect(d.text).toBe('"not a list"')
  })

  it('reports lookup of a missing key and coalesce of nothing', () => {
    expect(failure('lookup({a = 1}, "b")').detail).toContain('no element "b"')
    expect(failure('coalesce(null, "")').detail).toContain('null or an empty string')
  })

  it('suggests the function meant', () => {
    const d = failure('lowr("A")')
    expect(d.summary).toBe('Call to unknown function')
    expect(d.detail).toContain('Did you mean "lower"?')
    expect(d.text).toBe('lowr')
  })
})

describe('format', () => {
  it('supports Terraform verbs, flags, widths and argument indexes', () => {
    expect(value('format("%s-%d-%q-%v-%%", "a", 42, "q", true)')).toBe('a-42-"q"-true-%')
    expect(value('format("%05d|%-4s|%4s|%.2f|%x|%X|%o|%b", 42, "ab", "cd", 3.14159, 255, 255, 8, 5)')).toBe(
      '00042|ab  |  cd|3.14|ff|FF|10|101',
    )
    expect(value('format("%[2]s %[1]s", "world", "hello")')).toBe('hello world')
    expect(value('format("%t %v %#v", true, [1, "a"], "s")')).toBe('true [1,"a"] "s"')
  })

  it('reports too few and too many arguments', () => {
    expect(failure('format("%s %s", "a")').detail).toContain('not enough arguments')
    expect(failure('format("%s", "a", "b")').detail).toContain('too many arguments')
    expect(failure('format("%d", "x")').detail).toContain('%d needs a number')
  })
})

describe('references and secrets', () => {
  it('suggests the name meant for an unknown bare variable', () => {
    const d = failure('[for item in ["a"] : itme]')
    expect(d.summary).toBe('Unknown variable')
    expect(d.detail).toContain('Did you mean "item"?')
  })

  it('keeps anything computed from a secret secret', () => {
    const secret = new Secret('s3cr3t-Value', 'var.pw')
    const joined = value('"prefix-${var.pw}"', {pw: secret})
    expect(isSecret(joined)).toBe(true)
    expect((joined as Secret).reveal()).toBe('prefix-s3cr3t-Value')
    const upper = value('upper(var.pw)', {pw: secret})
    expect(isSecret(upper)).toBe(true)
    expect(value('var.pw == "s3cr3t-Value"', {pw: secret})).toBe(true)
  })

  it('never shows a secret in a function error', () => {
    const d = failure('tonumber(var.pw)', {pw: new Secret('not-a-number-hunter2')})
    expect(JSON.stringify(d)).not.toContain('hunter2')
    expect(d.detail).toContain('sensitive')
  })

  it('refuses an expression nested deeper than the evaluator allows, without crashing', () => {
    const depth = 300
    const result = evaluateExpression(`${'['.repeat(depth)}1${']'.repeat(depth)}`)
    expect(result.diagnostics.map((d) => d.summary)).toEqual(['Expression too deeply nested'])
  })
})
