/**
 * The source ranges of AST nodes, worked out when read. The parser gives every node a range (and
 * some two or three), but a load reads few of them: diagnostics and the model's block headers. Making
 * every range and its two positions up front was half the cost of parsing a large file, most of it
 * in garbage collection. A TokenRange holds the tokens it spans and answers `start` and `end` from
 * the token stream, so it reads like any SourceRange (the most frequent nodes go further and make
 * their TokenRanges when read, see nodes.ts). Its JSON is the plain form; `plainRange` copies it into a plain object, for what
 * leaves the loader (diagnostics: compared, cloned and serialised as plain data).
 */
import type {Pos, SourceRange} from '../../model/errors.js'
import type {TokenStream} from './token.js'

/** What the ranges of one parsed file share: the file name and its tokens. */
export interface RangeSource {
  readonly file: string
  readonly tokens: TokenStream
}

/** A SourceRange over tokens; see the module comment. Read-only, like every AST range. */
export class TokenRange implements SourceRange {
  readonly #source: RangeSource
  /** The token the range starts at. */
  readonly #first: number
  /** The token the range ends with (at its end); `~t` (negative) ends it at the start of token `t`. */
  readonly #last: number

  private constructor(source: RangeSource, first: number, last: number) {
    this.#source = source
    this.#first = first
    this.#last = last
  }

  get file(): string {
    return this.#source.file
  }

  get start(): Pos {
    return this.#source.tokens.startPos(this.#first)
  }

  get end(): Pos {
    const last = this.#last
    return last >= 0 ? this.#source.tokens.endPos(last) : this.#source.tokens.startPos(~last)
  }

  toJSON(): SourceRange {
    return {file: this.file, start: this.start, end: this.end}
  }

  /**
   * The range from the start of `from` to the end of `to`, each a token index or a range. Ranges of
   * other sources (and plain ones) give a plain range.
   */
  static span(source: RangeSource, from: number | SourceRange, to: number | SourceRange): SourceRange {
    const first = typeof from === 'number' ? from : from instanceof TokenRange && from.#source === source ? from.#first : -1
    const last = typeof to === 'number' ? to : to instanceof TokenRange && to.#source === source ? to.#last : undefined
    if (first >= 0 && last !== undefined) return new TokenRange(source, first, last)
    return {
      file: source.file,
      start: typeof from === 'number' ? source.tokens.startPos(from) : from.start,
      end: typeof to === 'number' ? source.tokens.endPos(to) : to.end,
    }
  }

  /** An empty range at the start of `at` (a token index or a range). */
  static emptyAt(source: RangeSource, at: number | SourceRange): SourceRange {
    const first = typeof at === 'number' ? at : at instanceof TokenRange && at.#source === source ? at.#first : -1
    if (first >= 0) return new TokenRange(source, first, ~first)
    const pos = (at as SourceRange).start
    return {file: source.file, start: pos, end: pos}
  }

  /** From the start of `a` to the end of `b`: one TokenRange when both are of one source, else plain. */
  static join(a: SourceRange, b: SourceRange): SourceRange {
    if (a instanceof TokenRange && b instanceof TokenRange && a.#source === b.#source) {
      return new TokenRange(a.#source, a.#first, b.#last)
    }
    return {file: a.file, start: a.start, end: b.end}
  }
}

/** `range` as a plain object (a TokenRange's positions worked out); a plain range as it is. */
export function plainRange(range: SourceRange): SourceRange {
  return range instanceof TokenRange ? range.toJSON() : range
}
