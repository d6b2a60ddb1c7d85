/** Each HTTP attempt is an OpenTelemetry client span, once the process registers an SDK. */
import {context, SpanStatusCode, trace} from '@opentelemetry/api'
import {AsyncLocalStorageContextManager} from '@opentelemetry/context-async-hooks'
import {BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor} from '@opentelemetry/sdk-trace-base'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {createClient} from '../../src/client/harbor-client.js'
import {endpointConfig, type FakeServer, harborError, json, startServer} from '../client/fake-server.js'

const exporter = new InMemorySpanExporter()
let server: FakeServer

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(new BasicTracerProvider({spanProcessors: [new SimpleSpanProcessor(exporter)]}))
  let calls = 0
  server = await startServer((_request, response) => {
    if (++calls === 1) harborError(response, 503, 'UNKNOWN', 'busy')
    else json(response, 200, [])
  })
})

afterAll(async () => {
  await server.close()
  trace.disable()
  context.disable()
})

it('spans every attempt with endpoint, method, route and status, under the caller span', async () => {
  const client = createClient(endpointConfig(server.url, {name: 'dr'}))
  const tracer = trace.getTracer('test')
  await tracer.startActiveSpan('apply', async (parent) => {
    await client.request({method: 'GET', path: '/projects/team/members', resourceName: true})
    parent.end()
  })
  await client.close()
  const spans = exporter.getFinishedSpans()
  const http = spans.filter((s) => s.name === 'GET /projects/{project}/members')
  expect(http.map((s) => s.attributes)).toEqual([
    {
      'hrep.endpoint': 'dr',
      'http.request.method': 'GET',
      'http.route': '/projects/{project}/members',
      'hrep.attempt': 1,
      'http.response.status_code': 503,
    },
    {
      'hrep.endpoint': 'dr',
      'http.request.method': 'GET',
      'http.route': '/projects/{project}/members',
      'hrep.attempt': 2,
      'http.response.status_code': 200,
    },
  ])
  expect(http.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET])
  const parent = spans.find((s) => s.name === 'apply')!
  for (const span of http) expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId)
})
