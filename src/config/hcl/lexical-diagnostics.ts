/**
 * Lexical diagnostics: tokens that never belong in HCL (bitwise operators, `;`, quotes and
 * backticks of other languages, stray characters, bad encodings, line breaks inside quoted
 * strings) get an error of their own, worded and limited like HashiCorp's scanner reports them.
 */
import type {Diagnostic} from '../../model/errors.js'
import {KIND_CODE, type TokenKind, type TokenStream} from './token.js'

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
/** 1 at the code of each such kind: the lexer's cheap test while it emits. */
export const INVALID_CODES = new Uint8Array(256)
for (const kind of INVALID_KIND_LIST) INVALID_CODES[KIND_CODE[kind]] = 1

/**
 * Diagnostics for tokens that never belong in HCL (bitwise operators, `;`, quotes of other
 * languages, stray characters, line breaks in quoted strings), limited like the reference so one
 * mistake repeated does not flood the output.
 */
export function invalidTokenDiagnostics(stream: TokenStream, source: string, filename: string): Diagnostic[] {
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
