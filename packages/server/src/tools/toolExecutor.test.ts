import { describe, expect, it, vi } from 'vitest';
import { createToolExecutor, type ToolExecutorOptions } from './toolExecutor.js';
import { createToolRegistry, type ToolRegistry } from './toolRegistry.js';
import type { ToolCallOutcome, ToolCallRequest, ToolContext, ToolDefinition } from './types.js';
import { recordingTelemetry } from '../telemetry/recordingTelemetry.testing.js';

function makeContext(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { userId: 'user-1', conversationId: 'conv-1', projectId: null, model: 'test-model', signal };
}

function makeTool(name: string, handler: ToolDefinition['handler'], extra: Partial<ToolDefinition> = {}): ToolDefinition {
  return { name, description: `${name} for tests`, category: 'test', parameters: { type: 'object', properties: {} }, handler, ...extra };
}

function registryWith(...tools: ToolDefinition[]): ToolRegistry {
  const registry = createToolRegistry();
  for (const tool of tools) registry.register(tool);
  return registry;
}

function executorFor(registry: ToolRegistry, overrides: Partial<ToolExecutorOptions> = {}) {
  return createToolExecutor({ registry, maxWorkers: 4, timeoutMs: 1000, outputMaxChars: 10_000, ...overrides });
}

function call(id: string, name: string, args: string | Record<string, unknown> = {}): ToolCallRequest {
  return { id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) };
}

