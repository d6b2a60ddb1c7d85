/**
 * The HCL lexer: turns source text into tokens, following HashiCorp's scanner mode for mode.
 * Three modes nest on a stack: normal code, quoted-string templates and heredoc templates; `${`
 * and `%{` inside a template push normal mode until the matching `}` (or `~}`) pops it.
 * One pass with charCodeAt, no per-character slicing, positions tracked incrementally.
 */
import type {Diagnostic, Pos} from '../../model/errors.js'
import {PositionTracker} from './position.js'
import {isIdentContinue, isIdentStart, trimSpace} from './text.js'
import type {Token, TokenKind} from './token.js'

const MAIN = 0
const STRING = 1
const HEREDOC = 2

interface HeredocInProgress {
  marker: string
  /** True while the scanner is at the start of a heredoc line (only such a line can close it). */
  startOfLine: boolean
}

/** The tokens of a file (ending with one EOF token) and the diagnostics of lexically invalid ones. */
export interface LexResult {
  tokens: Token[]
  diagnostics: Diagnostic[]
}

/** Splits `source` into tokens. Never throws: invalid input becomes Invalid tokens plus diagnostics. */
export function lex(source: string, filename: string): LexResult {
  const origin = source.charCodeAt(0) === 0xfeff ? 1 : 0
  const tracker = new PositionTracker(source, origin)
  const tokens: Token[] = []
  const n = source.length
  const modes: number[] = [MAIN]
  const heredocs: HeredocInProgress[] = []
  const retBraces: number[] = []
  let braces = 0
  let i = origin

  const emit = (kind: TokenKind, start: number, end: number): Token => {
    const tok: Token = {kind, start, end, s: tracker.at(start), e: tracker.at(end)}
    tokens.push(tok)
    return tok
  }

  /** `${`/`%{` (with an optional `~`) at i: enter normal mode until the matching close brace. */
  const beginSequence = (kind: 'TemplateInterp' | 'TemplateControl'): void => {
    const len = source.charCodeAt(i + 2) === 126 ? 3 : 2
    emit(kind, i, i + len)
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
        emit('CQuote', i, i + 1)
        i++
        modes.pop()
        continue
      }
      if ((c === 36 || c === 37) && source.charCodeAt(i + 1) === 123) {
        beginSequence(c === 36 ? 'TemplateInterp' : 'TemplateControl')
        continue
      }
      if (c === 10 || c === 13) {
        let j = i + 1
        while (j < n && (source.charCodeAt(j) === 10 || source.charCodeAt(j) === 13)) j++
        emit('QuotedNewline', i, j)
        i = j
        continue
      }
      const j = scanQuotedRun(source, i)
      if (j === i) {
        // A lone backslash before a newline, or a `$`/`%` at the very end: the reference scanner
        // gives up here and reports the rest of the file as one invalid token.
        emit(c === 92 ? 'Invalid' : 'Invalid', i, c === 92 ? i + 1 : n)
        i = c === 92 ? i + 1 : n
        continue
      }
      emit('QuotedLit', i, j)
      i = j
      continue
    }

    if (mode === HEREDOC) {
      if ((c === 36 || c === 37) && source.charCodeAt(i + 1) === 123) {
        beginSequence(c === 36 ? 'TemplateInterp' : 'TemplateControl')
        continue
      }
      const doc = heredocs[heredocs.length - 1]
      const run = scanHeredocRun(source, i)
      if (run.end > i) {
        if (run.newlineLength > 0) {
          const textEnd = run.end - run.newlineLength
          if (doc.startOfLine && trimSpace(source.slice(i, textEnd)) === doc.marker) {
            emit('CHeredoc', i, textEnd)
            emit('Newline', textEnd, run.end)
            heredocs.pop()
            modes.pop()
            i = run.end
            continue
          }
          doc.startOfLine = true
        } else {
          doc.startOfLine = false
        }
        emit('StringLit', i, run.end)
        i = run.end
        continue
      }
      // A lone carriage return, or a `$`/`%` at the very end: nothing matches, the rest is invalid.
      emit('Invalid', i, n)
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
        emit('Newline', i, i + 1)
        i++
        continue
      case 13:
        if (source.charCodeAt(i + 1) === 10) {
          emit('Newline', i, i + 2)
          i += 2
        } else {
          emit('Invalid', i, i + 1)
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
          const close = source.indexOf('*/', i + 2)
          if (close >= 0) {
            emit('Comment', i, close + 2)
            i = close + 2
            continue
          }
        }
        i = single('Slash')
        continue
      case 34: // "
        emit('OQuote', i, i + 1)
        i++
        modes.push(STRING)
        continue
      case 60: {
        // <
        const next = source.charCodeAt(i + 1)
        if (next === 60) {
          const heredoc = scanHeredocOpener(source, i)
          if (heredoc) {
            emit('OHeredoc', i, heredoc.end)
            i = heredoc.end
            heredocs.push({marker: heredoc.marker, startOfLine: true})
            modes.push(HEREDOC)
            continue
          }
        }
        i = next === 61 ? pair('LessThanEq') : single('LessThan')
        continue
      }
      case 61: {
        // =
        const next = source.charCodeAt(i + 1)
        i = next === 61 ? pair('EqualOp') : next === 62 ? pair('FatArrow') : single('Equal')
        continue
      }
      case 33: // !
        i = source.charCodeAt(i + 1) === 61 ? pair('NotEqual') : single('Bang')
        continue
      case 62: // >
        i = source.charCodeAt(i + 1) === 61 ? pair('GreaterThanEq') : single('GreaterThan')
        continue
      case 38: // &
        i = source.charCodeAt(i + 1) === 38 ? pair('And') : single('BitwiseAnd')
        continue
      case 124: // |
        i = source.charCodeAt(i + 1) === 124 ? pair('Or') : single('BitwiseOr')
        continue
      case 58: // :
        i = source.charCodeAt(i + 1) === 58 ? pair('DoubleColon') : single('Colon')
        continue
      case 46: // .
        if (source.charCodeAt(i + 1) === 46 && source.charCodeAt(i + 2) === 46) {
          emit('Ellipsis', i, i + 3)
          i += 3
        } else {
          i = single('Dot')
        }
        continue
      case 126: // ~
        if (source.charCodeAt(i + 1) === 125) {
          // `~}` always closes a template sequence token-wise; a mismatched one is the parser's to report.
          emit('TemplateSeqEnd', i, i + 2)
          i += 2
          closeBrace(true)
        } else {
          i = single('BitwiseNot')
        }
        continue
      case 123: // {
        emit('OBrace', i, i + 1)
        i++
        braces++
        continue
      case 125: // }
        if (retBraces.length > 0 && retBraces[retBraces.length - 1] === braces) {
          emit('TemplateSeqEnd', i, i + 1)
        } else {
          emit('CBrace', i, i + 1)
        }
        i++
        closeBrace(false)
        continue
      case 91:
        i = single('OBrack')
        continue
      case 93:
        i = single('CBrack')
        continue
      case 40:
        i = single('OParen')
        continue
      case 41:
        i = single('CParen')
        continue
      case 44:
        i = single('Comma')
        continue
      case 42:
        i = single('Star')
        continue
      case 43:
        i = single('Plus')
        continue
      case 45:
        i = single('Minus')
        continue
      case 37:
        i = single('Percent')
        continue
      case 63:
        i = single('Question')
        continue
      case 94:
        i = single('BitwiseXor')
        continue
      case 59:
        i = single('Semicolon')
        continue
      case 96:
        i = single('Backtick')
        continue
      case 39:
        i = single('Apostrophe')
        continue
    }
    if (c >= 48 && c <= 57) {
      const end = scanNumber(source, i)
      emit('NumberLit', i, end)
      i = end
      continue
    }
    const cp = source.codePointAt(i)!
    const width = cp > 0xffff ? 2 : 1
    if (isIdentStart(cp)) {
      const end = scanIdentRest(source, i + width)
      emit('Ident', i, end)
      i = end
      continue
    }
    emit(c >= 0xd800 && c <= 0xdfff && width === 1 ? 'BadUTF8' : 'Invalid', i, i + width)
    i += width
  }
  emit('EOF', n, n)
  return {tokens, diagnostics: invalidTokenDiagnostics(tokens, source, filename)}

  function single(kind: TokenKind): number {
    emit(kind, i, i + 1)
    return i + 1
  }

  function pair(kind: TokenKind): number {
    emit(kind, i, i + 2)
    return i + 2
  }

  function lineComment(from: number): number {
    const nl = source.indexOf('\n', from)
    const end = nl < 0 ? n : nl + 1
    emit('Comment', from, end)
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

function rangeOf(tok: Token, filename: string): {file: string; start: Pos; end: Pos} {
  return {file: filename, start: tok.s, end: tok.e}
}

/**
 * Diagnostics for tokens that never belong in HCL (bitwise operators, `;`, quotes of other
 * languages, stray characters, line breaks in quoted strings), limited like the reference so one
 * mistake repeated does not flood the output.
 */
function invalidTokenDiagnostics(tokens: Token[], source: string, filename: string): Diagnostic[] {
  const diags: Diagnostic[] = []
  let toldBitwise = 0
  let toldBacktick = 0
  let toldApostrophe = 0
  let toldSemicolon = 0
  let toldBadUTF8 = 0
  const error = (summary: string, detail: string, tok: Token) =>
    diags.push({severity: 'error', summary, detail, range: rangeOf(tok, filename)})
  for (const tok of tokens) {
    switch (tok.kind) {
      case 'BitwiseAnd':
      case 'BitwiseOr':
      case 'BitwiseXor':
      case 'BitwiseNot':
        if (toldBitwise < 4) {
          const suggestion =
            tok.kind === 'BitwiseAnd'
              ? ' Did you mean boolean AND ("&&")?'
              : tok.kind === 'BitwiseOr'
                ? ' Did you mean boolean OR ("||")?'
                : tok.kind === 'BitwiseNot'
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
        const ch = source.codePointAt(tok.start)
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
