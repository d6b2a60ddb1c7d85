/**
 * The most frequent AST nodes (attributes, blocks, bodies, labels, plain strings, one-token literals,
 * root names, attribute steps) as classes whose ranges are worked out when read. Each node keeps the
 * indexes of its tokens and answers `range`, `nameRange`... with a fresh TokenRange. A TokenRange per
 * range, made up front, was the largest part of a parsed file's memory (104,000 of them for 5,000
 * blocks), and copying that memory through the young generation was most of a load's garbage
 * collection time (docs/performance.md). Readers see the interfaces of ast.ts; a range read twice is
 * equal, not the same object.
 */
import type {
  Attribute,
  Block,
  BlockLabel,
  Body,
  BodyItem,
  Expression,
  GetAttrExpr,
  LiteralExpr,
  Range,
  TemplateExpr,
  TemplateLiteral,
  TemplatePart,
  VariableExpr,
} from './ast.js'
import {type RangeSource, TokenRange} from './token-range.js'

/** A node whose range runs from one token to another (the same one for a one-token node). */
abstract class SpanNode {
  readonly #source: RangeSource
  readonly #first: number
  readonly #last: number

  constructor(source: RangeSource, first: number, last: number) {
    this.#source = source
    this.#first = first
    this.#last = last
  }

  get range(): Range {
    return TokenRange.span(this.#source, this.#first, this.#last)
  }
}

/** `name = expr`: its range runs from the name to the end of the expression. */
export class AttributeNode implements Attribute {
  readonly type = 'Attribute'
  readonly #source: RangeSource
  readonly #ident: number

  constructor(
    source: RangeSource,
    ident: number,
    readonly name: string,
    readonly expr: Expression,
  ) {
    this.#source = source
    this.#ident = ident
  }

  get nameRange(): Range {
    return TokenRange.span(this.#source, this.#ident, this.#ident)
  }

  get range(): Range {
    return TokenRange.span(this.#source, this.#ident, this.expr.range)
  }
}

/** A block with its braces: `type labels... { body }`. */
export class BlockNode implements Block {
  readonly type = 'Block'
  readonly #source: RangeSource
  readonly #ident: number
  readonly #headerEnd: number
  readonly #open: number
  readonly #close: number

  /** `ident` is the type's token, `headerEnd` the last label's last one (or `ident`), `open` and `close` the braces'. */
  constructor(
    source: RangeSource,
    ident: number,
    headerEnd: number,
    open: number,
    close: number,
    readonly blockType: string,
    readonly labels: BlockLabel[],
    readonly body: Body,
  ) {
    this.#source = source
    this.#ident = ident
    this.#headerEnd = headerEnd
    this.#open = open
    this.#close = close
  }

  get typeRange(): Range {
    return TokenRange.span(this.#source, this.#ident, this.#ident)
  }

  get headerRange(): Range {
    return TokenRange.span(this.#source, this.#ident, this.#headerEnd)
  }

  get openBraceRange(): Range {
    return TokenRange.span(this.#source, this.#open, this.#open)
  }

  get closeBraceRange(): Range {
    return TokenRange.span(this.#source, this.#close, this.#close)
  }

  get range(): Range {
    return TokenRange.span(this.#source, this.#ident, this.#close)
  }
}

/** A body between two tokens (a block's braces, or a whole file). */
export class BodyNode extends SpanNode implements Body {
  readonly type = 'Body'

  constructor(
    source: RangeSource,
    first: number,
    last: number,
    readonly items: BodyItem[],
  ) {
    super(source, first, last)
  }
}

/** A block label, bare (one token) or quoted (from its opening to its closing quote). */
export class LabelNode extends SpanNode implements BlockLabel {
  constructor(
    source: RangeSource,
    first: number,
    last: number,
    readonly value: string,
    readonly quoted: boolean,
  ) {
    super(source, first, last)
  }
}

/** The literal part of a plain string: its one text token. */
class PlainLiteralNode extends SpanNode implements TemplateLiteral {
  readonly type = 'TemplateLiteral'

  constructor(
    source: RangeSource,
    token: number,
    readonly value: string,
  ) {
    super(source, token, token)
  }
}

/**
 * `"text"`: a template of one literal part, from the opening to the closing quote. The part is made
 * when read: a short-lived array and node cost less than a pair kept for the whole load.
 */
export class PlainStringNode implements TemplateExpr {
  readonly type = 'Template'
  readonly #source: RangeSource
  readonly #open: number
  readonly #text: number
  readonly #value: string

  constructor(source: RangeSource, open: number, text: number, value: string) {
    this.#source = source
    this.#open = open
    this.#text = text
    this.#value = value
  }

  get parts(): TemplatePart[] {
    return [new PlainLiteralNode(this.#source, this.#text, this.#value)]
  }

  get literal(): string {
    return this.#value
  }

  get range(): Range {
    // The closing quote follows the text token directly.
    return TokenRange.span(this.#source, this.#open, this.#text + 1)
  }

  toJSON(): {type: 'Template'; parts: TemplatePart[]} {
    return {type: this.type, parts: this.parts}
  }
}

/** A literal of one token: a number, `true`, `false` or `null`. */
export class TokenLiteralNode extends SpanNode implements LiteralExpr {
  readonly type = 'Literal'

  constructor(
    source: RangeSource,
    token: number,
    readonly value: null | boolean | number,
    readonly raw: string,
  ) {
    super(source, token, token)
  }
}

/** A root name (`var`, `project`...): one token. */
export class VariableNode extends SpanNode implements VariableExpr {
  readonly type = 'Variable'

  constructor(
    source: RangeSource,
    token: number,
    readonly name: string,
  ) {
    super(source, token, token)
  }
}

/** `object.name`: its range runs from the start of the object to the name. */
export class GetAttrNode implements GetAttrExpr {
  readonly type = 'GetAttr'
  readonly #source: RangeSource
  readonly #name: number

  constructor(
    source: RangeSource,
    readonly object: Expression,
    nameToken: number,
    readonly name: string,
  ) {
    this.#source = source
    this.#name = nameToken
  }

  get nameRange(): Range {
    return TokenRange.span(this.#source, this.#name, this.#name)
  }

  get range(): Range {
    return TokenRange.span(this.#source, this.object.range, this.#name)
  }
}
