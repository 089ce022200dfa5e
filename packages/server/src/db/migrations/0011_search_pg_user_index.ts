import type { Kysely, Migration } from 'kysely';
import { dialectOf } from '../dialect.js';

/**
 * PostgreSQL: drops `search_entries_user_idx` (user_id alone). The (user_id, created_at, id) index of
 * 0009_search_words serves every lookup by user, and while both existed the planner ANDed the word index's
 * matches with the bitmap of all of a user's entries — half a million of them for a heavy user, read on every
 * search (30–40 ms) to save nothing. Now it ANDs the word index with a range of the user's newest entries, or
 * takes the word index's matches alone (searchRepo). Other engines keep theirs.
 */
export const searchPgUserIndex: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'postgres') return;
    await db.schema.dropIndex('search_entries_user_idx').ifExists().execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    if (dialectOf(db) !== 'postgres') return;
    await db.schema.createIndex('search_entries_user_idx').ifNotExists().on('search_entries').column('user_id').execute();
  },
};
