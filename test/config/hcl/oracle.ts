// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL source text is full of ${...} sequences.
/**
 * The differential-test oracle: HashiCorp's HCL (hclsyntax) compiled to wasm in @cdktn/hcl2json,
 * loaded lazily because it is slow to start, and `toOracleJson`, which renders our AST in the
 * JSON shape hcl2json produces (see research/hcl-syntax.md §4), so the two can be compared.
 */
import type {Body, ConfigFile, Expression, ObjectItem, TemplateExpr, TemplatePart} from '../../../src/config/hcl/ast.js'

type Hcl2Json = typeof import('@cdktn/hcl2json')
let oracle: Promise<Hcl2Json> | undefined

/** hcl2json's JSON for `text`; rejects with its "parse config: [...]" message on syntax errors. */
export async function oracleParse(filename: string, text: string): Promise<unknown> {
  oracle ??= import('@cdktn/hcl2json')
  const mod = await oracle
  return mod.parse(filename, text)
}

/** The line of the first diagnostic in an oracle error message (`file:L,C-...: Summary; ...`). */
export function oracleFirstErrorLine(message: string): number | undefined {
  const match = /^parse config: \[[^\s]*?:(\d+),(\d+)-/.exec(message)
  return match ? Number(match[1]) : undefined
}

/** Thrown when hcl2json's converter (not its parser) would fail: such files are oracle limitations. */
export class OracleConversionLimit extends Error {}

/** Our AST rendered the way hcl2json renders HashiCorp's. */
export function toOracleJson(file: ConfigFile): Record<string, unknown> {
  return new Converter(file).body(file.body)
}

type JsonObject = Record<string, unknown>

class Converter {
  private readonly bytes: Buffer

  constructor(file: ConfigFile) {
    this.bytes = Buffer.from(file.source, 'utf8')
  }

  body(body: Body): JsonObject {
    const out: JsonObject = {}
    for (const item of body.items) {
      if (item.type !== 'Block') continue
      let target = out
      let key = item.blockType
      for (const label of item.labels) {
        const existing = target[key]
        if (existing === undefined) {
          target[key] = {}
        } else if (Array.isArray(existing) || typeof existing !== 'object' || existing === null) {
          throw new OracleConversionLimit(`blocks with and without labels: ${item.blockType}`)
        }
        target = target[key] as JsonObject
        key = label.value
      }
      const value = this.body(item.body)
      const existing = target[key]
      if (existing === undefined) target[key] = [value]
      else if (Array.isArray(existing)) existing.push(value)
      else throw new OracleConversionLimit(`blocks with and without labels: ${item.blockType}`)
    }
    // Attributes come after blocks and win over a block of the same name.
    for (const item of body.items) {
      if (item.type === 'Attribute') out[item.name] = this.expression(item.expr)
    }
    return out
  }

  private source(expr: {range: {start: {byte: number}; end: {byte: number}}}): string {
    let end = expr.range.end.byte
    // hcl2json's rangeSource quirk: a ")" right after the range is included.
    if (this.bytes[end] === 0x29) end++
    return this.bytes.subarray(expr.range.start.byte, end).toString('utf8')
  }

  private wrap(expr: Expression): string {
    return '${' + this.source(expr) + '}'
  }

  expression(expr: Expression): unknown {
    switch (expr.type) {
      case 'Literal':
        return expr.value
      case 'Unary': {
        if (expr.operand.type !== 'Literal') return this.wrap(expr)
        const v = expr.operand.value
        if (expr.op === '-') {
          if (typeof v !== 'number') throw new OracleConversionLimit('unary minus on a non-number')
          return -v
        }
        if (typeof v !== 'boolean') throw new OracleConversionLimit('unary not on a non-bool')
        return !v
      }
      case 'Template':
        if (isWrap(expr)) return this.expression((expr.parts[0] as {expr: Expression}).expr)
        return this.template(expr)
      case 'Tuple':
        return expr.items.map((item) => this.expression(item))
      case 'Object': {
        const out: JsonObject = {}
        for (const item of expr.items) out[this.key(item)] = this.expression(item.value)
        return out
      }
      default:
        return this.wrap(expr)
    }
  }

  private key(item: ObjectItem): string {
    if (item.keyIsIdentifier || isTraversal(item.key)) return this.source(item.key)
    return this.stringPart(item.key)
  }

  private template(expr: TemplateExpr): string {
    return this.parts(expr.parts)
  }

  private parts(parts: TemplatePart[]): string {
    let out = ''
    for (const part of parts) out += this.templatePart(part)
    return out
  }

  private templatePart(part: TemplatePart): string {
    switch (part.type) {
      case 'TemplateLiteral':
        return escapeTemplate(part.value)
      case 'TemplateInterpolation':
        return this.stringPart(part.expr)
      case 'TemplateIf': {
        let out = `%{if ${this.source(part.condition)}}${this.parts(part.then)}`
        const elseText = part.else ? this.parts(part.else) : ''
        if (elseText.length > 0) out += `%{else}${elseText}`
        return `${out}%{endif}`
      }
      case 'TemplateFor': {
        const names = part.keyVar !== undefined ? `${part.keyVar}, ${part.valueVar}` : part.valueVar
        return `%{for ${names} in ${this.source(part.collection)}}${this.parts(part.body)}%{endfor}`
      }
    }
  }

  /** An expression embedded in a template or used as an object key. */
  private stringPart(expr: Expression): string {
    switch (expr.type) {
      case 'Literal':
        return expr.value === null ? 'null' : typeof expr.value === 'number' ? numberText(expr) : String(expr.value)
      case 'Template':
        if (isWrap(expr)) return this.stringPart((expr.parts[0] as {expr: Expression}).expr)
        return this.template(expr)
      case 'Conditional': {
        // hcl2json cannot tell `${c ? a : b}` from `%{if c}a%{else}b%{endif}` and renders both as the latter.
        let out = `%{if ${this.source(expr.condition)}}${this.stringPart(expr.then)}`
        const elseText = this.stringPart(expr.else)
        if (elseText.length > 0) out += `%{else}${elseText}`
        return `${out}%{endif}`
      }
      default:
        return this.wrap(expr)
    }
  }
}

/** A template that is exactly one interpolation: HCL unwraps it to the value. */
function isWrap(expr: TemplateExpr): boolean {
  return expr.parts.length === 1 && expr.parts[0].type === 'TemplateInterpolation'
}

function isTraversal(expr: Expression): boolean {
  if (expr.type === 'Variable') return true
  if (expr.type === 'GetAttr') return isTraversal(expr.object)
  if (expr.type === 'Index') return isTraversal(expr.collection) && (expr.key.type === 'Literal' || isStringLiteral(expr.key))
  return false
}

function isStringLiteral(expr: Expression): boolean {
  return expr.type === 'Template' && expr.parts.length === 1 && expr.parts[0].type === 'TemplateLiteral'
}

function escapeTemplate(text: string): string {
  // Function replacers: in a replacement string "$$" would mean a single "$".
  return text.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{')
}

/** cty's canonical decimal form of a number literal (no exponent, no trailing zeros). */
function numberText(expr: {value: unknown; raw: string}): string {
  const n = expr.value as number
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString()
  return String(n)
}
