import { describe, expect, it } from 'vitest';
import type { AssistantContent } from '@nanoclaw/protocol';
import { CheckpointWriter } from './checkpointWriter.js';

const content = (text: string): AssistantContent => ({ text, tool_calls: [], steps: [] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CheckpointWriter', () => {
  it('writes every changed answer of an interval in one batch, with its latest content', async () => {
    const batches: Array<Array<{ id: string; content: AssistantContent }>> = [];
    const writer = new CheckpointWriter(20, async (items) => void batches.push(items), () => {});
    let a = 'a1';
    writer.mark('a', () => content(a));
    writer.mark('b', () => content('b1'));
    a = 'a2';
    writer.mark('a', () => content(a));
    await sleep(60);
    expect(batches).toEqual([[{ id: 'a', content: content('a2') }, { id: 'b', content: content('b1') }]]);
  });

  it('lets a finishing run wait for the batch in flight and drops its pending save', async () => {
    const order: string[] = [];
    let finishBatch!: () => void;
    const writer = new CheckpointWriter(1000, (items) => {
      order.push(`batch ${items.map((i) => i.id).join(',')}`);
      return new Promise<void>((r) => (finishBatch = r));
    }, () => {});
    writer.mark('a', () => content('x'));
    void writer.flush();
    writer.mark('a', () => content('y'));
    const released = writer.release('a').then(() => order.push('released'));
    await sleep(10);
    expect(order).toEqual(['batch a']);
    finishBatch();
    await released;
    expect(order).toEqual(['batch a', 'released']);
    await writer.flush();
    expect(order).toEqual(['batch a', 'released']);
    writer.stop();
  });

  it('reports a failed batch and keeps working', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const saved: string[] = [];
    const writer = new CheckpointWriter(1000, async (items) => {
      if (fail) throw new Error('disk full');
      saved.push(...items.map((i) => i.id));
    }, (err) => errors.push(err));
    writer.mark('a', () => content('x'));
    await writer.flush();
    fail = false;
    writer.mark('b', () => content('y'));
    await writer.flush();
    expect(errors).toHaveLength(1);
    expect(saved).toEqual(['b']);
    writer.stop();
  });

  it('writes many answers in batches, letting the event loop run between two', async () => {
    const events: string[] = [];
    const writer = new CheckpointWriter(1000, async (items) => void events.push(`batch of ${items.length}`), () => {}, 100);
    for (let i = 0; i < 250; i++) writer.mark(`m${i}`, () => content(String(i)));
    const flushed = writer.flush();
    // I/O callbacks and timers due meanwhile get their turn between the batches.
    setImmediate(() => events.push('event loop'));
    await flushed;
    expect(events).toEqual(['batch of 100', 'event loop', 'batch of 100', 'batch of 50']);
    writer.stop();
  });
});
