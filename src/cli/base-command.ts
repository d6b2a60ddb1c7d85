/**
 * The base of every hrep command: turns every error into a message on stderr and an exit code,
 * never a stack trace (HREP_DEBUG=1 shows it for bugs), and decides colour once.
 */
import {Command, Errors} from '@oclif/core'
import {ConfigError, isHrepError} from '../model/errors.js'
import {colors, useColor, type Colors} from './color.js'
import {renderDiagnostics} from './diagnostics.js'

export abstract class BaseCommand extends Command {
  /** Colours for stdout, decided from the TTY, --no-color and NO_COLOR. */
  protected colors(noColorFlag = false): Colors {
    return colors(useColor(process.stdout, noColorFlag))
  }

  protected errColors(noColorFlag = false): Colors {
    return colors(useColor(process.stderr, noColorFlag))
  }

  /** Writes a line to stdout (never buffered by oclif's ux, so tests and pipes see it in order). */
  protected out(text = ''): void {
    process.stdout.write(`${text}\n`)
  }

  protected err(text = ''): void {
    process.stderr.write(`${text}\n`)
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    const c = this.errColors(this.argv.includes('--no-color'))
    if (error instanceof ConfigError) {
      this.err(renderDiagnostics(error.diagnostics, error.sources, c))
      process.exitCode = error.exitCode
      return
    }
    if (isHrepError(error)) {
      this.err(`${c.red(c.bold('Error:'))} ${error.message}`)
      process.exitCode = error.exitCode
      return
    }
    // oclif's own exits (this.exit) and flag-parsing errors: keep their message, exit 1 for usage errors.
    if (error instanceof Errors.ExitError) throw error
    if (error instanceof Errors.CLIError) {
      this.err(`${c.red(c.bold('Error:'))} ${error.message}`)
      process.exitCode = 1
      return
    }
    if (process.env.HREP_DEBUG) this.err(error.stack ?? String(error))
    else this.err(`${c.red(c.bold('Error:'))} internal error: ${error.message} (set HREP_DEBUG=1 to see where)`)
    process.exitCode = 1
  }
}
