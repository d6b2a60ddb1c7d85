/**
 * The cursor the HCL parser reads tokens through, plus the diagnostics it collects. Like
 * HashiCorp's peeker it hides comments, and hides newlines whenever the innermost bracket makes
 * them insignificant (a stack the parser pushes and pops). Tokens are indexes into the
 * TokenStream: no object is made per token.
 *
 * Error recovery follows the reference parser: after the first error the parser skips to a
 * likely resynchronisation point and sets `recovery`, which silences the follow-on errors that
 * would only be noise.
 */
import type {Diagnostic, Pos, SourceRange} from '../../model/errors.js'
import type {BodyItem} from './ast.js'
import {advance} from './position.js'
import {decodeLiteral, needsDecoding} from './text.js'
import {KIND_CODE, type TokenKind, type TokenStream} from './token.js'
import {plainRange, type RangeSource, TokenRange} from './token-range.js'

/**
 * How deep expressions, blocks and templates may nest. Real configurations stay far below; the
 * limit keeps a hostile or broken file from exhausting the call stack (HCL itself has none).
 */
export const MAX_NESTING = 400

const COMMENT = KIND_CODE.Comment
const NEWLINE = KIND_CODE.Newline
const QUOTED_LIT = KIND_CODE.QuotedLit

/** Slots of the name table (a power of two): far more than the distinct names of a configuration. */
const NAME_SLOTS = 4096

/** A token (its index in the stream) or an AST node's range. */
export type Span = number | SourceRange

const OPPOSITE: Partial<Record<TokenKind, TokenKind>> = {
  OBrace: 'CBrace',
  OBrack: 'CBrack',
  OParen: 'CParen',
  OQuote: 'CQuote',
  OHeredoc: 'CHeredoc',
  CBrace: 'OBrace',
  CBrack: 'OBrack',
  CParen: 'OParen',
  CQuote: 'OQuote',
  CHeredoc: 'OHeredoc',
  TemplateControl: 'TemplateSeqEnd',
  TemplateInterp: 'TemplateSeqEnd',
  // Ambiguous, but `recover` counts both template openers as TemplateInterp.
  TemplateSeqEnd: 'TemplateInterp',
}

/** The token kind that closes (or opens) a bracketing token kind. */
export function oppositeBracket(kind: TokenKind): TokenKind | undefined {
  return OPPOSITE[kind]
}

export class ParserState {
  /** Index of the next unread token. */
  private pos = 0
  /** Index after the token the last peek() returned. */
  private peekNext = 0
  private readonly newlines: boolean[] = [true]
  private includeNewlines = true
  /** Set once any recovery happened: later, likely-cascading errors are not reported. */
  recovery = false
  /** Current nesting (expressions, unary operators, splats, blocks), against MAX_NESTING. */
  depth = 0
  /** Set when parsing gave up (too deep): the cursor stays at EOF and no more errors are added. */
  private aborted = false
  readonly diagnostics: Diagnostic[] = []
  private readonly names: (string | undefined)[] = new Array(NAME_SLOTS)
  /** The items of the bodies being read, innermost last (see parseBody). */
  readonly bodyItems: BodyItem[] = []
  private readonly codes: Uint8Array
  private readonly last: number
  /** What every range of this file refers to (see token-range.ts). */
  private readonly ranges: RangeSource

  constructor(
    readonly source: string,
    readonly file: string,
    readonly tokens: TokenStream,
  ) {
    this.codes = tokens.codes
    this.last = tokens.length - 1
    this.ranges = {file, tokens}
  }

  /** The next significant token (its index), without consuming it; EOF forever at the end. */
  peek(): number {
    if (this.aborted) {
      this.peekNext = this.last
      return this.last
    }
    const codes = this.codes
    const newlines = this.includeNewlines
    for (let i = this.pos; i <= this.last; i++) {
      const code = codes[i]
      if (code === COMMENT || (code === NEWLINE && !newlines)) continue
      this.peekNext = i + 1
      return i
    }
    this.peekNext = this.last + 1
    return this.last
  }

  /** The kind of the next significant token. */
  peekKind(): TokenKind {
    return this.tokens.kind(this.peek())
  }

  /** Consumes and returns the next significant token. */
  read(): number {
    const tok = this.peek()
    this.pos = this.peekNext
    return tok
  }

  /** The last token consumed (significant or not); the first token before anything is read. */
  prev(): number {
    return this.pos === 0 ? 0 : this.pos - 1
  }

  kind(tok: number): TokenKind {
    return this.tokens.kind(tok)
  }

  /** Length of a token in UTF-16 units. */
  length(tok: number): number {
    return this.tokens.ends[tok] - this.tokens.starts[tok]
  }

  /** Makes newlines significant (true) or ignored (false) until the matching pop. */
  pushNewlines(include: boolean): void {
    this.newlines.push(include)
    this.includeNewlines = include
  }

  popNewlines(): void {
    this.newlines.pop()
    this.includeNewlines = this.newlines[this.newlines.length - 1]
  }

  /** How many diagnostics so far; compare later to learn whether a sub-parse failed. */
  get errorCount(): number {
    return this.diagnostics.length
  }

  /** What this file's ranges refer to, for nodes that make their ranges when read (nodes.ts). */
  get rangeSource(): RangeSource {
    return this.ranges
  }

  /** The source range from the start of `from` to the end of `to` (positions worked out when read). */
  range(from: Span, to: Span = from): SourceRange {
    return TokenRange.span(this.ranges, from, to)
  }

