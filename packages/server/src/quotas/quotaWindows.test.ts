import { describe, expect, it } from 'vitest';
import { describeWait, quotaExceededSentence, quotaWindows } from './quotaWindows.js';

describe('quotaWindows', () => {
  it('counts in the UTC day, the calendar month and the minute, each resetting at its end', () => {
    const windows = quotaWindows('u1', new Date('2026-12-31T20:48:30.500Z'));
    expect(windows.tokens_per_day).toEqual({ kind: 'tokens_per_day', key: 'quota:tokens:day:u1:2026-12-31', resetsAt: new Date('2027-01-01T00:00:00.000Z') });
    expect(windows.tokens_per_month).toEqual({ kind: 'tokens_per_month', key: 'quota:tokens:month:u1:2026-12', resetsAt: new Date('2027-01-01T00:00:00.000Z') });
    expect(windows.requests_per_minute.resetsAt).toEqual(new Date('2026-12-31T20:49:00.000Z'));
    expect(quotaWindows('u1', new Date('2026-12-31T20:49:00.000Z')).requests_per_minute.key).not.toBe(windows.requests_per_minute.key);
  });

  it('says which limit is used up, when it resets and in how long', () => {
    const now = new Date('2026-12-07T20:48:00.000Z');
    expect(quotaExceededSentence('tokens_per_day', 100_000, new Date('2026-12-08T00:00:00.000Z'), now)).toBe(
      'You have used your 100,000 tokens for today; the limit resets at 00:00 UTC (in 3 h 12 min).',
    );
    expect(quotaExceededSentence('tokens_per_month', 2_000_000, new Date('2027-01-01T00:00:00.000Z'), now)).toBe(
      'You have used your 2,000,000 tokens for this month; the limit resets on 1 January at 00:00 UTC (in 24 d 3 h).',
    );
    expect(quotaExceededSentence('requests_per_minute', 10, new Date('2026-12-07T20:49:00.000Z'), new Date('2026-12-07T20:48:18.000Z'))).toBe(
      'You have made your 10 model requests for this minute; the limit resets at 20:49:00 UTC (in 42 s).',
    );
  });

  it('says "1 token" and "1 model request"', () => {
    const now = new Date('2026-12-07T20:48:00.000Z');
    expect(quotaExceededSentence('tokens_per_day', 1, new Date('2026-12-08T00:00:00.000Z'), now)).toMatch(/^You have used your 1 token for today;/);
    expect(quotaExceededSentence('requests_per_minute', 1, new Date('2026-12-07T20:49:00.000Z'), now)).toMatch(/^You have made your 1 model request for this minute;/);
  });

  it('rounds waits up to what a person reads', () => {
    expect([0, 1, 59_001, 60_000, 3_600_000, 86_400_000].map(describeWait)).toEqual(['1 s', '1 s', '1 min', '1 min', '1 h', '1 d']);
  });
});
