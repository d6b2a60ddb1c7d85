/**
 * Worker half of the robustness test: parses and formats mutated inputs and reports every
 * outcome that is not "success" or "ConfigError with ranges inside the file". Runs in a worker
 * thread so the test can stop it, and call that a hang, if an input never finishes.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {formatHcl, parseHcl} from '../../../src/config/hcl/index.js'
import {ConfigError, type SourceRange} from '../../../src/model/errors.js'
import {type MutatedInput, mutatedInputs} from './mutate.js'
import {significantTokens} from './tokens.js'

export interface RobustnessJob {
  corpus: Array<{name: string; text: string}>
  count: number
  seed: number
}

export type RobustnessMessage =
  | {type: 'progress'; index: number}
  | {type: 'failure'; input: MutatedInput; problem: string}
  | {type: 'done'; parsed: number; rejected: number}

function send(message: RobustnessMessage): void {
  parentPort!.postMessage(message)
}

/** Why `range` does not lie inside `text`, or undefined when it does. */
function outsideReason(range: SourceRange | undefined, text: string, file: string): string | undefined {
  if (!range) return 'diagnostic without a range'
  if (range.file !== file) return `range names file ${range.file}`
  const bytes = Buffer.byteLength(text, 'utf8')
  const lines = text.split('\n').length
  for (const pos of [range.start, range.end]) {
    if (pos.byte < 0 || pos.byte > bytes) return `byte ${pos.byte} outside 0..${bytes}`
    if (pos.line < 1 || pos.line > lines) return `line ${pos.line} outside 1..${lines}`
    if (pos.column < 1) return `column ${pos.column}`
  }
  if (range.end.byte < range.start.byte) return 'range ends before it starts'
  return undefined
}

function check(input: MutatedInput): string | undefined {
  const file = 'fuzz.hcl'
  let parsed = true
  for (const run of [() => parseHcl(input.text, file), () => formatHcl(input.text, file)]) {
    try {
      run()
    } catch (error) {
      if (!(error instanceof ConfigError)) return `threw ${(error as Error)?.stack ?? String(error)}`
      if (error.diagnostics.length === 0) return 'ConfigError without diagnostics'
      for (const d of error.diagnostics) {
        const reason = outsideReason(d.range, input.text, file)
        if (reason) return `${d.summary}: ${reason}`
      }
      parsed = false
    }
  }
  if (parsed) {
    // What parses must also format to something idempotent with the same tokens.
    const once = formatHcl(input.text, file)
    if (formatHcl(once, file) !== once) return 'formatting is not idempotent'
    if (JSON.stringify(significantTokens(once)) !== JSON.stringify(significantTokens(input.text)))
      return 'formatting changed tokens'
  }
  return undefined
}

const job = workerData as RobustnessJob
let parsedCount = 0
let rejected = 0
for (const input of mutatedInputs(job.corpus, job.count, job.seed)) {
  if (input.index % 100 === 0) send({type: 'progress', index: input.index})
  const problem = check(input)
  if (problem) send({type: 'failure', input, problem})
  try {
    parseHcl(input.text, 'fuzz.hcl')
    parsedCount++
  } catch {
    rejected++
  }
}
send({type: 'done', parsed: parsedCount, rejected})
