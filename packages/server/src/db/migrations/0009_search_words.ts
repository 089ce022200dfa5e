import { sql, type Kysely, type Migration } from 'kysely';
import { cjkText, cjkTrigramTokens, wordText } from '../../search/searchText.js';
import { dialectOf } from '../dialect.js';
import type { DB } from '../schema.js';
import { columnTypesFor } from './columnTypes.js';

const BACKFILL_BATCH = 500;

/**
 * PostgreSQL: the folded text with punctuation, symbols, emoji and Chinese/Japanese/Korean characters
 * turned into spaces before the `simple` parser reads it, so that its words are the runs of letters and
 * digits the server looks up (`wordLookups`) — the parser would otherwise keep `a.b`, `a—b`, `x@y.z` as one
 * word, and in a C locale takes every non-ASCII character for a letter.
 */
const PG_WORDS = sql.raw(`to_tsvector('simple'::regconfig, regexp_replace(folded,
  '[\\u0001-\\u002f\\u003a-\\u0040\\u005b-\\u0060\\u007b-\\u00bf\\u00d7\\u00f7\\u2000-\\u2bff\\u2e00-\\u2e7f\\u3000-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff\\ufe30-\\ufe4f\\uff00-\\uffef\\U0001f000-\\U0001faff]+',
  ' ', 'g'))`);

/**
 * MariaDB/MySQL: fills `words` (and trims `tokens` to the CJK words' trigrams) for the rows stored before.
 * Also used by 0010_search_postings's `down`, which brings the column back.
 */
export async function backfillWords(db: Kysely<DB>): Promise<void> {
  for (let after = ''; ; ) {
    const rows = await db.selectFrom('search_entries').select(['id', 'folded']).where('id', '>', after).orderBy('id').limit(BACKFILL_BATCH).execute();
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    await db.transaction().execute(async (trx) => {
      for (const row of rows) {
        // Raw SQL: the `words` column is not in the schema types (0010 dropped it).
        await sql`update search_entries set words = ${wordText(row.folded)}, tokens = ${cjkTrigramTokens(row.folded).join(' ')} where id = ${row.id}`.execute(trx);
      }
    });
  }
}

/** MariaDB/MySQL: the FULLTEXT index over `words`, built without the stopword list (one connection, so the session setting applies). */
export async function createWordsFulltext(db: Kysely<unknown>): Promise<void> {
  await db.connection().execute(async (conn) => {
    await sql`set session innodb_ft_enable_stopword = off`.execute(conn);
    await sql`create fulltext index search_entries_words_ft on search_entries (words)`.execute(conn);
    await sql`set session innodb_ft_enable_stopword = on`.execute(conn);
  });
}

/** SQLite: (re)creates the trigram FTS5 table `search_fts` over one column of `search_entries`, its triggers, and fills it. */
async function trigramTable(db: Kysely<unknown>, column: 'folded' | 'cjk'): Promise<void> {
  for (const trigger of ['ai', 'ad', 'au']) await sql`drop trigger if exists ${sql.raw(`search_entries_${trigger}`)}`.execute(db);
  await sql`drop table if exists search_fts`.execute(db);
  const c = sql.raw(column);
  await sql`create virtual table search_fts using fts5(${c}, content='search_entries', content_rowid='seq', tokenize='trigram')`.execute(db);
  await sql`create trigger search_entries_ai after insert on search_entries begin
    insert into search_fts(rowid, ${c}) values (new.seq, new.${c}); end`.execute(db);
  await sql`create trigger search_entries_ad after delete on search_entries begin
    insert into search_fts(search_fts, rowid, ${c}) values ('delete', old.seq, old.${c}); end`.execute(db);
  await sql`create trigger search_entries_au after update on search_entries begin
    insert into search_fts(search_fts, rowid, ${c}) values ('delete', old.seq, old.${c});
    insert into search_fts(rowid, ${c}) values (new.seq, new.${c}); end`.execute(db);
  await sql`insert into search_fts(search_fts) values ('rebuild')`.execute(db);
}

/**
 * SQLite: the trigram table indexes only the words holding Chinese, Japanese or Korean characters (a new
 * `cjk` column, filled here for the rows stored before), since every other word is now found through
 * `search_words`: a trigram index of all the text cost about three times as much to write.
 */
