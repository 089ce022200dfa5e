import type { Kysely, Migration } from 'kysely';
import { dialectOf } from '../dialect.js';
import { columnTypesFor } from './columnTypes.js';

/**
 * Quotas and rate limits (issue 17):
 * - `rate_counters`: named counters with an expiry, used when no Redis is configured: a user's tokens
 *   per UTC day and month, model requests per minute, sign-in attempts per address. A key names its
 *   window (`…:2026-12-07`), so a new window starts a new row; rows past `expires_at` (epoch ms) are
 *   swept.
 * - `user_limits`: an administrator's limits for one user; NULL = the configured default, 0 = unlimited.
 */
export const quotas: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const types = columnTypesFor(dialectOf(db));
    await types
      .finishTable(
        db.schema
          .createTable('rate_counters')
          // 191 characters: the longest utf8mb4 key MySQL indexes in 767 bytes.
          .addColumn('key', 'varchar(191)', (c) => c.primaryKey())
          .addColumn('count', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull()),
      )
      .execute();
    await db.schema.createIndex('rate_counters_expires_idx').on('rate_counters').column('expires_at').execute();
    await types
      .finishTable(
        db.schema
          .createTable('user_limits')
          .addColumn('user_id', 'varchar(36)', (c) => c.primaryKey())
          .addColumn('tokens_per_day', 'bigint')
          .addColumn('tokens_per_month', 'bigint')
          .addColumn('requests_per_minute', 'integer')
          .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
          .addForeignKeyConstraint('user_limits_user_fk', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade')),
      )
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('user_limits').execute();
    await db.schema.dropTable('rate_counters').execute();
  },
};
