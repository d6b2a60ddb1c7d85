/**
 * Where the state file of a configuration is, for the `hrep state` commands: `--state FILE` when
 * given, else the `hrep { state = "..." }` attribute of the config directory, else
 * `<config dir>/hrep.state.json`. A literal `state` is read from the parsed HCL without evaluating
 * the configuration, so listing the state needs no endpoint password in the environment; only a
 * computed `state` (a variable, a function) loads the whole configuration.
 */
import fs from 'node:fs/promises'
import {join, resolve} from 'node:path'
import type {Expression} from '../config/hcl/ast.js'
import {parseHcl} from '../config/hcl/index.js'
import {loadConfig} from '../config/load.js'
import {DEFAULT_STATE_FILE} from '../config/settings.js'
import {HrepError} from '../model/errors.js'

/** A located state file and where its path came from. */
export interface LocatedState {
  path: string
  source: 'flag' | 'config' | 'default'
}

/** Finds the state file for `--state` / `-c DIR`. Throws a ConfigError for a config that does not parse. */
export async function locateState(options: {state?: string; config?: string}): Promise<LocatedState> {
  if (options.state !== undefined && options.state !== '') return {path: resolve(options.state), source: 'flag'}
  const dir = resolve(options.config ?? '.')
  let names: string[]
  try {
    names = (await fs.readdir(dir)).filter((name) => name.endsWith('.hcl') && !name.startsWith('.')).sort()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new HrepError(
      'config_not_found',
      `the configuration directory ${dir} ${code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a directory' : 'cannot be read'}; ` +
        'pass -c DIR, or --state FILE to name the state file directly',
    )
  }
  for (const name of names) {
    const file = join(dir, name)
    const ast = parseHcl(await fs.readFile(file, 'utf8'), file)
    for (const item of ast.body.items) {
      if (item.type !== 'Block' || item.blockType !== 'hrep') continue
      const attribute = item.body.items.find((inner) => inner.type === 'Attribute' && inner.name === 'state')
      if (attribute === undefined || attribute.type !== 'Attribute') continue
      const literal = literalString(attribute.expr)
      if (literal !== undefined) return {path: resolve(dir, literal), source: 'config'}
      // A computed path: only the full loader can evaluate it.
      const config = await loadConfig(dir)
      return {path: config.hrep.state, source: 'config'}
    }
  }
  return {path: resolve(dir, DEFAULT_STATE_FILE), source: 'default'}
}

/** The value of a quoted string with no interpolation, else undefined. */
function literalString(expr: Expression): string | undefined {
  if (expr.type !== 'Template' || expr.heredoc !== undefined) return undefined
  let text = ''
  for (const part of expr.parts) {
    if (part.type !== 'TemplateLiteral') return undefined
    text += part.value
  }
  return text
}
