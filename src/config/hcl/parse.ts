/**
 * `parseHcl`: one file of HCL native syntax to the AST of `ast.ts`, or a ConfigError with every
 * syntax diagnostic found.
 */
import {ConfigError, type Diagnostic} from '../../model/errors.js'
import type {Comment, ConfigFile} from './ast.js'
import {scan} from './lexer.js'
import {parseBody} from './parse-body.js'
import {ParserState} from './parser-state.js'
import {plainRange} from './token-range.js'

/**
 * Parses `source` (the text of `filename`). Accepts a leading BOM, CRLF line ends, tabs and
 * Unicode identifiers as HCL does. Columns count code points, byte offsets are UTF-8.
 * @throws ConfigError with all syntax diagnostics (lexical ones first, as HCL orders them).
 */
export function parseHcl(source: string, filename: string): ConfigFile {
  const {stream, diagnostics} = scan(source, filename)
  const parser = new ParserState(source, filename, stream)
  const body = parseBody(parser, 'EOF')
  const all = diagnostics.length > 0 ? [...diagnostics, ...parser.diagnostics] : parser.diagnostics
  if (all.length > 0) throw new ConfigError(capped(all), {[filename]: source})
  // Listed when read: loading a configuration never reads them, only tools that keep comments do.
  let comments: Comment[] | undefined
  return {
    type: 'File',
    filename,
    source,
    body,
    get comments() {
      comments ??= commentsOf(parser)
      return comments
    },
  }
}

/** Every comment of the parsed file, in source order. */
function commentsOf(parser: ParserState): Comment[] {
  const {source, tokens} = parser
  const comments: Comment[] = []
  for (let i = 0; i < tokens.length; i++) {
    if (tokens.kind(i) !== 'Comment') continue
    const start = tokens.starts[i]
    const c = source.charCodeAt(start)
    const style = c === 35 ? '#' : source.charCodeAt(start + 1) === 47 ? '//' : '/*'
    comments.push({style, text: source.slice(start, tokens.ends[i]), range: plainRange(parser.range(i))})
  }
  return comments
}

/** At most this many diagnostics per file: a binary or badly broken file would print thousands. */
export const MAX_DIAGNOSTICS = 50

function capped(diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS) return diagnostics
  const kept = diagnostics.slice(0, MAX_DIAGNOSTICS - 1)
  const rest = diagnostics.length - kept.length
  kept.push({
    severity: 'error',
    summary: 'Too many errors',
    detail: `${rest} more problems in this file are not shown. Fix the ones above first; later ones are often caused by them.`,
    range: diagnostics[MAX_DIAGNOSTICS - 1].range,
  })
  return kept
}
