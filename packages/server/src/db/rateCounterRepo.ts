import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';
import { prepareQuery } from './preparedQuery.js';
import type { DB } from './schema.js';
import { toNumber } from './values.js';

interface CounterValues {
  key: string;
  amount: number;
  expiresAt: number;
  now: number;
}

const count = sql.ref('count');
const expiresAt = sql.ref('expires_at');

// Run before every model request of a limited user: prepared (see preparedQuery.ts). An expired row
// starts again at the amount with the new expiry; a live one is added to.
const upsert = prepareQuery((db, v: CounterValues) => {
  const insert = db.insertInto('rate_counters').values({ key: v.key, count: v.amount, expires_at: v.expiresAt });
  if (dialectOf(db) === 'mysql') {
    // MySQL assigns left to right: `expires_at` is still the old one when `count` is decided.
    return insert.onDuplicateKeyUpdate({
      count: sql<number>`if(${expiresAt} <= ${v.now}, values(${count}), ${count} + values(${count}))`,
      expires_at: sql<number>`if(${expiresAt} <= ${v.now}, values(${expiresAt}), ${expiresAt})`,
    });
  }
  const expired = sql<boolean>`${sql.ref('rate_counters.expires_at')} <= ${v.now}`;
  return insert
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when ${expired} then ${sql.ref('excluded.count')} else ${sql.ref('rate_counters.count')} + ${sql.ref('excluded.count')} end`,
        expires_at: sql<number>`case when ${expired} then ${sql.ref('excluded.expires_at')} else ${sql.ref('rate_counters.expires_at')} end`,
      }),
    )
    .returning(['count', 'expires_at']);
});
const readOne = prepareQuery((db, v: { key: string; now: number }) =>
  db.selectFrom('rate_counters').select(['count', 'expires_at']).where('key', '=', v.key).where('expires_at', '>', v.now),
);
const readTwo = prepareQuery((db, v: { a: string; b: string; now: number }) =>
  db.selectFrom('rate_counters').select(['key', 'count']).where('key', 'in', [v.a, v.b]).where('expires_at', '>', v.now),
);

/** How often expired counters are deleted, at most, ms. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Counters in the `rate_counters` table (see quotas/counterStore.ts): one atomic upsert per addition
 * (MySQL, which has no RETURNING, then reads the row back); expired rows are deleted at most once a
 * minute, in the background.
 */
export function createRateCounterRepo(db: Kysely<DB>, nowMs: () => number = Date.now) {
  let lastSweep = 0;

  function sweep(at: number): void {
    if (at - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = at;
    db.deleteFrom('rate_counters')
      .where('expires_at', '<=', at)
      .execute()
      .catch(() => undefined); // the next sweep tries again
  }

  async function add(key: string, amount: number, expiresAtMs: number): Promise<{ count: number; expiresAtMs: number }> {
    const now = nowMs();
    sweep(now);
    const rows = await upsert.execute(db, { key, amount, expiresAt: expiresAtMs, now });
    const row = (rows[0] as { count?: number; expires_at?: number } | undefined) ?? (await readOne.executeTakeFirst(db, { key, now: now - 1 }));
    return { count: toNumber(row?.count), expiresAtMs: toNumber(row?.expires_at) };
  }

  async function read(keys: readonly string[]): Promise<number[]> {
    const now = nowMs();
    const values = new Map<string, number>();
    for (let i = 0; i < keys.length; i += 2) {
      const rows = await readTwo.execute(db, { a: keys[i]!, b: keys[i + 1] ?? keys[i]!, now });
      for (const row of rows) values.set(row.key, toNumber(row.count));
    }
    return keys.map((key) => values.get(key) ?? 0);
  }

  return { add, read, close: async () => {} };
}

export type RateCounterRepo = ReturnType<typeof createRateCounterRepo>;
