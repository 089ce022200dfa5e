import { sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from '../dialect.js';
import { columnTypesFor } from './columnTypes.js';

const ID = 'varchar(36)';
const TIMESTAMP = 'varchar(32)';

/**
 * Files attached to messages (issue 16). `attachments`: one row per upload (its owner, name, sniffed type,
 * size, sha256, the text extracted from a document) and, once sent, the conversation it belongs to
 * (deleting the conversation deletes the row). `attachment_blobs`: the bytes, once per sha256, in chunks
 * of at most 1 MiB (MariaDB's default max_allowed_packet is 16 MiB), when `attachments.storage` is
 * `database`; unused with `directory` storage.
 */
export const attachmentsSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const dialect = dialectOf(db);
    const types = columnTypesFor(dialect);
    await types
      .finishTable(
        db.schema
          .createTable('attachments')
          .addColumn('id', ID, (c) => c.primaryKey())
          .addColumn('user_id', ID, (c) => c.notNull())
          .addColumn('conversation_id', ID)
          .addColumn('name', 'varchar(255)', (c) => c.notNull())
          .addColumn('mime', 'varchar(128)', (c) => c.notNull())
          .addColumn('kind', 'varchar(16)', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
          .addColumn('text', types.largeText)
          .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
          .addForeignKeyConstraint('attachments_user_fk', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
          .addForeignKeyConstraint('attachments_conversation_fk', ['conversation_id'], 'conversations', ['id'], (fk) => fk.onDelete('cascade')),
      )
      .execute();
    await db.schema.createIndex('attachments_sha256_idx').on('attachments').column('sha256').execute();
    await db.schema.createIndex('attachments_conversation_idx').on('attachments').column('conversation_id').execute();
    await db.schema.createIndex('attachments_user_idx').on('attachments').columns(['user_id', 'created_at']).execute();

    const blob = dialect === 'postgres' ? sql`bytea` : dialect === 'mysql' ? sql`mediumblob` : sql`blob`;
    await types
      .finishTable(
        db.schema
          .createTable('attachment_blobs')
          .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('data', blob, (c) => c.notNull())
          .addPrimaryKeyConstraint('attachment_blobs_pk', ['sha256', 'seq']),
      )
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('attachment_blobs').execute();
    await db.schema.dropTable('attachments').execute();
  },
};
