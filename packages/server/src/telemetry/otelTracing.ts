import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Span } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { AsyncLocalStorage } from 'node:async_hooks';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  serviceName: string;
  /** Share of new traces kept; children follow their parent's decision. */
  sampleRatio: number;
  exporter: SpanExporter;
  /** `batch` (default) sends spans in the background; `simple` exports each as it ends (tests). */
  processor?: 'batch' | 'simple';
}

export { SpanKind };
export type { Span };

/**
 * OpenTelemetry spans nested by an AsyncLocalStorage of this module's own (the span being worked in)
 * rather than a global context manager: nothing global is registered, so several servers can trace side by
 * side in one process. Loaded only when tracing is on: on Node 20 an AsyncLocalStorage in use slows every
 * promise of the process (≈0.6 ms per message measured, see bench/telemetryOverhead.ts), a cost only
 * tracing, which needs it, should pay.
 */
export function createTracing(options: TracingOptions) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors: [options.processor === 'simple' ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(options.exporter)],
  });
  const tracer = provider.getTracer('nanoclaw');
  const active = new AsyncLocalStorage<Span>();

  return {
    /** A span under the current one (or a new trace). */
    start(name: string, kind: SpanKind, attributes: Attributes): Span {
      const parent = active.getStore();
      return tracer.startSpan(name, { kind, attributes }, parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT);
    },
    /** Runs `fn` with `span` as the parent of the spans it starts. */
    enter<T>(span: Span, fn: () => T): T {
      return active.run(span, fn);
    },
    end(span: Span, error?: string): void {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      span.end();
    },
    shutdown: () => provider.shutdown(),
  };
}

export type Tracing = ReturnType<typeof createTracing>;

/** The trace id of a span that is recorded (sampled), else undefined. */
export function traceIdOf(span: Span): string | undefined {
  const context = span.spanContext();
  return context.traceFlags & TraceFlags.SAMPLED ? context.traceId : undefined;
}

/**
 * GenAI semantic-convention attribute names (still "development" in OpenTelemetry, so copied here as the
 * conventions advise rather than imported from the incubating entry point).
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  conversationId: 'gen_ai.conversation.id',
  agentName: 'gen_ai.agent.name',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
} as const;
