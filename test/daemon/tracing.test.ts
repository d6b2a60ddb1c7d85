/**
 * With an OpenTelemetry SDK registered, a sync cycle is one trace: hrep.cycle → hrep.refresh →
 * hrep.refresh.endpoint → the HTTP requests that read, and hrep.cycle → hrep.apply → hrep.change →
 * the HTTP requests that write.
 */
import {context, trace} from '@opentelemetry/api'
import {AsyncLocalStorageContextManager} from '@opentelemetry/context-async-hooks'
import {BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor} from '@opentelemetry/sdk-trace-base'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {SyncDaemon} from '../../src/daemon/index.js'
import {type HarborWorld, startHarbors} from '../helpers/harbors.js'

const exporter = new InMemorySpanExporter()
let world: HarborWorld

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(new BasicTracerProvider({spanProcessors: [new SimpleSpanProcessor(exporter)]}))
  world = await startHarbors(['primary', 'dr'])
  await world.write('main.hcl', 'project "team" {\n  name = "team-a"\n}\n')
})

afterAll(async () => {
  await world.close()
  trace.disable()
  context.disable()
})

it('nests refresh, plan, apply, every change and every HTTP request under one hrep.cycle span', async () => {
  const daemon = await SyncDaemon.start({
    configDir: world.dir,
    intervalMs: 60_000,
    once: true,
    shutdownTimeoutMs: 5_000,
    processMetrics: false,
    log: {format: 'json', write: () => {}},
  })
  expect(await daemon.finished).toBe(0)

  const spans = exporter.getFinishedSpans()
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]))
  const parentOf = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? '')
  const named = (name: string) => spans.filter((span) => span.name === name)

  const [cycle, ...moreCycles] = named('hrep.cycle')
  expect(moreCycles).toEqual([])
  expect(cycle!.parentSpanContext).toBeUndefined()
  expect(cycle!.attributes).toMatchObject({'hrep.cycle': 1, 'hrep.status': 'success'})
  // Every span of the run belongs to the cycle's trace.
  for (const span of spans) expect(span.spanContext().traceId).toBe(cycle!.spanContext().traceId)

  const [refresh] = named('hrep.refresh')
  expect(parentOf(refresh!)).toBe(cycle)
  const endpoints = named('hrep.refresh.endpoint')
  expect(endpoints.map((span) => span.attributes['hrep.endpoint']).sort()).toEqual(['dr', 'primary'])
  for (const endpoint of endpoints) {
    expect(parentOf(endpoint)).toBe(refresh)
    const reads = spans.filter((span) => parentOf(span) === endpoint)
    expect(reads.map((span) => span.name)).toContain('GET /projects')
    for (const read of reads) expect(read.attributes['hrep.endpoint']).toBe(endpoint.attributes['hrep.endpoint'])
  }

  expect(parentOf(named('hrep.plan')[0]!)).toBe(cycle)
  const [apply] = named('hrep.apply')
  expect(parentOf(apply!)).toBe(cycle)
  const changes = named('hrep.change')
  expect(changes.map((span) => span.attributes['hrep.endpoint']).sort()).toEqual(['dr', 'primary'])
  for (const change of changes) {
    expect(parentOf(change)).toBe(apply)
    expect(change.attributes).toMatchObject({'hrep.address': 'project.team', 'hrep.action': 'create', 'hrep.kind': 'project'})
    const writes = spans.filter((span) => parentOf(span) === change).map((span) => span.name)
    expect(writes).toContain('POST /projects')
  }
})
