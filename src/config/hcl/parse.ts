/**
 * `parseHcl`: one file of HCL native syntax to the AST of `ast.ts`, or a ConfigError with every
 * syntax diagnostic found.
 */
import {ConfigError} from '../../model/errors.js'
import type {Comment, ConfigFile} from './ast.js'
import {lex} from './lexer.js'
import {parseBody} from './parse-body.js'
import {ParserState} from './parser-state.js'

/**
 * Parses `source` (the text of `filename`). Accepts a leading BOM, CRLF line ends, tabs and
 * Unicode identifiers as HCL does. Columns count code points, byte offsets are UTF-8.
 * @throws ConfigError with all syntax diagnostics (lexical ones first, as HCL orders them).
 */
export function parseHcl(source: string, filename: string): ConfigFile {
  const {tokens, diagnostics} = lex(source, filename)
  const parser = new ParserState(source, filename, tokens)
  const body = parseBody(parser, 'EOF')
  const all = [...diagnostics, ...parser.diagnostics]
  if (all.length > 0) throw new ConfigError(all, {[filename]: source})
  const comments: Comment[] = []
  for (const tok of tokens) {
    if (tok.kind !== 'Comment') continue
    const c = source.charCodeAt(tok.start)
    const style = c === 35 ? '#' : source.charCodeAt(tok.start + 1) === 47 ? '//' : '/*'
    let end = tok.end
    let endPos = tok.e
    if (style !== '/*' && source.charCodeAt(end - 1) === 10) {
      // Line comments swallow their newline; the comment itself stops before it (and before a CR).
      end -= source.charCodeAt(end - 2) === 13 ? 2 : 1
      endPos = {
        line: tok.s.line,
        column: tok.s.column + countCodePoints(source, tok.start, end),
        byte: tok.s.byte + utf8Length(source, tok.start, end),
      }
    }
    comments.push({style, text: source.slice(tok.start, end), range: {file: filename, start: tok.s, end: endPos}})
  }
  return {type: 'File', filename, source, body, comments}
}

function countCodePoints(s: string, from: number, to: number): number {
  let count = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (!(c >= 0xdc00 && c <= 0xdfff)) count++
  }
  return count
}

function utf8Length(s: string, from: number, to: number): number {
  let bytes = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}
