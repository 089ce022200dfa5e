import { describe, expect, it } from 'vitest';
import { planBuckets, summarizeUsage, utcDay, utcHour } from './usageStats.js';

describe('planBuckets', () => {
  it('daily: the 24 UTC hours of today, labelled HH:00', () => {
    const plan = planBuckets('daily', new Date('2025-03-10T23:59:59.999Z'));
    expect(plan.granularity).toBe('hour');
    expect(plan.buckets).toHaveLength(24);
    expect(plan.buckets[0]).toEqual({ key: '2025-03-10T00', label: '00:00' });
    expect(plan.buckets[23]).toEqual({ key: '2025-03-10T23', label: '23:00' });
  });

  it('weekly: the last 7 UTC days including today, oldest first', () => {
    const plan = planBuckets('weekly', new Date('2025-03-02T00:00:00.000Z'));
    expect(plan.granularity).toBe('day');
    expect(plan.buckets.map((b) => b.key)).toEqual([
      '2025-02-24', '2025-02-25', '2025-02-26', '2025-02-27', '2025-02-28', '2025-03-01', '2025-03-02',
    ]);
    expect(plan.buckets.every((b) => b.label === b.key)).toBe(true);
  });

  it('monthly: the last 30 UTC days, across a leap day', () => {
    const keys = planBuckets('monthly', new Date('2024-03-15T10:00:00.000Z')).buckets.map((b) => b.key);
    expect(keys).toHaveLength(30);
    expect(keys[0]).toBe('2024-02-15');
    expect(keys).toContain('2024-02-29');
    expect(keys[29]).toBe('2024-03-15');
  });

  it('uses UTC, not the local time zone, for day and hour keys', () => {
    expect(utcDay(new Date('2025-03-10T23:30:00.000-05:00'))).toBe('2025-03-11');
    expect(utcHour(new Date('2025-03-10T23:30:00.000-05:00'))).toBe('2025-03-11T04');
  });
});

describe('summarizeUsage', () => {
  it('adds rows into totals, per model (most tokens first) and per bucket, ignoring rows outside the plan', () => {
    const plan = planBuckets('weekly', new Date('2025-03-10T12:00:00.000Z'));
    const stats = summarizeUsage('weekly', plan, [
      { key: '2025-03-10', model: 'a', prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      { key: '2025-03-09', model: 'b', prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
      { key: '2025-03-10', model: 'b', prompt_tokens: 100, completion_tokens: 200, total_tokens: 300 },
      { key: '2025-01-01', model: 'c', prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
    ]);
    expect(stats.total).toEqual({ prompt_tokens: 111, completion_tokens: 222, total_tokens: 333 });
    expect(stats.by_model).toEqual([
      { model: 'b', prompt_tokens: 110, completion_tokens: 220, total_tokens: 330 },
      { model: 'a', prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    ]);
    expect(stats.series.at(-1)).toEqual({ bucket: '2025-03-10', prompt_tokens: 101, completion_tokens: 202, total_tokens: 303 });
    expect(stats.series[0]).toEqual({ bucket: '2025-03-04', prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});
