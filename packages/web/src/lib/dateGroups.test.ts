import { describe, expect, it } from 'vitest';
import { dateGroupOf, groupByDate } from './dateGroups';

const local = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h);

describe('dateGroupOf', () => {
  const now = local(2025, 3, 15, 9);
  it('names today, yesterday, the previous 7 and 30 days, then months', () => {
    expect(dateGroupOf(local(2025, 3, 15, 0), now)).toBe('today');
    expect(dateGroupOf(local(2025, 3, 14, 23), now)).toBe('yesterday');
    expect(dateGroupOf(local(2025, 3, 8), now)).toBe('previous7');
    expect(dateGroupOf(local(2025, 2, 20), now)).toBe('previous30');
    expect(dateGroupOf(local(2025, 1, 3), now)).toBe('month:2025-01');
    expect(dateGroupOf(local(2024, 12, 31), now)).toBe('month:2024-12');
  });
});

describe('groupByDate', () => {
  it('keeps the order and puts neighbours of the same group together', () => {
    const now = local(2025, 3, 15, 9);
    const items = [local(2025, 3, 15, 8), local(2025, 3, 15, 1), local(2025, 3, 14), local(2025, 1, 2)].map((d, i) => ({ id: i, updated_at: d.toISOString() }));
    expect(groupByDate(items, now).map((g) => [g.key, g.items.map((c) => c.id)])).toEqual([
      ['today', [0, 1]],
      ['yesterday', [2]],
      ['month:2025-01', [3]],
    ]);
  });
});
