import type { Kysely, Transaction } from 'kysely';
import { isDeadlock } from './errors.js';
import type { DB } from './schema.js';

const DEADLOCK_ATTEMPTS = 5;

/**
 * Runs `work` in a transaction; when the engine aborts it to break a deadlock (concurrent first inserts
 * of the same keys on MySQL), runs it again in a new one — the aborted one changed nothing.
 */
export async function transactionRetryingDeadlocks<T>(db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      if (!isDeadlock(err) || attempt >= DEADLOCK_ATTEMPTS) throw err;
    }
  }
}

/** Runs `work` in the caller's transaction if `db` is one, else in a new transaction. */
export async function withinTransaction<T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
