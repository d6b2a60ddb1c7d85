/**
 * Robustness: thousands of mutated versions of the corpus (tokens deleted, duplicated, swapped or
 * inserted, truncation, random characters, corrupted bytes) through parseHcl and formatHcl. Each
 * must succeed or throw ConfigError whose ranges lie inside the file; nothing else may escape and
 * nothing may hang. Seeded: set HREP_FUZZ_SEED to replay a run (the seed is printed).
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Worker} from 'node:worker_threads'
import {describe, expect, it} from 'vitest'
import {repoRoot} from '../../helpers/cli.js'
import type {RobustnessJob, RobustnessMessage} from './robustness-worker.js'

const INPUTS = 3000
/** No single input may take this long (the whole run takes a few seconds). */
const STALL_MS = 10_000

function corpus(): RobustnessJob['corpus'] {
  const out: RobustnessJob['corpus'] = []
  for (const sub of ['valid', 'invalid']) {
    const dir = join(repoRoot, 'fixtures/hcl', sub)
    for (const name of readdirSync(dir).sort()) out.push({name: `${sub}/${name}`, text: readFileSync(join(dir, name), 'utf8')})
  }
  return out
}

function runWorker(job: RobustnessJob): Promise<{failures: RobustnessMessage[]; parsed: number; rejected: number}> {
  // The worker loads TypeScript through tsx's loader, registered before the worker module.
  const script = new URL('./robustness-worker.ts', import.meta.url).href
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}) })`
  const worker = new Worker(bootstrap, {eval: true, workerData: job})
  const failures: RobustnessMessage[] = []
  let last = -1
  return new Promise((resolve, reject) => {
    let timer = setTimeout(stalled, STALL_MS)
    function stalled() {
      void worker.terminate()
      reject(new Error(`no progress for ${STALL_MS} ms after input #${last} (seed ${job.seed}): a hang`))
    }
    worker.on('message', (message: RobustnessMessage) => {
      clearTimeout(timer)
      timer = setTimeout(stalled, STALL_MS)
      if (message.type === 'progress') last = message.index
      else if (message.type === 'failure') failures.push(message)
      else {
        clearTimeout(timer)
        void worker.terminate()
        resolve({failures, parsed: message.parsed, rejected: message.rejected})
      }
    })
    worker.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

describe('parseHcl and formatHcl on mutated input', () => {
  it(`survive ${INPUTS} mutations of the corpus`, async () => {
    const seed = process.env.HREP_FUZZ_SEED ? Number(process.env.HREP_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31)
    console.log(`HCL robustness seed: ${seed} (replay with HREP_FUZZ_SEED=${seed})`)
    const result = await runWorker({corpus: corpus(), count: INPUTS, seed})
    const report = result.failures
      .slice(0, 5)
      .map((f) =>
        f.type === 'failure'
          ? `#${f.input.index} ${f.input.source} ${f.input.kind}: ${f.problem}\n${JSON.stringify(f.input.text)}`
          : '',
      )
      .join('\n\n')
    expect(report, `seed ${seed}`).toBe('')
    // Both outcomes must actually occur, or the mutations test nothing.
    expect(result.parsed).toBeGreaterThan(100)
    expect(result.rejected).toBeGreaterThan(1000)
  })
})
