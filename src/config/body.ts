/**
 * Evaluates a block body into the object a schema validates: each attribute to its value, each
 * nested block type to an array of the evaluated bodies (`permission { }` twice becomes
 * `permission: [{...}, {...}]`). Alongside, the BodyShape remembers where every attribute and nested
 * block is written, so that a schema issue at a path (`permission[1].access`) can be shown at its
 * place in the file.
 */
import type {Attribute, Block, Body, Range} from './hcl/ast.js'
import type {DiagnosticBag} from './diagnostic-bag.js'
import type {Bindings, Evaluator} from './evaluate.js'
import {type Value, type ValueObject, setKey} from './values.js'

/** Where the parts of one evaluated body are written. */
export interface BodyShape {
  /** The block's header (type and labels): where a missing argument is reported. */
  header: Range
  attributes: Map<string, Attribute>
  blocks: Map<string, {typeRange: Range; bodies: BodyShape[]}>
}

/** The range of a block's header: its type through its last label. */
export function headerRange(block: Block): Range {
  const last = block.labels[block.labels.length - 1]
  return {file: block.typeRange.file, start: block.typeRange.start, end: last ? last.range.end : block.typeRange.end}
}

export interface EvaluateBodyOptions {
  /** Attribute names the caller evaluates itself (meta-arguments): left out of the value and shape. */
  skip?: ReadonlySet<string>
  /** Attributes not to evaluate at all, only to record (import's `to`). */
  raw?: ReadonlySet<string>
  /** Nested block types allowed; undefined = any (the schema decides). */
  blockTypes?: ReadonlySet<string>
}

/** Evaluates `body` (see the module comment). Problems become diagnostics; values with errors are Poison. */
export function evaluateBody(
  body: Body,
  header: Range,
  evaluator: Evaluator,
  diagnostics: DiagnosticBag,
  bindings: Bindings | undefined,
  options: EvaluateBodyOptions = {},
): {value: ValueObject; shape: BodyShape} {
  const value: ValueObject = {}
  const shape: BodyShape = {header, attributes: new Map(), blocks: new Map()}
  const nested = new Map<string, Value[]>()
  for (const item of body.items) {
    if (item.type === 'Attribute') {
      if (options.skip?.has(item.name)) continue
      if (shape.blocks.has(item.name)) {
        diagnostics.error(
          'Attribute and block with the same name',
          item.nameRange,
          `"${item.name}" is already used as a block name in this block.`,
        )
        continue
      }
      shape.attributes.set(item.name, item)
      if (options.raw?.has(item.name)) continue
      setKey(value, item.name, evaluator.evaluate(item.expr, bindings))
      continue
    }
    if (shape.attributes.has(item.blockType) || options.skip?.has(item.blockType)) {
      diagnostics.error(
        'Unsupported block type',
        item.typeRange,
        `"${item.blockType}" is an argument here: write ${item.blockType} = <value>, not a block.`,
      )
      continue
    }
    if (item.labels.length > 0) {
      const label = item.labels[0]!
      diagnostics.error(
        'Extraneous label',
        label.range,
        `A "${item.blockType}" block has no labels; remove ${label.quoted ? `"${label.value}"` : label.value}.`,
      )
      continue
    }
    const inner = evaluateBody(item.body, headerRange(item), evaluator, diagnostics, bindings, {})
    const entry = shape.blocks.get(item.blockType)
    if (entry) entry.bodies.push(inner.shape)
    else shape.blocks.set(item.blockType, {typeRange: item.typeRange, bodies: [inner.shape]})
    const list = nested.get(item.blockType)
    if (list) list.push(inner.value)
    else {
      const fresh = [inner.value]
      nested.set(item.blockType, fresh)
      setKey(value, item.blockType, fresh)
    }
  }
  return {value, shape}
}

/** The attributes of a body by name (meta-arguments are read from here before evaluation). */
export function attributesOf(body: Body): Map<string, Attribute> {
  const map = new Map<string, Attribute>()
  for (const item of body.items) if (item.type === 'Attribute') map.set(item.name, item)
  return map
}
