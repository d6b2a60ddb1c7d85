/**
 * `npm run demo`: the whole hrep loop on two emulated Harbors, with the real CLI output.
 * Starts two emulators in this process on free ports, copies fixtures/demo to a temporary
 * directory (the only place anything is written), then runs validate → plan → apply → plan (no
 * changes) → an out-of-band change on dr → plan shows the drift → apply fixes it → plan.
 */
import {spawn} from 'node:child_process'
import {cp, mkdtemp, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {startEmulator} from '../src/emulator/index.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const PASSWORD = 'Harbor12345'
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[22m` : text)

function hrep(args: string[], cwd: string, vars: string[]): Promise<number> {
  process.stdout.write(`\n${bold(`$ hrep ${args.join(' ')}`)}\n`)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/run.js'), ...args, ...vars], {cwd, stdio: 'inherit'})
    child.on('error', reject)
    child.on('close', (code) => resolve(code ?? 1))
  })
}

function step(text: string): void {
  process.stdout.write(`\n${bold(`# ${text}`)}\n`)
}

async function harbor(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}/api/v2.0${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`,
      'content-type': 'application/json',
      'x-is-resource-name': 'true',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  const text = await response.text()
  return text ? JSON.parse(text) : undefined
}

async function main(): Promise<number> {
  const primary = await startEmulator({adminPassword: PASSWORD})
  const dr = await startEmulator({adminPassword: PASSWORD})
  const dir = await mkdtemp(join(tmpdir(), 'hrep-demo-'))
  try {
    await cp(join(root, 'fixtures/demo'), dir, {recursive: true})
    const vars = ['--var', `primary_url=${primary.url}`, '--var', `dr_url=${dr.url}`]
    process.stdout.write(`Two emulated Harbors: primary at ${primary.url}, dr at ${dr.url}\nConfiguration: ${dir}\n`)

    step('Check the configuration (no network).')
    if ((await hrep(['validate'], dir, vars)) !== 0) return 1
    step('What would change? Both Harbors are empty.')
    await hrep(['plan'], dir, vars)
    step('Make it so, on both endpoints at once.')
    if ((await hrep(['apply', '--auto-approve'], dir, vars)) !== 0) return 1
    step('Nothing left to do: every endpoint matches the configuration.')
    await hrep(['plan', '--detailed-exitcode'], dir, vars)

    step('Someone changes dr by hand: a robot is disabled, a project loses its scan setting, a membership is removed.')
    const robots = (await harbor(dr.url, 'GET', '/robots?page_size=100')) as {id: number; name: string}[]
    const ci = robots.find((robot) => robot.name.endsWith('$ci'))!
    const full = (await harbor(dr.url, 'GET', `/robots/${ci.id}`)) as Record<string, unknown>
    await harbor(dr.url, 'PUT', `/robots/${ci.id}`, {...full, disable: true})
    await harbor(dr.url, 'PUT', '/projects/team-payments', {metadata: {auto_scan: 'false'}})
    const members = (await harbor(dr.url, 'GET', '/projects/team-search/members?page_size=100')) as {
      id: number
      entity_name: string
    }[]
    const leads = members.find((member) => member.entity_name === 'harbor-team-leads')!
    await harbor(dr.url, 'DELETE', `/projects/team-search/members/${leads.id}`)
    process.stdout.write('done through the Harbor API of dr.\n')

    step('The next plan shows the drift on dr only.')
    await hrep(['plan'], dir, vars)
    step('Apply puts dr back.')
    if ((await hrep(['apply', '--auto-approve'], dir, vars)) !== 0) return 1
    step('In sync again.')
    const code = await hrep(['plan', '--detailed-exitcode'], dir, vars)
    process.stdout.write(`\nFiles hrep wrote in ${dir}: ${(await readdir(dir)).filter((f) => !f.endsWith('.hcl')).join(', ')}\n`)
    return code
  } finally {
    await Promise.all([primary.stop(), dr.stop()])
    await rm(dir, {recursive: true, force: true})
  }
}

process.exitCode = await main()
