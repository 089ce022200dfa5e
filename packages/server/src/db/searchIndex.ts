import type { Insertable, Kysely } from 'kysely';
import { namedValues, prepareQuery } from './preparedQuery.js';
import { cjkText, cjkTrigramTokens, postingWords, readableText, searchDocument } from '../search/searchText.js';
import { dialectOf, type DialectName } from './dialect.js';
import type { DB, SearchEntriesTable } from './schema.js';

/**
 * Keeps the search index (`search_entries`) in step with messages and conversation titles. Called by
 * the repositories inside the write they follow (same connection or transaction), so the index never
 * lags behind: a message stored, edited or imported is findable at commit, one deleted is gone
 * (foreign keys cascade the delete of a message or conversation to its rows).
 */

/**
 * The engine-specific columns of an entry for this folded text. MariaDB/MySQL: `tokens`, the trigrams
 * of the Chinese/Japanese/Korean words only (migration 0009_search_words); its words go to
 * `search_postings` (`insertPostings`). SQLite: `cjk`, the Chinese/Japanese/Korean words only, for its trigram FTS5 table
 * (its word FTS5 table reads `folded`): a trigram index of every word cost about three times as much to
 * write, for lookups that only CJK queries make. PostgreSQL's indexes read `folded` itself.
 */
export function indexedColumns(dialect: DialectName, folded: string): Pick<SearchEntriesTable, 'folded' | 'tokens' | 'cjk'> {
  if (dialect === 'mysql') return { folded, tokens: cjkTrigramTokens(folded).join(' ') };
  if (dialect === 'sqlite') return { folded, cjk: cjkText(folded) };
  return { folded };
}

export interface SearchEntrySource {
  id: string;
  userId: string;
  conversationId: string;
  /** null for a conversation title. */
  messageId: string | null;
  role: SearchEntriesTable['role'];
  text: string;
  createdAt: string;
}

/** The row to store for a message or title, or null when it has no text to find. */
export function searchEntry(dialect: DialectName, source: SearchEntrySource): Insertable<SearchEntriesTable> | null {
  const folded = searchDocument(source.text).trim();
  if (folded.length === 0) return null;
  return {
    id: source.id,
    user_id: source.userId,
    conversation_id: source.conversationId,
    message_id: source.messageId,
    role: source.role,
    ...indexedColumns(dialect, folded),
    created_at: source.createdAt,
  };
}

/** Posting rows per INSERT. */
const POSTINGS_PER_INSERT = 1_000;

/**
 * MariaDB/MySQL: the postings of entries (`search_postings`, 0010_search_postings), each given by its
 * owner, `seq` and folded text, in multi-row INSERTs. Plain INSERTs of new keys (their `seq` is new):
 * no INSERT … SELECT, whose shared next-key locks on what it reads deadlock concurrent answers.
 */
export async function insertPostings(db: Kysely<DB>, entries: ReadonlyArray<{ userId: string; seq: number; folded: string }>): Promise<void> {
  const rows = entries.flatMap((entry) => postingWords(entry.folded).map((word) => ({ user_id: entry.userId, word, seq: entry.seq })));
  for (let i = 0; i < rows.length; i += POSTINGS_PER_INSERT) await db.insertInto('search_postings').values(rows.slice(i, i + POSTINGS_PER_INSERT)).execute();
}

/**
 * Stores entries in multi-row INSERTs (imports, tools), on MariaDB/MySQL with their postings: each
 * batch's `seq` read back by id (a multi-row INSERT's auto-increment values need not be consecutive).
 */
export async function insertSearchEntries(db: Kysely<DB>, entries: Array<Insertable<SearchEntriesTable>>, batch = 200): Promise<void> {
  const mysql = dialectOf(db) === 'mysql';
  for (let i = 0; i < entries.length; i += batch) {
    const slice = entries.slice(i, i + batch);
    await db.insertInto('search_entries').values(slice).execute();
    if (!mysql || slice.length === 0) continue;
    const seqs = await db.selectFrom('search_entries').select(['id', 'seq']).where('id', 'in', slice.map((entry) => entry.id)).execute();
    const seqOf = new Map(seqs.map((row) => [row.id, Number(row.seq)]));
    await insertPostings(db, slice.map((entry) => ({ userId: entry.user_id, seq: seqOf.get(entry.id)!, folded: entry.folded })));
  }
}

