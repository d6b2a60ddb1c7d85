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
  // Most files have about one token per four characters.
  const stream = new TokenStream(source, (source.length >> 2) + 16)
  scanTokens(source, stream)
  stream.push(C.EOF, source.length, source.length)
  return {stream, diagnostics: hasInvalid(stream) ? invalidTokenDiagnostics(stream, source, filename) : []}
}

/**
 * The scanning loop, apart from what follows it: V8 optimizes a long loop while it runs (on-stack
 * replacement), before the code after the loop has ever run, and that optimized code then fell back
 * to the interpreter at the code after the loop on every later scan.
 */
function scanTokens(source: string, stream: TokenStream): void {
  const origin = source.charCodeAt(0) === 0xfeff ? 1 : 0
  const n = source.length
  const nesting = new Nesting()
  const {modes, heredocs} = nesting
  // The scan position. No closure uses it or anything else of this loop (the helpers take and return
  // positions): a variable a closure captures is read and written through memory, not a register.
  let i = origin
  // Where the next block-comment end was found by the last search; -1: none left; -2: not searched.
  let commentEnd = -2

  while (i < n) {
    const mode = modes[modes.length - 1]
    const c = source.charCodeAt(i)

    if (mode === STRING) {
      if (c === 34) {
        stream.push(C.CQuote, i, i + 1)
        i++
        modes.pop()
        continue
      }
      if ((c === 36 || c === 37) && source.charCodeAt(i + 1) === 123) {
        i = nesting.beginSequence(stream, source, c === 36 ? C.TemplateInterp : C.TemplateControl, i)
        continue
      }
      if (c === 10 || c === 13) {
        let j = i + 1
        while (j < n && (source.charCodeAt(j) === 10 || source.charCodeAt(j) === 13)) j++
        stream.push(C.QuotedNewline, i, j)
        i = j
        continue
      }
      const j = scanQuotedRun(source, i)
      if (j === i) {
        // A lone backslash before a line break, or a `$`/`%` at the very end of the file.
        stream.push(C.Invalid, i, i + 1)
        i++
        continue
      }
      stream.push(C.QuotedLit, i, j)
      i = j
      continue
    }

    if (mode === HEREDOC) {
      if ((c === 36 || c === 37) && source.charCodeAt(i + 1) === 123) {
        i = nesting.beginSequence(stream, source, c === 36 ? C.TemplateInterp : C.TemplateControl, i)
        continue
      }
      const doc = heredocs[heredocs.length - 1]
      const run = scanHeredocRun(source, i)
      if (run.end > i) {
        if (run.newlineLength > 0) {
          const textEnd = run.end - run.newlineLength
          if (doc.startOfLine && trimSpace(source.slice(i, textEnd)) === doc.marker) {
            stream.push(C.CHeredoc, i, textEnd)
            stream.push(C.Newline, textEnd, run.end)
            heredocs.pop()
            modes.pop()
            i = run.end
            continue
          }
          doc.startOfLine = true
        } else {
          doc.startOfLine = false
        }
        stream.push(C.StringLit, i, run.end)
        i = run.end
        continue
      }
      // A lone carriage return, or a `$`/`%` at the very end: nothing matches, the rest is invalid.
      stream.push(C.Invalid, i, n)
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
        stream.push(C.Newline, i, i + 1)
        i++
        continue
      case 13:
        if (source.charCodeAt(i + 1) === 10) {
          stream.push(C.Newline, i, i + 2)
          i += 2
        } else {
          stream.push(C.Invalid, i, i + 1)
          i++
        }
        continue
      case 35: // #
        i = lineComment(stream, source, i)
        continue
      case 47: // /
        if (source.charCodeAt(i + 1) === 47) {
          i = lineComment(stream, source, i)
          continue
        }
        if (source.charCodeAt(i + 1) === 42) {
          // Remember the last search: many unterminated `/*` must not rescan the file each time.
          if (commentEnd !== -1 && commentEnd < i + 2) commentEnd = source.indexOf('*/', i + 2)
          const close = commentEnd
          if (close >= 0) {
            stream.push(C.Comment, i, close + 2)
            i = close + 2
            continue
          }
        }
        i = single(stream, C.Slash, i)
        continue
      case 34: // "
        stream.push(C.OQuote, i, i + 1)
        i++
        modes.push(STRING)
        continue
      case 60: {
        // <
        const next = source.charCodeAt(i + 1)
        if (next === 60) {
          const heredoc = scanHeredocOpener(source, i)
          if (heredoc) {
            stream.push(C.OHeredoc, i, heredoc.end)
            i = heredoc.end
            heredocs.push({marker: heredoc.marker, startOfLine: true})
            modes.push(HEREDOC)
            continue
          }
        }
        i = next === 61 ? pair(stream, C.LessThanEq, i) : single(stream, C.LessThan, i)
        continue
      }
      case 61: {
        // =
        const next = source.charCodeAt(i + 1)
        i = next === 61 ? pair(stream, C.EqualOp, i) : next === 62 ? pair(stream, C.FatArrow, i) : single(stream, C.Equal, i)
        continue
      }
      case 33: // !
        i = source.charCodeAt(i + 1) === 61 ? pair(stream, C.NotEqual, i) : single(stream, C.Bang, i)
        continue
      case 62: // >
        i = source.charCodeAt(i + 1) === 61 ? pair(stream, C.GreaterThanEq, i) : single(stream, C.GreaterThan, i)
        continue
      case 38: // &
        i = source.charCodeAt(i + 1) === 38 ? pair(stream, C.And, i) : single(stream, C.BitwiseAnd, i)
        continue
      case 124: // |
        i = source.charCodeAt(i + 1) === 124 ? pair(stream, C.Or, i) : single(stream, C.BitwiseOr, i)
        continue
      case 58: // :
        i = source.charCodeAt(i + 1) === 58 ? pair(stream, C.DoubleColon, i) : single(stream, C.Colon, i)
        continue
      case 46: // .
        if (source.charCodeAt(i + 1) === 46 && source.charCodeAt(i + 2) === 46) {
          stream.push(C.Ellipsis, i, i + 3)
          i += 3
        } else {
          i = single(stream, C.Dot, i)
        }
        continue
      case 126: // ~
        if (source.charCodeAt(i + 1) === 125) {
          // `~}` always closes a template sequence token-wise; a mismatched one is the parser's to report.
          stream.push(C.TemplateSeqEnd, i, i + 2)
          i += 2
          nesting.closeBrace()
        } else {
          i = single(stream, C.BitwiseNot, i)
        }
        continue
      case 123: // {
        stream.push(C.OBrace, i, i + 1)
        i++
        nesting.braces++
        continue
      case 125: // }
        if (nesting.closesSequence()) {
          stream.push(C.TemplateSeqEnd, i, i + 1)
        } else {
          stream.push(C.CBrace, i, i + 1)
        }
        i++
        nesting.closeBrace()
        continue
      case 91:
        i = single(stream, C.OBrack, i)
        continue
      case 93:
        i = single(stream, C.CBrack, i)
        continue
      case 40:
        i = single(stream, C.OParen, i)
        continue
      case 41:
        i = single(stream, C.CParen, i)
        continue
      case 44:
        i = single(stream, C.Comma, i)
        continue
      case 42:
        i = single(stream, C.Star, i)
        continue
      case 43:
        i = single(stream, C.Plus, i)
        continue
      case 45:
        i = single(stream, C.Minus, i)
        continue
      case 37:
        i = single(stream, C.Percent, i)
        continue
      case 63:
        i = single(stream, C.Question, i)
        continue
      case 94:
        i = single(stream, C.BitwiseXor, i)
        continue
      case 59:
        i = single(stream, C.Semicolon, i)
        continue
      case 96:
        i = single(stream, C.Backtick, i)
        continue
      case 39:
        i = single(stream, C.Apostrophe, i)
        continue
    }
    if (c >= 48 && c <= 57) {
      const end = scanNumber(source, i)
      stream.push(C.NumberLit, i, end)
      i = end
      continue
    }
    const cp = source.codePointAt(i)!
    const width = cp > 0xffff ? 2 : 1
    if (isIdentStart(cp)) {
      const end = scanIdentRest(source, i + width)
      stream.push(C.Ident, i, end)
      i = end
      continue
    }
    stream.push(c >= 0xd800 && c <= 0xdfff && width === 1 ? C.BadUTF8 : C.Invalid, i, i + width)
    i += width
  }
}

