/**
 * The AST of HCL native syntax. Every node carries its source range. This file is the contract
 * between the parser (which builds it) and the evaluator and formatter (which read it): add to it
 * freely, but do not rename or remove what exists without updating every reader.
 */
import type {SourceRange} from '../../model/errors.js'

export type Range = SourceRange

export interface Comment {
  style: '#' | '//' | '/*'
  /** The comment's full text including its markers (and, for line comments, without the newline). */
  text: string
  range: Range
}

export interface ConfigFile {
  type: 'File'
  filename: string
  source: string
  body: Body
  /** Every comment in source order (listed on first read). */
  readonly comments: Comment[]
}

export interface Body {
  type: 'Body'
  /** Attributes and blocks in source order. */
  items: BodyItem[]
  range: Range
}

export type BodyItem = Attribute | Block

export interface Attribute {
  type: 'Attribute'
  name: string
  nameRange: Range
  expr: Expression
  range: Range
}

export interface BlockLabel {
  value: string
  /** `"quoted"` or a bare identifier label. */
  quoted: boolean
  range: Range
}

export interface Block {
  type: 'Block'
  blockType: string
  typeRange: Range
  /** The header: the type through the last label (where a block is pointed at in messages). */
  headerRange: Range
  labels: BlockLabel[]
  body: Body
  openBraceRange: Range
  closeBraceRange: Range
  range: Range
}

// ---- expressions ----

export type Expression =
  | LiteralExpr
  | TemplateExpr
  | VariableExpr
  | GetAttrExpr
  | IndexExpr
  | SplatExpr
  | SplatItemExpr
  | CallExpr
  | TupleExpr
  | ObjectExpr
  | ForExpr
  | ConditionalExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr

/**
 * Every expression node. Ranges may be shared between nodes (same object), or made when read (the
 * classes of nodes.ts: equal each time, not the same object); treat them as read-only values.
 */
interface Node {
  range: Range
}

/**
 * `null`, `true`, `false`, or a number. `raw` keeps the source text (the number's digits, for
 * precision; `true`/`false`/`null` for keywords, so a bare keyword object key reads as its name).
 */
export interface LiteralExpr extends Node {
  type: 'Literal'
  value: null | boolean | number
  raw: string
}

/**
 * A quoted string or heredoc. A plain string is a template with one literal part (`""` too: one
 * empty literal). A template whose parts are exactly one TemplateInterpolation (`"${x}"`) yields
 * the interpolated value itself, not a string, as in HCL; literal text emptied by a strip marker
 * (`" ${~x}"`) stays as an empty TemplateLiteral part, so that rule can be read off `parts`.
 */
export interface TemplateExpr extends Node {
  type: 'Template'
  parts: TemplatePart[]
  /** Set on a plain string (one literal part, not a heredoc): its text, read without making `parts`. */
  readonly literal?: string
  /** Set for heredocs: the marker and whether it was `<<-` (indent-stripping). */
  heredoc?: {marker: string; stripIndent: boolean}
}

export type TemplatePart = TemplateLiteral | TemplateInterpolation | TemplateIf | TemplateFor

/** Literal text with escapes already decoded (`$${` → `${`, `\n` → newline). */
export interface TemplateLiteral extends Node {
  type: 'TemplateLiteral'
  value: string
}

/** `${expr}` with optional `~` strip markers. */
export interface TemplateInterpolation extends Node {
  type: 'TemplateInterpolation'
  expr: Expression
  stripLeft: boolean
  stripRight: boolean
}

/** `%{ if cond }…%{ else }…%{ endif }` */
export interface TemplateIf extends Node {
  type: 'TemplateIf'
  condition: Expression
  then: TemplatePart[]
  else?: TemplatePart[]
}

/** `%{ for k, v in coll }…%{ endfor }` */
export interface TemplateFor extends Node {
  type: 'TemplateFor'
  keyVar?: string
  valueVar: string
  collection: Expression
  body: TemplatePart[]
}

/** A root name: `var`, `local`, `each`, `endpoint`, `project`, a function parameter... */
export interface VariableExpr extends Node {
  type: 'Variable'
  name: string
}

/** `object.name` */
export interface GetAttrExpr extends Node {
  type: 'GetAttr'
  object: Expression
  name: string
  nameRange: Range
}

/** `collection[key]`, or the legacy `collection.0` (legacy = true). */
export interface IndexExpr extends Node {
  type: 'Index'
  collection: Expression
  key: Expression
  legacy: boolean
}

/**
 * `source.*.attr` (attribute-only splat, full = false) or `source[*].attr[0]` (full splat).
 * `each` is the traversal applied to every element, rooted at a SplatItem node.
 */
export interface SplatExpr extends Node {
  type: 'Splat'
  source: Expression
  each: Expression
  full: boolean
}

/** The element placeholder inside a SplatExpr's `each`. */
export interface SplatItemExpr extends Node {
  type: 'SplatItem'
}

/** `name(args...)`, with `expandFinal` for `f(list...)`. */
export interface CallExpr extends Node {
  type: 'Call'
  name: string
  nameRange: Range
  args: Expression[]
  expandFinal: boolean
}

export interface TupleExpr extends Node {
  type: 'Tuple'
  items: Expression[]
}

export interface ObjectItem {
  key: Expression
  /** The key was a bare identifier (`{a = 1}`), which means the string "a", not a variable. */
  keyIsIdentifier: boolean
  value: Expression
  range: Range
}

export interface ObjectExpr extends Node {
  type: 'Object'
  items: ObjectItem[]
}

/** `[for k, v in coll : expr if cond]` or `{for k, v in coll : key => value... if cond}` */
export interface ForExpr extends Node {
  type: 'For'
  keyVar?: string
  valueVar: string
  collection: Expression
  /** Set for object-for (`{for ...}`). */
  keyExpr?: Expression
  valueExpr: Expression
  condition?: Expression
  /** `...` after the value in an object-for: group values by key. */
  grouping: boolean
}

export interface ConditionalExpr extends Node {
  type: 'Conditional'
  condition: Expression
  then: Expression
  else: Expression
}

export type BinaryOperator = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%'

export interface BinaryExpr extends Node {
  type: 'Binary'
  op: BinaryOperator
  left: Expression
  right: Expression
}

export interface UnaryExpr extends Node {
  type: 'Unary'
  op: '!' | '-'
  operand: Expression
}

export interface ParenExpr extends Node {
  type: 'Paren'
  expr: Expression
}