type EntryColumns = Omit<Insertable<SearchEntriesTable>, 'folded' | 'tokens' | 'cjk'>;

// Prepared once per database (preparedQuery.ts): these run in the write of every message and title.
const entryExists = prepareQuery((db, v: { id: string }) => db.selectFrom('search_entries').select('id').where('id', '=', v.id));
const entryDelete = prepareQuery((db, v: { id: string }) => db.deleteFrom('search_entries').where('id', '=', v.id));
const messageSource = prepareQuery((db, v: { id: string }) =>
  db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select(['m.id', 'c.user_id', 'm.conversation_id', 'm.id as message_id', 'm.role', 'm.created_at'])
    .where('m.id', '=', v.id),
);
const titleSource = prepareQuery((db, v: { id: string }) =>
  db.selectFrom('conversations as c').select(['c.id', 'c.user_id', 'c.id as conversation_id', 'c.created_at']).where('c.id', '=', v.id),
);
const COMMON_COLUMNS = ['id', 'user_id', 'conversation_id', 'message_id', 'role', 'folded', 'created_at'] as const;
const ENGINE_COLUMNS = { sqlite: ['cjk'], postgres: [], mysql: ['tokens'] } as const;
const entryInsert = prepareQuery((db, v: Insertable<SearchEntriesTable>) =>
  db.insertInto('search_entries').values(namedValues(v, [...COMMON_COLUMNS, ...ENGINE_COLUMNS[dialectOf(db)]])),
);

/**
 * Replaces the entry `id` with one for this text, its other columns read by `source` (one row: the
 * message or conversation with its owner); no entry when the text is empty or the row is gone.
 * `fresh`: the row was just created, so it has no entry yet (nothing to look for or delete).
 */
async function replaceEntry(
  db: Kysely<DB>,
  id: string,
  text: string,
  source: (db: Kysely<DB>) => Promise<EntryColumns | undefined>,
  options: { fresh?: boolean; fixed?: Partial<EntryColumns> } = {},
): Promise<void> {
  const folded = searchDocument(text).trim();
  // Deleted only when it is there: on MySQL/MariaDB deleting a missing key locks the gap where it would
  // be, and concurrent answers (neighbouring uuid v7 keys) then deadlock inserting into that gap.
  if (!options.fresh && (await entryExists.executeTakeFirst(db, { id }))) await entryDelete.execute(db, { id });
  if (folded.length === 0) return;
  // A plain read, then an INSERT: on MySQL/MariaDB an INSERT … SELECT would take shared next-key locks
  // on the rows it reads, and concurrent answers deadlock on them.
  const row = await source(db);
  if (!row) return;
  const dialect = dialectOf(db);
  const inserted = await entryInsert.executeForResult(db, { message_id: null, role: null, ...row, ...options.fixed, ...indexedColumns(dialect, folded) });
  // MariaDB/MySQL: the entry's postings, under the `seq` it was just given (the old entry's went with it,
  // foreign key cascade), on the same connection or transaction.
  if (dialect === 'mysql') await insertPostings(db, [{ userId: row.user_id, seq: Number(inserted.insertId), folded }]);
}

/** (Re)indexes one stored message from its content; removes its entry when it has no text. `fresh`: just inserted, no entry yet. */
export async function indexMessage(db: Kysely<DB>, messageId: string, content: unknown, options: { fresh?: boolean } = {}): Promise<void> {
  await replaceEntry(
    db,
    messageId,
    readableText(content),
    (d) => messageSource.executeTakeFirst(d, { id: messageId }),
    { fresh: options.fresh },
  );
}

/** (Re)indexes a conversation's title (the entry's id is the conversation's). `fresh`: the conversation was just created. */
export async function indexTitle(db: Kysely<DB>, conversationId: string, title: string, options: { fresh?: boolean } = {}): Promise<void> {
  await replaceEntry(db, conversationId, title, (d) => titleSource.executeTakeFirst(d, { id: conversationId }), {
    fixed: { message_id: null, role: null },
    fresh: options.fresh,
  });
}
