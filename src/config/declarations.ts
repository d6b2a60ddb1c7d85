/**
 * The first pass over the parsed files: sorts every top-level block into what it declares
 * (variables, locals, endpoints, resources, replicate and import blocks, the `hrep` block) without
 * evaluating anything, and reports the structural mistakes: unknown block types, wrong labels,
 * duplicate names, top-level attributes.
 */
import {KIND_NAMES, type KindName} from '../model/change.js'
import {isName} from '../model/address.js'
import {formatRange} from '../model/errors.js'
import type {Attribute, Block, ConfigFile} from './hcl/ast.js'
import type {DiagnosticBag} from './diagnostic-bag.js'
import {closest} from '../model/suggest.js'

/** Block types the loader knows, besides the resource kinds. */
export const SETTING_BLOCK_TYPES = ['hrep', 'variable', 'locals', 'endpoint', 'replicate', 'import'] as const

/** Every top-level block type. */
export const BLOCK_TYPES: readonly string[] = [...SETTING_BLOCK_TYPES, ...KIND_NAMES]

const IS_BLOCK_TYPE: ReadonlySet<string> = new Set(BLOCK_TYPES)

/**
 * Each kind name as the program's own string: a block's type is a slice of the file, and a kind
 * looked up by that slice (kinds[kind], a Map key) would be hashed and searched for every block.
 */
const KIND_BY_NAME: ReadonlyMap<string, KindName> = new Map(KIND_NAMES.map((kind) => [kind, kind]))

/** One resource block (before for_each expansion). */
export interface ResourceDeclaration {
  kind: KindName
  name: string
  /** `kind.name`: the address of a block without for_each. */
  id: string
  block: Block
  /** The block's position in Declarations.resources (where evaluation keeps its state for it). */
  index: number
}

/** Everything declared, in source order (files sorted by name). */
export interface Declarations {
  hrep?: Block
  variables: Map<string, Block>
  locals: Map<string, Attribute>
  endpoints: Map<string, Block>
  /** In source order. */
  resources: ResourceDeclaration[]
  /** By kind, then name: how a reference like `project.team` finds its block, without joining the two. */
  resourcesByKind: Map<string, Map<string, ResourceDeclaration>>
  replicates: Map<string, Block>
  imports: Block[]
}

const LABELS: ReadonlyMap<string, string[]> = new Map([
  ['hrep', []],
  ['locals', []],
  ['import', []],
  ['variable', ['name']],
  ['endpoint', ['name']],
  ['replicate', ['name']],
])

/** "A" or "An", for a block type in a sentence. */
function article(word: string): string {
  return /^[aeio]/.test(word) ? 'An' : 'A'
}

/** The labels of a resource block. */
const ONE_NAME = ['name']

/** Sorts the blocks of every file (see the module comment). */
export function collectDeclarations(files: readonly ConfigFile[], diagnostics: DiagnosticBag): Declarations {
  const declarations: Declarations = {
    variables: new Map(),
    locals: new Map(),
    endpoints: new Map(),
    resources: [],
    resourcesByKind: new Map(),
    replicates: new Map(),
    imports: [],
  }
  for (const file of files) {
    for (const item of file.body.items) {
      if (item.type === 'Attribute') {
        diagnostics.error(
          'Unexpected argument',
          item.nameRange,
          `Arguments are set inside blocks; "${item.name}" cannot stand at the top level of a file.${item.name === 'state' || item.name === 'parallelism' ? ` Put it in the hrep { } block.` : ''}`,
        )
        continue
      }
      collectBlock(item, declarations, diagnostics)
    }
  }
  return declarations
}

function collectBlock(block: Block, declarations: Declarations, diagnostics: DiagnosticBag): void {
  const type = block.blockType
  if (!IS_BLOCK_TYPE.has(type)) {
    const suggestion = closest(type, BLOCK_TYPES)
    diagnostics.error(
      'Unsupported block type',
      block.typeRange,
      `Blocks of type "${type}" are not expected here.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Top-level blocks are ${BLOCK_TYPES.join(', ')}.`,
    )
    return
  }
  const expected = LABELS.get(type) ?? ONE_NAME
  if (block.labels.length !== expected.length) {
    if (block.labels.length < expected.length) {
      diagnostics.error(
        `Missing name for ${type} block`,
        block.typeRange,
        `${article(type)} ${type} block needs a name: ${type} "NAME" { ... }.`,
      )
    } else {
      const extra = block.labels[expected.length]!
      diagnostics.error(
        'Extraneous label',
        extra.range,
        expected.length === 0
          ? `${article(type)} ${type} block has no name: write ${type} { ... }.`
          : `${article(type)} ${type} block has one name: ${type} "NAME" { ... }.`,
      )
    }
    return
  }
  const name = block.labels[0]?.value
  if (name !== undefined && !isName(name)) {
    diagnostics.error(
      'Invalid name',
      block.labels[0]!.range,
      `"${name}" cannot be a ${type} name: start with a letter or "_", then letters, digits, "_" or "-".`,
    )
    return
  }
  if (type === 'locals') {
    collectLocals(block, declarations, diagnostics)
    return
  }
  if (type === 'import') {
    declarations.imports.push(block)
    return
  }
  // Each declaration is looked up where it is kept: no map of every block besides.
  const kind = KIND_BY_NAME.get(type)
  const first =
    kind !== undefined
      ? declarations.resourcesByKind.get(kind)?.get(name as string)?.block
      : type === 'hrep'
        ? declarations.hrep
        : namedSettings(declarations, type).get(name as string)
  if (first) {
    diagnostics.error(
      type === 'hrep' ? 'Duplicate hrep block' : `Duplicate ${type} "${name}"`,
      block.headerRange,
      `${type === 'hrep' ? 'An hrep block' : `${article(type)} ${type} named "${name}"`} is already declared at ${formatRange(first.headerRange)}. Each ${type === 'hrep' ? 'configuration has at most one' : 'name is declared once'}.`,
    )
    return
  }
  if (kind !== undefined) addResource(declarations, kind, name as string, block)
  else if (type === 'hrep') declarations.hrep = block
  else namedSettings(declarations, type).set(name as string, block)
}

/** Where the blocks of a named setting type (variable, endpoint, replicate) are kept. */
function namedSettings(declarations: Declarations, type: string): Map<string, Block> {
  return type === 'variable' ? declarations.variables : type === 'endpoint' ? declarations.endpoints : declarations.replicates
}

function addResource(declarations: Declarations, kind: KindName, name: string, block: Block): void {
  let byName = declarations.resourcesByKind.get(kind)
  if (byName === undefined) {
    byName = new Map()
    declarations.resourcesByKind.set(kind, byName)
  }
  const declaration = {kind, name, id: `${kind}.${name}`, block, index: declarations.resources.length}
  declarations.resources.push(declaration)
  byName.set(name, declaration)
}

function collectLocals(block: Block, declarations: Declarations, diagnostics: DiagnosticBag): void {
  for (const item of block.body.items) {
    if (item.type === 'Block') {
      diagnostics.error('Unexpected block', item.typeRange, 'A locals block holds only arguments: name = value.')
      continue
    }
    const first = declarations.locals.get(item.name)
    if (first) {
      diagnostics.error(
        `Duplicate local value "${item.name}"`,
        item.nameRange,
        `local.${item.name} is already defined at ${formatRange(first.nameRange)}. Each local value is defined once, in any locals block.`,
      )
      continue
    }
    declarations.locals.set(item.name, item)
  }
}
