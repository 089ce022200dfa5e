import type { Kysely, Migration } from 'kysely';
import { dialectOf } from '../dialect.js';
import { columnTypesFor, type ColumnTypes } from './columnTypes.js';

const ID = 'varchar(36)';
const TIMESTAMP = 'varchar(32)';

async function createUsers(db: Kysely<unknown>, types: ColumnTypes): Promise<void> {
  const table = db.schema
    .createTable('users')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('username', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('password_hash', 'varchar(255)')
    .addColumn('email', 'varchar(320)')
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('is_active', 'boolean', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('last_login_at', TIMESTAMP);
  await types.finishTable(table).execute();
}

async function createProjects(db: Kysely<unknown>, types: ColumnTypes): Promise<void> {
  const table = db.schema
    .createTable('projects')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('user_id', ID, (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('path', 'varchar(1024)', (c) => c.notNull())
    .addColumn('description', types.text)
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull())
    .addForeignKeyConstraint('projects_user_fk', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
    .addUniqueConstraint('projects_user_name_unique', ['user_id', 'name']);
  await types.finishTable(table).execute();
}

async function createConversations(db: Kysely<unknown>, types: ColumnTypes): Promise<void> {
  const table = db.schema
    .createTable('conversations')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('user_id', ID, (c) => c.notNull())
    .addColumn('project_id', ID)
    .addColumn('title', 'varchar(255)', (c) => c.notNull())
    .addColumn('model', 'varchar(255)', (c) => c.notNull())
    .addColumn('system_prompt', types.mediumText)
    // double precision, not real: PostgreSQL's real is 4 bytes and would turn 0.7 into 0.699999988.
    .addColumn('temperature', 'double precision', (c) => c.notNull())
    .addColumn('max_tokens', 'integer', (c) => c.notNull())
    .addColumn('thinking_enabled', 'boolean', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull())
    .addForeignKeyConstraint('conversations_user_fk', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('conversations_project_fk', ['project_id'], 'projects', ['id'], (fk) =>
      fk.onDelete('set null'),
    );
  await types.finishTable(table).execute();
  await db.schema
    .createIndex('conversations_user_updated_idx')
    .on('conversations')
    .columns(['user_id', 'updated_at', 'id'])
    .execute();
  await db.schema
    .createIndex('conversations_user_project_updated_idx')
    .on('conversations')
    .columns(['user_id', 'project_id', 'updated_at', 'id'])
    .execute();
  await db.schema.createIndex('conversations_project_idx').on('conversations').column('project_id').execute();
}

async function createMessages(db: Kysely<unknown>, types: ColumnTypes): Promise<void> {
  const table = db.schema
    .createTable('messages')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('conversation_id', ID, (c) => c.notNull())
    .addColumn('parent_id', ID)
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('content', types.largeText, (c) => c.notNull())
    .addColumn('token_count', 'integer', (c) => c.notNull())
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addForeignKeyConstraint('messages_conversation_fk', ['conversation_id'], 'conversations', ['id'], (fk) =>
      fk.onDelete('cascade'),
    );
  await types.finishTable(table).execute();
  await db.schema
    .createIndex('messages_conversation_created_idx')
    .on('messages')
    .columns(['conversation_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('messages_status_idx').on('messages').column('status').execute();
}

async function createUsageTable(
  db: Kysely<unknown>,
  types: ColumnTypes,
  name: 'token_usage' | 'token_usage_hourly',
  bucket: { column: 'date' | 'hour'; type: 'varchar(10)' | 'varchar(13)' },
): Promise<void> {
  const table = db.schema
    .createTable(name)
    .addColumn('user_id', ID, (c) => c.notNull())
    .addColumn(bucket.column, bucket.type, (c) => c.notNull())
    .addColumn('model', 'varchar(255)', (c) => c.notNull())
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
    .addColumn('total_tokens', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${name}_pk`, ['user_id', bucket.column, 'model'])
    .addForeignKeyConstraint(`${name}_user_fk`, ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'));
  await types.finishTable(table).execute();
}

/** Users, projects, conversations, messages and token usage (per day and per hour). */
export const initialSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const types = columnTypesFor(dialectOf(db));
    await createUsers(db, types);
    await createProjects(db, types);
    await createConversations(db, types);
    await createMessages(db, types);
    await createUsageTable(db, types, 'token_usage', { column: 'date', type: 'varchar(10)' });
    await createUsageTable(db, types, 'token_usage_hourly', { column: 'hour', type: 'varchar(13)' });
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['token_usage_hourly', 'token_usage', 'messages', 'conversations', 'projects', 'users']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
