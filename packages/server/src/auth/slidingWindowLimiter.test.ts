import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from './slidingWindowLimiter.js';

describe('SlidingWindowLimiter', () => {
  it('allows max attempts per key in the window, then refuses with the wait until the oldest leaves it', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(3, 60_000, () => now);
    expect([1, 2, 3].map(() => limiter.attempt('a').allowed)).toEqual([true, true, true]);
    now = 10_000;
    expect(limiter.attempt('a')).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(limiter.attempt('b').allowed).toBe(true);
    now = 60_001;
    expect(limiter.attempt('a').allowed).toBe(true);
  });

  it('does not count refused attempts, so waiting is enough', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(1, 1000, () => now);
    expect(limiter.attempt('ip').allowed).toBe(true);
    for (let i = 0; i < 10; i++) expect(limiter.attempt('ip').allowed).toBe(false);
    now = 1001;
    expect(limiter.attempt('ip').allowed).toBe(true);
  });
});
