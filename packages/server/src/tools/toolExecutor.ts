import type { ToolCallOutcome, ToolCallRequest, ToolContext, ToolDefinition } from './types.js';
import type { ToolRegistry } from './toolRegistry.js';
import { canonicalJson } from './canonicalJson.js';
import { createSemaphore, type Semaphore } from './createSemaphore.js';
import { noTelemetry, type Telemetry, type ToolCallOutcomeKind } from '../telemetry/telemetry.js';
import { errorContent, errorMessage, serializeOutput, truncateOutput } from './toolOutput.js';

export interface ToolExecutorOptions {
  registry: ToolRegistry;
  /** Handlers running at once within one batch. */
  maxWorkers: number;
  /** Default per-call timeout in ms; a tool's own `timeoutMs` wins. */
  timeoutMs: number;
  /** Successful output longer than this is cut (error sentences are never cut). */
  outputMaxChars: number;
  /** Clock for `executionTime`, in ms. */
  now?: () => number;
  /** Each executed call becomes a span and counts in the tool metrics. */
  telemetry?: Telemetry;
}

export interface ExecuteBatchOptions {
  /**
   * Called as each outcome is known, in completion order (a duplicate right after the call it repeats),
   * so results can be streamed before the whole batch is done. `index` is the call's position in the batch.
   */
  onOutcome?: (outcome: ToolCallOutcome, index: number) => void;
}

export interface ToolExecutor {
  /** Runs a round's tool calls; the outcomes come back in the order of the calls. Never rejects for a tool's failure. */
  executeBatch(calls: ToolCallRequest[], ctx: ToolContext, options?: ExecuteBatchOptions): Promise<ToolCallOutcome[]>;
}

export const STOPPED_BEFORE_RUNNING = 'Stopped before running';

type PreparedCall =
  | { kind: 'runnable'; definition: ToolDefinition; args: Record<string, unknown> }
  | { kind: 'rejected'; message: string };

type HandlerResult = { kind: 'value'; value: unknown } | { kind: 'error'; message: string; reason: 'error' | 'timeout' | 'stopped' };

