/**
 * The HCL lexer: turns source text into tokens, following HashiCorp's scanner mode for mode.
 * Three modes nest on a stack: normal code, quoted-string templates and heredoc templates; `${`
 * and `%{` inside a template push normal mode until the matching `}` (or `~}`) pops it.
 * One pass with charCodeAt, no per-character slicing, positions tracked incrementally.
 */
import type {Diagnostic} from '../../model/errors.js'
import {PositionTracker} from './position.js'
import {isIdentContinue, isIdentStart, trimSpace} from './text.js'
import {KIND_CODE, type Token, type TokenKind, TokenStream} from './token.js'

/** Kind codes by name, for the lexer's emits. */
const C = KIND_CODE

const MAIN = 0
const STRING = 1
const HEREDOC = 2

interface HeredocInProgress {
  marker: string
  /** True while the scanner is at the start of a heredoc line (only such a line can close it). */
  startOfLine: boolean
}

/** The tokens of a file (ending with one EOF token) and the diagnostics of lexically invalid ones. */
export interface ScanResult {
  stream: TokenStream
  diagnostics: Diagnostic[]
}

/** Kinds that are never valid HCL and get a diagnostic of their own. */
const INVALID_KIND_LIST: readonly TokenKind[] = [
  'BitwiseAnd',
  'BitwiseOr',
  'BitwiseXor',
  'BitwiseNot',
  'Backtick',
  'Apostrophe',
  'Semicolon',
  'BadUTF8',
  'QuotedNewline',
  'Invalid',
]
const INVALID_KINDS: ReadonlySet<TokenKind> = new Set(INVALID_KIND_LIST)
const INVALID_CODES = new Uint8Array(256)
for (const kind of INVALID_KIND_LIST) INVALID_CODES[KIND_CODE[kind]] = 1

/** Like `scan`, with the tokens as objects (for the formatter and tests). */
export function lex(source: string, filename: string): {tokens: Token[]; diagnostics: Diagnostic[]} {
  const {stream, diagnostics} = scan(source, filename)
  return {tokens: stream.toArray(), diagnostics}
}

/**
 * Splits `source` into tokens. Never throws: invalid input becomes Invalid tokens plus diagnostics.
 * A line comment ends before its line break, which follows as a Newline token.
 */
