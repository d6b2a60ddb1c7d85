/**
 * Keeps secrets out of what the loader hands back for display. Diagnostics show source lines, so a
 * secret written literally in a file (`secret = "..."`, a sensitive variable's default, a local
 * used as a password) is masked there: every string literal whose text is a known secret is
 * replaced by `*` characters, one per character, so columns stay right. Messages get a last scrub
 * of any secret text that slipped in. Both run in time linear in the files and messages.
 */
import type {Diagnostic} from '../model/errors.js'
import type {Body, ConfigFile, Expression, TemplatePart} from './hcl/ast.js'

/** Secrets shorter than this are not scrubbed from messages: replacing every "abc" would garble them. */
export const MIN_SCRUBBED = 4

/** The sources with every string literal that equals a secret masked. Untouched files are returned as they are. */
export function maskSources(
  files: readonly ConfigFile[],
  sources: Record<string, string>,
  secrets: ReadonlySet<string>,
): Record<string, string> {
  if (secrets.size === 0) return sources
  const masked: Record<string, string> = {...sources}
  for (const file of files) {
    const spans: {start: number; end: number}[] = []
    for (const literal of literals(file.body)) {
      if (secrets.has(literal.value)) spans.push({start: literal.start, end: literal.end})
    }
    if (spans.length === 0) continue
    const text = sources[file.filename]
    if (text === undefined) continue
    masked[file.filename] = maskSpans(text, spans)
  }
  return masked
}

/** Byte spans replaced by one `*` per character. */
function maskSpans(text: string, spans: {start: number; end: number}[]): string {
  const bytes = Buffer.from(text, 'utf8')
  spans.sort((a, b) => a.start - b.start)
  const parts: string[] = []
  let at = 0
  for (const span of spans) {
    if (span.start < at) continue
    parts.push(bytes.subarray(at, span.start).toString('utf8'))
    // One "*" per character, line ends kept, so lines and columns stay where they were.
    parts.push(
      bytes
        .subarray(span.start, span.end)
        .toString('utf8')
        .replace(/[^\r\n]/gu, '*'),
    )
    at = span.end
  }
  parts.push(bytes.subarray(at).toString('utf8'))
  return parts.join('')
}

/** Every literal text part of every string in a body, with its byte span. */
function* literals(body: Body): Generator<{value: string; start: number; end: number}> {
  const expressions: Expression[] = []
  const bodies: Body[] = [body]
  for (let b = bodies.pop(); b; b = bodies.pop()) {
    for (const item of b.items) {
      if (item.type === 'Attribute') expressions.push(item.expr)
      else bodies.push(item.body)
    }
  }
  // An explicit stack: a mutated file may nest expressions deeper than recursion should go.
  const parts: TemplatePart[] = []
  for (let expr = expressions.pop(); expr; expr = expressions.pop()) {
    switch (expr.type) {
      case 'Template':
        parts.push(...expr.parts)
        break
      case 'Paren':
        expressions.push(expr.expr)
        break
      case 'GetAttr':
        expressions.push(expr.object)
        break
      case 'Index':
        expressions.push(expr.collection, expr.key)
        break
      case 'Splat':
        expressions.push(expr.source, expr.each)
        break
      case 'Call':
        expressions.push(...expr.args)
        break
      case 'Tuple':
        expressions.push(...expr.items)
        break
      case 'Object':
        for (const item of expr.items) expressions.push(item.key, item.value)
        break
      case 'For':
        expressions.push(expr.collection, expr.valueExpr)
        if (expr.keyExpr) expressions.push(expr.keyExpr)
        if (expr.condition) expressions.push(expr.condition)
        break
      case 'Conditional':
        expressions.push(expr.condition, expr.then, expr.else)
        break
      case 'Binary':
        expressions.push(expr.left, expr.right)
        break
      case 'Unary':
        expressions.push(expr.operand)
        break
      default:
        break
    }
    for (let part = parts.pop(); part; part = parts.pop()) {
      switch (part.type) {
        case 'TemplateLiteral':
          yield {value: part.value, start: part.range.start.byte, end: part.range.end.byte}
          break
        case 'TemplateInterpolation':
          expressions.push(part.expr)
          break
        case 'TemplateIf':
          expressions.push(part.condition)
          parts.push(...part.then, ...(part.else ?? []))
          break
        case 'TemplateFor':
          expressions.push(part.collection)
          parts.push(...part.body)
          break
      }
    }
  }
}

/** The diagnostics with any secret text (of MIN_SCRUBBED characters or more) replaced by "(sensitive)". */
export function scrubDiagnostics(diagnostics: readonly Diagnostic[], secrets: ReadonlySet<string>): Diagnostic[] {
  const texts = [...secrets].filter((s) => s.length >= MIN_SCRUBBED)
  if (texts.length === 0) return [...diagnostics]
  const clean = (text: string): string => {
    let out = text
    for (const secret of texts) if (out.includes(secret)) out = out.split(secret).join('(sensitive)')
    return out
  }
  return diagnostics.map((d) => ({...d, summary: clean(d.summary), ...(d.detail === undefined ? {} : {detail: clean(d.detail)})}))
}