/** The open template sequences and heredocs of a scan: which mode the scanner is in, and why. */
class Nesting {
  readonly modes: number[] = [MAIN]
  readonly heredocs: HeredocInProgress[] = []
  /** The brace depth at which each open template sequence began. */
  readonly retBraces: number[] = []
  braces = 0

  /** `${`/`%{` (with an optional `~`) at `at`: enter normal mode until the matching close brace. */
  beginSequence(stream: TokenStream, source: string, code: number, at: number): number {
    const len = source.charCodeAt(at + 2) === 126 ? 3 : 2
    stream.push(code, at, at + len)
    this.braces++
    this.retBraces.push(this.braces)
    if (this.heredocs.length > 0) this.heredocs[this.heredocs.length - 1].startOfLine = false
    this.modes.push(MAIN)
    return at + len
  }

  /** Whether a `}` here closes a template sequence. */
  closesSequence(): boolean {
    return this.retBraces.length > 0 && this.retBraces[this.retBraces.length - 1] === this.braces
  }

  /** After a `}` or `~}`: leave a template sequence if this brace closes one. */
  closeBrace(): void {
    if (this.closesSequence()) {
      this.retBraces.pop()
      this.modes.pop()
    }
    this.braces--
  }
}

function single(stream: TokenStream, code: number, at: number): number {
  stream.push(code, at, at + 1)
  return at + 1
}

function pair(stream: TokenStream, code: number, at: number): number {
  stream.push(code, at, at + 2)
  return at + 2
}

/** A `#` or `//` comment up to (not including) the line break, which lexes as a Newline next. */
function lineComment(stream: TokenStream, source: string, from: number): number {
  const nl = source.indexOf('\n', from)
  const end = nl < 0 ? source.length : source.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
  stream.push(C.Comment, from, end)
  return end
}

/** Whether the scan made a token that is never valid (each gets a diagnostic). */
function hasInvalid(stream: TokenStream): boolean {
  const {codes, length} = stream
  for (let k = 0; k < length; k++) if (INVALID_CODES[codes[k] as number] === 1) return true
  return false
}
