import type { Kysely, Migration } from 'kysely';
import { dialectOf } from '../dialect.js';
import { columnTypesFor } from './columnTypes.js';

/**
 * Single sign-on: each row links one account at an OpenID Connect provider (issuer + subject, the
 * provider's stable id for the person) to a NanoClaw user. A user may have several; an identity
 * belongs to one user, and goes with it when the user is deleted.
 */
export const userIdentities: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const table = db.schema
      .createTable('user_identities')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('issuer', 'varchar(255)', (c) => c.notNull())
      .addColumn('subject', 'varchar(255)', (c) => c.notNull())
      .addColumn('email', 'varchar(320)')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('last_login_at', 'varchar(32)')
      .addForeignKeyConstraint('user_identities_user_fk', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
      .addUniqueConstraint('user_identities_issuer_subject_unique', ['issuer', 'subject']);
    await columnTypesFor(dialectOf(db)).finishTable(table).execute();
    await db.schema.createIndex('user_identities_user_idx').on('user_identities').column('user_id').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('user_identities').execute();
  },
};
