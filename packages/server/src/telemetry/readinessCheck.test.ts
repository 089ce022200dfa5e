import { describe, expect, it } from 'vitest';
import { createReadinessCheck } from './readinessCheck.js';

describe('createReadinessCheck', () => {
  it('is ready when every probe answers', async () => {
    const check = createReadinessCheck([{ name: 'database', check: async () => 1 }, { name: 'Redis', check: async () => 'PONG' }], 100);
    expect(await check()).toEqual({ ready: true });
  });

  it('names each probe that failed or did not answer in time', async () => {
    const check = createReadinessCheck(
      [
        { name: 'database', check: () => new Promise(() => {}) },
        { name: 'Redis', check: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) },
        { name: 'other', check: async () => true },
      ],
      30,
    );
    expect(await check()).toEqual({ ready: false, reason: 'database did not answer within 30 ms; Redis is not reachable (connect ECONNREFUSED 127.0.0.1:1)' });
  });
});
