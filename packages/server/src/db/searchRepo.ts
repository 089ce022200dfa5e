import type { ApiSearchHit, Page } from '@nanoclaw/protocol';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { charLength, hasCjk, MIN_INDEXED_WORD, readableText, snippetOf, trigramTokens, wordLookups } from '../search/searchText.js';
import { dialectOf } from './dialect.js';
import { UnknownCursorError } from './errors.js';
import type { DB } from './schema.js';
import { newestPostingMatches, type PostingMatch, type PostingTuning } from './postingSearch.js';
import { pageLimit } from './values.js';

export interface SearchOptions {
  /** 1–50, default 20. */
  limit?: number;
  /** The previous page's `next_cursor`. */
  cursor?: string;
}

/** A match as every engine's path reads it (the MariaDB one in postingSearch.ts), with its folded text. */
type Match = PostingMatch;
type Candidate = Omit<Match, 'folded'>;

const DEFAULT_PAGE_SIZE = 20;
const MAX_OFFSET = 10_000;
/**
 * Matches are ranked in blocks of this many, newest first: the newest BLOCK matches ranked among
 * themselves, then the next BLOCK, … so a frequent word costs a bounded read, never a sort of every match.
 */
export const RANK_BLOCK = 50;
/** PostgreSQL: how many of the user's newest entries are read directly before asking the word index. */
const PG_RECENT_SCAN = 5_000;
/**
 * PostgreSQL: the longest stretch of a user's newest entries (in entries) ANDed with the word index's matches
 * before the word index alone is cheaper: reading the stretch from (user_id, created_at, id) costs about a
 * quarter of a microsecond an entry, and the word index alone reads every match from the table.
 */
const PG_WINDOW_MAX = 60_000;

/** The created_at of a user's newest entry and of the oldest of the newest entries read first. */
interface Span {
  newest: string;
  edge: string;
}

/**
 * The time `factor` times as far back from the newest entry as the span's edge (ISO text, as stored), for a
 * stretch of about `factor` times as many entries at the same pace; undefined when a time is not ISO text.
 */
function earlierBy(span: Span, factor: number): string | undefined {
  const newest = Date.parse(span.newest);
  const edge = Date.parse(span.edge);
  if (!Number.isFinite(newest) || !Number.isFinite(edge)) return undefined;
  const since = newest - (newest - edge) * factor;
  return since > -8.64e15 ? new Date(since).toISOString() : undefined;
}


/** `%word%` for LIKE … ESCAPE '!', the word's own `%`, `_` and `!` taken literally. */
function containsPattern(word: string): string {
  return `%${word.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

function contains(word: string, column = 'e.folded'): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${containsPattern(word)} escape '!'`;
}

/** How the words of a query are looked up. */
interface Plan {
  /** Looked up in the word index: per query word, the words it must start (`wordLookups`). */
  words: string[];
  /** Looked up in the trigram index (Chinese, Japanese, Korean): whole query words, as substrings. */
  trigrams: string[];
  /** Every query word, each checked as a substring of the folded text. */
  all: readonly string[];
}

function planOf(words: readonly string[]): Plan {
  const lookups = new Set<string>();
  const trigrams: string[] = [];
  for (const word of words) {
    const tokens = wordLookups(word);
    if (tokens) tokens.forEach((token) => lookups.add(token));
    else if (hasCjk(word) && charLength(word) >= MIN_INDEXED_WORD) trigrams.push(word);
  }
  return { words: [...lookups], trigrams, all: words };
}

/** An FTS5 query: every word as a phrase (with the trigram tokenizer, a substring), all required. */
function ftsQuery(words: readonly string[]): string {
  return words.map((word) => `"${word.replace(/"/g, '""')}"`).join(' ');
}

/** An FTS5 query over `search_words`: every word the start of a stored word. */
function ftsPrefixQuery(words: readonly string[]): string {
  return words.map((word) => `"${word}"*`).join(' ');
}

/** A PostgreSQL tsquery: every word the start of a stored word. */
function tsPrefixQuery(words: readonly string[]): string {
  return words.map((word) => `'${word}':*`).join(' & ');
}

/** A MariaDB boolean-mode query over `tokens`: every trigram of every word required. */
function booleanQuery(words: readonly string[]): string {
  return [...new Set(words.flatMap((word) => trigramTokens(word)))].map((token) => `+${token}`).join(' ');
}

/**
 * Whether the indexes can look a word up: one with a run of 3+ letters or digits (word index), or 3+
 * characters holding Chinese, Japanese or Korean (trigram index).
 */
