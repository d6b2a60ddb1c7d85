/**
 * The flags every command that reads the configuration shares: `-c/--config DIR`, `--var
 * NAME=VALUE` (repeatable), `--no-color` and `--json`. Commands spread `configFlags` (or pick single
 * flags) into their own `static flags`, and turn the parsed values into loader options with
 * `loadOptionsFromFlags`, so every command reads the configuration the same way.
 */
import {Flags} from '@oclif/core'
import {isName} from '../model/address.js'
import {HrepError} from '../model/errors.js'

/** `-c/--config DIR`: the directory of the `*.hcl` files (default: the current directory). */
export const configFlag = Flags.string({
  char: 'c',
  summary: 'Directory holding the *.hcl configuration files.',
  default: '.',
  helpValue: 'DIR',
})

/** `--var NAME=VALUE`, repeatable: sets an input variable (wins over HREP_VAR_NAME and the default). */
export const varFlag = Flags.string({
  summary: 'Set an input variable; repeat for several. Wins over HREP_VAR_NAME and the default.',
  multiple: true,
  // One value per --var, so a following argument is never taken for a variable.
  multipleNonGreedy: true,
  helpValue: 'NAME=VALUE',
})

/** `--no-color`: plain text even on a terminal (NO_COLOR=1 does the same). */
export const noColorFlag = Flags.boolean({summary: 'Print without colours (NO_COLOR=1 does the same).'})

/** `--json`: machine-readable output on stdout. */
export const jsonFlag = Flags.boolean({summary: 'Print machine-readable JSON on stdout.'})

/** The four shared flags, for `static flags = {...configFlags, ...}`. */
export const configFlags = {
  config: configFlag,
  var: varFlag,
  'no-color': noColorFlag,
  json: jsonFlag,
}

/** `--var` values as a name → value map (a later `--var` for the same name wins). */
export function parseVarFlags(values: readonly string[] | undefined): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const entry of values ?? []) {
    const equals = entry.indexOf('=')
    const name = equals < 0 ? entry : entry.slice(0, equals)
    if (equals < 0 || !isName(name)) {
      throw new HrepError(
        'var_invalid',
        // The value is never echoed: it may be a password.
        `--var takes NAME=VALUE, like --var env=prod; ${equals < 0 ? 'this one has no "="' : `"${name}" is not a variable name`}`,
      )
    }
    Object.defineProperty(vars, name, {value: entry.slice(equals + 1), enumerable: true, writable: true, configurable: true})
  }
  return vars
}

/** The loader's arguments from the parsed shared flags: `loadConfig(dir, options)`. */
export function loadOptionsFromFlags(flags: {config: string; var?: string[]}): {
  dir: string
  options: {vars: Record<string, string>}
} {
  return {dir: flags.config, options: {vars: parseVarFlags(flags.var)}}
}