  /** An empty range at the start of `at`. */
  emptyRange(at: Span): SourceRange {
    return TokenRange.emptyAt(this.ranges, at)
  }

  error(summary: string, detail: string, subject: Span): void {
    if (this.aborted) return
    this.diagnostics.push({severity: 'error', summary, detail, range: plainRange(this.range(subject))})
  }

  /**
   * Enters one level of nesting (pair it with `leave`); false, without entering, when that is too
   * deep: the problem is reported at `at` (once) and parsing stops, as deeper input could exhaust
   * the call stack. Every later read is EOF.
   */
  enter(at: number): boolean {
    if (++this.depth <= MAX_NESTING) return true
    this.depth--
    if (!this.aborted) {
      this.error(
        'Nesting too deep',
        `The configuration nests brackets, blocks, templates or operators more than ${MAX_NESTING} levels deep here. Split it into simpler expressions.`,
        at,
      )
      this.aborted = true
      this.recovery = true
      this.pos = this.last
    }
    return false
  }

  leave(): void {
    this.depth--
  }

  /** The text of a token. */
  text(tok: number): string {
    return this.source.slice(this.tokens.starts[tok], this.tokens.ends[tok])
  }

  /**
   * The text of a name token (attribute, block type, variable, attribute step), shared between its
   * occurrences: a file repeats a few dozen names thousands of times, and one string (its hash
   * computed once) is cheaper to keep and to look up than thousands of copies.
   */
  name(tok: number): string {
    const source = this.source
    const start = this.tokens.starts[tok]
    const end = this.tokens.ends[tok]
    // A direct-mapped table by a hash of the characters: no string is made for a name seen before.
    let hash = end - start
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + source.charCodeAt(i)) | 0
    const slot = hash & (NAME_SLOTS - 1)
    const known = this.names[slot]
    if (known !== undefined && known.length === end - start && source.startsWith(known, start)) return known
    const text = source.slice(start, end)
    this.names[slot] = text
    return text
  }

  /**
   * The text of a literal token with escapes decoded (backslash escapes only in quoted strings);
   * each bad escape is reported at its own position.
   */
  decode(tok: number): string {
    const raw = this.text(tok)
    const quoted = this.tokens.codes[tok] === QUOTED_LIT
    if (!needsDecoding(raw, quoted)) return raw
    const start = this.tokens.starts[tok]
    const {value, problems} = decodeLiteral(raw, quoted)
    if (problems.length > 0) {
      // Positions counted on from the previous problem (they come in order): linear in the token.
      let at = start
      let here: Pos = this.tokens.startPos(tok)
      for (const problem of problems) {
        const from = advance(this.source, at, start + problem.start, here.line, here.column, here.byte)
        const to = advance(this.source, start + problem.start, start + problem.end, from.line, from.column, from.byte)
        at = start + problem.end
        here = to
        this.diagnostics.push({
          severity: 'error',
          summary: 'Invalid escape sequence',
          detail: problem.detail,
          range: {file: this.file, start: from, end: to},
        })
      }
    }
    return value
  }

  /** Whether `tok` is the identifier `word` (a keyword only where the grammar says so). */
  isKeyword(tok: number, word: string): boolean {
    const start = this.tokens.starts[tok]
    return (
      this.tokens.kind(tok) === 'Ident' && this.tokens.ends[tok] - start === word.length && this.source.startsWith(word, start)
    )
  }

  /**
   * Skips to the token `end`, counting nested brackets of the same kind, and returns it (or EOF).
   * Leaves the cursor after it and turns on recovery mode.
   */
  recover(end: TokenKind): number {
    const start = oppositeBracket(end)
    this.recovery = true
    let nest = 0
    for (;;) {
      const tok = this.read()
      let kind = this.tokens.kind(tok)
      // Both template openers close with TemplateSeqEnd.
      if (end === 'TemplateSeqEnd' && kind === 'TemplateControl') kind = 'TemplateInterp'
      if (kind === start) nest++
      else if (kind === end) {
        if (nest < 1) return tok
        nest--
      } else if (kind === 'EOF') return tok
    }
  }

  /** Skips to the next `start` bracket and then past its matching close. */
  recoverOver(start: TokenKind): void {
    for (;;) {
      const kind = this.tokens.kind(this.read())
      if (kind === start || kind === 'EOF') break
    }
    const end = oppositeBracket(start)
    if (end) this.recover(end)
  }

  /** Skips to the end of the current body item: the next newline outside any brackets. */
  recoverAfterBodyItem(): void {
    this.recovery = true
    const open: TokenKind[] = []
    for (;;) {
      const kind = this.tokens.kind(this.read())
      switch (kind) {
        case 'Newline':
          if (open.length === 0) return
          break
        case 'EOF':
          return
        case 'OBrace':
        case 'OBrack':
        case 'OParen':
        case 'OQuote':
        case 'OHeredoc':
        case 'TemplateInterp':
        case 'TemplateControl':
          open.push(kind)
          break
        case 'CBrace':
        case 'CBrack':
        case 'CParen':
        case 'CQuote':
        case 'CHeredoc': {
          const opener = oppositeBracket(kind)
          while (open.length > 0 && open[open.length - 1] !== opener) open.pop()
          if (open.length > 0) open.pop()
          break
        }
        case 'TemplateSeqEnd':
          while (open.length > 0 && open[open.length - 1] !== 'TemplateInterp' && open[open.length - 1] !== 'TemplateControl') {
            open.pop()
          }
          if (open.length > 0) open.pop()
          break
        default:
          break
      }
    }
  }
}
