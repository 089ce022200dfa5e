import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The server's Prometheus metrics, in a registry of its own (several servers may share a process in
 * tests). Labels are bounded: models and providers come from the configuration, tools from the registry,
 * routes are route patterns, outcomes fixed lists.
 */
export function createPromMetrics() {
  const registry = new Registry();
  // Process metrics, event-loop lag (nodejs_eventloop_lag_seconds and its percentiles) among them.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const runsStarted = new Counter({ name: 'nanoclaw_runs_started_total', help: 'Runs (answers) started.', labelNames: ['model'], registers });
  const runsFinished = new Counter({ name: 'nanoclaw_runs_finished_total', help: 'Runs finished, by outcome.', labelNames: ['model', 'outcome'], registers });
  const activeRuns = new Gauge({ name: 'nanoclaw_active_runs', help: 'Runs going on in this instance.', registers });
  const activeStreams = new Gauge({ name: 'nanoclaw_active_streams', help: 'Event streams open to clients, by kind (run, files).', labelNames: ['kind'], registers });
  const runDuration = new Histogram({
    name: 'nanoclaw_run_duration_seconds',
    help: 'Time from a run starting to its end.',
    labelNames: ['model'],
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers,
  });
  const timeToFirstToken = new Histogram({
    name: 'nanoclaw_llm_time_to_first_token_seconds',
    help: 'Time from sending a model request to its first piece of text (retries included).',
    labelNames: ['model'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30],
    registers,
  });
  const tokens = new Counter({ name: 'nanoclaw_llm_tokens_total', help: 'Tokens reported by providers, by type (input, output).', labelNames: ['model', 'type'], registers });
  const upstreamErrors = new Counter({
    name: 'nanoclaw_llm_upstream_errors_total',
    help: 'Failed model request attempts, by provider and kind.',
    labelNames: ['provider', 'kind'],
    registers,
  });
  const upstreamRetries = new Counter({ name: 'nanoclaw_llm_upstream_retries_total', help: 'Model requests tried again, by provider.', labelNames: ['provider'], registers });
  const toolCalls = new Counter({ name: 'nanoclaw_tool_calls_total', help: 'Tool calls, by tool and outcome.', labelNames: ['tool', 'outcome'], registers });
  const toolDuration = new Histogram({
    name: 'nanoclaw_tool_call_duration_seconds',
    help: 'Time a tool call ran.',
    labelNames: ['tool', 'outcome'],
    buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30, 120],
    registers,
  });
  const httpRequests = new Counter({
    name: 'nanoclaw_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    registers,
  });

  return {
    contentType: registry.contentType as string,
    text: () => registry.metrics(),
    runStarted(model: string): void {
      runsStarted.inc({ model });
      activeRuns.inc();
    },
    runFinished(model: string, outcome: string, seconds: number): void {
      runsFinished.inc({ model, outcome });
      activeRuns.dec();
      runDuration.observe({ model }, seconds);
    },
    streamOpened: (kind: string) => activeStreams.inc({ kind }),
    streamClosed: (kind: string) => activeStreams.dec({ kind }),
    firstToken: (model: string, seconds: number) => timeToFirstToken.observe({ model }, seconds),
    tokens(model: string, input: number | undefined, output: number | undefined): void {
      if (input) tokens.inc({ model, type: 'input' }, input);
      if (output) tokens.inc({ model, type: 'output' }, output);
    },
    upstreamError: (provider: string, kind: string) => upstreamErrors.inc({ provider, kind }),
    upstreamRetry: (provider: string) => upstreamRetries.inc({ provider }),
    toolCall(tool: string, outcome: string, seconds: number | null): void {
      toolCalls.inc({ tool, outcome });
      if (seconds !== null) toolDuration.observe({ tool, outcome }, seconds);
    },
    httpRequest: (method: string, route: string, status: number) => httpRequests.inc({ method, route, status: String(status) }),
  };
}

export type PromMetrics = ReturnType<typeof createPromMetrics>;