export function isIndexedWord(word: string): boolean {
  return wordLookups(word) !== null || (hasCjk(word) && charLength(word) >= MIN_INDEXED_WORD);
}

/** Occurrences of each word in the folded text, BM25-like (saturating, shorter texts first), summed. */
function scoreOf(folded: string, words: readonly string[]): number {
  const lengthNorm = 0.25 + 0.75 * Math.min(folded.length, 5_000) / 200;
  let score = 0;
  for (const word of words) {
    let count = 0;
    for (let at = folded.indexOf(word); at !== -1 && count < 20; at = folded.indexOf(word, at + word.length)) count++;
    score += (count * 2.2) / (count + 1.2 * lengthNorm);
  }
  return score;
}

/**
 * Search over one user's conversation titles and message texts, through each engine's own indexes
 * (migrations 0003_search, 0009_search_words and, MariaDB/MySQL, 0010_search_postings): every word must occur (case and accents folded) — a
 * word of letters and digits as the start of a word of the text (word index, `cafe` finds `Cafés`), one
 * with Chinese, Japanese or Korean characters as any substring (trigram index), and each query word as
 * a substring of the text. Matches are taken newest first and ranked in blocks of RANK_BLOCK (the newest
 * hundred ranked among themselves first, by how often and how densely the words occur), so a frequent
 * word reads a bounded number of rows. Words no index can look up (`go`, `a_b`) are checked on the rows
 * the others found; the caller makes sure there is at least one indexed word (`isIndexedWord`).
 */
