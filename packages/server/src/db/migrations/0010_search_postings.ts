import { sql, type Kysely, type Migration } from 'kysely';
import { postingWords } from '../../search/searchText.js';
import { dialectOf } from '../dialect.js';
import type { DB } from '../schema.js';
import { backfillWords, createWordsFulltext } from './0009_search_words.js';

const BACKFILL_BATCH = 500;
/** Posting rows per INSERT. */
const INSERT_ROWS = 1_000;

/** Fills `search_postings` for the entries stored before, in batches of entries (in `seq` order). */
async function backfillPostings(db: Kysely<DB>): Promise<void> {
  for (let after = 0; ; ) {
    const { rows } = await sql<{ seq: number | string; user_id: string; folded: string }>`
      select seq, user_id, folded from search_entries where seq > ${after} order by seq limit ${BACKFILL_BATCH}`.execute(db);
    if (rows.length === 0) break;
    after = Number(rows.at(-1)!.seq);
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
 */
export const searchPostings: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'mysql') return;
    await sql`alter table search_entries add column seq bigint unsigned not null auto_increment, add constraint search_entries_seq_key unique (seq)`.execute(db);
    await sql`create table search_postings (
      user_id varchar(36) not null,
      word varchar(84) collate utf8mb4_bin not null,
      seq bigint unsigned not null,
      primary key (user_id, word, seq),
      key search_postings_seq_idx (seq, word),
      constraint search_postings_entry_fk foreign key (seq) references search_entries (seq) on delete cascade
    ) engine = InnoDB default character set utf8mb4 collate utf8mb4_bin`.execute(db);
    await backfillPostings(db as Kysely<DB>);
    await db.schema.dropIndex('search_entries_words_ft').on('search_entries').execute();
    await db.schema.alterTable('search_entries').dropColumn('words').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'mysql') return;
    await sql`alter table search_entries add column words longtext`.execute(db);
    await backfillWords(db as Kysely<DB>);
    await createWordsFulltext(db);
    await db.schema.dropTable('search_postings').execute();
    await sql`alter table search_entries drop index search_entries_seq_key, drop column seq`.execute(db);
  },
};
