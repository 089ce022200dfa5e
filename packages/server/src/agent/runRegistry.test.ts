import { describe, expect, it } from 'vitest';
import { RunSession } from './runSession.js';
import { RunRegistry, type RunRetention } from './runRegistry.js';
import { StepRecorder } from './stepRecorder.js';

/** Runs one conversation's run to its end: `pieces` streamed pieces of `size` characters each, then done. */
async function finishRun(registry: RunRegistry, conversationId: string, pieces = 1, size = 10): Promise<RunSession> {
  await registry.reserve(conversationId);
  const session = new RunSession(`run-${conversationId}`, conversationId, 'user', `msg-${conversationId}`);
  let end!: () => void;
  registry.start(session, () => new Promise<void>((resolve) => (end = resolve)));
  const recorder = new StepRecorder();
  recorder.onEvent((event) => session.record(event));
  for (let i = 0; i < pieces; i++) recorder.appendText('text', 'x'.repeat(size));
  session.finish('done', { message_id: session.messageId, token_count: 1, suggested_title: null, usage: { prompt_tokens: 1, completion_tokens: 1 } });
  end();
  await new Promise((resolve) => setTimeout(resolve, 0));
  return session;
}

const lots: RunRetention = { ms: 60_000, maxRuns: 1000, maxBytes: 1e9 };

describe('RunRegistry retention of finished runs', () => {
  it('keeps at most maxRuns finished runs, letting the oldest go first', async () => {
    const registry = new RunRegistry({ ...lots, maxRuns: 2 });
    for (const id of ['a', 'b', 'c']) await finishRun(registry, id);
    expect(await registry.find('a')).toBeUndefined();
    expect((await registry.find('b'))?.id).toBe('run-b');
    expect((await registry.find('c'))?.id).toBe('run-c');
    expect(registry.retained().runs).toBe(2);
    await registry.shutdown();
  });

  it('keeps at most maxBytes of finished logs, letting the oldest go first, and counts what it lets go', async () => {
    const probe = new RunRegistry(lots);
    const one = (await finishRun(probe, 'probe', 20, 100)).logBytes();
    await probe.shutdown();
    const registry = new RunRegistry({ ...lots, maxBytes: 2 * one + one / 2 });
    for (const id of ['a', 'b', 'c', 'd']) await finishRun(registry, id, 20, 100);
    expect(await registry.find('a')).toBeUndefined();
    expect(await registry.find('b')).toBeUndefined();
    expect(await registry.find('c')).toBeDefined();
    expect(await registry.find('d')).toBeDefined();
    expect(registry.retained()).toEqual({ runs: 2, bytes: 2 * one });
    await registry.shutdown();
    expect(registry.retained()).toEqual({ runs: 0, bytes: 0 });
  });

  it('does not keep a run whose log alone is over maxBytes, and keeps the others', async () => {
    const registry = new RunRegistry({ ...lots, maxBytes: 20_000 });
    await finishRun(registry, 'small', 1, 10);
    await finishRun(registry, 'huge', 200, 100);
    expect(await registry.find('huge')).toBeUndefined();
    expect(await registry.find('small')).toBeDefined();
    await registry.shutdown();
  });

  it('a run started again in a conversation replaces its kept log, and its bytes are given back', async () => {
    const registry = new RunRegistry(lots);
    await finishRun(registry, 'a', 5, 100);
    const before = registry.retained().bytes;
    await finishRun(registry, 'a', 1, 10);
    expect(registry.retained().runs).toBe(1);
    expect(registry.retained().bytes).toBeLessThan(before);
    await registry.shutdown();
  });

  it('lets a finished run go after retention ms, and with maxRuns 0 keeps none', async () => {
    const timed = new RunRegistry({ ...lots, ms: 20 });
    await finishRun(timed, 'a');
    expect(await timed.find('a')).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await timed.find('a')).toBeUndefined();
    expect(timed.retained()).toEqual({ runs: 0, bytes: 0 });
    const none = new RunRegistry({ ...lots, maxRuns: 0 });
    await finishRun(none, 'a');
    expect(await none.find('a')).toBeUndefined();
  });

  it('counts a log by its text: a log with ten times the text weighs more than five times as much', async () => {
    const registry = new RunRegistry(lots);
    const small = (await finishRun(registry, 'a', 10, 100)).logBytes();
    const large = (await finishRun(registry, 'b', 10, 1000)).logBytes();
    expect(large).toBeGreaterThan(5 * small);
    await registry.shutdown();
  });
});
