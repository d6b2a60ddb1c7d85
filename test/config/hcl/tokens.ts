/**
 * What a file means to the parser, as a comparable list: every token except white space, with
 * each run of line breaks reduced to one marker and
 * comments compared without trailing blanks (a lone carriage return ending the file counts as one). Two files with equal lists parse identically; the
 * formatter may only change what this list does not show.
 */
import {lex} from '../../../src/config/hcl/lexer.js'

export function significantTokens(source: string): string[] {
  const out: string[] = []
  const {tokens} = lex(source, 'x.hcl')
  let pendingNewline = false
  for (const tok of tokens) {
    const text = source.slice(tok.start, tok.end)
    if (tok.kind === 'Newline') {
      pendingNewline = true
      continue
    }
    if (tok.kind === 'Comment') {
      out.push(`Comment ${text.replace(/[ \t]+(?=\r?\n|$)/g, '').replace(/[ \t\r]+$/, '')}`)
      continue
    }
    // Line breaks at the start and the end of a file mean nothing.
    if (pendingNewline && out.length > 0 && tok.kind !== 'EOF') out.push('NL')
    pendingNewline = false
    out.push(`${tok.kind} ${text}`)
  }
  return out
}
