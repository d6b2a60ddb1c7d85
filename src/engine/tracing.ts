/**
 * OpenTelemetry spans for the engine's phases (refresh, plan, apply, each change). Through
 * `@opentelemetry/api` only: a no-op unless the process registers an SDK. Spans are made active, so
 * the HTTP request spans of the reliability layer nest under the change that sent them. Attributes
 * never carry a secret or attribute values, only names, addresses and counts.
 */
import {type Attributes, type Span, SpanStatusCode, trace} from '@opentelemetry/api'

const tracer = trace.getTracer('hrep')

/** Runs `fn` inside an active span named `name`; the span records the error when `fn` throws. */
export function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, {attributes}, async (span) => {
    try {
      return await fn(span)
    } catch (error) {
      span.recordException(error as Error)
      span.setStatus({code: SpanStatusCode.ERROR, message: (error as Error).message})
      throw error
    } finally {
      span.end()
    }
  })
}