export function createToolExecutor(options: ToolExecutorOptions): ToolExecutor {
  const now = options.now ?? (() => performance.now());
  const telemetry = options.telemetry ?? noTelemetry;

  async function executeBatch(
    calls: ToolCallRequest[],
    ctx: ToolContext,
    batchOptions: ExecuteBatchOptions = {},
  ): Promise<ToolCallOutcome[]> {
    const semaphore = createSemaphore(options.maxWorkers);
    const firstIndexByKey = new Map<string, number>();
    const pending: Array<Promise<ToolCallOutcome>> = [];
    const callbackErrors: unknown[] = [];

    const report = (outcome: ToolCallOutcome, index: number): ToolCallOutcome => {
      try {
        batchOptions.onOutcome?.(outcome, index);
      } catch (error) {
        // Keep running the other calls; the caller's bug surfaces once the batch has settled.
        callbackErrors.push(error);
      }
      return outcome;
    };

    calls.forEach((call, index) => {
      const key = dedupeKey(call);
      const firstIndex = firstIndexByKey.get(key);
      const cached = ctx.resultCache?.get(key);
      if (cached) {
        pending.push(Promise.resolve(report(duplicateOf(cached, call), index)));
      } else if (firstIndex === undefined) {
        firstIndexByKey.set(key, index);
        pending.push(
          runCall(call, ctx, semaphore).then((outcome) => {
            if (outcome.success && ctx.resultCache && options.registry.get(call.name)?.cacheable) ctx.resultCache.set(key, outcome);
            return report(outcome, index);
          }),
        );
      } else {
        const original = pending[firstIndex] as Promise<ToolCallOutcome>;
        pending.push(original.then((outcome) => report(duplicateOf(outcome, call), index)));
      }
    });

    const outcomes = await Promise.all(pending);
    if (callbackErrors.length > 0) throw callbackErrors[0];
    return outcomes;
  }

  async function runCall(call: ToolCallRequest, ctx: ToolContext, semaphore: Semaphore): Promise<ToolCallOutcome> {
    const prepared = prepareCall(call, options.registry);
    if (prepared.kind === 'rejected') {
      // Only registered names become labels: a model's invented tool name must not.
      const known = options.registry.get(call.name) ? call.name : '(unknown)';
      telemetry.toolCall({ tool: known, callId: call.id }).finish('invalid');
      return failure(call, prepared.message, 0, false);
    }
    if (ctx.signal.aborted) return failure(call, STOPPED_BEFORE_RUNNING, 0, true);

    const release = await semaphore.acquire();
    try {
      if (ctx.signal.aborted) return failure(call, STOPPED_BEFORE_RUNNING, 0, true);
      const scope = telemetry.toolCall({ tool: prepared.definition.name, callId: call.id });
      const started = now();
      const result = await scope.run(() => invokeHandler(prepared.definition, prepared.args, { ...ctx, callId: call.id }));
      const executionTime = Math.max(0, Math.round(now() - started));
      const outcome = toOutcome(call, result, executionTime);
      scope.finish(outcomeKind(result, outcome));
      return outcome;
    } finally {
      release();
    }
  }

  function invokeHandler(definition: ToolDefinition, args: Record<string, unknown>, ctx: ToolContext): Promise<HandlerResult> {
    const timeoutMs = definition.timeoutMs ?? options.timeoutMs;
    const controller = new AbortController();
    return new Promise<HandlerResult>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (result: HandlerResult): void => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onStop);
        resolve(result);
      };
      // Both stop paths settle at once: a handler that ignores its signal must not hold up the round.
      const onStop = (): void => {
        controller.abort(ctx.signal.reason);
        finish({ kind: 'error', message: `Tool ${definition.name} was stopped while running`, reason: 'stopped' });
      };
      if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
        timer = setTimeout(() => {
          controller.abort(new DOMException(`Tool ${definition.name} timed out`, 'TimeoutError'));
          finish({ kind: 'error', message: `Tool ${definition.name} timed out after ${timeoutMs} ms`, reason: 'timeout' });
        }, timeoutMs);
      }
      ctx.signal.addEventListener('abort', onStop, { once: true });

      new Promise<unknown>((resolveValue) => resolveValue(definition.handler(args, { ...ctx, signal: controller.signal }))).then(
        (value) => finish({ kind: 'value', value }),
        (error: unknown) => finish({ kind: 'error', message: errorMessage(error) || `Tool ${definition.name} failed`, reason: 'error' }),
      );
    });
  }

  function toOutcome(call: ToolCallRequest, result: HandlerResult, executionTime: number): ToolCallOutcome {
    if (result.kind === 'error') return failure(call, result.message, executionTime, false);
    let content: string;
    try {
      content = serializeOutput(result.value);
    } catch (error) {
      return failure(call, `Tool ${call.name} returned a result that cannot be sent as JSON: ${errorMessage(error)}`, executionTime, false);
    }
    return {
      id: call.id,
      name: call.name,
      success: true,
      content: truncateOutput(content, options.outputMaxChars),
      skipped: false,
      executionTime,
    };
  }

  return { executeBatch };
}

function outcomeKind(result: HandlerResult, outcome: ToolCallOutcome): ToolCallOutcomeKind {
  if (result.kind === 'error') return result.reason;
  return outcome.success ? 'success' : 'error';
}

/** Resolves the tool and turns the raw argument text into validated arguments, or into the sentence saying why not. */
function prepareCall(call: ToolCallRequest, registry: ToolRegistry): PreparedCall {
  const definition = registry.get(call.name);
  if (!definition) return { kind: 'rejected', message: `Unknown tool: ${call.name}` };

  const parsed = parseArguments(call.arguments);
  if (!parsed.ok) return { kind: 'rejected', message: `Invalid JSON arguments for ${call.name}: ${parsed.message}` };
  if (!isPlainObject(parsed.value)) {
    return { kind: 'rejected', message: `Invalid arguments for ${call.name}: expected a JSON object, got ${describeJsonType(parsed.value)}` };
  }

  const check = registry.checkArguments(call.name, parsed.value);
  if (!check.valid) return { kind: 'rejected', message: `Invalid arguments for ${call.name}: ${check.problems.join('; ')}` };
  return { kind: 'runnable', definition, args: check.args };
}

type ParsedArguments = { ok: true; value: unknown } | { ok: false; message: string };

function parseArguments(text: string): ParsedArguments {
  // Several providers send "" (or whitespace) for a call without arguments.
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  }
}

function dedupeKey(call: ToolCallRequest): string {
  const parsed = parseArguments(call.arguments);
  return `${call.name}\u0000${parsed.ok ? canonicalJson(parsed.value) : call.arguments}`;
}

function duplicateOf(original: ToolCallOutcome, call: ToolCallRequest): ToolCallOutcome {
  return { ...original, id: call.id, name: call.name, skipped: true, executionTime: 0 };
}

function failure(call: ToolCallRequest, message: string, executionTime: number, skipped: boolean): ToolCallOutcome {
  return { id: call.id, name: call.name, success: false, content: errorContent(message), skipped, executionTime };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}
