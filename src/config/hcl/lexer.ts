/**
 * The HCL lexer: turns source text into tokens, following HashiCorp's scanner mode for mode.
 * Three modes nest on a stack: normal code, quoted-string templates and heredoc templates; `${`
 * and `%{` inside a template push normal mode until the matching `}` (or `~}`) pops it.
 * One pass with charCodeAt, no per-character slicing; positions are worked out only when read.
 */
import type {Diagnostic} from '../../model/errors.js'
import {scanHeredocOpener, scanHeredocRun, scanIdentRest, scanNumber, scanQuotedRun} from './lexer-runs.js'
import {isIdentStart, trimSpace} from './text.js'
import {INVALID_CODES, invalidTokenDiagnostics} from './lexical-diagnostics.js'
import {KIND_CODE, type Token, TokenStream} from './token.js'

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
    stream.push(code, start, end)
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
