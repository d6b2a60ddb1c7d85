import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'

export default class Validate extends BaseCommand {
  static override summary = 'Check the configuration without contacting Harbor (placeholder until the loader lands).'
  static override flags = {config: Flags.string({char: 'c', default: '.'})}

  async run(): Promise<void> {
    await this.parse(Validate)
    this.out('placeholder')
  }
}
