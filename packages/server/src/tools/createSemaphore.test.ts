import { describe, expect, it } from 'vitest';
import { createSemaphore } from './createSemaphore.js';

describe('createSemaphore', () => {
  it('grants slots up to the limit and hands freed slots to waiters in order', async () => {
    const semaphore = createSemaphore(2);
    const first = await semaphore.acquire();
    await semaphore.acquire();
    const order: string[] = [];
    const third = semaphore.acquire().then((release) => {
      order.push('third');
      return release;
    });
    const fourth = semaphore.acquire().then(() => order.push('fourth'));
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first(); // a second release of the same slot must not free another one
    (await third)();
    await fourth;
    expect(order).toEqual(['third', 'fourth']);
  });

  it('rejects a limit below one', () => {
    expect(() => createSemaphore(0)).toThrow('Concurrency limit must be a positive integer, got 0');
  });
});
