import {describe, expect, it} from 'vitest'
import {type NodeOutcome, type WalkNode, walk} from '../../src/apply/walker.js'

const node = (id: string, dependsOn: string[] = [], endpoint = 'p'): WalkNode => ({id, endpoint, dependsOn})

/** Resolves on the next macrotask, so that concurrent nodes really overlap. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Runs a walk that records start order and the peak concurrency, globally and per endpoint. */
async function observe(nodes: WalkNode[], options: Parameters<typeof walk>[2], fail: string[] = []) {
  const started: string[] = []
  let running = 0
  let peak = 0
  const perEndpoint = new Map<string, number>()
  const peakPerEndpoint = new Map<string, number>()
  const result = await walk(
    nodes,
    async (n) => {
      started.push(n.id)
      running++
      peak = Math.max(peak, running)
      const now = (perEndpoint.get(n.endpoint) ?? 0) + 1
      perEndpoint.set(n.endpoint, now)
      peakPerEndpoint.set(n.endpoint, Math.max(peakPerEndpoint.get(n.endpoint) ?? 0, now))
      await tick()
      await tick()
      running--
      perEndpoint.set(n.endpoint, perEndpoint.get(n.endpoint)! - 1)
      if (fail.includes(n.id)) throw new Error(`${n.id} broke`)
      return n.id.toUpperCase()
    },
    options,
  )
  const status = Object.fromEntries([...result.outcomes].map(([id, o]) => [id, describeOutcome(o)]))
  return {started, peak, peakPerEndpoint, status, result}
}

function describeOutcome(outcome: NodeOutcome): string {
  if (outcome.status === 'done') return 'done'
  if (outcome.status === 'failed') return `failed: ${(outcome.error as Error).message}`
  return `skipped: ${outcome.because}`
}

