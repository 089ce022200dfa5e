import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs, retryDelayMs } from './retryDelay.js';

const settings = { retry_base_ms: 500, retry_max_ms: 20_000 };

describe('retryDelayMs', () => {
  it('doubles the ceiling with each attempt, with jitter in its upper half', () => {
    expect(retryDelayMs(0, settings, undefined, () => 0)).toBe(250);
    expect(retryDelayMs(0, settings, undefined, () => 1)).toBe(500);
    expect(retryDelayMs(3, settings, undefined, () => 1)).toBe(4_000);
  });

  it('never exceeds retry_max_ms', () => {
    expect(retryDelayMs(10, settings, undefined, () => 1)).toBe(20_000);
    expect(retryDelayMs(0, settings, 60_000)).toBe(20_000);
  });

  it("uses the server's hint when it gave one", () => {
    expect(retryDelayMs(5, settings, 1_200)).toBe(1_200);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads retry-after-ms first', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after-ms': '75', 'retry-after': '9' }))).toBe(75);
  });

  it('reads Retry-After in seconds', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3_000);
  });

  it('reads Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');

    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5_000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }), now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfterMs(new Headers())).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });
});
