/**
 * Character classes and string decoding shared by the lexer, parser and formatter: identifier
 * characters, Unicode white space as Go's `unicode.IsSpace` defines it (strip markers and heredoc
 * markers trim exactly that set), and the escapes of quoted strings.
 */

const ID_START = /\p{ID_Start}/u
const ID_CONTINUE = /\p{ID_Continue}/u

/** Whether code point `cp` may start an identifier (`ID_Start` or `_`). */
export function isIdentStart(cp: number): boolean {
  if (cp < 0x80) return (cp >= 97 && cp <= 122) || (cp >= 65 && cp <= 90) || cp === 95
  return ID_START.test(String.fromCodePoint(cp))
}

/** Whether code point `cp` may continue an identifier (`ID_Continue` or `-`). */
export function isIdentContinue(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 97 && cp <= 122) || (cp >= 65 && cp <= 90) || (cp >= 48 && cp <= 57) || cp === 95 || cp === 45
  }
  return ID_CONTINUE.test(String.fromCodePoint(cp))
}

/** Whether `name` is one identifier, so it can be written bare (attribute names, labels, keys). */
export function isIdentifier(name: string): boolean {
  if (name.length === 0) return false
  let first = true
  for (const ch of name) {
    const cp = ch.codePointAt(0)!
    if (first ? !isIdentStart(cp) : !isIdentContinue(cp)) return false
    first = false
  }
  return true
}

/** Go's `unicode.IsSpace`: ASCII space characters, NEL, NBSP and the Unicode White_Space set. */
export function isUnicodeSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d)
  if (c < 0x85) return false
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  )
}

/** `s` without leading Unicode white space. */
export function trimSpaceStart(s: string): string {
  let i = 0
  while (i < s.length && isUnicodeSpace(s.charCodeAt(i))) i++
  return i === 0 ? s : s.slice(i)
}

/** `s` without trailing Unicode white space. */
export function trimSpaceEnd(s: string): string {
  let i = s.length
  while (i > 0 && isUnicodeSpace(s.charCodeAt(i - 1))) i--
  return i === s.length ? s : s.slice(0, i)
}

/** `s` without Unicode white space at either end. */
export function trimSpace(s: string): string {
  return trimSpaceEnd(trimSpaceStart(s))
}

/** A problem found while decoding a string literal: where (indexes into the raw text) and what. */
export interface EscapeProblem {
  start: number
  end: number
  detail: string
}

/** Whether decodeLiteral would change `raw`: most literals have no escape and are used as written. */
export function needsDecoding(raw: string, quoted: boolean): boolean {
  return (quoted && raw.indexOf('\\') >= 0) || raw.indexOf('$${') >= 0 || raw.indexOf('%%{') >= 0
}

/**
 * Decodes the raw text of a literal chunk. In a quoted string (`quoted`) backslash escapes apply;
 * in both quoted strings and heredocs `$${` and `%%{` stand for a literal `${` and `%{`.
 * Problems are reported, and the decoded text keeps going past them.
 */
export function decodeLiteral(raw: string, quoted: boolean): {value: string; problems: EscapeProblem[]} {
  if (!needsDecoding(raw, quoted)) return {value: raw, problems: []}
  const problems: EscapeProblem[] = []
  let out = ''
  let runStart = 0
  let i = 0
  const n = raw.length
  while (i < n) {
    const c = raw.charCodeAt(i)
    if ((c === 36 || c === 37) && raw.charCodeAt(i + 1) === c && raw.charCodeAt(i + 2) === 123) {
      out += raw.slice(runStart, i) + raw[i] + '{'
      i += 3
      runStart = i
      continue
    }
    if (c !== 92 || !quoted) {
      i++
      continue
    }
    out += raw.slice(runStart, i)
    const sel = raw[i + 1]
    if (sel === undefined) {
      problems.push({start: i, end: i + 1, detail: 'Backslash must be followed by an escape sequence selector character.'})
      i++
      runStart = i
      continue
    }
    switch (sel) {
      case 'n':
        out += '\n'
        i += 2
        break
      case 'r':
        out += '\r'
        i += 2
        break
      case 't':
        out += '\t'
        i += 2
        break
      case '"':
        out += '"'
        i += 2
        break
      case '\\':
        out += '\\'
        i += 2
        break
      case 'u':
      case 'U': {
        const want = sel === 'u' ? 4 : 8
        let j = i + 2
        while (j < n && j - (i + 2) < want && isHexDigit(raw.charCodeAt(j))) j++
        if (j - (i + 2) !== want) {
          problems.push({
            start: i,
            end: j,
            detail:
              sel === 'u'
                ? 'The \\u escape sequence must be followed by four hexadecimal digits.'
                : 'The \\U escape sequence must be followed by eight hexadecimal digits.',
          })
        } else {
          const cp = Number.parseInt(raw.slice(i + 2, j), 16)
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            problems.push({start: i, end: j, detail: `Cannot encode character U+${cp.toString(16).padStart(4, '0')} in UTF-8.`})
          } else {
            out += String.fromCodePoint(cp)
          }
        }
        i = j
        break
      }
      default: {
        const cp = raw.codePointAt(i + 1)!
        const selector = String.fromCodePoint(cp)
        problems.push({
          start: i,
          end: i + 1 + selector.length,
          detail: `The symbol ${JSON.stringify(selector)} is not a valid escape sequence selector.`,
        })
        out += selector
        i += 1 + selector.length
      }
    }
    runStart = i
  }
  out += raw.slice(runStart)
  return {value: out, problems}
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
}
