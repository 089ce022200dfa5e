import { sql, type Kysely, type Migration } from 'kysely';
import { postingWords } from '../../search/searchText.js';
import { dialectOf } from '../dialect.js';
import type { DB } from '../schema.js';
import { backfillWords, createWordsFulltext } from './0009_search_words.js';

const BACKFILL_BATCH = 2_000;
/** Posting rows per INSERT. */
const INSERT_ROWS = 5_000;

/**
 * The keys of `search_postings`, built once after its rows are loaded (this migration's backfill, and the
 * search benchmark's seeding), with `foreign_key_checks` off: every row refers to an entry loaded with it.
 */
export const POSTING_KEYS = `add primary key (user_id, word, seq),
  add key search_postings_seq_idx (seq, word),
  add constraint search_postings_entry_fk foreign key (seq) references search_entries (seq) on delete cascade`;

/** Fills `search_postings` for the entries stored before, in batches of entries in primary-key order (a sequential read). */
async function backfillPostings(db: Kysely<DB>): Promise<void> {
  for (let after = ''; ; ) {
    const { rows } = await sql<{ id: string; seq: number | string; user_id: string; folded: string }>`
      select id, seq, user_id, folded from search_entries where id > ${after} order by id limit ${BACKFILL_BATCH}`.execute(db);
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    const postings = rows.flatMap((row) => postingWords(row.folded).map((word) => [row.user_id, word, Number(row.seq)] as const));
    for (let i = 0; i < postings.length; i += INSERT_ROWS) {
      const values = sql.join(postings.slice(i, i + INSERT_ROWS).map(([user, word, seq]) => sql`(${user}, ${word}, ${seq})`));
      await sql`insert into search_postings (user_id, word, seq) values ${values}`.execute(db);
    }
  }
}

/**
 * MariaDB/MySQL: the word index as postings in a B-tree rather than an InnoDB FULLTEXT index, whose
 * boolean-mode lookups cost ~50–100 µs per matching entry (a word in 8,000 entries: ~0.9 s, counting
 * included). `search_entries.seq` (auto-increment, filled here for existing rows) numbers entries in the
 * order they were indexed; `search_postings` holds one row per (user, word, entry) for the distinct words
 * of 3–84 characters of each entry (`postingWords`), so a prefix lookup is a range of the primary key read
 * backwards in `seq` order (newest first), and the postings go with their entry (foreign key, cascade).
 * The `words` column and its FULLTEXT index (0009) are dropped. SQLite and PostgreSQL: nothing.
 * Measured at 100,000 messages (1.8 M postings, 128 MB buffer pool): ~25 s.
 */
export const searchPostings: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'mysql') return;
    // One rebuild of the table: the words FULLTEXT index goes in the same ALTER (rebuilding it alone
    // took most of the time: 35 s of 57 at 100,000 messages).
    await sql`alter table search_entries drop index search_entries_words_ft, drop column words,
      add column seq bigint unsigned not null auto_increment, add constraint search_entries_seq_key unique (seq)`.execute(db);
    // Filled before its keys exist (rows appended in load order), then the keys built once by sorting:
    // inserting into the primary key directly writes all over a B-tree much larger than a buffer pool
    // (1 M messages: ~18 M postings, ~1.3 GB per key), one random page per row.
    await sql`create table search_postings (
      user_id varchar(36) not null,
      word varchar(84) collate utf8mb4_bin not null,
      seq bigint unsigned not null
    ) engine = InnoDB default character set utf8mb4 collate utf8mb4_bin`.execute(db);
    await backfillPostings(db as Kysely<DB>);
    await db.connection().execute(async (conn) => {
      // Every row refers to an entry read just before: the foreign key is added without checking them
      // again (with the checks on, MariaDB would copy the whole table to add it).
      await sql`set session foreign_key_checks = 0`.execute(conn);
      try {
        await sql`alter table search_postings ${sql.raw(POSTING_KEYS)}`.execute(conn);
      } finally {
        await sql`set session foreign_key_checks = 1`.execute(conn);
      }
    });
  },

  async down(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'mysql') return;
    await db.schema.dropTable('search_postings').execute();
    // One rebuild, before the words FULLTEXT index exists (a rebuild with it copies the table: 10+ minutes at 1 M messages).
    await sql`alter table search_entries drop index search_entries_seq_key, drop column seq, add column words longtext`.execute(db);
    await backfillWords(db as Kysely<DB>);
    await createWordsFulltext(db);
  },
};
