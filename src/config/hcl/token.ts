/**
 * The tokens of HCL native syntax, as the lexer produces them and the parser reads them. The set
 * mirrors HashiCorp's scanner (including the tokens it only recognises to report a good error) so
 * that our diagnostics land where the reference implementation puts them.
 */
import type {Pos} from '../../model/errors.js'
import {LineIndex} from './position.js'

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
 * One token as an object: the convenient form for the formatter and tests. `start`/`end` index
 * the source string (UTF-16 units, end exclusive); `s`/`e` are the same points as positions.
 */
export interface Token {
  kind: TokenKind
  start: number
  end: number
  s: Pos
  e: Pos
}

/** The code of each kind in a TokenStream (its index in TOKEN_KINDS). */
export const KIND_CODE = Object.fromEntries(TOKEN_KINDS.map((kind, code) => [kind, code])) as Record<TokenKind, number>

/**
 * All tokens of a file in parallel typed arrays, the form the parser reads: token `i` has kind
 * `kind(i)` and source indexes `starts[i]`..`ends[i]`. No object is made per token, and no position
 * is worked out while scanning: a position becomes a Pos object only when a range is read (see
 * LineIndex). Tokens never overlap and are in source order; the last one is EOF.
 */
export class TokenStream {
  length = 0
  codes: Uint8Array
  starts: Int32Array
  ends: Int32Array
  readonly #lines: LineIndex

  constructor(source: string, capacity = 1024) {
    this.codes = new Uint8Array(capacity)
    this.starts = new Int32Array(capacity)
    this.ends = new Int32Array(capacity)
    this.#lines = new LineIndex(source)
  }

  /** Appends a token (the lexer's only write). */
  push(code: number, start: number, end: number): void {
    const i = this.length
    if (i === this.codes.length) this.grow()
    this.codes[i] = code
    this.starts[i] = start
    this.ends[i] = end
    this.length = i + 1
  }

  private grow(): void {
    const capacity = this.codes.length * 2
    const widen = <T extends Uint8Array | Int32Array>(from: T, make: (n: number) => T): T => {
      const to = make(capacity)
      to.set(from)
      return to
    }
    this.codes = widen(this.codes, (n) => new Uint8Array(n))
    this.starts = widen(this.starts, (n) => new Int32Array(n))
    this.ends = widen(this.ends, (n) => new Int32Array(n))
  }

  kind(i: number): TokenKind {
    return TOKEN_KINDS[this.codes[i]]
  }

  /** The start of token `i` as a new Pos (not cached: few are read, see nodes.ts). */
  startPos(i: number): Pos {
    return this.#lines.at(this.starts[i])
  }

  /** The end of token `i` as a new Pos. */
  endPos(i: number): Pos {
    return this.#lines.at(this.ends[i])
  }

  /** The line token `i` starts on. */
  line(i: number): number {
    return this.#lines.lineOf(this.starts[i])
  }

  /** Token `i` as an object. */
  token(i: number): Token {
    return {kind: this.kind(i), start: this.starts[i], end: this.ends[i], s: this.startPos(i), e: this.endPos(i)}
  }

  /** Every token as an object (allocates; not for hot paths). */
  toArray(): Token[] {
    const out: Token[] = []
    for (let i = 0; i < this.length; i++) out.push(this.token(i))
    return out
  }
}
