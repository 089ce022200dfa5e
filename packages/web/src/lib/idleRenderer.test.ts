import { describe, expect, it } from 'vitest';
import { IdleRenderer, type IdleDeadlineLike, type IdleScheduler } from './idleRenderer';

/** Idle periods on demand, and a clock that the renders move on. */
function fakeScheduler() {
  let clock = 0;
  let nextHandle = 1;
  const pending = new Map<number, (deadline: IdleDeadlineLike) => void>();
  const scheduler: IdleScheduler = {
    request(callback) {
      const handle = nextHandle++;
      pending.set(handle, callback);
      return handle;
    },
    cancel: (handle) => void pending.delete(handle),
    now: () => clock,
  };
  return {
    scheduler,
    advance: (ms: number) => (clock += ms),
    pending: () => pending.size,
    /** Runs the idle callback asked for, in a period of `ms` from now; resolves once it is done. */
    async idle(ms: number): Promise<void> {
      const [handle, callback] = [...pending][0]!;
      pending.delete(handle);
      const until = clock + ms;
      callback({ timeRemaining: () => Math.max(0, until - clock) });
      for (let i = 0; i < 20; i++) await Promise.resolve();
    },
  };
}

/** A queue of keys whose render takes `costs[key]` ms of the fake clock (5 by default). */
function work(keys: string[], advance: (ms: number) => void, costs: Record<string, number> = {}) {
  const queue = [...keys];
  const rendered: string[] = [];
  return {
    rendered,
    queue,
    next: () => queue[0] ?? null,
    async render(key: string) {
      queue.splice(queue.indexOf(key), 1);
      advance(costs[key] ?? 5);
      rendered.push(key);
    },
  };
}

describe('IdleRenderer', () => {
  it('asks for an idle period only when there is something to render, and once', () => {
    const idle = fakeScheduler();
    const empty = new IdleRenderer(work([], idle.advance), idle.scheduler);
    empty.schedule();
    expect(idle.pending()).toBe(0);
    const renderer = new IdleRenderer(work(['a'], idle.advance), idle.scheduler);
    renderer.schedule();
    renderer.schedule();
    expect(idle.pending()).toBe(1);
  });

  it('renders as many items as the idle period has time for, then waits for the next one', async () => {
    const idle = fakeScheduler();
    const items = work(['a', 'b', 'c', 'd', 'e'], idle.advance);
    const renderer = new IdleRenderer(items, idle.scheduler, 5);
    renderer.schedule();
    // Each item costs 5 ms and is started with 1.5 times that left: with 20 ms, at 20, 15 and 10 ms left.
    await idle.idle(20);
    expect(items.rendered).toEqual(['a', 'b', 'c']);
    expect(idle.pending()).toBe(1); // more to do: the next idle period is asked for
    // A period too short for one item renders none.
    await idle.idle(7);
    expect(items.rendered).toEqual(['a', 'b', 'c']);
    await idle.idle(50);
    expect(items.rendered).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(idle.pending()).toBe(0); // nothing left: no idle period asked for
  });

  it('goes by the median of what the latest items cost: one slow render does not hold the others back', async () => {
    const idle = fakeScheduler();
    const items = work(['slow', 'a', 'b', 'c', 'd', 'e'], idle.advance, { slow: 60, a: 4, b: 4, c: 4, d: 4, e: 4 });
    const renderer = new IdleRenderer(items, idle.scheduler, 4);
    expect(renderer.needed()).toBe(6);
    renderer.schedule();
    await idle.idle(10);
    expect(items.rendered).toEqual(['slow']); // nothing after it: the period is over
    expect(renderer.needed()).toBe(30); // the median of [4, 60], at most 30 ms
    await idle.idle(16);
    expect(items.rendered).toEqual(['slow']); // not started in a period shorter than that
    await idle.idle(50);
    expect(items.rendered).toEqual(['slow', 'a', 'b', 'c', 'd', 'e']); // a long idle period, and the median comes down
    expect(renderer.needed()).toBe(6);
  });

  it('renders nothing more once stopped', async () => {
    const idle = fakeScheduler();
    const items = work(['a', 'b'], idle.advance);
    const renderer = new IdleRenderer(items, idle.scheduler);
    renderer.schedule();
    renderer.stop();
    expect(idle.pending()).toBe(0);
    renderer.schedule();
    expect(idle.pending()).toBe(0);
    expect(items.rendered).toEqual([]);
  });
});
