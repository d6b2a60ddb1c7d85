/**
 * `npm run test:conformance`: runs the emulator's behaviour scenarios against any Harbor and prints,
 * per scenario, the behaviour the emulator reproduces (as of the Harbor version it follows), what the
 * target did, and whether they match. Exit 0 when every applicable scenario matches, 1 otherwise.
 *
 *   HREP_CONFORMANCE_URL=https://harbor.staging.example.com \
 *   HREP_CONFORMANCE_USER=admin HREP_CONFORMANCE_PASSWORD=... npm run test:conformance
 *
 * Options: `--only <regex>` runs the scenarios whose name matches; `--json <file>` also writes the
 * results as JSON. HREP_CONFORMANCE_INSECURE=1 skips TLS verification (prefer NODE_EXTRA_CA_CERTS).
 * Every object it creates is named `hrep-conf-<random>-…` and deleted again.
 */
import {randomBytes} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {FOLLOWED_HARBOR_VERSION} from '../../src/emulator/options.js'
import {closeConnections, useInsecureTls} from './harbor.js'
import {runScenario, type ScenarioResult, type Target, targetInfo} from './scenario.js'
import {renderTable} from './table.js'
import {scenarios} from './scenarios/index.js'

function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name)
  return at < 0 ? undefined : process.argv[at + 1]
}

async function main(): Promise<void> {
  const url = process.env.HREP_CONFORMANCE_URL
  const password = process.env.HREP_CONFORMANCE_PASSWORD
  if (!url || !password) {
    fail(
      'Set HREP_CONFORMANCE_URL and HREP_CONFORMANCE_PASSWORD (and HREP_CONFORMANCE_USER, default admin) to an admin account of the Harbor to check.',
    )
  }
  if (process.env.HREP_CONFORMANCE_INSECURE === '1') useInsecureTls()
  const target: Target = {
    url,
    username: process.env.HREP_CONFORMANCE_USER || 'admin',
    password,
    prefix: `hrep-conf-${randomBytes(3).toString('hex')}`,
  }
  const only = argument('--only')
  let pattern: RegExp | undefined
  try {
    pattern = only === undefined ? undefined : new RegExp(only)
  } catch (error) {
    fail(`--only takes a regular expression on scenario names: ${(error as Error).message}`)
  }
  const selected = pattern ? scenarios.filter((s) => pattern.test(s.name)) : scenarios
  if (selected.length === 0)
    fail(`--only ${only}: no scenario name matches (names look like robot-names, project-metadata-merge)`)
  const info = await targetInfo(target).catch((error: Error) =>
    fail(`cannot use ${url}: ${error.message.includes(url) ? error.message : `${error.message} (${url})`}`),
  )
  process.stdout.write(
    `Target ${url} (Harbor ${info.harborVersion}, ${info.authMode}, robot prefix ${info.robotPrefix}); ` +
      `emulator follows Harbor ${FOLLOWED_HARBOR_VERSION}; object prefix ${target.prefix}\n\n`,
  )
  const results: ScenarioResult[] = []
  for (const scenario of selected) results.push(await runScenario(scenario, target, info))
  process.stdout.write(`${renderTable(results)}\n`)
  const failed = results.filter((r) => r.outcome === 'mismatch' || r.outcome === 'error')
  for (const result of failed) {
    process.stdout.write(
      `\n${result.outcome.toUpperCase()} ${result.scenario.name} (${result.scenario.covers})\n  expected: ${result.scenario.expected}\n  observed: ${result.observed}\n`,
    )
  }
  const count = (outcome: ScenarioResult['outcome']) => results.filter((r) => r.outcome === outcome).length
  process.stdout.write(
    `\n${count('match')} match, ${count('mismatch')} differ, ${count('error')} errors, ${count('skipped')} skipped\n`,
  )
  const jsonPath = argument('--json')
  if (jsonPath) {
    const rows = results.map((r) => ({
      scenario: r.scenario.name,
      covers: r.scenario.covers,
      expected: r.scenario.expected,
      observed: r.observed,
      outcome: r.outcome,
      ms: r.ms,
    }))
    writeFileSync(
      jsonPath,
      `${JSON.stringify({target: url, harborVersion: info.harborVersion, followed: FOLLOWED_HARBOR_VERSION, results: rows}, null, 2)}\n`,
    )
  }
  await closeConnections()
  process.exitCode = failed.length > 0 ? 1 : 0
}

await main()