function errorText(message: string): string {
  return `{"success": false, "error": ${JSON.stringify(message)}}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const never = (): Promise<never> => new Promise<never>(() => undefined);

const calculatorLike = makeTool('calculator', ({ expression }) => `=${String(expression)}`, {
  parameters: {
    type: 'object',
    properties: { expression: { type: 'string' }, precision: { type: 'integer', minimum: 0, maximum: 20 } },
    required: ['expression'],
  },
});

describe('createToolExecutor: running calls', () => {
  it('never runs more than maxWorkers handlers at once', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const slow = makeTool('slow', async ({ n }) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await delay(15);
      running -= 1;
      return n;
    });
    const executor = executorFor(registryWith(slow), { maxWorkers: 2 });
    const calls = [1, 2, 3, 4, 5, 6, 7].map((n) => call(`c${n}`, 'slow', { n }));

    const outcomes = await executor.executeBatch(calls, makeContext());

    expect(mostAtOnce).toBe(2);
    expect(outcomes.map((outcome) => outcome.content)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });

  it('runs calls in parallel up to the limit', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const slow = makeTool('slow', async ({ n }) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await delay(15);
      running -= 1;
      return n;
    });
    await executorFor(registryWith(slow), { maxWorkers: 8 }).executeBatch(
      [1, 2, 3, 4, 5].map((n) => call(`c${n}`, 'slow', { n })),
      makeContext(),
    );
    expect(mostAtOnce).toBe(5);
  });

  it('returns outcomes in call order even when later calls finish first, and reports each as it finishes', async () => {
    const sleeper = makeTool('sleep', async ({ ms }) => {
      await delay(Number(ms));
      return `slept ${String(ms)}`;
    });
    const finished: Array<[string, number]> = [];
    const outcomes = await executorFor(registryWith(sleeper)).executeBatch(
      [call('a', 'sleep', { ms: 40 }), call('b', 'sleep', { ms: 1 }), call('c', 'sleep', { ms: 20 })],
      makeContext(),
      { onOutcome: (outcome, index) => finished.push([outcome.id, index]) },
    );
    expect(outcomes.map((outcome) => outcome.id)).toEqual(['a', 'b', 'c']);
    expect(outcomes.map((outcome) => outcome.content)).toEqual(['slept 40', 'slept 1', 'slept 20']);
    expect(finished).toEqual([['b', 1], ['c', 2], ['a', 0]]);
  });

  it('records success, content and the execution time from the injected clock', async () => {
    const clock = vi.fn<() => number>().mockReturnValueOnce(1000).mockReturnValueOnce(1042.4);
    const tool = makeTool('answer', () => ({ value: 42, unit: 'none' }));
    const [outcome] = await executorFor(registryWith(tool), { now: clock }).executeBatch([call('x', 'answer')], makeContext());
    expect(outcome).toEqual<ToolCallOutcome>({
      id: 'x',
      name: 'answer',
      success: true,
      content: '{"value":42,"unit":"none"}',
      skipped: false,
      executionTime: 42,
    });
  });

  it('passes strings through, JSON-encodes other values and turns undefined into null', async () => {
    const tools = [
      makeTool('text', () => 'plain "text"'),
      makeTool('list', () => [1, 'two']),
      makeTool('nothing', () => undefined),
      makeTool('number', async () => 3.5),
    ];
    const outcomes = await executorFor(registryWith(...tools)).executeBatch(
      tools.map((tool) => call(tool.name, tool.name)),
      makeContext(),
    );
    expect(outcomes.map((outcome) => outcome.content)).toEqual(['plain "text"', '[1,"two"]', 'null', '3.5']);
  });

  it('hands the handler validated arguments with schema defaults and a context carrying its own signal', async () => {
    const handler = vi.fn<ToolDefinition['handler']>(() => 'ok');
    const tool = makeTool('withDefaults', handler, {
      parameters: { type: 'object', properties: { mode: { type: 'string', default: 'fast' }, n: { type: 'integer' } } },
    });
    await executorFor(registryWith(tool)).executeBatch([call('1', 'withDefaults', '{"n": 3}')], makeContext());
    const [args, ctx] = handler.mock.calls[0] ?? [];
    expect(args).toEqual({ n: 3, mode: 'fast' });
    expect(ctx).toMatchObject({ userId: 'user-1', conversationId: 'conv-1', projectId: null, model: 'test-model' });
    expect(ctx?.signal).toBeInstanceOf(AbortSignal);
  });
});

describe('createToolExecutor: error results', () => {
  async function runOne(registry: ToolRegistry, request: ToolCallRequest): Promise<ToolCallOutcome> {
    const [outcome] = await executorFor(registry).executeBatch([request], makeContext());
    if (!outcome) throw new Error('no outcome');
    return outcome;
  }

  it('answers an unknown tool with "Unknown tool: <name>"', async () => {
    const outcome = await runOne(registryWith(), call('1', 'teleport'));
    expect(outcome).toEqual({ id: '1', name: 'teleport', success: false, content: errorText('Unknown tool: teleport'), skipped: false, executionTime: 0 });
  });

  it('reports unparseable arguments with the parser message', async () => {
    const broken = '{"expression": "1+1"';
    let parserMessage = '';
    try {
      JSON.parse(broken);
    } catch (error) {
      parserMessage = (error as Error).message;
    }
    const outcome = await runOne(registryWith(calculatorLike), call('1', 'calculator', broken));
    expect(outcome.success).toBe(false);
    expect(outcome.content).toBe(errorText(`Invalid JSON arguments for calculator: ${parserMessage}`));
  });

  it('treats empty or blank argument text as {}', async () => {
    const tool = makeTool('noArgs', (args) => args);
    const outcomes = await executorFor(registryWith(tool)).executeBatch([call('1', 'noArgs', ''), call('2', 'noArgs', '  \n')], makeContext());
    expect(outcomes[0]).toMatchObject({ success: true, content: '{}', skipped: false });
    // Blank text means {} too, so the second call is a duplicate of the first.
    expect(outcomes[1]).toMatchObject({ success: true, content: '{}', skipped: true });
  });

  it.each([
    ['[1, 2]', 'an array'],
    ['"1+1"', 'a string'],
    ['null', 'null'],
    ['42', 'a number'],
  ])('rejects arguments %s that are not an object', async (text, kind) => {
    const outcome = await runOne(registryWith(calculatorLike), call('1', 'calculator', text));
    expect(outcome.content).toBe(errorText(`Invalid arguments for calculator: expected a JSON object, got ${kind}`));
  });

  it('names a missing required field', async () => {
    const outcome = await runOne(registryWith(calculatorLike), call('1', 'calculator', {}));
    expect(outcome.content).toBe(errorText('Invalid arguments for calculator: "expression" is required'));
  });

  it('names every wrong field in one sentence', async () => {
    const outcome = await runOne(registryWith(calculatorLike), call('1', 'calculator', { expression: 7, precision: 2.5 }));
    expect(outcome.content).toBe(
      errorText('Invalid arguments for calculator: "expression" must be a string; "precision" must be an integer'),
    );
  });

  it('does not run the handler when the arguments are invalid', async () => {
    const handler = vi.fn(() => 'ran');
    const tool = makeTool('strict', handler, { parameters: { type: 'object', properties: { n: { type: 'integer', maximum: 3 } } } });
    const outcome = await runOne(registryWith(tool), call('1', 'strict', { n: 9 }));
    expect(outcome.content).toBe(errorText('Invalid arguments for strict: "n" must be <= 3'));
    expect(handler).not.toHaveBeenCalled();
  });

  it('turns a thrown error into an error result with its message', async () => {
    const asyncThrow = makeTool('asyncThrow', async () => {
      throw new Error('Disk is full');
    });
    const syncThrow = makeTool('syncThrow', () => {
      throw new TypeError('Bad input');
    });
    const stringThrow = makeTool('stringThrow', () => Promise.reject('plain reason'));
    const silentThrow = makeTool('silentThrow', () => {
      throw new Error('');
    });
    const outcomes = await executorFor(registryWith(asyncThrow, syncThrow, stringThrow, silentThrow)).executeBatch(
      [call('1', 'asyncThrow'), call('2', 'syncThrow'), call('3', 'stringThrow'), call('4', 'silentThrow')],
      makeContext(),
    );
    expect(outcomes.map((outcome) => outcome.content)).toEqual([
      errorText('Disk is full'),
      errorText('Bad input'),
      errorText('plain reason'),
      errorText('Tool silentThrow failed'),
    ]);
    expect(outcomes.every((outcome) => !outcome.success && !outcome.skipped)).toBe(true);
  });

  it('reports a result JSON cannot hold', async () => {
    const tool = makeTool('bigint', () => ({ n: 10n }));
    const outcome = await runOne(registryWith(tool), call('1', 'bigint'));
    expect(outcome.success).toBe(false);
    expect(outcome.content).toContain('Tool bigint returned a result that cannot be sent as JSON: ');
  });

  it('keeps the other calls of the batch running when one fails', async () => {
    const ok = makeTool('ok', () => 'fine');
    const outcomes = await executorFor(registryWith(ok, calculatorLike)).executeBatch(
      [call('1', 'missing'), call('2', 'ok'), call('3', 'calculator', '{')],
      makeContext(),
    );
    expect(outcomes.map((outcome) => outcome.success)).toEqual([false, true, false]);
  });
});

describe('createToolExecutor: timeouts and stopping', () => {
  it('times out a handler that never settles, aborts its signal and does not wait for it', async () => {
    let handlerSignal: AbortSignal | undefined;
    const stuck = makeTool('stuck', (_args, ctx) => {
      handlerSignal = ctx.signal;
      return never();
    });
    const started = Date.now();
    const [outcome] = await executorFor(registryWith(stuck), { timeoutMs: 30 }).executeBatch([call('1', 'stuck')], makeContext());
    expect(Date.now() - started).toBeLessThan(1000);
    expect(outcome).toMatchObject({ success: false, skipped: false, content: errorText('Tool stuck timed out after 30 ms') });
    expect(handlerSignal?.aborted).toBe(true);
    expect((handlerSignal?.reason as DOMException).name).toBe('TimeoutError');
  });

  it("uses the tool's own timeout over the executor default", async () => {
    const stuck = makeTool('stuck', never, { timeoutMs: 10 });
    const [outcome] = await executorFor(registryWith(stuck), { timeoutMs: 60_000 }).executeBatch([call('1', 'stuck')], makeContext());
    expect(outcome?.content).toBe(errorText('Tool stuck timed out after 10 ms'));
  });

  it('frees the worker slot of a timed-out call for the calls waiting behind it', async () => {
    const stuck = makeTool('stuck', never, { timeoutMs: 10 });
    const quick = makeTool('quick', () => 'done');
    const outcomes = await executorFor(registryWith(stuck, quick), { maxWorkers: 1 }).executeBatch(
      [call('1', 'stuck'), call('2', 'quick')],
      makeContext(),
    );
    expect(outcomes.map((outcome) => outcome.content)).toEqual([errorText('Tool stuck timed out after 10 ms'), 'done']);
  });

  it('starts nothing when the run is already stopped', async () => {
    const handler = vi.fn(() => 'ran');
    const tool = makeTool('tool', handler);
    const controller = new AbortController();
    controller.abort();
    const outcomes = await executorFor(registryWith(tool)).executeBatch(
      [call('1', 'tool', { a: 1 }), call('2', 'tool', { a: 2 })],
      makeContext(controller.signal),
    );
    expect(handler).not.toHaveBeenCalled();
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ success: false, skipped: true, content: errorText('Stopped before running'), executionTime: 0 });
    }
  });

  it('stops the running call and skips the queued ones when the run is stopped mid-batch', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    let runningSignal: AbortSignal | undefined;
    const tool = makeTool('work', ({ step }, ctx) => {
      started.push(String(step));
      runningSignal = ctx.signal;
      setTimeout(() => controller.abort(), 10);
      // Ignores its signal on purpose: the executor must not wait for it.
      return never();
    });
    const outcomes = await executorFor(registryWith(tool), { maxWorkers: 1 }).executeBatch(
      [call('1', 'work', { step: 1 }), call('2', 'work', { step: 2 }), call('3', 'work', { step: 3 })],
      makeContext(controller.signal),
    );
    expect(started).toEqual(['1']);
    expect(runningSignal?.aborted).toBe(true);
    expect(outcomes[0]).toMatchObject({ success: false, skipped: false, content: errorText('Tool work was stopped while running') });
    expect(outcomes.slice(1).map((outcome) => [outcome.skipped, outcome.content])).toEqual([
      [true, errorText('Stopped before running')],
      [true, errorText('Stopped before running')],
    ]);
  });
});

describe('createToolExecutor: duplicates and output size', () => {
  it('runs identical calls once, whatever their key order, and marks the copies skipped', async () => {
    const handler = vi.fn(({ a, b }: Record<string, unknown>) => `${String(a)}-${String(b)}`);
    const tool = makeTool('pair', handler);
    const finished: string[] = [];
    const outcomes = await executorFor(registryWith(tool)).executeBatch(
      [call('1', 'pair', '{"a": 1, "b": {"x": 1, "y": 2}}'), call('2', 'pair', '{"b": {"y": 2, "x": 1}, "a": 1}'), call('3', 'pair', { a: 2 })],
      makeContext(),
      { onOutcome: (outcome) => finished.push(outcome.id) },
    );
    expect(handler).toHaveBeenCalledTimes(2);
    expect(outcomes.map(({ id, content, skipped, success }) => ({ id, content, skipped, success }))).toEqual([
      { id: '1', content: '1-[object Object]', skipped: false, success: true },
      { id: '2', content: '1-[object Object]', skipped: true, success: true },
      { id: '3', content: '2-undefined', skipped: false, success: true },
    ]);
    expect(outcomes[1]?.executionTime).toBe(0);
    expect(finished.sort()).toEqual(['1', '2', '3']);
  });

  it('copies an error result to its duplicates', async () => {
    const outcomes = await executorFor(registryWith()).executeBatch([call('1', 'nope'), call('2', 'nope')], makeContext());
    expect(outcomes[1]).toEqual({ id: '2', name: 'nope', success: false, content: errorText('Unknown tool: nope'), skipped: true, executionTime: 0 });
  });

  it('does not treat the same arguments for different tools as duplicates', async () => {
    const outcomes = await executorFor(registryWith(makeTool('a', () => 'A'), makeTool('b', () => 'B'))).executeBatch(
      [call('1', 'a'), call('2', 'b')],
      makeContext(),
    );
    expect(outcomes.map((outcome) => [outcome.content, outcome.skipped])).toEqual([['A', false], ['B', false]]);
  });

  it('cuts long successful output and says how much is shown', async () => {
    const tool = makeTool('long', () => 'x'.repeat(250));
    const [outcome] = await executorFor(registryWith(tool), { outputMaxChars: 100 }).executeBatch([call('1', 'long')], makeContext());
    expect(outcome?.content).toBe(`${'x'.repeat(100)}\n… [output truncated: 100 of 250 characters shown]`);
    expect(outcome?.success).toBe(true);
  });

  it('leaves output at exactly the limit alone and never cuts an error sentence', async () => {
    const exact = makeTool('exact', () => 'y'.repeat(20));
    const failing = makeTool('failing', () => {
      throw new Error('e'.repeat(50));
    });
    const outcomes = await executorFor(registryWith(exact, failing), { outputMaxChars: 20 }).executeBatch(
      [call('1', 'exact'), call('2', 'failing')],
      makeContext(),
    );
    expect(outcomes[0]?.content).toBe('y'.repeat(20));
    expect(outcomes[1]?.content).toBe(errorText('e'.repeat(50)));
  });

  it('surfaces an onOutcome failure only after every call has settled', async () => {
    const second = vi.fn(() => 'second');
    const executor = executorFor(registryWith(makeTool('first', () => 'first'), makeTool('second', second)), { maxWorkers: 1 });
    await expect(
      executor.executeBatch([call('1', 'first'), call('2', 'second')], makeContext(), {
        onOutcome: () => {
          throw new Error('listener broke');
        },
      }),
    ).rejects.toThrow('listener broke');
    expect(second).toHaveBeenCalledOnce();
  });
});

describe('the run cache', () => {
  it('answers a repeated call of a cacheable tool from the run cache, in a later batch, without running it', async () => {
    let pure = 0;
    let impure = 0;
    const executor = executorFor(
      registryWith(
        makeTool('pure', () => `pure ${++pure}`, { cacheable: true }),
        makeTool('impure', () => `impure ${++impure}`),
      ),
    );
    const ctx = { ...makeContext(), resultCache: new Map<string, ToolCallOutcome>() };
    const first = await executor.executeBatch([call('a', 'pure', { x: 1, y: 2 }), call('b', 'impure')], ctx);
    const second = await executor.executeBatch([call('c', 'pure', { y: 2, x: 1 }), call('d', 'impure'), call('e', 'pure', { x: 2 })], ctx);
    expect(first.map((o) => [o.content, o.skipped])).toEqual([['pure 1', false], ['impure 1', false]]);
    expect(second.map((o) => [o.id, o.content, o.skipped])).toEqual([
      ['c', 'pure 1', true],
      ['d', 'impure 2', false],
      ['e', 'pure 2', false],
    ]);
    expect(pure).toBe(2);
  });

  it('does not cache failures, and nothing without a run cache', async () => {
    let attempts = 0;
    const executor = executorFor(registryWith(makeTool('flaky', () => {
      attempts++;
      if (attempts === 1) throw new Error('first time fails');
      return 'ok';
    }, { cacheable: true })));
    const ctx = { ...makeContext(), resultCache: new Map<string, ToolCallOutcome>() };
    expect((await executor.executeBatch([call('a', 'flaky')], ctx))[0]!.success).toBe(false);
    expect((await executor.executeBatch([call('b', 'flaky')], ctx))[0]).toMatchObject({ success: true, content: 'ok', skipped: false });
    const plain = makeContext();
    await executor.executeBatch([call('c', 'flaky')], plain);
    await executor.executeBatch([call('d', 'flaky')], plain);
    expect(attempts).toBe(4);
  });
});

describe('toolExecutor telemetry', () => {
  it('reports each call with its registered name and how it ended: success, error, timeout, invalid; an unregistered name as (unknown)', async () => {
    const telemetry = recordingTelemetry();
    const registry = registryWith(
      makeTool('ok', () => 'fine'),
      makeTool('fails', () => {
        throw new Error('broken');
      }),
      makeTool('slow', () => never(), { timeoutMs: 10 }),
    );
    await executorFor(registry, { telemetry }).executeBatch(
      [call('1', 'ok'), call('2', 'fails'), call('3', 'slow'), call('4', 'ok', '{not json'), call('5', 'made_up_tool')],
      makeContext(),
    );
    expect(telemetry.events.sort()).toEqual(['tool (unknown) invalid', 'tool fails error', 'tool ok invalid', 'tool ok success', 'tool slow timeout']);
  });
});
