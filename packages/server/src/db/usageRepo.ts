import { sql, type Kysely, type RawBuilder } from 'kysely';
import { dialectOf } from './dialect.js';
import { namedValues, prepareQuery } from './preparedQuery.js';
import { transactionRetryingDeadlocks } from './transactions.js';
import type { DB } from './schema.js';
import {
  planBuckets,
  summarizeUsage,
  utcDay,
  utcHour,
  type StatsPeriod,
  type UsageRow,
  type UsageStats,
} from './usageStats.js';
import { toNumber } from './values.js';

export interface UsageRecord {
  userId: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** When the tokens were used; decides the day and hour bucket (UTC). */
  at: Date;
}

const COUNTERS = ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const;
type Counter = (typeof COUNTERS)[number];
type UsageTable = 'token_usage' | 'token_usage_hourly';

/** `column = <current> + <incoming>` for each counter. */
function increments(current: (c: Counter) => RawBuilder<unknown>, incoming: (c: Counter) => RawBuilder<unknown>) {
  const sum = (c: Counter) => sql<number>`${current(c)} + ${incoming(c)}`;
  return { prompt_tokens: sum('prompt_tokens'), completion_tokens: sum('completion_tokens'), total_tokens: sum('total_tokens') };
}

/** SQLite and PostgreSQL: `ON CONFLICT (…) DO UPDATE SET x = table.x + excluded.x`. */
function addExcluded(table: UsageTable) {
  return increments(
    (c) => sql.ref(`${table}.${c}`),
    (c) => sql.ref(`excluded.${c}`),
  );
}

/** MySQL/MariaDB: `ON DUPLICATE KEY UPDATE x = x + VALUES(x)` (MariaDB has no `AS new` row alias). */
function addInsertedValues() {
  return increments(
    (c) => sql.ref(c),
    (c) => sql`values(${sql.ref(c)})`,
  );
}

function checkTokenCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}.`);
}

interface BucketValues {
  userId: string;
  /** The day (token_usage) or hour (token_usage_hourly) key. */
  bucket: string;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

// Run for every answer: prepared (see preparedQuery.ts).
const dailyUpsert = prepareQuery((db, v: BucketValues) => {
  const insert = db.insertInto('token_usage').values({ user_id: v.userId, date: v.bucket, model: v.model, ...namedValues(v, COUNTERS) });
  return dialectOf(db) === 'mysql'
    ? insert.onDuplicateKeyUpdate(addInsertedValues())
    : insert.onConflict((oc) => oc.columns(['user_id', 'date', 'model']).doUpdateSet(addExcluded('token_usage')));
});
const hourlyUpsert = prepareQuery((db, v: BucketValues) => {
  const insert = db.insertInto('token_usage_hourly').values({ user_id: v.userId, hour: v.bucket, model: v.model, ...namedValues(v, COUNTERS) });
  return dialectOf(db) === 'mysql'
    ? insert.onDuplicateKeyUpdate(addInsertedValues())
    : insert.onConflict((oc) => oc.columns(['user_id', 'hour', 'model']).doUpdateSet(addExcluded('token_usage_hourly')));
});


export function createUsageRepo(db: Kysely<DB>) {
  async function upsertDaily(usage: UsageRecord): Promise<void> {
    await dailyUpsert.execute(db, { userId: usage.userId, bucket: utcDay(usage.at), model: usage.model, ...counts(usage) });
  }

  async function upsertHourly(usage: UsageRecord): Promise<void> {
    await hourlyUpsert.execute(db, { userId: usage.userId, bucket: utcHour(usage.at), model: usage.model, ...counts(usage) });
  }

  /**
   * Adds one answer's tokens to the user's day and hour totals: one atomic upsert per table, in the
   * transaction this repository was created over (see answerWrites.ts).
   */
  async function add(usage: UsageRecord): Promise<void> {
    checkTokenCount('promptTokens', usage.promptTokens);
    checkTokenCount('completionTokens', usage.completionTokens);
    await upsertDaily(usage);
    await upsertHourly(usage);
  }

  /** The same in a transaction of its own, retried when the engine aborts it to break a deadlock. */
  async function record(usage: UsageRecord): Promise<void> {
    await transactionRetryingDeadlocks(db, (trx) => createUsageRepo(trx).add(usage));
  }

  async function hourlyRows(userId: string, firstKey: string, lastKey: string): Promise<UsageRow[]> {
    const rows = await db
      .selectFrom('token_usage_hourly')
      .select(['hour as key', 'model', 'prompt_tokens', 'completion_tokens', 'total_tokens'])
      .where('user_id', '=', userId)
      .where('hour', '>=', firstKey)
      .where('hour', '<=', lastKey)
      .execute();
    return rows.map(toUsageRow);
  }

  async function dailyRows(userId: string, firstKey: string, lastKey: string): Promise<UsageRow[]> {
    const rows = await db
      .selectFrom('token_usage')
      .select(['date as key', 'model', 'prompt_tokens', 'completion_tokens', 'total_tokens'])
      .where('user_id', '=', userId)
      .where('date', '>=', firstKey)
      .where('date', '<=', lastKey)
      .execute();
    return rows.map(toUsageRow);
  }

  /** Token totals for today (24 hourly buckets), the last 7 days or the last 30 days (daily buckets), UTC. */
  async function stats(userId: string, period: StatsPeriod, now: Date): Promise<UsageStats> {
    const plan = planBuckets(period, now);
    const firstKey = plan.buckets[0]?.key ?? '';
    const lastKey = plan.buckets.at(-1)?.key ?? '';
    const rows =
      plan.granularity === 'hour' ? await hourlyRows(userId, firstKey, lastKey) : await dailyRows(userId, firstKey, lastKey);
    return summarizeUsage(period, plan, rows);
  }

  return { record, add, stats };
}

function counts(usage: UsageRecord) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

function toUsageRow(row: { key: string; model: string } & Record<Counter, number>): UsageRow {
  return {
    key: row.key,
    model: row.model,
    prompt_tokens: toNumber(row.prompt_tokens),
    completion_tokens: toNumber(row.completion_tokens),
    total_tokens: toNumber(row.total_tokens),
  };
}

export type UsageRepo = ReturnType<typeof createUsageRepo>;
