/**
 * What the server reports about its own work, as metrics (Prometheus) and traces (OpenTelemetry).
 * Passed in (app context, run service, LLM client, tool executor) so each layer reports what happens in it;
 * nothing here knows HTTP frameworks. With both off it is `noTelemetry`: every call returns shared no-op
 * scopes, so the cost is a function call.
 */
export interface Telemetry {
  /** An HTTP request arrived; `finish` once its response is over (streams included). */
  httpRequest(method: string): HttpRequestScope;
  /** An event stream to a client opened (a run's events, a project's file changes); call the answer when it closes. */
  streamOpened(kind: 'run' | 'files'): () => void;
  /** A run (one answer) starts; `run` drives it inside the scope, `finish` says how it ended. */
  runStarted(run: { runId: string; conversationId: string; model: string }): RunScope;
  /** One request to a model (all its retries). */
  modelCall(call: ModelCallInfo): ModelCallScope;
  /** One tool call the executor runs (`tool` is a registered tool's name). */
  toolCall(call: { tool: string; callId: string }): ToolCallScope;
  /** One sub-agent of a multi_agent call. */
  subAgent(name: string): SubAgentScope;
  /** The Prometheus exposition, or null when metrics are off. */
  readonly metrics: MetricsExposition | null;
  /** Sends the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

export interface MetricsExposition {
  contentType: string;
  text(): Promise<string>;
}

/** A piece of work that others nest in: spans started inside `run` are its children. */
export interface Scope {
  run<T>(fn: () => T): T;
}

export interface HttpRequestScope extends Scope {
  /** The trace this request belongs to, when it is traced. */
  readonly traceId: string | undefined;
  /** `route`: the matched route pattern (never the URL), or null when none matched. */
  finish(route: string | null, status: number): void;
}

/** How a run ended: its answer's status, or `store_failed`. */
export type RunOutcome = 'complete' | 'stopped' | 'error' | 'max_iterations' | 'interrupted' | 'store_failed';

export interface RunScope extends Scope {
  /** The run's trace, when it is traced (for its log lines). */
  readonly traceId: string | undefined;
  finish(outcome: RunOutcome): void;
}

export interface ModelCallInfo {
  /** The configured model id. */
  model: string;
  /** Who serves it (the API's host), for upstream error and retry counts. */
  provider: string;
  /** The server's address and port, as the span's `server.address`. */
  serverAddress?: string;
  maxTokens?: number;
  temperature?: number;
}

export interface ModelCallResult {
  finishReason: string | null;
  inputTokens?: number;
  outputTokens?: number;
}

export interface ModelCallScope {
  /** The first piece of text arrived (only the first call counts). */
  firstToken(): void;
  /** An attempt failed with an upstream error of this kind (LlmErrorKind). */
  attemptFailed(kind: string): void;
  /** Another attempt follows. */
  retrying(): void;
  /** The call ended: with the assembled answer, or with the error that ended it (`aborted` is no upstream error). */
  finish(result: ModelCallResult | { error: string; kind: string }): void;
}

export type ToolCallOutcomeKind = 'success' | 'error' | 'timeout' | 'stopped' | 'invalid';

export interface ToolCallScope extends Scope {
  finish(outcome: ToolCallOutcomeKind): void;
}

export interface SubAgentScope extends Scope {
  finish(status: string): void;
}

const NOOP_SCOPE = {
  traceId: undefined,
  run: <T>(fn: () => T): T => fn(),
  finish: () => {},
  firstToken: () => {},
  attemptFailed: () => {},
  retrying: () => {},
};
const noop = () => {};

/** Metrics and traces off: nothing is measured, nothing allocated. */
export const noTelemetry: Telemetry = {
  httpRequest: () => NOOP_SCOPE,
  streamOpened: () => noop,
  runStarted: () => NOOP_SCOPE,
  modelCall: () => NOOP_SCOPE,
  toolCall: () => NOOP_SCOPE,
  subAgent: () => NOOP_SCOPE,
  metrics: null,
  shutdown: async () => {},
};
