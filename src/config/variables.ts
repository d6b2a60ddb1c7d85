/**
 * Input variables: `variable "name" { default, type, description, sensitive }`. A variable's value
 * is its default, replaced by the environment variable `HREP_VAR_<name>`, replaced by
 * `--var name=value` (the later source wins). Values from the environment and the command line are
 * text: for a variable of a primitive (or no) type they are used as strings and converted to the
 * type; for a collection type they are read as an HCL expression (`--var 'teams=["a","b"]'`).
 * A variable with no value from any source is an error, as is `--var` for an undeclared variable.
 */
import {ConfigError, type SourceRange as Range} from '../model/errors.js'
import type {Block, Expression} from './hcl/ast.js'
import {parseHcl} from './hcl/index.js'
import {attributeNamed, evaluateBody} from './body.js'
import type {DiagnosticBag} from './diagnostic-bag.js'
import {type EvalHost, Evaluator} from './evaluate.js'
import type {FunctionContext} from './functions.js'
import {reportIssues} from './issues.js'
import {variableSchema} from './schemas.js'
import {closest} from '../model/suggest.js'
import {type TypeConstraint, convertToType, isPrimitiveType, parseTypeExpression, typeToString} from './types.js'
import {type Value, containsSecret, isPoison, poison, sensitize} from './values.js'

/** The prefix of environment variables that set input variables. */
export const ENV_VAR_PREFIX = 'HREP_VAR_'

/** The roots that exist elsewhere but may not be used in a variable's default. */
const ELSEWHERE = ['var', 'local', 'each', 'endpoint', 'project', 'robot', 'oidc_group', 'project_member']

/** A host for expressions that may use functions but no references (variable defaults, command-line values). */
export function constantHost(diagnostics: DiagnosticBag, functionContext: FunctionContext, where: string): EvalHost {
  const refuse = (range: Range) =>
    diagnostics.error(
      'References not allowed here',
      range,
      `${where} must be a constant value; it cannot refer to variables, locals, endpoints or resources.`,
    )
  return {
    diagnostics,
    functionContext,
    isRoot: (name) => ELSEWHERE.includes(name),
    resolve(_root, _name, at) {
      refuse(at.range)
      return poison
    },
    bareRoot: (_root, range) => refuse(range),
    rootNames: () => [],
  }
}

export interface VariableSources {
  /** `--var name=value`, in order. */
  vars: Record<string, string>
  env: Record<string, string | undefined>
}

/** The value of every declared variable (Poison for one with an error, already reported). */
export function evaluateVariables(
  variables: ReadonlyMap<string, Block>,
  sources: VariableSources,
  functionContext: FunctionContext,
  diagnostics: DiagnosticBag,
): Map<string, Value> {
  const values = new Map<string, Value>()
  for (const name of Object.keys(sources.vars)) {
    if (!variables.has(name)) {
      const suggestion = closest(name, variables.keys())
      diagnostics.error(
        'Value for undeclared variable',
        undefined,
        `--var ${name}=... sets a variable that no variable block declares.${suggestion ? ` Did you mean "${suggestion}"?` : ` Declare it with variable "${name}" { }.`}`,
      )
    }
  }
  for (const [name, block] of variables) values.set(name, evaluateVariable(name, block, sources, functionContext, diagnostics))
  return values
}

function evaluateVariable(
  name: string,
  block: Block,
  sources: VariableSources,
  functionContext: FunctionContext,
  diagnostics: DiagnosticBag,
): Value {
  const evaluator = new Evaluator(constantHost(diagnostics, functionContext, `The default of variable "${name}"`))
  const header = block.headerRange
  const {value: body, shape} = evaluateBody(block.body, header, evaluator, diagnostics, undefined, {raw: new Set(['type'])})
  const parsed = variableSchema.safeParse(body)
  if (!parsed.success) {
    reportIssues(parsed.error.issues, {shape, input: body, schema: variableSchema, what: `variable "${name}"`}, diagnostics)
    return poison
  }
  let type: TypeConstraint | undefined
  const typeAttribute = attributeNamed(block.body, 'type')
  if (typeAttribute) {
    const result = parseTypeExpression(typeAttribute.expr)
    if ('error' in result) {
      diagnostics.error('Invalid type constraint', result.at.range, result.error)
      return poison
    }
    type = result
  }
  const sensitive = parsed.data.sensitive === true
  const defaultAttribute = shape.attributes.get('default')
  let value: Value | undefined
  let valueRange: Range | undefined
  let from = 'default'
  if (defaultAttribute) {
    value = body.default as Value
    valueRange = defaultAttribute.expr.range
    if (isPoison(value)) return poison
  }
  const fromEnv = sources.env[`${ENV_VAR_PREFIX}${name}`]
  if (fromEnv !== undefined) {
    value = textValue(name, fromEnv, type, `environment variable ${ENV_VAR_PREFIX}${name}`, functionContext, diagnostics)
    valueRange = undefined
    from = `environment variable ${ENV_VAR_PREFIX}${name}`
  }
  const fromFlag = Object.hasOwn(sources.vars, name) ? sources.vars[name] : undefined
  if (fromFlag !== undefined) {
    value = textValue(name, fromFlag, type, `--var ${name}`, functionContext, diagnostics)
    valueRange = undefined
    from = `--var ${name}`
  }
  if (value === undefined) {
    diagnostics.error(
      `No value for required variable "${name}"`,
      header,
      `Variable "${name}" has no default. Give it a value with --var ${name}=VALUE or the environment variable ${ENV_VAR_PREFIX}${name}.`,
    )
    return poison
  }
  if (isPoison(value)) return poison
  if (type) {
    const converted = convertToType(value, type)
    if ('error' in converted) {
      diagnostics.error(
        `Invalid value for variable "${name}"`,
        valueRange ?? header,
        `The value from ${from} does not match type ${typeToString(type)}: ${converted.error}.`,
      )
      return poison
    }
    value = converted.value
  }
  return sensitive && !containsSecret(value) ? sensitize(value, `var.${name}`) : value
}

/** A value given as text on the command line or in the environment. */
function textValue(
  name: string,
  text: string,
  type: TypeConstraint | undefined,
  source: string,
  functionContext: FunctionContext,
  diagnostics: DiagnosticBag,
): Value {
  if (type === undefined || type.kind === 'any' || isPrimitiveType(type)) return text
  const filename = `<value of ${source}>`
  let expr: Expression | undefined
  try {
    const file = parseHcl(`v = ${text}\n`, filename)
    const item = file.body.items[0]
    if (file.body.items.length === 1 && item?.type === 'Attribute') expr = item.expr
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
  }
  if (expr === undefined) {
    diagnostics.error(
      `Invalid value for variable "${name}"`,
      undefined,
      `The value from ${source} must be an HCL expression of type ${typeToString(type)}, for example ["a", "b"] or {key = "value"}.`,
    )
    return poison
  }
  const value = new Evaluator(constantHost(diagnostics, functionContext, `The value from ${source}`)).evaluate(expr)
  return value
}
