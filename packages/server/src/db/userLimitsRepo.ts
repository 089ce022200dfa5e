import type { Kysely } from 'kysely';
import { dialectOf } from './dialect.js';
import type { DB } from './schema.js';
import { timestamp, toNumber, type Clock } from './values.js';

/** One user's own limits: null = the configured default, 0 = unlimited, n = at most n. */
export interface UserLimitOverrides {
  tokens_per_day: number | null;
  tokens_per_month: number | null;
  requests_per_minute: number | null;
}

export const NO_OVERRIDES: UserLimitOverrides = { tokens_per_day: null, tokens_per_month: null, requests_per_minute: null };

function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : toNumber(value);
}

/** The limits administrators set per user (`user_limits`). */
export function createUserLimitsRepo(db: Kysely<DB>, now: Clock) {
  async function get(userId: string): Promise<UserLimitOverrides> {
    const row = await db
      .selectFrom('user_limits')
      .select(['tokens_per_day', 'tokens_per_month', 'requests_per_minute'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return NO_OVERRIDES;
    return {
      tokens_per_day: nullableNumber(row.tokens_per_day),
      tokens_per_month: nullableNumber(row.tokens_per_month),
      requests_per_minute: nullableNumber(row.requests_per_minute),
    };
  }

  /** Every user's overrides that are stored, by user id. */
  async function list(): Promise<Map<string, UserLimitOverrides>> {
    const rows = await db.selectFrom('user_limits').select(['user_id', 'tokens_per_day', 'tokens_per_month', 'requests_per_minute']).execute();
    return new Map(
      rows.map((row) => [
        row.user_id,
        {
          tokens_per_day: nullableNumber(row.tokens_per_day),
          tokens_per_month: nullableNumber(row.tokens_per_month),
          requests_per_minute: nullableNumber(row.requests_per_minute),
        },
      ]),
    );
  }

  /** Replaces the user's overrides (all null removes the row: the user follows the default). */
  async function set(userId: string, limits: UserLimitOverrides): Promise<void> {
    const values = { ...limits, updated_at: timestamp(now()) };
    if (limits.tokens_per_day === null && limits.tokens_per_month === null && limits.requests_per_minute === null) {
      await db.deleteFrom('user_limits').where('user_id', '=', userId).execute();
      return;
    }
    const insert = db.insertInto('user_limits').values({ user_id: userId, ...values });
    await (dialectOf(db) === 'mysql' ? insert.onDuplicateKeyUpdate(values) : insert.onConflict((oc) => oc.column('user_id').doUpdateSet(values))).execute();
  }

  return { get, list, set };
}

export type UserLimitsRepo = ReturnType<typeof createUserLimitsRepo>;