export function scan(source: string, filename: string): ScanResult {
  const origin = source.charCodeAt(0) === 0xfeff ? 1 : 0
  const tracker = new PositionTracker(source, origin)
  // Most files have about one token per four characters.
  const stream = new TokenStream(source, (source.length >> 2) + 16)
  let sawInvalid = false
  const n = source.length
  const modes: number[] = [MAIN]
  const heredocs: HeredocInProgress[] = []
  const retBraces: number[] = []
  let braces = 0
  let i = origin
  // Where the next block-comment end was found by the last search; -1: none left; -2: not searched.
  let commentEnd = -2

  const emit = (code: number, start: number, end: number): void => {
    tracker.moveTo(start)
    stream.push(code, start, end, tracker.lineNumber, tracker.columnNumber, tracker.byteOffset)
    if (INVALID_CODES[code] === 1) sawInvalid = true
  }

  /** `${`/`%{` (with an optional `~`) at i: enter normal mode until the matching close brace. */
  const beginSequence = (code: number): void => {
    const len = source.charCodeAt(i + 2) === 126 ? 3 : 2
    emit(code, i, i + len)
    i += len
    braces++
    retBraces.push(braces)
    if (heredocs.length > 0) heredocs[heredocs.length - 1].startOfLine = false
    modes.push(MAIN)
  }

  while (i < n) {
    const mode = modes[modes.length - 1]
    const c = source.charCodeAt(i)

    if (mode === STRING) {
      if (c === 34) {
        emit(C.CQuote, i, i + 1)
        i++
        modes.pop()
        continue
      }
      if ((c === 36 || c === 37) && source.charCodeAt(i + 1) === 123) {
        beginSequence(c === 36 ? C.TemplateInterp : C.TemplateControl)
        continue
      }
      if (c === 10 || c === 13) {
        let j = i + 1
        while (j < n && (source.charCodeAt(j) === 10 || source.charCodeAt(j) === 13)) j++
        emit(C.QuotedNewline, i, j)
        i = j
        continue
      }
      const j = scanQuotedRun(source, i)
      if (j === i) {
        // A lone backslash before a line break, or a `$`/`%` at the very end of the file.
        emit(C.Invalid, i, i + 1)
        i++
        continue
      }
      emit(C.QuotedLit, i, j)
      i = j
      continue
    }

    if (mode === HEREDOC) {
      if ((c === 36 || c === 37) && source.charCodeAt(i + 1) === 123) {
        beginSequence(c === 36 ? C.TemplateInterp : C.TemplateControl)
        continue
      }
      const doc = heredocs[heredocs.length - 1]
      const run = scanHeredocRun(source, i)
      if (run.end > i) {
        if (run.newlineLength > 0) {
          const textEnd = run.end - run.newlineLength
          if (doc.startOfLine && trimSpace(source.slice(i, textEnd)) === doc.marker) {
            emit(C.CHeredoc, i, textEnd)
            emit(C.Newline, textEnd, run.end)
            heredocs.pop()
            modes.pop()
            i = run.end
            continue
          }
          doc.startOfLine = true
        } else {
          doc.startOfLine = false
        }
        emit(C.StringLit, i, run.end)
        i = run.end
        continue
      }
      // A lone carriage return, or a `$`/`%` at the very end: nothing matches, the rest is invalid.
      emit(C.Invalid, i, n)
      i = n
      continue
    }

    // ---- normal mode ----
    switch (c) {
      case 32:
      case 9: {
        let j = i + 1
        while (j < n) {
          const d = source.charCodeAt(j)
          if (d !== 32 && d !== 9) break
          j++
        }
        i = j
        continue
      }
      case 10:
        emit(C.Newline, i, i + 1)
        i++
        continue
      case 13:
        if (source.charCodeAt(i + 1) === 10) {
          emit(C.Newline, i, i + 2)
          i += 2
        } else {
          emit(C.Invalid, i, i + 1)
          i++
        }
        continue
      case 35: // #
        i = lineComment(i)
        continue
      case 47: // /
        if (source.charCodeAt(i + 1) === 47) {
          i = lineComment(i)
          continue
        }
        if (source.charCodeAt(i + 1) === 42) {
          // Remember the last search: many unterminated `/*` must not rescan the file each time.
          if (commentEnd !== -1 && commentEnd < i + 2) commentEnd = source.indexOf('*/', i + 2)
          const close = commentEnd
          if (close >= 0) {
            emit(C.Comment, i, close + 2)
            i = close + 2
            continue
          }
        }
        i = single(C.Slash)
        continue
      case 34: // "
        emit(C.OQuote, i, i + 1)
        i++
        modes.push(STRING)
        continue
      case 60: {
        // <
        const next = source.charCodeAt(i + 1)
        if (next === 60) {
          const heredoc = scanHeredocOpener(source, i)
          if (heredoc) {
            emit(C.OHeredoc, i, heredoc.end)
            i = heredoc.end
            heredocs.push({marker: heredoc.marker, startOfLine: true})
            modes.push(HEREDOC)
            continue
          }
        }
        i = next === 61 ? pair(C.LessThanEq) : single(C.LessThan)
        continue
      }
      case 61: {
        // =
        const next = source.charCodeAt(i + 1)
        i = next === 61 ? pair(C.EqualOp) : next === 62 ? pair(C.FatArrow) : single(C.Equal)
        continue
      }
      case 33: // !
        i = source.charCodeAt(i + 1) === 61 ? pair(C.NotEqual) : single(C.Bang)
        continue
      case 62: // >
        i = source.charCodeAt(i + 1) === 61 ? pair(C.GreaterThanEq) : single(C.GreaterThan)
        continue
      case 38: // &
        i = source.charCodeAt(i + 1) === 38 ? pair(C.And) : single(C.BitwiseAnd)
        continue
      case 124: // |
        i = source.charCodeAt(i + 1) === 124 ? pair(C.Or) : single(C.BitwiseOr)
        continue
      case 58: // :
        i = source.charCodeAt(i + 1) === 58 ? pair(C.DoubleColon) : single(C.Colon)
        continue
      case 46: // .
        if (source.charCodeAt(i + 1) === 46 && source.charCodeAt(i + 2) === 46) {
          emit(C.Ellipsis, i, i + 3)
          i += 3
        } else {
          i = single(C.Dot)
        }
        continue
      case 126: // ~
        if (source.charCodeAt(i + 1) === 125) {
          // `~}` always closes a template sequence token-wise; a mismatched one is the parser's to report.
          emit(C.TemplateSeqEnd, i, i + 2)
          i += 2
          closeBrace(true)
        } else {
          i = single(C.BitwiseNot)
        }
        continue
      case 123: // {
        emit(C.OBrace, i, i + 1)
        i++
        braces++
        continue
      case 125: // }
        if (retBraces.length > 0 && retBraces[retBraces.length - 1] === braces) {
          emit(C.TemplateSeqEnd, i, i + 1)
        } else {
          emit(C.CBrace, i, i + 1)
        }
        i++
        closeBrace(false)
        continue
      case 91:
        i = single(C.OBrack)
        continue
      case 93:
        i = single(C.CBrack)
        continue
      case 40:
        i = single(C.OParen)
        continue
      case 41:
        i = single(C.CParen)
        continue
      case 44:
        i = single(C.Comma)
        continue
      case 42:
        i = single(C.Star)
        continue
      case 43:
        i = single(C.Plus)
        continue
      case 45:
        i = single(C.Minus)
        continue
      case 37:
        i = single(C.Percent)
        continue
      case 63:
        i = single(C.Question)
        continue
      case 94:
        i = single(C.BitwiseXor)
        continue
      case 59:
        i = single(C.Semicolon)
        continue
      case 96:
        i = single(C.Backtick)
        continue
      case 39:
        i = single(C.Apostrophe)
        continue
    }
    if (c >= 48 && c <= 57) {
      const end = scanNumber(source, i)
      emit(C.NumberLit, i, end)
      i = end
      continue
    }
    const cp = source.codePointAt(i)!
    const width = cp > 0xffff ? 2 : 1
    if (isIdentStart(cp)) {
      const end = scanIdentRest(source, i + width)
      emit(C.Ident, i, end)
      i = end
      continue
    }
    emit(c >= 0xd800 && c <= 0xdfff && width === 1 ? C.BadUTF8 : C.Invalid, i, i + width)
    i += width
  }
  emit(C.EOF, n, n)
  return {stream, diagnostics: sawInvalid ? invalidTokenDiagnostics(stream, source, filename) : []}

  function single(code: number): number {
    emit(code, i, i + 1)
    return i + 1
  }

  function pair(code: number): number {
    emit(code, i, i + 2)
    return i + 2
  }

  /** A `#` or `//` comment up to (not including) the line break, which lexes as a Newline next. */
  function lineComment(from: number): number {
    const nl = source.indexOf('\n', from)
    const end = nl < 0 ? n : source.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
    emit(C.Comment, from, end)
    return end
  }

  /** After a `}` or `~}`: leave a template sequence if this brace closes one. */
  function closeBrace(_tilde: boolean): void {
    if (retBraces.length > 0 && retBraces[retBraces.length - 1] === braces) {
      retBraces.pop()
      braces--
      modes.pop()
    } else {
      braces--
    }
  }
}

