/**
 * The cursor the HCL parser reads tokens through, plus the diagnostics it collects. Like
 * HashiCorp's peeker it hides comments, and hides newlines whenever the innermost bracket makes
 * them insignificant (a stack the parser pushes and pops); a line comment that swallowed its
 * newline reads as that newline where newlines matter.
 *
 * Error recovery follows the reference parser: after the first error the parser skips to a
 * likely resynchronisation point and sets `recovery`, which silences the follow-on errors that
 * would only be noise.
 */
import type {Diagnostic, Pos, SourceRange} from '../../model/errors.js'
import {PositionTracker} from './position.js'
import {decodeLiteral} from './text.js'
import type {Token, TokenKind} from './token.js'

/** Anything with a start and an end: a token or an AST node's range. */
export type Span = {s: Pos; e: Pos} | SourceRange

function startOf(span: Span): Pos {
  return 's' in span ? span.s : span.start
}

function endOf(span: Span): Pos {
  return 'e' in span ? span.e : span.end
}

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
  /** Set once any recovery happened: later, likely-cascading errors are not reported. */
  recovery = false
  readonly diagnostics: Diagnostic[] = []

  constructor(
    readonly source: string,
    readonly file: string,
    readonly tokens: Token[],
  ) {
    for (const tok of tokens) {
      if (tok.kind === 'Comment' && source.charCodeAt(tok.end - 1) === 10) {
        tok.asNewline = {kind: 'Newline', start: tok.start, end: tok.end, s: tok.s, e: tok.e}
      }
    }
  }

  /** The next significant token, without consuming it (EOF forever at the end). */
  peek(): Token {
    const toks = this.tokens
    const newlines = this.newlines[this.newlines.length - 1]
    for (let i = this.pos; i < toks.length; i++) {
      const tok = toks[i]
      if (tok.kind === 'Comment') {
        if (newlines && tok.asNewline) {
          this.peekNext = i + 1
          return tok.asNewline
        }
        continue
      }
      if (tok.kind === 'Newline' && !newlines) continue
      this.peekNext = i + 1
      return tok
    }
    this.peekNext = toks.length
    return toks[toks.length - 1]
  }

  /** Consumes and returns the next significant token. */
  read(): Token {
    const tok = this.peek()
    this.pos = this.peekNext
    return tok
  }

  /** The last token consumed (significant or not); the first token before anything is read. */
  prev(): Token {
    return this.tokens[this.pos === 0 ? 0 : this.pos - 1]
  }

  /** Makes newlines significant (true) or ignored (false) until the matching pop. */
  pushNewlines(include: boolean): void {
    this.newlines.push(include)
  }

  popNewlines(): void {
    this.newlines.pop()
  }

  /** How many diagnostics so far; compare later to learn whether a sub-parse failed. */
  get errorCount(): number {
    return this.diagnostics.length
  }

  /** The source range from the start of `from` to the end of `to`. */
  range(from: Span, to: Span = from): SourceRange {
    return {file: this.file, start: startOf(from), end: endOf(to)}
  }

  /** An empty range at the start of `at`. */
  emptyRange(at: Span): SourceRange {
    const p = startOf(at)
    return {file: this.file, start: p, end: p}
  }

  error(summary: string, detail: string, subject: Span): void {
    this.diagnostics.push({severity: 'error', summary, detail, range: this.range(subject)})
  }

  /** The text of a token. */
  text(tok: Token): string {
    return this.source.slice(tok.start, tok.end)
  }

  /**
   * The text of a literal token with escapes decoded (backslash escapes only in quoted strings);
   * each bad escape is reported at its own position.
   */
  decode(tok: Token): string {
    const {value, problems} = decodeLiteral(this.text(tok), tok.kind === 'QuotedLit')
    if (problems.length > 0) {
      const tracker = new PositionTracker(this.source)
      for (const problem of problems) {
        const start = tracker.at(tok.start + problem.start)
        const end = tracker.at(tok.start + problem.end)
        this.diagnostics.push({
          severity: 'error',
          summary: 'Invalid escape sequence',
          detail: problem.detail,
          range: {file: this.file, start, end},
        })
      }
    }
    return value
  }

  /** Whether `tok` is the identifier `word` (a keyword only where the grammar says so). */
  isKeyword(tok: Token, word: string): boolean {
    return tok.kind === 'Ident' && tok.end - tok.start === word.length && this.source.startsWith(word, tok.start)
  }

  /**
   * Skips to the token `end`, counting nested brackets of the same kind, and returns it (or EOF).
   * Leaves the cursor after it and turns on recovery mode.
   */
  recover(end: TokenKind): Token {
    const start = oppositeBracket(end)
    this.recovery = true
    let nest = 0
    for (;;) {
      const tok = this.read()
      let kind = tok.kind
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
      const tok = this.read()
      if (tok.kind === start || tok.kind === 'EOF') break
    }
    const end = oppositeBracket(start)
    if (end) this.recover(end)
  }

  /** Skips to the end of the current body item: the next newline outside any brackets. */
  recoverAfterBodyItem(): void {
    this.recovery = true
    const open: TokenKind[] = []
    for (;;) {
      const tok = this.read()
      switch (tok.kind) {
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
          open.push(tok.kind)
          break
        case 'CBrace':
        case 'CBrack':
        case 'CParen':
        case 'CQuote':
        case 'CHeredoc': {
          const opener = oppositeBracket(tok.kind)
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
