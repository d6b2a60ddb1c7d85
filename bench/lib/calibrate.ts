/**
 * What one request really costs on this machine right now: a bare keep-alive client (no hrep code)
 * sends small authenticated GETs to the emulators at the benchmark's concurrency, and the effective
 * round trip is concurrency × wall / requests. On an idle machine it is the configured latency plus
 * a fraction of a millisecond; on a loaded one the emulators' timers and the scheduler add more.
 * The lower bounds are computed with the configured latency (issue 10's definition); the calibrated
 * ones, with this figure, tell how much of a gap is the machine's and how much is hrep's.
 */
import {Pool} from 'undici'

export interface Calibration {
  requests: number
  concurrency: number
  wallMs: number
  /** concurrency × wall / requests. */
  effectiveLatencyMs: number
}

/** Sends `requests` GETs of `/api/v2.0/users/current`, `perEndpoint` at once on each endpoint. */
export async function calibrate(
  urls: readonly string[],
  credentials: {username: string; password: string},
  perEndpoint: number,
  requests = 3_000,
): Promise<Calibration> {
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
  const pools = urls.map((url) => new Pool(url, {connections: perEndpoint}))
  const send = (pool: Pool) =>
    pool
      .request({method: 'GET', path: '/api/v2.0/users/current', headers: {authorization, accept: 'application/json'}})
      .then((r) => r.body.json())
  // Warm-up: open the connections and let both sides' JIT settle.
  await Promise.all(pools.flatMap((pool) => Array.from({length: perEndpoint * 4}, () => send(pool))))
  let sent = 0
  const started = performance.now()
  await Promise.all(
    pools.flatMap((pool) =>
      Array.from({length: perEndpoint}, async () => {
        while (sent < requests) {
          sent++
          await send(pool)
        }
      }),
    ),
  )
  const wallMs = performance.now() - started
  await Promise.all(pools.map((pool) => pool.close()))
  const concurrency = perEndpoint * urls.length
  return {requests: sent, concurrency, wallMs, effectiveLatencyMs: (concurrency * wallMs) / sent}
}
