import { sql, type Kysely, type RawBuilder } from 'kysely';
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

/** A lookup with more postings than this is not counted further when choosing the driver. */
const COUNT_CAP = 2_000;
/** Up to this many distinct stored words under the driver: one index range per word, merged (UNION); more: one range over the prefix. */
const MAX_DRIVER_WORDS = 256;
/** Entries read (and checked) per query by `seq`. */
const READ_CHUNK = 500;
/** Candidates asked for grow by this factor when too few survive the checks. */
const GROWTH = 4;

const LOOKUP = /^[\p{L}\p{N}]+$/u;

/** `word%`: lookups are letters and digits only, so nothing in them is a LIKE wildcard. */
function prefix(word: string): string {
  if (!LOOKUP.test(word)) throw new Error(`A posting lookup must be letters and digits only: ${JSON.stringify(word)}`);
  return `${word}%`;
}

/**
 * MariaDB/MySQL: the newest entries of a user that hold, for every lookup, a word starting with it
 * (`search_postings`, 0010_search_postings), and whose folded text contains every word of `all` (a
 * plain substring: short words, punctuation, CJK words), `count` of them from `offset`, newest (highest
 * `seq`) first. Every read is a range of a B-tree, bounded by a LIMIT:
 *   1. the driver: the lookup with the fewest postings (each counted up to COUNT_CAP; only when several);
 *   2. its distinct stored words (a loose index scan, at most MAX_DRIVER_WORDS + 1);
 *   3. the newest `limit` seqs: per stored word a backward range of (user_id, word, seq), each row kept
 *      when every other lookup has a posting for that seq (through (seq, word)), merged by a UNION (an
 *      entry under two words counted once); or, past MAX_DRIVER_WORDS words, one range over the prefix;
 *   4. those entries by `seq`, checked against `all`, until enough pass.
 * When fewer than `offset + count` pass while `limit` candidates came, `limit` grows (×GROWTH) up to
 * `maxCandidates`: matches beyond that many candidates are not reached.
 */
export async function newestPostingMatches(
  db: Kysely<DB>,
  userId: string,
  lookups: readonly string[],
  all: readonly string[],
  count: number,
  offset: number,
  maxCandidates: number,
): Promise<PostingMatch[]> {
  const patterns = lookups.map((word) => ({ word, like: prefix(word) }));
  const driver = patterns.length === 1 ? patterns[0]! : await fewestPostings(db, userId, patterns);
  const others = patterns.filter((p) => p !== driver);
  const stored = await sql<{ word: string }>`
    select distinct word from search_postings where user_id = ${userId} and word like ${driver.like}
    limit ${MAX_DRIVER_WORDS + 1}`.execute(db);
  if (stored.rows.length === 0) return [];
  const also = (alias: string): RawBuilder<unknown> =>
    others.length === 0
      ? sql``
      : sql.join(
          others.map((p) => sql`and exists (select 1 from search_postings q where q.seq = ${sql.ref(`${alias}.seq`)} and q.word like ${p.like})`),
          sql` `,
        );
  const candidateSeqs = async (limit: number): Promise<number[]> => {
    if (stored.rows.length > MAX_DRIVER_WORDS) {
      const rows = await sql<{ seq: number | string }>`
        select distinct p.seq from search_postings p
        where p.user_id = ${userId} and p.word like ${driver.like} ${also('p')}
        order by p.seq desc limit ${limit}`.execute(db);
      return rows.rows.map((row) => Number(row.seq));
    }
    const branches = stored.rows.map(
      ({ word }) => sql`(select p.seq from search_postings p where p.user_id = ${userId} and p.word = ${word} ${also('p')} order by p.seq desc limit ${limit})`,
    );
    const rows =
      branches.length === 1
        ? await sql<{ seq: number | string }>`${branches[0]!}`.execute(db)
        : await sql<{ seq: number | string }>`${sql.join(branches, sql` union `)} order by seq desc limit ${limit}`.execute(db);
    return rows.rows.map((row) => Number(row.seq));
  };

  const want = offset + count;
  const found: PostingMatch[] = [];
  // Candidates are read in `seq` order; after growing, only those past the last one checked.
  let checkedDownTo = Number.POSITIVE_INFINITY;
  for (let limit = want; ; limit = Math.min(limit * GROWTH, maxCandidates)) {
    const candidates = await candidateSeqs(limit);
    const seqs = candidates.filter((seq) => seq < checkedDownTo);
    for (let at = 0; at < seqs.length && found.length < want; at += READ_CHUNK) {
      const chunk = seqs.slice(at, at + READ_CHUNK);
      const entries = await sql<PostingMatch & { seq: number | string }>`
        select e.seq, e.id, e.conversation_id, e.message_id, e.role, e.created_at, e.folded
        from search_entries e where e.seq in (${sql.join(chunk)})`.execute(db);
      const bySeq = new Map(entries.rows.map(({ seq, ...entry }) => [Number(seq), entry]));
      for (const seq of chunk) {
        const entry = bySeq.get(seq);
        if (entry && all.every((word) => entry.folded.includes(word))) found.push(entry);
      }
      checkedDownTo = chunk.at(-1)!;
    }
    // Enough, or every candidate there is was checked, or the cap.
    if (found.length >= want || candidates.length < limit || limit >= maxCandidates) break;
  }
  return found.slice(offset, want);
}

/** The lookup with the fewest postings for this user, each counted up to COUNT_CAP + 1. */
async function fewestPostings<P extends { like: string }>(db: Kysely<DB>, userId: string, patterns: readonly P[]): Promise<P> {
  let best = patterns[0]!;
  let fewest = Number.POSITIVE_INFINITY;
  for (const p of patterns) {
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from (select 1 from search_postings where user_id = ${userId} and word like ${p.like} limit ${COUNT_CAP + 1}) t`.execute(db);
    const n = Number(rows[0]!.n);
    if (n < fewest) [best, fewest] = [p, n];
  }
  return best;
}