export function createSearchRepo(db: Kysely<DB>, tuning: { pgRecentScan?: number; pgWindowMax?: number; postings?: PostingTuning } = {}) {
  const pgRecentScan = tuning.pgRecentScan ?? PG_RECENT_SCAN;
  const pgWindowMax = tuning.pgWindowMax ?? PG_WINDOW_MAX;
  /**
   * PostgreSQL: the created_at of the user's newest entry and of their `scan`-th newest (both index-only
   * reads through (user_id, created_at, id), one round trip); undefined when they have fewer entries.
   */
  async function newestSpan(userId: string, scan: number): Promise<Span | undefined> {
    const span = await sql<{ newest: string | null; edge: string | null }>`
      select
        (select created_at from search_entries where user_id = ${userId} order by created_at desc, id desc limit 1) as newest,
        (select created_at from search_entries where user_id = ${userId} order by created_at desc, id desc limit 1 offset ${scan - 1}) as edge`.execute(db);
    const row = span.rows[0];
    return row?.newest && row.edge ? { newest: row.newest, edge: row.edge } : undefined;
  }

  /** Matches newest first (SQLite and MariaDB/MySQL: most recently indexed first), `count` of them from `offset`. */
  async function newestMatches(userId: string, plan: Plan, count: number, offset: number): Promise<Match[]> {
    const dialect = dialectOf(db);
    const likes = sql.join(plan.all.map((word) => contains(word)), sql` and `);
    if (dialect === 'sqlite') {
      const [table, query] = plan.words.length > 0 ? ['search_words', ftsPrefixQuery(plan.words)] : ['search_fts', ftsQuery(plan.trigrams)];
      const alsoTrigrams =
        plan.words.length > 0 && plan.trigrams.length > 0
          ? sql`and e.seq in (select rowid from search_fts where search_fts match ${ftsQuery(plan.trigrams)})`
          : sql``;
      const rows = await sql<Match>`
        select e.id, e.conversation_id, e.message_id, e.role, e.created_at, e.folded
        from ${sql.table(table)} f join search_entries e on e.seq = f.rowid
        where ${sql.table(table)} match ${query} and e.user_id = ${userId} ${alsoTrigrams} and ${likes}
        order by f.rowid desc
        limit ${count} offset ${offset}`.execute(db);
      return rows.rows;
    }
    if (dialect === 'postgres') {
      if (plan.words.length === 0) {
        const rows = await sql<Match>`
          select e.id, e.conversation_id, e.message_id, e.role, e.created_at, e.folded
          from search_entries e
          where e.user_id = ${userId} and ${likes}
          order by e.created_at desc, e.id desc
          limit ${count} offset ${offset}`.execute(db);
        return rows.rows;
      }
      const query = tsPrefixQuery(plan.words);
      // The words are looked up in the word index only: the LIKE checks (and, for CJK words, the trigram
      // index) run on what it found.
      const checks = sql.join(
        plan.all.map((word) => (plan.trigrams.includes(word) ? contains(word) : sql`(e.folded || '') like ${containsPattern(word)} escape '!'`)),
        sql` and `,
      );
      /** Matches among the user's entries since `since` (all of them when undefined). */
      const matchesSince = (since: string | undefined, byIndex: boolean) => sql<Match>`
        select e.id, e.conversation_id, e.message_id, e.role, e.created_at, e.folded
        from search_entries e
        where e.user_id = ${userId} ${since === undefined ? sql`` : sql`and e.created_at >= ${since}`}
        and ${byIndex ? sql`e.words_tsv` : sql`(e.words_tsv || ''::tsvector)`} @@ to_tsquery('simple', ${query}) and ${checks}
        order by e.created_at desc, e.id desc
        limit ${count} offset ${offset}`.execute(db);
      if (offset + count <= pgRecentScan) {
        // First the user's newest entries, read in order through (user_id, created_at, id) and checked
        // row by row (the tsvector made unindexable): a frequent word stops there at `count` matches.
        const span = await newestSpan(userId, pgRecentScan);
        const recent = await matchesSince(span?.edge, false);
        if (recent.rows.length === count || span === undefined) return recent.rows;
        // Too few there. Their density tells how far back twice the wanted matches lie: when that is a
        // bounded stretch of the newest entries, the word index's matches are ANDed with that stretch of
        // (user_id, created_at), so only the matches inside it are read from the table. Else the word is
        // rare enough for the word index alone.
        const found = recent.rows.length === 0 ? 0 : offset + recent.rows.length;
        const stretch = found === 0 ? Infinity : (2 * (offset + count) * pgRecentScan) / found;
        const since = stretch <= pgWindowMax ? earlierBy(span, stretch / pgRecentScan) : undefined;
        if (since !== undefined) {
          const windowed = await matchesSince(since, true);
          if (windowed.rows.length === count) return windowed.rows;
        }
      }
      const rows = await sql<Match>`
        select e.id, e.conversation_id, e.message_id, e.role, e.created_at, e.folded
        from search_entries e
        where e.user_id = ${userId} and e.words_tsv @@ to_tsquery('simple', ${query}) and ${checks}
        order by e.created_at desc, e.id desc
        limit ${count} offset ${offset}`.execute(db);
      return rows.rows;
    }
    // MariaDB/MySQL: words through the postings B-tree (postingSearch.ts), newest (highest seq) first. Its
    // FULLTEXT indexes cost ~50–100 µs per matching entry, so only the trigram one stays, for queries
    // with Chinese, Japanese or Korean words only.
    if (plan.words.length > 0) return newestPostingMatches(db, userId, plan.words, plan.all, count, offset, MAX_OFFSET + 2 * RANK_BLOCK, tuning.postings);
    const rows = await sql<Match>`
      select e.id, e.conversation_id, e.message_id, e.role, e.created_at, e.folded
      from search_entries e
      where match (e.tokens) against (${booleanQuery(plan.trigrams)} in boolean mode) and e.user_id = ${userId} and ${likes}
      order by e.seq desc
      limit ${count} offset ${offset}`.execute(db);
    return rows.rows;
  }

  /** Hits `offset` to `offset + limit - 1`: the blocks of newest matches that hold them, each ranked. */
  async function candidates(userId: string, words: readonly string[], limit: number, offset: number): Promise<Candidate[]> {
    const plan = planOf(words);
    // Nothing an index can look up: no answer rather than a scan (the route refuses such a search).
    if (plan.words.length === 0 && plan.trigrams.length === 0) return [];
    const firstBlock = Math.floor(offset / RANK_BLOCK);
    const blocks = Math.floor((offset + limit - 1) / RANK_BLOCK) - firstBlock + 1;
    const rows = await newestMatches(userId, plan, blocks * RANK_BLOCK, firstBlock * RANK_BLOCK);
    const ranked: Candidate[] = [];
    for (let at = 0; at < rows.length; at += RANK_BLOCK) {
      const block = rows.slice(at, at + RANK_BLOCK).map((row) => ({ row, score: scoreOf(row.folded, words) }));
      block.sort((a, b) => b.score - a.score || (a.row.created_at < b.row.created_at ? 1 : a.row.created_at > b.row.created_at ? -1 : 0) || (a.row.id < b.row.id ? 1 : -1));
      for (const { row } of block) ranked.push({ id: row.id, conversation_id: row.conversation_id, message_id: row.message_id, role: row.role, created_at: row.created_at });
    }
    return ranked.slice(offset - firstBlock * RANK_BLOCK, offset - firstBlock * RANK_BLOCK + limit);
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
