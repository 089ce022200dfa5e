import { sql, type Kysely, type Migration } from 'kysely';
import { readableText, trigramTokens } from '../../search/searchText.js';
import { dialectOf, type DialectName } from '../dialect.js';
import type { DB } from '../schema.js';
import { searchEntry } from '../searchIndex.js';
import { columnTypesFor } from './columnTypes.js';

const ID = 'varchar(36)';
const TIMESTAMP = 'varchar(32)';
const BACKFILL_BATCH = 500;

/** The entry as this migration's table holds it: MySQL/MariaDB tokens of every word, no `words` nor `cjk` (0009 adds them). */
function entryOf(dialect: DialectName, source: Parameters<typeof searchEntry>[1]) {
  const entry = searchEntry(dialect, source);
  if (entry === null) return null;
  const { cjk: _cjk, ...columns } = entry;
  return dialect === 'mysql' ? { ...columns, tokens: trigramTokens(columns.folded).join(' ') } : columns;
}

async function createEntries(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const types = columnTypesFor(dialect);
  let table = db.schema.createTable('search_entries');
  if (dialect === 'sqlite') table = table.addColumn('seq', 'integer', (c) => c.primaryKey()).addColumn('id', ID, (c) => c.notNull().unique());
  else table = table.addColumn('id', ID, (c) => c.primaryKey());
  table = table
    .addColumn('user_id', ID, (c) => c.notNull())
    .addColumn('conversation_id', ID, (c) => c.notNull())
    .addColumn('message_id', ID)
    .addColumn('role', 'varchar(16)')
    .addColumn('folded', types.largeText, (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addForeignKeyConstraint('search_entries_conversation_fk', ['conversation_id'], 'conversations', ['id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('search_entries_message_fk', ['message_id'], 'messages', ['id'], (fk) => fk.onDelete('cascade'));
  if (dialect === 'mysql') table = table.addColumn('tokens', types.largeText, (c) => c.notNull());
  await types.finishTable(table).execute();
  await db.schema.createIndex('search_entries_conversation_idx').on('search_entries').column('conversation_id').execute();
  await db.schema.createIndex('search_entries_message_idx').on('search_entries').column('message_id').execute();
}

async function createTextIndex(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') {
    // External content: the FTS table holds only the index; triggers keep it in step with the rows.
    await sql`create virtual table search_fts using fts5(folded, content='search_entries', content_rowid='seq', tokenize='trigram')`.execute(db);
    await sql`create trigger search_entries_ai after insert on search_entries begin
      insert into search_fts(rowid, folded) values (new.seq, new.folded); end`.execute(db);
    await sql`create trigger search_entries_ad after delete on search_entries begin
      insert into search_fts(search_fts, rowid, folded) values ('delete', old.seq, old.folded); end`.execute(db);
    await sql`create trigger search_entries_au after update on search_entries begin
      insert into search_fts(search_fts, rowid, folded) values ('delete', old.seq, old.folded);
      insert into search_fts(rowid, folded) values (new.seq, new.folded); end`.execute(db);
  } else if (dialect === 'postgres') {
    // Needs the right to create the extension (superuser, or an admin creates it once beforehand).
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index search_entries_folded_trgm_idx on search_entries using gin (folded gin_trgm_ops)`.execute(db);
    await db.schema.createIndex('search_entries_user_idx').on('search_entries').column('user_id').execute();
  } else {
    // The tokens are hex trigrams (never stopwords), but the index is built without the stopword list
    // anyway, on one connection so that the session setting applies to the CREATE.
    await db.connection().execute(async (conn) => {
      await sql`set session innodb_ft_enable_stopword = off`.execute(conn);
      await sql`create fulltext index search_entries_tokens_ft on search_entries (tokens)`.execute(conn);
      await sql`set session innodb_ft_enable_stopword = on`.execute(conn);
    });
    await db.schema.createIndex('search_entries_user_idx').on('search_entries').column('user_id').execute();
  }
}

/**
 * Plain multi-row INSERTs of this migration's columns (not `insertSearchEntries`, which writes what the
 * latest schema holds, such as MariaDB's postings).
 */
async function insertEntries(db: Kysely<DB>, entries: Array<NonNullable<ReturnType<typeof entryOf>>>): Promise<void> {
  for (let i = 0; i < entries.length; i += 200) await db.insertInto('search_entries').values(entries.slice(i, i + 200)).execute();
}

/** Indexes what was stored before the index existed: every message with text and every title. */
async function backfill(db: Kysely<DB>, dialect: DialectName): Promise<void> {
  for (let after = ''; ; ) {
    const rows = await db
      .selectFrom('conversations')
      .select(['id', 'user_id', 'title', 'created_at'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BACKFILL_BATCH)
      .execute();
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    const entries = rows.map((c) =>
      entryOf(dialect, { id: c.id, userId: c.user_id, conversationId: c.id, messageId: null, role: null, text: c.title, createdAt: c.created_at }),
    );
    await insertEntries(db, entries.filter((e) => e !== null));
  }
  for (let after = ''; ; ) {
    const rows = await db
      .selectFrom('messages as m')
      .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
      .select(['m.id', 'm.conversation_id', 'm.role', 'm.content', 'm.created_at', 'c.user_id'])
      .where('m.id', '>', after)
      .orderBy('m.id')
      .limit(BACKFILL_BATCH)
      .execute();
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    const entries = rows.map((m) => {
      let content: unknown;
      try {
        content = JSON.parse(m.content);
      } catch {
        content = { text: m.content };
      }
      return entryOf(dialect, {
        id: m.id,
        userId: m.user_id,
        conversationId: m.conversation_id,
        messageId: m.id,
        role: m.role,
        text: readableText(content),
        createdAt: m.created_at,
      });
    });
    await insertEntries(db, entries.filter((e) => e !== null));
  }
}

/**
 * Full-text search over each user's conversation titles and message texts (`GET /api/search`), with
 * each engine's own index, and pinned conversations (`conversations.pinned_at`).
 */
export const search: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const dialect = dialectOf(db);
    await db.schema.alterTable('conversations').addColumn('pinned_at', TIMESTAMP).execute();
    await createEntries(db, dialect);
    await createTextIndex(db, dialect);
    await backfill(db as Kysely<DB>, dialect);
  },

  async down(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) === 'sqlite') await sql`drop table search_fts`.execute(db);
    await db.schema.dropTable('search_entries').execute();
    await db.schema.alterTable('conversations').dropColumn('pinned_at').execute();
  },
};