/** End of a run of quoted-string literal text starting at `from` (may be `from` itself). */
function scanQuotedRun(source: string, from: number): number {
  const n = source.length
  let j = from
  while (j < n) {
    const c = source.charCodeAt(j)
    if (c === 34 || c === 10 || c === 13) break
    if (c === 36 || c === 37) {
      const next = source.charCodeAt(j + 1)
      if (next === 123) break
      if (j + 1 >= n) break
      if (next === c && source.charCodeAt(j + 2) === 123) {
        j += 3
        continue
      }
      j++
      continue
    }
    if (c === 92) {
      const next = source.charCodeAt(j + 1)
      if (j + 1 >= n || next === 10 || next === 13) break
      j += next >= 0xd800 && next <= 0xdbff ? 3 : 2
      continue
    }
    j++
  }
  return j
}

/**
 * A run of heredoc text from `from`: up to and including the end of the line, or up to a `${`/`%{`.
 * `newlineLength` is 1 or 2 when the run ends a line, 0 otherwise.
 */
function scanHeredocRun(source: string, from: number): {end: number; newlineLength: number} {
  const n = source.length
  let j = from
  while (j < n) {
    const c = source.charCodeAt(j)
    if (c === 10) return {end: j + 1, newlineLength: 1}
    if (c === 13) {
      if (source.charCodeAt(j + 1) === 10) return {end: j + 2, newlineLength: 2}
      break
    }
    if (c === 36 || c === 37) {
      const next = source.charCodeAt(j + 1)
      if (next === 123 || j + 1 >= n) break
      if (next === c && source.charCodeAt(j + 2) === 123) {
        j += 3
        continue
      }
    }
    j++
  }
  return {end: j, newlineLength: 0}
}

/** `<<ID\n` or `<<-ID\n` at `from` (the newline must follow the identifier at once). */
function scanHeredocOpener(source: string, from: number): {end: number; marker: string} | undefined {
  let j = from + 2
  if (source.charCodeAt(j) === 45) j++
  const cp = source.codePointAt(j)
  if (cp === undefined || !isIdentStart(cp)) return undefined
  const identEnd = scanIdentRest(source, j + (cp > 0xffff ? 2 : 1))
  const marker = source.slice(j, identEnd)
  if (source.charCodeAt(identEnd) === 10) return {end: identEnd + 1, marker}
  if (source.charCodeAt(identEnd) === 13 && source.charCodeAt(identEnd + 1) === 10) return {end: identEnd + 2, marker}
  return undefined
}

