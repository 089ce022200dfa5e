import type { Config } from '@nanoclaw/protocol';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { noTelemetry, type ModelCallInfo, type ModelCallResult, type RunOutcome, type Telemetry, type ToolCallOutcomeKind } from './telemetry.js';
import type { PromMetrics } from './promMetrics.js';
import type { Span, Tracing, TracingOptions } from './otelTracing.js';

export interface TelemetryOptions {
  metrics: boolean;
  /** Traces go to this exporter; null: no tracing. */
  tracing: TracingOptions | null;
}

/**
 * The telemetry the configuration asks for: metrics with `metrics.enabled`, traces to OTLP/HTTP with
 * `tracing.otlp_endpoint`. `spanExporter` (tests) traces to it instead, exporting each span as it ends.
 */
export async function telemetryFromConfig(config: Pick<Config, 'metrics' | 'tracing'>, spanExporter?: SpanExporter): Promise<Telemetry> {
  let tracing: TracingOptions | null = null;
  const base = { serviceName: config.tracing.service_name, sampleRatio: config.tracing.sample_ratio };
  if (spanExporter) tracing = { ...base, exporter: spanExporter, processor: 'simple' };
  else if (config.tracing.otlp_endpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    tracing = { ...base, exporter: new OTLPTraceExporter({ url: `${config.tracing.otlp_endpoint.replace(/\/+$/, '')}/v1/traces` }) };
  }
  return createTelemetry({ metrics: config.metrics.enabled, tracing });
}

/** Metrics and/or traces; `noTelemetry` when neither is on. The libraries load only for what is on. */
export async function createTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  if (!options.metrics && !options.tracing) return noTelemetry;
  const metrics = options.metrics ? (await import('./promMetrics.js')).createPromMetrics() : null;
  const otel = options.tracing ? await import('./otelTracing.js') : null;
  const tracing = otel && options.tracing ? otel.createTracing(options.tracing) : null;
  return buildTelemetry(metrics, tracing, otel);
}

type OtelModule = typeof import('./otelTracing.js');

function buildTelemetry(metrics: PromMetrics | null, tracing: Tracing | null, otel: OtelModule | null): Telemetry {
  const GEN_AI = otel?.GEN_AI;
  /** Runs fn inside the span when there is one. */
  const enter = <T>(span: Span | undefined, fn: () => T): T => (span && tracing ? tracing.enter(span, fn) : fn());
  const end = (span: Span | undefined, error?: string) => span && tracing?.end(span, error);
  const seconds = (since: number) => (performance.now() - since) / 1000;

  return {
    httpRequest(method) {
      const span = tracing?.start(`${method}`, otel!.SpanKind.SERVER, { 'http.request.method': method });
      return {
        traceId: span && otel!.traceIdOf(span),
        run: (fn) => enter(span, fn),
        finish(route, status) {
          metrics?.httpRequest(method, route ?? 'unmatched', status);
          if (!span) return;
          if (route) span.updateName(`${method} ${route}`).setAttribute('http.route', route);
          span.setAttribute('http.response.status_code', status);
          end(span, status >= 500 ? `HTTP ${status}` : undefined);
        },
      };
    },

    streamOpened(kind) {
      if (!metrics) return () => {};
      metrics.streamOpened(kind);
      let open = true;
      return () => {
        if (open) metrics.streamClosed(kind);
        open = false;
      };
    },

    runStarted({ runId, conversationId, model }) {
      const started = performance.now();
      metrics?.runStarted(model);
      const span = tracing?.start('nanoclaw.run', otel!.SpanKind.INTERNAL, {
        'nanoclaw.run.id': runId,
        [GEN_AI!.conversationId]: conversationId,
        [GEN_AI!.requestModel]: model,
      });
      return {
        traceId: span && otel!.traceIdOf(span),
        run: (fn) => enter(span, fn),
        finish(outcome: RunOutcome) {
          metrics?.runFinished(model, outcome, seconds(started));
          span?.setAttribute('nanoclaw.run.outcome', outcome);
          end(span, outcome === 'error' || outcome === 'store_failed' ? outcome : undefined);
        },
      };
    },

    modelCall(call: ModelCallInfo) {
      const started = performance.now();
      let firstTokenSeen = false;
      const span = tracing?.start(`chat ${call.model}`, otel!.SpanKind.CLIENT, {
        [GEN_AI!.operationName]: 'chat',
        [GEN_AI!.providerName]: 'openai',
        [GEN_AI!.requestModel]: call.model,
        ...(call.maxTokens !== undefined && { [GEN_AI!.requestMaxTokens]: call.maxTokens }),
        ...(call.temperature !== undefined && { [GEN_AI!.requestTemperature]: call.temperature }),
        ...(call.serverAddress !== undefined && { 'server.address': call.serverAddress }),
      });
      return {
        firstToken() {
          if (firstTokenSeen) return;
          firstTokenSeen = true;
          metrics?.firstToken(call.model, seconds(started));
        },
        attemptFailed(kind) {
          metrics?.upstreamError(call.provider, kind);
        },
        retrying() {
          metrics?.upstreamRetry(call.provider);
          span?.addEvent('retry');
        },
        finish(result: ModelCallResult | { error: string; kind: string }) {
          if ('error' in result) {
            if (result.kind !== 'aborted') metrics?.upstreamError(call.provider, result.kind);
            span?.setAttribute('error.type', result.kind);
            end(span, result.kind === 'aborted' ? undefined : result.error);
            return;
          }
          metrics?.tokens(call.model, result.inputTokens, result.outputTokens);
          if (!span) return;
          if (result.finishReason) span.setAttribute(GEN_AI!.responseFinishReasons, [result.finishReason]);
          if (result.inputTokens !== undefined) span.setAttribute(GEN_AI!.usageInputTokens, result.inputTokens);
          if (result.outputTokens !== undefined) span.setAttribute(GEN_AI!.usageOutputTokens, result.outputTokens);
          end(span);
        },
      };
    },

    toolCall({ tool, callId }) {
      const started = performance.now();
      const span = tracing?.start(`execute_tool ${tool}`, otel!.SpanKind.INTERNAL, {
        [GEN_AI!.operationName]: 'execute_tool',
        [GEN_AI!.toolName]: tool,
        [GEN_AI!.toolCallId]: callId,
      });
      return {
        run: (fn) => enter(span, fn),
        finish(outcome: ToolCallOutcomeKind) {
          metrics?.toolCall(tool, outcome, outcome === 'invalid' ? null : seconds(started));
          span?.setAttribute('nanoclaw.tool.outcome', outcome);
          end(span, outcome === 'success' ? undefined : outcome);
        },
      };
    },

    subAgent(name) {
      const span = tracing?.start(`invoke_agent ${name}`, otel!.SpanKind.INTERNAL, { [GEN_AI!.operationName]: 'invoke_agent', [GEN_AI!.agentName]: name });
      return {
        run: (fn) => enter(span, fn),
        finish(status) {
          span?.setAttribute('nanoclaw.agent.status', status);
          end(span, status === 'error' || status === 'timeout' ? status : undefined);
        },
      };
    },

    metrics: metrics && { contentType: metrics.contentType, text: metrics.text },
    shutdown: async () => {
      await tracing?.shutdown();
    },
  };
}
