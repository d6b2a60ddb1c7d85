/**
 * The per-object read pattern, as the Terraform provider for Harbor refreshes: one GET per managed
 * object on every endpoint (`/projects/{id}`, `/robots/{id}`, `/usergroups/{id}`,
 * `/projects/{project}/members/{id}`), at most 10 at once over all endpoints (Terraform's default
 * `-parallelism=10`), keep-alive connections. The objects are those in hrep's state file, read from
 * the same emulators hrep just planned against.
 */
import {readFileSync} from 'node:fs'
import {Pool} from 'undici'

/** One GET of the pattern. */
interface Read {
  endpoint: string
  path: string
  byName: boolean
}

export interface PerObjectResult {
  requests: number
  wallMs: number
  /** Answers other than 200 (should be 0). */
  failures: number
}

interface StateFile {
  resources: Record<string, Record<string, {id: string; attrs: Record<string, unknown>}>>
}

/** Every object of the state file as the GET that reads it. */
function readsOf(statePath: string): Read[] {
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as StateFile
  const reads: Read[] = []
  for (const [address, byEndpoint] of Object.entries(state.resources)) {
    const kind = address.slice(0, address.indexOf('.'))
    for (const [endpoint, entry] of Object.entries(byEndpoint)) {
      if (kind === 'project') reads.push({endpoint, path: `/projects/${entry.id}`, byName: false})
      else if (kind === 'robot') reads.push({endpoint, path: `/robots/${entry.id}`, byName: false})
      else if (kind === 'oidc_group') reads.push({endpoint, path: `/usergroups/${entry.id}`, byName: false})
      else if (kind === 'project_member') {
        const project = encodeURIComponent(String(entry.attrs.project))
        reads.push({endpoint, path: `/projects/${project}/members/${entry.id}`, byName: true})
      }
    }
  }
  return reads
}

/** Reads every object of `statePath` one GET at a time, `parallelism` at once. */
export async function perObjectReads(
  statePath: string,
  urls: Record<string, string>,
  credentials: {username: string; password: string},
  parallelism = 10,
): Promise<PerObjectResult> {
  const reads = readsOf(statePath)
  const pools = new Map(Object.entries(urls).map(([name, url]) => [name, new Pool(url, {connections: parallelism})]))
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
  let next = 0
  let failures = 0
  const worker = async () => {
    while (next < reads.length) {
      const read = reads[next++]!
      const response = await pools.get(read.endpoint)!.request({
        method: 'GET',
        path: `/api/v2.0${read.path}`,
        headers: {authorization, accept: 'application/json', ...(read.byName ? {'x-is-resource-name': 'true'} : {})},
      })
      // A provider decodes every object it reads.
      await response.body.json()
      if (response.statusCode !== 200) failures++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({length: parallelism}, worker))
  const wallMs = performance.now() - started
  await Promise.all([...pools.values()].map((pool) => pool.close()))
  return {requests: reads.length, wallMs, failures}
}
