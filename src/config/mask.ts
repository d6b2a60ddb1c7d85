/**
 * Keeps secrets out of what the loader hands back for display. Diagnostics show source lines, so a
 * secret written literally in a file (`secret = "..."`, a sensitive variable's default, a local
 * used as a password) is masked there with `*` characters, one per character, so lines and columns
 * stay right. Messages get a last scrub of any secret text that slipped in.
 */
import type {Diagnostic} from '../model/errors.js'
import type {Body, ConfigFile, Expression, TemplatePart} from './hcl/ast.js'

/** Secrets shorter than this are not scrubbed from messages: replacing every "abc" would garble them. */
export const MIN_SCRUBBED = 4

/**
 * The sources with secrets masked. With a few secrets, every occurrence of each one (of
 * MIN_SCRUBBED characters or more) is masked, wherever it stands (a string, a heredoc, a comment);
 * beyond that, and for shorter secrets, each string literal whose whole text is a secret. Files
 * without a secret are returned as they are.
 */
export function maskSources(
  files: readonly ConfigFile[],
  sources: Record<string, string>,
  secrets: ReadonlySet<string>,
): Record<string, string> {
  if (secrets.size === 0) return sources
  const masked: Record<string, string> = {...sources}
  const few = secrets.size <= SEARCH_LIMIT
  const searched = few ? [...secrets].filter((secret) => secret.length >= MIN_SCRUBBED) : []
  const exact = few ? new Set([...secrets].filter((secret) => secret.length < MIN_SCRUBBED)) : secrets
  for (const file of files) {
    let text = sources[file.filename]
    if (text === undefined) continue
    for (const secret of searched) {
      if (text.includes(secret)) {
        const mask = secret.replace(/[^\r\n]/gu, '*')
        // A function replacement: the mask goes in as it is ("$" patterns are not expanded).
        text = text.replaceAll(secret, () => mask)
      }
    }
    if (exact.size > 0 && (!few || [...exact].some((secret) => secret !== '' && text!.includes(secret)))) {
      const spans: {start: number; end: number}[] = []
      forEachLiteral(file.body, (value, start, end) => {
        if (exact.has(value)) spans.push({start, end})
      })
      if (spans.length > 0) text = maskSpans(text, spans)
    }
    masked[file.filename] = text
  }
  return masked
}

/** Up to this many secrets, files are searched for each of them. */
const SEARCH_LIMIT = 32

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

/** Calls `visit` with every literal text part of every string in a body, and its byte span. */
function forEachLiteral(body: Body, visit: (value: string, start: number, end: number) => void): void {
  const expressions: Expression[] = []
  const bodies: Body[] = [body]
  for (let b = bodies.pop(); b; b = bodies.pop()) {
    for (const item of b.items) {
      if (item.type === 'Attribute') expressions.push(item.expr)
      else bodies.push(item.body)
    }
  }
  // Explicit stacks: a mutated file may nest expressions deeper than recursion should go.
  const parts: TemplatePart[] = []
  const pushAll = <T>(into: T[], items: readonly T[]) => {
    for (const item of items) into.push(item)
  }
  for (let expr = expressions.pop(); expr; expr = expressions.pop()) {
    switch (expr.type) {
      case 'Template':
        pushAll(parts, expr.parts)
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
        pushAll(expressions, expr.args)
        break
      case 'Tuple':
        pushAll(expressions, expr.items)
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
          visit(part.value, part.range.start.byte, part.range.end.byte)
          break
        case 'TemplateInterpolation':
          expressions.push(part.expr)
          break
        case 'TemplateIf':
          expressions.push(part.condition)
          pushAll(parts, part.then)
          if (part.else) pushAll(parts, part.else)
          break
        case 'TemplateFor':
          expressions.push(part.collection)
          pushAll(parts, part.body)
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