function scanIdentRest(source: string, from: number): number {
  const n = source.length
  let j = from
  while (j < n) {
    const c = source.charCodeAt(j)
    if (c < 0x80) {
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45) {
        j++
        continue
      }
      break
    }
    const cp = source.codePointAt(j)!
    if (!isIdentContinue(cp)) break
    j += cp > 0xffff ? 2 : 1
  }
  return j
}

/**
 * End of a number literal: a digit, then digits, dots and exponents (`e`, optional sign, digit),
 * never ending in a dot. `1.5.2` is one (invalid) token, as in the reference scanner.
 */
function scanNumber(source: string, from: number): number {
  const n = source.length
  let j = from + 1
  let lastGood = j
  while (j < n) {
    const c = source.charCodeAt(j)
    if (c >= 48 && c <= 57) {
      j++
      lastGood = j
    } else if (c === 46) {
      j++
    } else if (c === 101 || c === 69) {
      let k = j + 1
      const sign = source.charCodeAt(k)
      if (sign === 43 || sign === 45) k++
      const d = source.charCodeAt(k)
      if (d >= 48 && d <= 57) {
        j = k + 1
        lastGood = j
      } else {
        break
      }
    } else {
      break
    }
  }
  return lastGood
}

/**
 * Diagnostics for tokens that never belong in HCL (bitwise operators, `;`, quotes of other
 * languages, stray characters, line breaks in quoted strings), limited like the reference so one
 * mistake repeated does not flood the output.
 */
function invalidTokenDiagnostics(stream: TokenStream, source: string, filename: string): Diagnostic[] {
  const diags: Diagnostic[] = []
  let toldBitwise = 0
  let toldBacktick = 0
  let toldApostrophe = 0
  let toldSemicolon = 0
  let toldBadUTF8 = 0
  const error = (summary: string, detail: string, i: number) =>
    diags.push({severity: 'error', summary, detail, range: {file: filename, start: stream.startPos(i), end: stream.endPos(i)}})
  for (let tok = 0; tok < stream.length; tok++) {
    const kind = stream.kind(tok)
    if (!INVALID_KINDS.has(kind)) continue
    switch (kind) {
      case 'BitwiseAnd':
      case 'BitwiseOr':
      case 'BitwiseXor':
      case 'BitwiseNot':
        if (toldBitwise < 4) {
          const suggestion =
            kind === 'BitwiseAnd'
              ? ' Did you mean boolean AND ("&&")?'
              : kind === 'BitwiseOr'
                ? ' Did you mean boolean OR ("||")?'
                : kind === 'BitwiseNot'
                  ? ' Did you mean boolean NOT ("!")?'
                  : ''
          error('Unsupported operator', `Bitwise operators are not supported.${suggestion}`, tok)
          toldBitwise++
        }
        break
      case 'Backtick':
        // Only every other one: the two ends of one backtick-quoted string are one mistake.
        if (toldBacktick % 2 === 0) {
          error(
            'Invalid character',
            'The "`" character is not valid. To create a multi-line string, use the "heredoc" syntax, like "<<EOT".',
            tok,
          )
        }
        if (toldBacktick <= 2) toldBacktick++
        break
      case 'Apostrophe':
        if (toldApostrophe % 2 === 0) {
          error('Invalid character', 'Single quotes are not valid. Use double quotes (") to enclose strings.', tok)
        }
        if (toldApostrophe <= 2) toldApostrophe++
        break
      case 'Semicolon':
        if (toldSemicolon < 1) {
          error(
            'Invalid character',
            'The ";" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.',
            tok,
          )
          toldSemicolon++
        }
        break
      case 'BadUTF8':
        if (toldBadUTF8 < 1) {
          error(
            'Invalid character encoding',
            'All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.',
            tok,
          )
          toldBadUTF8++
        }
        break
      case 'QuotedNewline':
        error(
          'Invalid multi-line string',
          'Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the "heredoc" multi-line template syntax.',
          tok,
        )
        break
      case 'Invalid': {
        const ch = source.codePointAt(stream.starts[tok])
        if (ch === 0x201c || ch === 0x201d || ch === 0x2018 || ch === 0x2019) {
          error(
            'Invalid character',
            '"Curly quotes" are not valid here. These can sometimes be inadvertently introduced when sharing code via documents or discussion forums. It might help to replace the character with a "straight quote".',
            tok,
          )
        } else {
          error('Invalid character', 'This character is not used within the language.', tok)
        }
        break
      }
      default:
        break
    }
  }
  return diags
}
