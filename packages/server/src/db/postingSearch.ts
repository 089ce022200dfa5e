import { sql, type Kysely } from 'kysely';
import type { MessageRole } from '@nanoclaw/protocol';
import type { DB } from './schema.js';

/** An entry as the search reads it, with its folded text (for the checks and the ranking). */
export interface PostingMatch {
  id: string;
  conversation_id: string;
  message_id: string | null;
  role: MessageRole | null;
  created_at: string;
  folded: string;
}

/**
 * Postings of a lookup counted up to this many (when there are several lookups); a lookup with at most
 * this many is read whole (one range of the primary key, index only) and checked in memory.
 */
const SMALL = 10_000;
/** Up to this many distinct stored words under a lookup: one index range per word; more: one range over the prefix. */
const MAX_STORED_WORDS = 256;
/** Point lookups (stored words × candidates) per query checking a large lookup through the primary key. */
const POINTS_PER_QUERY = 8_000;
/** Entries read by `seq` per query. */
const READ_CHUNK = 500;
/** Each batch of candidates is this many times the one before, up to MAX_BATCH. */
const GROWTH = 4;
const MAX_BATCH = 5_000;

const LOOKUP = /^[\p{L}\p{N}]+$/u;

/** The thresholds above, smaller in tests so that a few rows take every path. */
export interface PostingTuning {
  small?: number;
  maxStoredWords?: number;
}

interface Lookup {
  like: string;
  /** Its distinct stored words (this user's), or null when more than MAX_STORED_WORDS. */
  words: string[] | null;
}

/** `word%`: lookups are letters and digits only, so nothing in them is a LIKE wildcard. */
function prefix(word: string): string {
  if (!LOOKUP.test(word)) throw new Error(`A posting lookup must be letters and digits only: ${JSON.stringify(word)}`);
  return `${word}%`;
}

const seqsOf = (rows: ReadonlyArray<{ seq: number | string }>) => rows.map((row) => Number(row.seq));

/**
 * MariaDB/MySQL: the newest entries of a user that hold, for every lookup, a word starting with it
 * (`search_postings`, 0010_search_postings), and whose folded text contains every word of `all` (a
 * plain substring: short words, punctuation, CJK words), `count` of them from `offset`, newest (highest
 * `seq`) first. Every read is a bounded range of a B-tree:
 *   1. with several lookups, each one's postings read up to SMALL + 1; the fewest is the driver;
 *   2. the driver's candidates newest first, in growing batches: read whole when small, else (its stored
 *      words found by a loose index scan) per stored word a backward range of (user_id, word, seq) merged by a UNION (an entry under two words once);
 *   3. each batch kept where every other lookup has a posting: a small lookup read whole once and
 *      checked in memory, a large one by point lookups of (user_id, stored word, seq) in the primary key
 *      (or, past MAX_STORED_WORDS stored words, ranges of (seq, word));
 *   4. those entries read by `seq` and checked against `all`, until enough pass.
 * At most `maxChecked` entries are read in step 4: with words that index lookups cannot tell apart
 * (`e-mail` looked up as `mail`), matches beyond that many non-matching candidates are not reached.
 */
export async function newestPostingMatches(
  db: Kysely<DB>,
  userId: string,
  lookupWords: readonly string[],
  all: readonly string[],
  count: number,
  offset: number,
  maxChecked: number,
  tuning: PostingTuning = {},
): Promise<PostingMatch[]> {
  const small = tuning.small ?? SMALL;
  const maxStoredWords = tuning.maxStoredWords ?? MAX_STORED_WORDS;
  const want = offset + count;
  const likes = lookupWords.map(prefix);
  // With several lookups, each one's postings up to SMALL + 1: the fewest drive, the small ones are
  // checked in memory. One lookup: read newest first straight away.
  const firsts = likes.length === 1 ? [null] : await Promise.all(likes.map((like) => smallSeqs(db, userId, like, small)));
  if (firsts.some((seqs) => seqs?.length === 0)) return [];
  const sizes = firsts.map((seqs) => (seqs === null || seqs.length > small ? Number.POSITIVE_INFINITY : seqs.length));
  const driverAt = sizes.indexOf(Math.min(...sizes));
  const driverAll = sizes[driverAt]! <= small ? newestFirst(firsts[driverAt]!) : null;
  const driver: Lookup = { like: likes[driverAt]!, words: driverAll ? [] : await storedWords(db, userId, likes[driverAt]!, maxStoredWords) };
  if (driver.words?.length === 0 && !driverAll) return [];
  const smallSets: Array<Set<number>> = [];
  const large: Lookup[] = [];
  for (const [i, like] of likes.entries()) {
    if (i === driverAt) continue;
    if (sizes[i]! <= small) smallSets.push(new Set(firsts[i]!));
    else large.push({ like, words: await storedWords(db, userId, like, maxStoredWords) });
  }

  const found: PostingMatch[] = [];
  let checked = 0;
  // Where the next batch starts: below this seq (read from the index), or this far into `driverAll`.
  let below = Number.POSITIVE_INFINITY;
  let taken = 0;
  for (let batch = Math.min(want, MAX_BATCH); found.length < want && checked < maxChecked; batch = Math.min(batch * GROWTH, MAX_BATCH)) {
    const candidates = driverAll ? driverAll.slice(taken, taken + batch) : await newestSeqs(db, userId, driver, below, batch);
    if (candidates.length === 0) break;
    taken += candidates.length;
    below = candidates.at(-1)!;
    let kept = candidates.filter((seq) => smallSets.every((set) => set.has(seq)));
    for (const lookup of large) if (kept.length > 0) kept = await havingPostings(db, userId, lookup, kept);
    for (let at = 0; at < kept.length && found.length < want && checked < maxChecked; at += READ_CHUNK) {
      const chunk = kept.slice(at, at + READ_CHUNK);
      checked += chunk.length;
      const entries = await sql<PostingMatch & { seq: number | string }>`
        select e.seq, e.id, e.conversation_id, e.message_id, e.role, e.created_at, e.folded
        from search_entries e where e.seq in (${sql.join(chunk)})`.execute(db);
      const bySeq = new Map(entries.rows.map(({ seq, ...entry }) => [Number(seq), entry]));
      for (const seq of chunk) {
        const entry = bySeq.get(seq);
        if (entry && all.every((word) => entry.folded.includes(word))) found.push(entry);
      }
    }
    if (candidates.length < batch) break;
  }
  return found.slice(offset, want);
}

