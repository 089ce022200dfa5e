import type { Kysely, Migration } from 'kysely';
import { dialectOf } from '../dialect.js';
import { columnTypesFor } from './columnTypes.js';

/**
 * API keys for the OpenAI-compatible API (`/v1`): each belongs to a user, has a name the user chose, the
 * SHA-256 of the key (the key itself is shown once and never stored), its first characters for display,
 * and when it was last used. Revoking a key deletes its row.
 */
export const apiKeys: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const types = columnTypesFor(dialectOf(db));
    const table = db.schema
      .createTable('api_keys')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('prefix', 'varchar(32)', (c) => c.notNull())
      .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('last_used_at', 'varchar(32)')
      .addForeignKeyConstraint('api_keys_user_fk', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'));
    await types.finishTable(table).execute();
    await db.schema.createIndex('api_keys_user_idx').on('api_keys').columns(['user_id', 'created_at']).execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('api_keys').execute();
  },
};
