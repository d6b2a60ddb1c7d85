/**
 * The tokens of HCL native syntax, as the lexer produces them and the parser reads them. The set
 * mirrors HashiCorp's scanner (including the tokens it only recognises to report a good error) so
 * that our diagnostics land where the reference implementation puts them.
 */
import type {Pos} from '../../model/errors.js'

export const TOKEN_KINDS = [
  'OBrace',
  'CBrace',
  'OBrack',
  'CBrack',
  'OParen',
  'CParen',
  'OQuote',
  'CQuote',
  'OHeredoc',
  'CHeredoc',
  'Star',
  'Slash',
  'Plus',
  'Minus',
  'Percent',
  'Equal',
  'EqualOp',
  'NotEqual',
  'LessThan',
  'LessThanEq',
  'GreaterThan',
  'GreaterThanEq',
  'And',
  'Or',
  'Bang',
  'Dot',
  'Comma',
  'Ellipsis',
  'FatArrow',
  'Question',
  'Colon',
  'DoubleColon',
  'TemplateInterp',
  'TemplateControl',
  'TemplateSeqEnd',
  'QuotedLit',
  'StringLit',
  'NumberLit',
  'Ident',
  'Comment',
  'Newline',
  'EOF',
  // Not part of the language: recognised so the parser can explain the mistake.
  'BitwiseAnd',
  'BitwiseOr',
  'BitwiseNot',
  'BitwiseXor',
  'Apostrophe',
  'Backtick',
  'Semicolon',
  'Invalid',
  'BadUTF8',
  'QuotedNewline',
] as const

export type TokenKind = (typeof TOKEN_KINDS)[number]

/**
 * One token. `start`/`end` index the source string (UTF-16 units, end exclusive); `s`/`e` are the
 * same points as line/column/byte positions. Tokens never overlap and appear in source order.
 */
export interface Token {
  kind: TokenKind
  start: number
  end: number
  s: Pos
  e: Pos
  /** For a line comment that swallowed its newline: the newline token the parser sees instead. */
  asNewline?: Token
}
