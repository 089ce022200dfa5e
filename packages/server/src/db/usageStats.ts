/** Pure bucketing for token statistics (UTC). */
import type { ApiTokenStats, ModelUsage, StatsPeriod, TokenTotals, UsageBucket } from '@nanoclaw/protocol';

export type { ModelUsage, StatsPeriod, TokenTotals, UsageBucket } from '@nanoclaw/protocol';
/** The answer of GET /api/stats/tokens. */
export type UsageStats = ApiTokenStats;

/** One stored usage row: a bucket key (`YYYY-MM-DDTHH` or `YYYY-MM-DD`), a model and its counts. */
export interface UsageRow extends TokenTotals {
  key: string;
  model: string;
}

/** The buckets of a period: the key stored in the database and the label shown. */
export interface BucketPlan {
  /** Which table holds the period's rows. */
  granularity: 'hour' | 'day';
  buckets: { key: string; label: string }[];
}

const DAY_MS = 86_400_000;
const DAYS_IN: Record<Exclude<StatsPeriod, 'daily'>, number> = { weekly: 7, monthly: 30 };

/** `YYYY-MM-DD` of the UTC day. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH` of the UTC hour. */
export function utcHour(at: Date): string {
  return at.toISOString().slice(0, 13);
}

/** daily: today's 24 hours; weekly: the last 7 days including today; monthly: the last 30. */
export function planBuckets(period: StatsPeriod, now: Date): BucketPlan {
  if (period === 'daily') {
    const day = utcDay(now);
    const buckets = Array.from({ length: 24 }, (_, hour) => {
      const hh = String(hour).padStart(2, '0');
      return { key: `${day}T${hh}`, label: `${hh}:00` };
    });
    return { granularity: 'hour', buckets };
  }
  const days = DAYS_IN[period];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const buckets = Array.from({ length: days }, (_, i) => {
    const day = utcDay(new Date(today - (days - 1 - i) * DAY_MS));
    return { key: day, label: day };
  });
  return { granularity: 'day', buckets };
}

function zero(): TokenTotals {
  return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
}

function add(into: TokenTotals, row: TokenTotals): void {
  into.prompt_tokens += row.prompt_tokens;
  into.completion_tokens += row.completion_tokens;
  into.total_tokens += row.total_tokens;
}

/** Totals, per model (most tokens first) and per bucket (every bucket, zeros included). Rows outside the plan are ignored. */
export function summarizeUsage(period: StatsPeriod, plan: BucketPlan, rows: UsageRow[]): UsageStats {
  const series = new Map(plan.buckets.map((b) => [b.key, { bucket: b.label, ...zero() }]));
  const byModel = new Map<string, ModelUsage>();
  const total = zero();
  for (const row of rows) {
    const bucket = series.get(row.key);
    if (!bucket) continue;
    add(bucket, row);
    add(total, row);
    const model = byModel.get(row.model) ?? { model: row.model, ...zero() };
    add(model, row);
    byModel.set(row.model, model);
  }
  const by_model = [...byModel.values()].sort(
    (a, b) => b.total_tokens - a.total_tokens || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0),
  );
  return { period, total, by_model, series: [...series.values()] };
}
