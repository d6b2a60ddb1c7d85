import {describe, expect, it} from 'vitest'
import {canonicalJson, compareCodePoints, findJsonSyntaxError, lineColumn} from '../../src/state/json-text.js'

describe('canonicalJson', () => {
  it('sorts keys at every level by code point, keeps array order, and ends with a newline', () => {
    const value = {b: [3, {d: 1, c: 2}], a: {'10': 1, '9': 2, Z: 3, a: 4}, e: []}
    expect(canonicalJson(value)).toBe(
      '{\n  "a": {\n    "10": 1,\n    "9": 2,\n    "Z": 3,\n    "a": 4\n  },\n  "b": [\n    3,\n    {\n      "c": 2,\n      "d": 1\n    }\n  ],\n  "e": []\n}\n',
    )
  })

  it('gives the same text as JSON.stringify for a value already in order, and one line without indent', () => {
    const ordered = {a: 1, b: [true, null, 'x'], c: {d: 'é', e: {}}}
    expect(canonicalJson(ordered)).toBe(`${JSON.stringify(ordered, null, 2)}\n`)
    expect(canonicalJson(ordered, {indent: false})).toBe(JSON.stringify(ordered))
  })

  it('drops undefined properties like JSON does', () => {
    expect(canonicalJson({a: undefined, b: 1}, {indent: false})).toBe('{"b":1}')
  })

  it('orders astral characters after the rest of the BMP, as code points do', () => {
    const keys = ['\u{1F600}', '\uFF5E', 'a']
    expect([...keys].sort(compareCodePoints)).toEqual(['a', '\uFF5E', '\u{1F600}'])
    // Plain sort() compares UTF-16 code units and would put the emoji (a surrogate pair) first.
    expect([...keys].sort()).toEqual(['a', '\u{1F600}', '\uFF5E'])
  })

  it('refuses values JSON would silently change, naming where they are', () => {
    expect(() => canonicalJson({a: [1, Number.POSITIVE_INFINITY]})).toThrow('cannot write $.a[1]: Infinity is not a JSON number')
    expect(() => canonicalJson({'x.y': () => 1})).toThrow('cannot write $["x.y"]: a function is not a JSON value')
    expect(() => canonicalJson({d: new Date(0)})).toThrow('cannot write $.d: a Date object is not a JSON value')
  })
})

describe('findJsonSyntaxError', () => {
  it.each([
    ['{"a": 1,\n "b": }', 2, 7, 'unexpected "}" where a value was expected'],
    ['{"a": 1\n "b": 2}', 2, 2, 'expected "," or "}" after a property value, found "\\""'],
    ['{"a": [1, 2', 1, 12, 'the file ends inside an array (truncated?)'],
    ['{"a": ', 1, 7, 'the file ends where a value was expected (truncated?)'],
    ['{"a": "abc', 1, 7, 'the file ends inside a string (truncated?)'],
    ['{"a": 1}\n}', 2, 1, 'unexpected "}" after the end of the JSON value'],
    ['{a: 1}', 1, 2, 'expected a quoted property name, found "a"'],
    ['   ', 1, 1, 'the file is empty'],
  ])('locates the error in %j', (text, line, column, message) => {
    expect(JSON.parse.bind(null, text)).toThrow()
    const problem = findJsonSyntaxError(text)
    expect(lineColumn(text, problem.offset)).toEqual({line, column})
    expect(problem.message).toBe(message)
  })
})
