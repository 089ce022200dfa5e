import type { ApiSearchHit, MessageRole, Page } from '@nanoclaw/protocol';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { charLength, MIN_INDEXED_WORD, readableText, snippetOf, trigramTokens } from '../search/searchText.js';
import { dialectOf } from './dialect.js';
import { UnknownCursorError } from './errors.js';
import type { DB } from './schema.js';
import { pageLimit } from './values.js';

export interface SearchOptions {
  /** 1–50, default 20. */
  limit?: number;
  /** The previous page's `next_cursor`. */
  cursor?: string;
}

interface Candidate {
  id: string;
  conversation_id: string;
  message_id: string | null;
  role: MessageRole | null;
  created_at: string;
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_OFFSET = 10_000;

/** `%word%` for LIKE … ESCAPE '!', the word's own `%`, `_` and `!` taken literally. */
function containsPattern(word: string): string {
  return `%${word.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

function contains(word: string): RawBuilder<boolean> {
  return sql<boolean>`e.folded like ${containsPattern(word)} escape '!'`;
}

/** An FTS5 query: every word as a phrase (with the trigram tokenizer, a substring), all required. */
function ftsQuery(words: readonly string[]): string {
  return words.map((word) => `"${word.replace(/"/g, '""')}"`).join(' ');
}

/** A MariaDB boolean-mode query: every trigram of every word required. */
function booleanQuery(words: readonly string[]): string {
  return [...new Set(words.flatMap((word) => trigramTokens(word)))].map((token) => `+${token}`).join(' ');
}

/** Whether the indexes can look a word up (trigrams: 3 characters or more). */
export function isIndexedWord(word: string): boolean {
  return charLength(word) >= MIN_INDEXED_WORD;
}

/**
 * Search over one user's conversation titles and message texts, through each engine's own index
 * (migration 0003_search): every word must occur (as a substring, case and accents folded), best
 * matches first (SQLite bm25, PostgreSQL trigram similarity, MariaDB full-text relevance), then newest.
 * Words shorter than 3 characters are checked on the rows the longer words found; the caller makes
 * sure there is at least one longer word (`isIndexedWord`).
 */
export function createSearchRepo(db: Kysely<DB>) {
  async function candidates(userId: string, words: readonly string[], limit: number, offset: number): Promise<Candidate[]> {
    const indexed = words.filter(isIndexedWord);
    const short = words.filter((word) => !isIndexedWord(word));
    // Nothing an index can look up: no answer rather than a scan (the route refuses such a search).
    if (indexed.length === 0) return [];
    const dialect = dialectOf(db);
    if (dialect === 'sqlite') {
      const rows = await sql<Candidate>`
        select e.id, e.conversation_id, e.message_id, e.role, e.created_at
        from search_fts f join search_entries e on e.seq = f.rowid
        where search_fts match ${ftsQuery(indexed)} and e.user_id = ${userId}
        ${sql.join(short.map((word) => sql`and ${contains(word)}`), sql` `)}
        order by f.rank, e.created_at desc, e.id
        limit ${limit} offset ${offset}`.execute(db);
      return rows.rows;
    }
    if (dialect === 'postgres') {
      const rows = await sql<Candidate>`
        select e.id, e.conversation_id, e.message_id, e.role, e.created_at
        from search_entries e
        where e.user_id = ${userId} and ${sql.join(words.map(contains), sql` and `)}
        order by similarity(e.folded, ${words.join(' ')}) desc, e.created_at desc, e.id
        limit ${limit} offset ${offset}`.execute(db);
      return rows.rows;
    }
    const match = booleanQuery(indexed);
    const rows = await sql<Candidate>`
      select e.id, e.conversation_id, e.message_id, e.role, e.created_at
      from search_entries e
      where match (e.tokens) against (${match} in boolean mode) and e.user_id = ${userId}
      and ${sql.join(words.map(contains), sql` and `)}
      order by match (e.tokens) against (${match} in boolean mode) desc, e.created_at desc, e.id
      limit ${limit} offset ${offset}`.execute(db);
    return rows.rows;
  }

  /** The hits' readable text and titles, for their snippets. */
  async function hydrate(userId: string, rows: readonly Candidate[], words: readonly string[]): Promise<ApiSearchHit[]> {
    if (rows.length === 0) return [];
    const conversationIds = [...new Set(rows.map((row) => row.conversation_id))];
    const messageIds = rows.flatMap((row) => (row.message_id === null ? [] : [row.message_id]));
    const [titles, contents] = await Promise.all([
      db.selectFrom('conversations').select(['id', 'title']).where('id', 'in', conversationIds).where('user_id', '=', userId).execute(),
      messageIds.length === 0 ? [] : db.selectFrom('messages').select(['id', 'content']).where('id', 'in', messageIds).execute(),
    ]);
    const titleOf = new Map(titles.map((row) => [row.id, row.title]));
    const textOf = new Map(contents.map((row) => [row.id, textOfStored(row.content)]));
    return rows.flatMap((row) => {
      const title = titleOf.get(row.conversation_id);
      if (title === undefined) return [];
      const text = row.message_id === null ? title : (textOf.get(row.message_id) ?? '');
      return [
        {
          conversation_id: row.conversation_id,
          message_id: row.message_id,
          conversation_title: title,
          role: row.role,
          snippet: snippetOf(text, words),
          created_at: row.created_at,
        },
      ];
    });
  }

  /** Throws UnknownCursorError for a cursor this search did not hand out. */
  async function search(userId: string, words: readonly string[], options: SearchOptions = {}): Promise<Page<ApiSearchHit>> {
    const limit = pageLimit(options.limit, DEFAULT_PAGE_SIZE, 50);
    const offset = options.cursor === undefined ? 0 : Number(options.cursor);
    if (options.cursor !== undefined && !(/^\d{1,5}$/.test(options.cursor) && offset <= MAX_OFFSET)) throw new UnknownCursorError(options.cursor);
    const rows = await candidates(userId, words, limit + 1, offset);
    const hasMore = rows.length > limit;
    const items = await hydrate(userId, rows.slice(0, limit), words);
    return { items, next_cursor: hasMore ? String(offset + limit) : null, has_more: hasMore };
  }

  return { search };
}

function textOfStored(json: string): string {
  try {
    return readableText(JSON.parse(json));
  } catch {
    return json;
  }
}

export type SearchRepo = ReturnType<typeof createSearchRepo>;
