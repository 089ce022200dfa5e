import { describe, expect, it } from 'vitest';
import { createToolRegistry } from '../toolRegistry.js';
import { createToolExecutor } from '../toolExecutor.js';
import type { PythonPool, PythonRunOptions, PythonRunResult } from '../../sandbox/pythonPool.js';
import { createExecutePythonTool, MAX_CODE_LENGTH } from './executePython.js';

/** A pool that records calls and answers what the test says (the real sandbox is tested in src/sandbox). */
function fakePool(answer: (code: string, options: PythonRunOptions) => PythonRunResult) {
  const calls: Array<{ code: string; options: PythonRunOptions }> = [];
  const pool: PythonPool = {
    run: async (code, options) => {
      calls.push({ code, options });
      return answer(code, options);
    },
    warm: async () => {},
    selfCheck: () => null,
    stats: () => ({ idle: 0, busy: 0, starting: 0, started: 0, replaced: 0 }),
    close: async () => {},
  };
  return { pool, calls };
}

const ok = (fields: Partial<PythonRunResult> = {}): PythonRunResult => ({ success: true, stdout: '45\n', stderr: '', result: null, execution_time: 1.5, truncated_chars: 0, ...fields });
const ctx = () => ({ userId: 'u', conversationId: 'c', projectId: null, model: 'm', signal: new AbortController().signal });

function setup(maxLevel: 'strict' | 'standard' | 'lenient' = 'lenient', answer = (_code: string, _o: PythonRunOptions) => ok()) {
  const { pool, calls } = fakePool(answer);
  const registry = createToolRegistry();
  registry.register(createExecutePythonTool({ pool, defaultLevel: 'strict', maxLevel }));
  const executor = createToolExecutor({ registry, maxWorkers: 2, timeoutMs: 1000, outputMaxChars: 10_000 });
  const call = async (args: object) => (await executor.executeBatch([{ id: 'c1', name: 'execute_python', arguments: JSON.stringify(args) }], ctx()))[0]!;
  return { registry, calls, call };
}

describe('execute_python', () => {
  it('is described with its category, a bounded code field and the levels up to the maximum', () => {
    const { registry } = setup('standard');
    const [description] = registry.describe();
    expect(description).toMatchObject({ name: 'execute_python', category: 'code' });
    const properties = (description!.parameters as any).properties;
    expect(properties.code).toMatchObject({ type: 'string', maxLength: MAX_CODE_LENGTH });
    expect(properties.level.enum).toEqual(['strict', 'standard']);
    expect(MAX_CODE_LENGTH).toBe(100_000);
  });

  it('returns stdout, stderr, the result and the execution time', async () => {
    const { call, calls } = setup('lenient', () => ok({ result: '2', stderr: 'w\n' }));
    const outcome = await call({ code: 'print(sum(range(10)))\n1+1' });
    expect(outcome.success).toBe(true);
    expect(JSON.parse(outcome.content)).toEqual({ success: true, stdout: '45\n', stderr: 'w\n', result: '2', execution_time: 1.5 });
    expect(calls[0]!.options.level).toBe('strict');
    expect(calls[0]!.options.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0]!.options.unsafeSkipPolicy).toBeUndefined();
    expect(calls[0]!.options.tenant).toBe('u');
  });

  it('passes the level the model asks for', async () => {
    const { call, calls } = setup('lenient');
    await call({ code: 'x', level: 'lenient' });
    expect(calls[0]!.options.level).toBe('lenient');
  });

  it('refuses a level above the configured maximum without running anything', async () => {
    const { call, calls } = setup('standard');
    const outcome = await call({ code: 'print(1)', level: 'lenient' });
    expect(outcome.success).toBe(false);
    expect(outcome.content).toMatch(/level/);
    expect(calls).toHaveLength(0);
  });

  it('refuses code over 100 000 characters and unknown fields', async () => {
    const { call, calls } = setup();
    expect((await call({ code: 'x'.repeat(MAX_CODE_LENGTH + 1) })).content).toMatch(/code/);
    expect((await call({ code: '1', unsafeSkipPolicy: true })).success).toBe(false);
    expect((await call({ code: '' })).success).toBe(false);
    expect(calls).toHaveLength(0);
  });

  it('turns a Python exception into an error result with the traceback and the output before it', async () => {
    const { call } = setup('lenient', () => ({
      ...ok({ stdout: 'before\n' }),
      success: false,
      error: 'Traceback (most recent call last):\n  File "<sandbox>", line 1\nZeroDivisionError: division by zero',
      error_type: 'ZeroDivisionError',
      failure: 'exception',
    }));
    const outcome = await call({ code: '1/0' });
    expect(outcome.success).toBe(false);
    const error = JSON.parse(outcome.content).error as string;
    expect(error).toContain('ZeroDivisionError: division by zero');
    expect(error).toContain('stdout before the error:\nbefore');
  });

  it('will not start with a default level above the maximum', () => {
    const { pool } = fakePool(() => ok());
    expect(() => createExecutePythonTool({ pool, defaultLevel: 'lenient', maxLevel: 'strict' })).toThrow(/max_level/);
  });
});