async function trigramsOverCjkOnly(db: Kysely<DB>): Promise<void> {
  // The old table and its triggers go first, so that filling the column does not index every row again.
  for (const trigger of ['ai', 'ad', 'au']) await sql`drop trigger if exists ${sql.raw(`search_entries_${trigger}`)}`.execute(db);
  await sql`drop table if exists search_fts`.execute(db);
  await db.schema.alterTable('search_entries').addColumn('cjk', 'text', (c) => c.notNull().defaultTo('')).execute();
  for (let after = ''; ; ) {
    const rows = await db.selectFrom('search_entries').select(['id', 'folded']).where('id', '>', after).orderBy('id').limit(BACKFILL_BATCH).execute();
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    // SQLite migrations run inside one transaction already.
    for (const row of rows) {
      const cjk = cjkText(row.folded);
      if (cjk) await db.updateTable('search_entries').set({ cjk }).where('id', '=', row.id).execute();
    }
  }
  await trigramTable(db as Kysely<unknown>, 'cjk');
}

/**
 * Word indexes beside the trigram ones of 0003_search: words of letters and digits are looked up as
 * the start of a stored word (`cafe` finds `Cafés`), through each engine's word index, whose lists are
 * per word rather than per three letters; trigrams stay for Chinese, Japanese and Korean. Plus an index
 * on (user_id, created_at, id) to read a user's newest entries first, which is the order matches are
 * taken in before they are ranked (searchRepo). Existing rows are indexed here.
 *   SQLite: an FTS5 table `search_words` (unicode61 tokenizer) over `search_entries.folded`; the trigram
 *   table `search_fts` now over a `cjk` column (the CJK words only) rather than all of `folded`.
 *   PostgreSQL: a generated `words_tsv` tsvector column ('simple' configuration) with a GIN index.
 *   MariaDB/MySQL: a `words` column (filled by the server) with an InnoDB FULLTEXT index.
 */
export const searchWords: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const dialect = dialectOf(db);
    if (dialect === 'sqlite') {
      await trigramsOverCjkOnly(db as Kysely<DB>);
      await sql`create virtual table search_words using fts5(folded, content='search_entries', content_rowid='seq', tokenize='unicode61 remove_diacritics 2')`.execute(db);
      await sql`create trigger search_entries_words_ai after insert on search_entries begin
        insert into search_words(rowid, folded) values (new.seq, new.folded); end`.execute(db);
      await sql`create trigger search_entries_words_ad after delete on search_entries begin
        insert into search_words(search_words, rowid, folded) values ('delete', old.seq, old.folded); end`.execute(db);
      await sql`create trigger search_entries_words_au after update on search_entries begin
        insert into search_words(search_words, rowid, folded) values ('delete', old.seq, old.folded);
        insert into search_words(rowid, folded) values (new.seq, new.folded); end`.execute(db);
      await sql`insert into search_words(search_words) values ('rebuild')`.execute(db);
      await db.schema.createIndex('search_entries_user_seq_idx').on('search_entries').columns(['user_id', 'seq']).execute();
      return;
    }
    if (dialect === 'postgres') {
      await sql`alter table search_entries add column words_tsv tsvector generated always as (${PG_WORDS}) stored`.execute(db);
      await sql`create index search_entries_words_idx on search_entries using gin (words_tsv)`.execute(db);
    } else {
      await db.schema.alterTable('search_entries').addColumn('words', columnTypesFor(dialect).largeText).execute();
      await backfillWords(db as Kysely<DB>);
      await createWordsFulltext(db);
    }
    await db.schema.createIndex('search_entries_user_created_idx').on('search_entries').columns(['user_id', 'created_at', 'id']).execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    const dialect = dialectOf(db);
    if (dialect === 'sqlite') {
      await db.schema.dropIndex('search_entries_user_seq_idx').execute();
      for (const trigger of ['ai', 'ad', 'au']) await sql`drop trigger ${sql.raw(`search_entries_words_${trigger}`)}`.execute(db);
      await sql`drop table search_words`.execute(db);
      await trigramTable(db, 'folded');
      await db.schema.alterTable('search_entries').dropColumn('cjk').execute();
      return;
    }
    if (dialect === 'postgres') {
      await db.schema.dropIndex('search_entries_user_created_idx').execute();
      await db.schema.alterTable('search_entries').dropColumn('words_tsv').execute();
    } else {
      await db.schema.dropIndex('search_entries_user_created_idx').on('search_entries').execute();
      await db.schema.dropIndex('search_entries_words_ft').on('search_entries').execute();
      await db.schema.alterTable('search_entries').dropColumn('words').execute();
    }
  },
};
