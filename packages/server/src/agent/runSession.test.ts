import { describe, expect, it } from 'vitest';
import { RunSession, type LoggedEvent } from './runSession.js';
import { RunConflictError, RunRegistry } from './runRegistry.js';
import { StepRecorder } from './stepRecorder.js';

function sessionWithEvents(count: number): RunSession {
  const session = new RunSession('run', 'conv', 'user', 'msg');
  const recorder = new StepRecorder();
  recorder.onEvent((e) => session.record(e));
  for (let i = 0; i < count; i++) recorder.appendText('text', `p${i} `);
  return session;
}

describe('RunSession', () => {
  it('replays from any position, then delivers live, then ends once', () => {
    const session = sessionWithEvents(3);
    const seen: number[] = [];
    let ended = 0;
    session.subscribe(1, (e) => seen.push(e.seq), () => ended++);
    expect(seen).toEqual([2, 3]);
    const recorder = new StepRecorder();
    recorder.onEvent((e) => session.record(e));
    recorder.appendText('thinking', 'x');
    session.finish('done', { message_id: 'msg', token_count: 1, suggested_title: null, usage: { prompt_tokens: 1, completion_tokens: 1 } });
    expect(seen).toEqual([2, 3, 4, 5]);
    expect(ended).toBe(1);
    session.finish('error', { content: 'late' });
    expect(session.events).toHaveLength(5);
  });

  it('keeps where each piece ended so a snapshot can be rebuilt later', () => {
    const session = sessionWithEvents(2);
    const [first] = session.events as Array<Extract<LoggedEvent, { kind: 'delta' }>>;
    expect(first!.step.content.slice(0, first!.end)).toBe('p0 ');
  });

  it('replays every piece exactly as it was delivered live, across steps, tool steps and retries, from any position', () => {
    const session = new RunSession('run', 'conv', 'user', 'msg');
    const live: LoggedEvent[] = [];
    session.subscribe(0, (e) => live.push(e), () => {});
    const recorder = new StepRecorder();
    recorder.onEvent((e) => session.record(e));
    // Enough pieces to make the log grow several times, in interleaved steps, with multi-byte text.
    const agent = recorder.lane('call-2', 'researcher');
    for (let i = 0; i < 300; i++) {
      recorder.appendText(i % 50 < 10 ? 'thinking' : 'text', `piece ${i} — ünïcødé 🦀 `);
      if (i % 7 === 0) agent.appendText('text', `sub ${i} `);
      if (i === 120) {
        recorder.addToolCall({ id: 'call-1', name: 'calculator', arguments: '{"expression":"1+1"}' });
        session.retrying({ attempt: 2, max_attempts: 3, delay_ms: 10, reason: 'rate limited' });
      }
    }
    session.finish('done', { message_id: 'msg', token_count: 1, suggested_title: null, usage: { prompt_tokens: 1, completion_tokens: 1 } });
    const plain = (e: LoggedEvent) => ({ ...e, wire: undefined, ...(e.name === 'process_step' && e.kind === 'delta' && { step: e.step.id }) });
    expect(session.events.map(plain)).toEqual(live.map(plain));
    for (const after of [0, 1, 57, 150, live.length - 1, live.length]) {
      const replayed: LoggedEvent[] = [];
      session.subscribe(after, (e) => replayed.push(e), () => {});
      expect(replayed.map(plain)).toEqual(live.slice(after).map(plain));
    }
  });

  it('keeps a long answer in about the size of its text, not hundreds of bytes a piece', () => {
    const session = sessionWithEvents(20_000);
    const text = session.events.reduce((chars, e) => chars + (e.name === 'process_step' && e.kind === 'delta' ? e.delta.length : 0), 0);
    session.finish('error', { content: 'x' });
    // The text itself (UTF-16) plus 12 bytes a piece, plus small constants.
    expect(session.logBytes()).toBeLessThan(2 * text + 12 * 20_000 + 2_000);
  });

  it('stops delivering to a client that left', () => {
    const session = sessionWithEvents(1);
    const seen: number[] = [];
    const leave = session.subscribe(0, (e) => seen.push(e.seq), () => {});
    leave();
    session.finish('error', { content: 'x' });
    expect(seen).toEqual([1]);
  });
});

describe('RunRegistry', () => {
  it('allows one run per conversation and keeps a finished one for re-attaching', async () => {
    const registry = new RunRegistry(60_000);
    const release = await registry.reserve('conv');
    await expect(registry.reserve('conv')).rejects.toThrow(RunConflictError);
    release();
    await registry.reserve('conv');
    const session = new RunSession('run', 'conv', 'user', 'msg');
    let finish!: () => void;
    registry.start(session, () => new Promise<void>((r) => (finish = r)));
    expect(await registry.isRunning('conv')).toBe(true);
    await expect(registry.reserve('conv')).rejects.toThrow(RunConflictError);
    finish();
    await new Promise((r) => setTimeout(r, 0));
    expect(await registry.isRunning('conv')).toBe(false);
    expect(await registry.find('conv')).toBe(session);
    await registry.shutdown();
  });

  it('stops with the user reason and interrupts everything on shutdown', async () => {
    const registry = new RunRegistry(0);
    const a = new RunSession('a', 'c1', 'u', 'm1');
    const b = new RunSession('b', 'c2', 'u', 'm2');
    const ended = (s: RunSession) => () => new Promise<void>((r) => s.controller.signal.addEventListener('abort', () => r()));
    await registry.reserve('c1');
    registry.start(a, ended(a));
    await registry.reserve('c2');
    registry.start(b, ended(b));
    expect(await registry.stop('c1')).toEqual({ stopped: true, messageId: 'm1' });
    expect(a.controller.signal.reason).toBe('stop');
    await registry.shutdown();
    expect(b.controller.signal.reason).toBe('shutdown');
    expect(registry.size).toBe(0);
    expect(await registry.stop('c2')).toEqual({ stopped: false, messageId: null });
  });
});
