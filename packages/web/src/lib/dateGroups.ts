/** Where a conversation goes in the sidebar by its last activity: recent days by name, then by month. */
export type DateGroupKey = 'today' | 'yesterday' | 'previous7' | 'previous30' | `month:${string}`;

export interface DateGroup<T> {
  key: DateGroupKey;
  items: T[];
}

const DAY = 86_400_000;

function startOfDay(at: Date): number {
  return new Date(at.getFullYear(), at.getMonth(), at.getDate()).getTime();
}

/** The group of one timestamp, in the viewer's local time. */
export function dateGroupOf(at: Date, now: Date): DateGroupKey {
  const today = startOfDay(now);
  const day = startOfDay(at);
  if (day >= today) return 'today';
  if (day >= today - DAY) return 'yesterday';
  if (day >= today - 7 * DAY) return 'previous7';
  if (day >= today - 30 * DAY) return 'previous30';
  return `month:${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}`;
}

/** Consecutive runs of a newest-first list, grouped by `dateGroupOf` their `updated_at`. */
export function groupByDate<T extends { updated_at: string }>(items: readonly T[], now: Date): Array<DateGroup<T>> {
  const groups: Array<DateGroup<T>> = [];
  for (const item of items) {
    const key = dateGroupOf(new Date(item.updated_at), now);
    const last = groups.at(-1);
    if (last?.key === key) last.items.push(item);
    else groups.push({ key, items: [item] });
  }
  return groups;
}
