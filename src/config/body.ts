/**
 * Evaluates a block body into the object a schema validates: each attribute to its value, each
 * nested block type to an array of the evaluated bodies (`permission { }` twice becomes
 * `permission: [{...}, {...}]`). Alongside, the BodyShape remembers where every attribute and nested
 * block is written, so that a schema issue at a path (`permission[1].access`) can be shown at its
 * place in the file.
 */
import type {Attribute, Body, Range} from './hcl/ast.js'
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

/** The `blocks` of every shape without nested blocks; never written to. */
const NO_BLOCKS: BodyShape['blocks'] = new Map()

export interface EvaluateBodyOptions {
  /** Attribute names the caller evaluates itself (meta-arguments): left out of the value and shape. */
  skip?: ReadonlySet<string>
  /** Attributes not to evaluate at all, only to record (import's `to`). */
  raw?: ReadonlySet<string>
}

/** Evaluates `body` and works out its shape (see the module comment). */
export function evaluateBody(
  body: Body,
  header: Range,
  evaluator: Evaluator,
  diagnostics: DiagnosticBag,
  bindings: Bindings | undefined,
  options: EvaluateBodyOptions = {},
): {value: ValueObject; shape: BodyShape} {
  return {value: evaluateBodyValue(body, evaluator, diagnostics, bindings, options), shape: bodyShape(body, header, options)}
}

/**
 * The value of `body`: attributes evaluated, nested blocks as lists of their values. Problems become
 * diagnostics; values with errors are Poison. An attribute and a block of the same name, and
 * labels on nested blocks, are errors (the later item is left out).
 */
export function evaluateBodyValue(
  body: Body,
  evaluator: Evaluator,
  diagnostics: DiagnosticBag,
  bindings: Bindings | undefined,
  options: EvaluateBodyOptions = {},
): ValueObject {
  const value: ValueObject = {}
  // The types of the nested blocks so far, whose lists are in `value`: created on the first nested
  // block (most bodies have none), a list and not a map (one or two types, in thousands of bodies).
  let nested: string[] | undefined
  for (const item of body.items) {
    if (item.type === 'Attribute') {
      if (options.skip?.has(item.name)) continue
      if (nested?.includes(item.name)) {
        diagnostics.error(
          'Attribute and block with the same name',
          item.nameRange,
          `"${item.name}" is already used as a block name in this block.`,
        )
        continue
      }
      if (options.raw?.has(item.name)) continue
      setKey(value, item.name, evaluator.evaluate(item.expr, bindings))
      continue
    }
    const isNested = nested?.includes(item.blockType) === true
    if ((Object.hasOwn(value, item.blockType) && !isNested) || options.skip?.has(item.blockType)) {
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
    const inner = evaluateBodyValue(item.body, evaluator, diagnostics, bindings)
    if (isNested) (value[item.blockType] as Value[]).push(inner)
    else {
      if (nested === undefined) nested = [item.blockType]
      else nested.push(item.blockType)
      setKey(value, item.blockType, [inner])
    }
  }
  return value
}

/**
 * Where the parts of `body` are written, by the same rules evaluateBodyValue follows (so every key
 * of the value has its place here). Needs no evaluation: the loader works it out only when it has
 * something to report.
 */
export function bodyShape(body: Body, header: Range, options: EvaluateBodyOptions = {}): BodyShape {
  const shape: BodyShape = {header, attributes: new Map(), blocks: NO_BLOCKS}
  for (const item of body.items) {
    if (item.type === 'Attribute') {
      if (options.skip?.has(item.name) || shape.blocks.has(item.name)) continue
      shape.attributes.set(item.name, item)
      continue
    }
    if (shape.attributes.has(item.blockType) || options.skip?.has(item.blockType) || item.labels.length > 0) continue
    if (shape.blocks === NO_BLOCKS) shape.blocks = new Map()
    const inner = bodyShape(item.body, item.headerRange)
    const entry = shape.blocks.get(item.blockType)
    if (entry) entry.bodies.push(inner)
    else shape.blocks.set(item.blockType, {typeRange: item.typeRange, bodies: [inner]})
  }
  return shape
}

/** The attribute `name` of a body, if it has one. */
export function attributeNamed(body: Body, name: string): Attribute | undefined {
  for (const item of body.items) if (item.type === 'Attribute' && item.name === name) return item
  return undefined
}