describe('walk', () => {
  it.each([
    {scenario: 'a chain runs in order', nodes: [node('c', ['b']), node('b', ['a']), node('a')], order: ['a', 'b', 'c']},
    {
      scenario: 'a diamond runs the join last',
      nodes: [node('d', ['b', 'c']), node('b', ['a']), node('c', ['a']), node('a')],
      order: ['a', 'b', 'c', 'd'],
    },
    {scenario: 'independent nodes start in input order', nodes: [node('x'), node('y'), node('z')], order: ['x', 'y', 'z']},
  ])('$scenario', async ({nodes, order}) => {
    const {started, status} = await observe(nodes, {parallelism: 4})
    expect(started).toEqual(order)
    expect(Object.values(status).every((s) => s === 'done')).toBe(true)
  })

  it('never starts a node before its dependencies are done', async () => {
    const nodes = Array.from({length: 60}, (_, i) => node(`n${i}`, i === 0 ? [] : [`n${Math.floor(i / 3)}`], `e${i % 3}`))
    const done = new Set<string>()
    await walk(
      nodes,
      async (n) => {
        for (const dep of n.dependsOn) expect(done.has(dep)).toBe(true)
        await tick()
        done.add(n.id)
      },
      {parallelism: 8, perEndpoint: 2},
    )
    expect(done.size).toBe(60)
  })

  it.each([
    {parallelism: 1, perEndpoint: 5},
    {parallelism: 3, perEndpoint: 5},
    {parallelism: 10, perEndpoint: 2},
    {parallelism: 4, perEndpoint: 3},
  ])(
    'parallelism $parallelism and perEndpoint $perEndpoint are reached and never exceeded',
    async ({parallelism, perEndpoint}) => {
      const spread = Array.from({length: 30}, (_, i) => node(`n${i}`, [], `e${i % 3}`))
      const many = await observe(spread, {parallelism, perEndpoint})
      expect(many.peak).toBe(Math.min(parallelism, 3 * perEndpoint))
      expect(Math.max(...many.peakPerEndpoint.values())).toBeLessThanOrEqual(perEndpoint)
      const single = await observe(
        spread.map((n) => ({...n, endpoint: 'only'})),
        {parallelism, perEndpoint},
      )
      expect(single.peak).toBe(Math.min(parallelism, perEndpoint))
    },
  )

  it('takes a per-endpoint limit from a function', async () => {
    const nodes = Array.from({length: 20}, (_, i) => node(`n${i}`, [], i % 2 ? 'slow' : 'fast'))
    const {peakPerEndpoint} = await observe(nodes, {parallelism: 10, perEndpoint: (e) => (e === 'slow' ? 1 : 4)})
    expect(peakPerEndpoint.get('slow')).toBe(1)
    expect(peakPerEndpoint.get('fast')).toBe(4)
  })

  it('under continue, a failure skips only its descendants', async () => {
    const nodes = [node('a'), node('b', ['a']), node('c', ['b']), node('x'), node('y', ['x']), node('z', ['a', 'x'])]
    const {status, result} = await observe(nodes, {parallelism: 2, onFailure: 'continue'}, ['a'])
    expect(status).toEqual({
      a: 'failed: a broke',
      b: 'skipped: a failed',
      c: 'skipped: a failed',
      z: 'skipped: a failed',
      x: 'done',
      y: 'done',
    })
    expect(result.stopped).toBeUndefined()
    expect(result.outcomes.get('y')).toEqual({status: 'done', value: 'Y'})
  })

  it('under stop, starts nothing new after a failure and lets in-flight nodes finish', async () => {
    const nodes = [node('a'), node('b'), node('c'), node('d'), node('e', ['a'])]
    const {status, started, result} = await observe(nodes, {parallelism: 2, onFailure: 'stop'}, ['a'])
    expect(started).toEqual(['a', 'b'])
    expect(status).toEqual({
      a: 'failed: a broke',
      b: 'done',
      e: 'skipped: a failed',
      c: 'skipped: not started: the apply stopped after a failed',
      d: 'skipped: not started: the apply stopped after a failed',
    })
    expect(result.stopped).toBe('failure')
  })

  it('behaves like stop when the signal aborts mid-walk', async () => {
    const controller = new AbortController()
    const nodes = [node('a'), node('b'), node('c', ['a']), node('d')]
    const seen: string[] = []
    const result = await walk(
      nodes,
      async (n) => {
        if (n.id === 'a') controller.abort()
        await tick()
        return n.id
      },
      {parallelism: 2, signal: controller.signal, onFinish: (n, o) => seen.push(`${n.id}:${o.status}`)},
    )
    expect(result.stopped).toBe('aborted')
    expect(result.outcomes.get('a')).toEqual({status: 'done', value: 'a'})
    expect(result.outcomes.get('b')).toEqual({status: 'done', value: 'b'})
    expect(result.outcomes.get('c')).toEqual({status: 'skipped', because: 'interrupted'})
    expect(result.outcomes.get('d')).toEqual({status: 'skipped', because: 'interrupted'})
    expect(seen.sort()).toEqual(['a:done', 'b:done', 'c:skipped', 'd:skipped'])
  })

  it('runs nothing when the signal is already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const {started, status} = await observe([node('a'), node('b')], {parallelism: 2, signal: controller.signal})
    expect(started).toEqual([])
    expect(status).toEqual({a: 'skipped: interrupted', b: 'skipped: interrupted'})
  })

  it('calls onStart and onFinish once per node, and treats a synchronous throw as a failure', async () => {
    const events: string[] = []
    const result = await walk(
      [node('a'), node('b', ['a'])],
      (n) => {
        if (n.id === 'a') throw new Error('sync')
        return Promise.resolve(1)
      },
      {
        parallelism: 1,
        onFailure: 'continue',
        onStart: (n) => events.push(`start ${n.id}`),
        onFinish: (n, o) => events.push(`${o.status} ${n.id}`),
      },
    )
    expect(events).toEqual(['start a', 'failed a', 'skipped b'])
    expect(result.outcomes.get('a')).toMatchObject({status: 'failed', error: new Error('sync')})
  })

  it.each([
    {nodes: [node('a', ['nope'])], message: 'node a depends on nope, which is not in the walk'},
    {nodes: [node('a'), node('a')], message: 'node a appears twice'},
    {nodes: [node('a', ['c']), node('b', ['a']), node('c', ['b']), node('d')], message: 'dependency cycle: a -> c -> b -> a'},
  ])('refuses a bad graph before running anything: $message', async ({nodes, message}) => {
    let ran = 0
    await expect(walk(nodes, async () => ran++, {parallelism: 1})).rejects.toThrow(message)
    expect(ran).toBe(0)
  })

  it('finishes an empty walk', async () => {
    expect((await walk([], async () => 1, {parallelism: 1})).outcomes.size).toBe(0)
  })

  it('walks 10,000 nodes (wide and deep) and 9,999 skips from one failure', async () => {
    const chain = Array.from({length: 10_000}, (_, i) => node(`c${i}`, i === 0 ? [] : [`c${i - 1}`], `e${i % 3}`))
    const wide = Array.from({length: 10_000}, (_, i) => node(`w${i}`, i < 100 ? [] : [`w${i % 100}`], `e${i % 3}`))
    const ok = await walk([...chain, ...wide], async () => undefined, {parallelism: 16, perEndpoint: 8})
    expect([...ok.outcomes.values()].filter((o) => o.status === 'done')).toHaveLength(20_000)
    const failed = await walk(
      chain,
      async (n) => {
        if (n.id === 'c0') throw new Error('first')
      },
      {parallelism: 4, onFailure: 'continue'},
    )
    expect([...failed.outcomes.values()].filter((o) => o.status === 'skipped')).toHaveLength(9_999)
  })
})