/** The entries (seq) of up to SMALL + 1 postings of a lookup for this user: all of them when SMALL or fewer (an index-only range). */
async function smallSeqs(db: Kysely<DB>, userId: string, like: string, small: number): Promise<number[]> {
  const { rows } = await sql<{ seq: number | string }>`
    select seq from search_postings where user_id = ${userId} and word like ${like} limit ${small + 1}`.execute(db);
  return seqsOf(rows);
}

/**
 * The distinct stored words a lookup starts, or null past `max`: a loose index scan ("Using index for
 * group-by", one descent per word) because the grouping names the primary key's leading columns;
 * `select distinct word` read every posting of the prefix into a temporary table instead (a word in
 * 124,000 entries: 137 ms against 0.5 ms).
 */
async function storedWords(db: Kysely<DB>, userId: string, like: string, max: number): Promise<string[] | null> {
  const { rows } = await sql<{ word: string }>`
    select word from search_postings where user_id = ${userId} and word like ${like}
    group by user_id, word limit ${max + 1}`.execute(db);
  return rows.length > max ? null : rows.map((row) => row.word);
}

/** Entries (seq), newest first, each once. */
function newestFirst(seqs: readonly number[]): number[] {
  return [...new Set(seqs)].sort((a, b) => b - a);
}

/** The `limit` newest entries (seq) below `below` that a lookup finds, each once. */
async function newestSeqs(db: Kysely<DB>, userId: string, lookup: Lookup, below: number, limit: number): Promise<number[]> {
  const bound = Number.isFinite(below) ? sql`and p.seq < ${below}` : sql``;
  if (lookup.words === null) {
    const { rows } = await sql<{ seq: number | string }>`
      select distinct p.seq from search_postings p where p.user_id = ${userId} and p.word like ${lookup.like} ${bound}
      order by p.seq desc limit ${limit}`.execute(db);
    return seqsOf(rows);
  }
  const branches = lookup.words.map(
    (word) => sql`(select p.seq from search_postings p where p.user_id = ${userId} and p.word = ${word} ${bound} order by p.seq desc limit ${limit})`,
  );
  const { rows } =
    branches.length === 1
      ? await sql<{ seq: number | string }>`${branches[0]!}`.execute(db)
      : await sql<{ seq: number | string }>`${sql.join(branches, sql` union `)} order by seq desc limit ${limit}`.execute(db);
  return seqsOf(rows);
}

/** Of the candidates (newest first), those a large lookup also finds, in the same order. */
async function havingPostings(db: Kysely<DB>, userId: string, lookup: Lookup, candidates: readonly number[]): Promise<number[]> {
  const found = new Set<number>();
  const per = lookup.words === null ? READ_CHUNK : Math.max(1, Math.floor(POINTS_PER_QUERY / lookup.words.length));
  for (let at = 0; at < candidates.length; at += per) {
    const chunk = sql.join(candidates.slice(at, at + per));
    const { rows } =
      lookup.words === null
        ? await sql<{ seq: number | string }>`
            select distinct seq from search_postings where seq in (${chunk}) and word like ${lookup.like}`.execute(db)
        : await sql<{ seq: number | string }>`
            select distinct seq from search_postings
            where user_id = ${userId} and word in (${sql.join(lookup.words)}) and seq in (${chunk})`.execute(db);
    for (const seq of seqsOf(rows)) found.add(seq);
  }
  return candidates.filter((seq) => found.has(seq));
}
