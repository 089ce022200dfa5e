/**
 * Search benchmark: per engine, a fresh database with 50,000 conversations and 1,000,000 messages
 * (ten users, one owning half of everything; words drawn from a 30,000-word vocabulary with a skewed
 * frequency, a tenth of the messages Chinese, some with accented words), indexed as the app indexes
 * them; then p50/p95 of `GET /api/search` through the real repository (snippets included) for the heavy
 * user, beside a plain `LIKE '%word%'` scan over the messages in the same run.
 *
 * Usage: npm run bench:search
 *   BENCH_ENGINES=sqlite,postgres,mysql (default: all three)   BENCH_QUICK=1 (a tenth of the data)
 *   BENCH_SCALE=0.3 (any fraction of the full data)   BENCH_SAMPLES=200, BENCH_LIKE_SAMPLES=20 (timed runs per query kind)
 *   BENCH_KEEP=1: keep the seeded databases (their URLs are printed) to look at plans by hand
 *   BENCH_REUSE=1: seed into databases named per scale (`nc_bench_search_1`, SQLite in the temp dir;
 *     BENCH_REUSE_NAME=other_name to pick another name)
 *     and keep them; a later run with BENCH_REUSE=1 measures them again without reseeding (drop them by
 *     hand when done). Seeding loads the rows with the search indexes' triggers/GIN/FULLTEXT indexes set
 *     aside and builds those once after the load.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { createDatabase, createRepositories, migrateToLatest, type Database, type DialectName } from '../packages/server/src/db/index.js';
import { POSTING_KEYS } from '../packages/server/src/db/migrations/0010_search_postings.js';
import { searchEntry } from '../packages/server/src/db/searchIndex.js';
import { postingWords, queryWords } from '../packages/server/src/search/searchText.js';
import { benchEngines, measure, openTarget, printFigures, releaseTarget, prng, type Row, type Target } from './benchDatabase.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const quick = process.env.BENCH_QUICK === '1';
const SCALE = Number(process.env.BENCH_SCALE ?? (quick ? 0.1 : 1));
const CONVERSATIONS = Math.round(50_000 * SCALE);
const PER_CONVERSATION = 20;
const MESSAGES = CONVERSATIONS * PER_CONVERSATION;
const USERS = 10;
const VOCABULARY = 30_000;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? (quick ? 100 : 200));
const LIKE_SAMPLES = Number(process.env.BENCH_LIKE_SAMPLES ?? 20);
const PAGE = 20;

const BASE = Date.UTC(2025, 0, 1);
const iso = (ms: number) => new Date(BASE + ms).toISOString();
const rand = prng(42);

/** Consonant, vowel, optional ending: about a thousand syllables, so words share trigrams as real words do. */
const SYLLABLES = [...'bcdfghjklmnprstvwz'].flatMap((c) => [...'aeiou'].flatMap((v) => ['', 'n', 'r', 's', 't', 'l', 'm', 'ck', 'st', 'nd'].map((e) => c + v + e)));
const ACCENTED = ['Café', 'naïve', 'résumé', 'crème', 'brûlée', 'façade', 'Zürich', 'jalapeño', 'über', 'Ångström', 'déjà', 'señor'];
const CJK = '的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从';

/** A deterministic vocabulary of distinct made-up words (2–3 syllables). */
const vocabulary = [
  ...new Set(
    Array.from({ length: VOCABULARY * 2 }, () => {
      const syllable = () => SYLLABLES[Math.floor(rand() * rand() * SYLLABLES.length)]!;
      return syllable() + syllable() + (rand() < 0.4 ? syllable() : '');
    }),
  ),
].slice(0, VOCABULARY);
/** Skewed: low ranks are frequent. */
const wordAt = () => vocabulary[Math.floor(vocabulary.length * rand() ** 2.5)]!;

function messageText(): string {
  const r = rand();
  if (r < 0.1) return Array.from({ length: 15 + Math.floor(rand() * 40) }, () => CJK[Math.floor(rand() * CJK.length)]).join('');
  const words = Array.from({ length: 8 + Math.floor(rand() * 25) }, wordAt);
  if (r < 0.15) words.splice(Math.floor(rand() * words.length), 0, ACCENTED[Math.floor(rand() * ACCENTED.length)]!);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

interface Seeded {
  heavyUser: string;
  /** Some of the heavy user's Chinese message texts, to take 3-character substrings of. */
  cjkSamples: string[];
  seconds: number;
}

/**
 * Sets the search indexes aside for a bulk load (SQLite: the FTS triggers; PostgreSQL: the GIN indexes;
 * MariaDB: the keys of `search_postings`), and answers how to build them again, each over every row at once.
 */
async function deferSearchIndexes(target: Target): Promise<() => Promise<void>> {
  if (target.engine === 'sqlite') {
    const triggers = await target.query(`select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'search_entries'`);
    for (const t of triggers) await target.query(`drop trigger ${String(t.name)}`);
    return async () => {
      for (const table of ['search_fts', 'search_words']) await target.query(`insert into ${table}(${table}) values ('rebuild')`);
      for (const t of triggers) await target.query(String(t.sql));
    };
  }
  if (target.engine === 'postgres') {
    const indexes = await target.query(`select indexname, indexdef from pg_indexes where schemaname = current_schema() and indexdef like '% USING gin %'`);
    for (const i of indexes) await target.query(`drop index ${String(i.indexname)}`);
    return async () => {
      await target.query(`set maintenance_work_mem = '512MB'`);
      for (const i of indexes) await target.query(String(i.indexdef));
    };
  }
  // MariaDB keeps its FULLTEXT index during the load: with it dropped and built again after it, the first
  // one built (10.11) found nothing. It holds only the CJK words' trigrams, so the load is cheap. The
  // postings (~21 rows per entry) load into a table without keys (appended in load order), and the
  // primary key, the (seq, word) key and the foreign key are built once after it by sorting; loading into
  // the primary key directly inserts all over a B-tree much larger than the buffer pool.
  await target.query('alter table search_postings drop foreign key search_postings_entry_fk');
  await target.query('alter table search_postings drop primary key, drop index search_postings_seq_idx');
  return async () => {
    // Every posting refers to an entry loaded with it: the foreign key is added without checking rows.
    await target.query('set foreign_key_checks = 0');
    await target.query(`alter table search_postings ${POSTING_KEYS}`);
    await target.query('set foreign_key_checks = 1');
  };
}

async function seed(target: Target): Promise<Seeded> {
  const started = performance.now();
  const restoreIndexes = await deferSearchIndexes(target);
  const users = Array.from({ length: USERS }, () => uuidv7());
  const heavyUser = users[0]!;
  await target.bulk(
    'users',
    ['id', 'username', 'role', 'is_active', 'created_at'],
    users.map((id, i) => [id, `user-${i}`, 'user', true, iso(0)]),
  );
  const conversations: Array<{ id: string; user: string; created: number }> = [];
  const entries: Row[] = [];
  const mysql = target.engine === 'mysql';
  const entryColumns = ['id', 'user_id', 'conversation_id', 'message_id', 'role', 'folded', ...(mysql ? ['tokens', 'seq'] : target.engine === 'sqlite' ? ['cjk'] : []), 'created_at'];
  // MariaDB: each entry's seq given here (as its auto-increment would, in load order), for its postings.
  const postings: Row[] = [];
  let seq = 0;
  const addEntry = (source: Parameters<typeof searchEntry>[1]) => {
    const entry = searchEntry(target.engine, source);
    if (!entry) return;
    const row: Record<string, unknown> = { ...entry, seq: ++seq };
    entries.push(entryColumns.map((c) => row[c] ?? null));
    if (mysql) for (const word of postingWords(entry.folded)) postings.push([entry.user_id, word, seq]);
  };
  let postingCount = 0;
  const loadEntries = async () => {
    await target.bulk('search_entries', entryColumns, entries.splice(0));
    if (mysql) postingCount += await target.bulk('search_postings', ['user_id', 'word', 'seq'], postings.splice(0));
  };
  await target.bulk(
    'conversations',
    ['id', 'user_id', 'project_id', 'title', 'model', 'system_prompt', 'temperature', 'max_tokens', 'thinking_enabled', 'created_at', 'updated_at'],
    (function* () {
      for (let i = 0; i < CONVERSATIONS; i++) {
        const id = uuidv7();
        const user = i % 2 === 0 ? heavyUser : users[1 + (i % (USERS - 1))]!;
        const created = i * 10 * 60_000;
        const title = `${wordAt()} ${wordAt()} ${wordAt()}`;
        conversations.push({ id, user, created });
        addEntry({ id, userId: user, conversationId: id, messageId: null, role: null, text: title, createdAt: iso(created) });
        yield [id, user, null, title, 'gpt-bench', null, 0.7, 4096, false, iso(created), iso(created + 60_000)];
      }
    })(),
  );
  await loadEntries();
  const cjkSamples: string[] = [];
  // Messages and their entries conversation by conversation, in slices so memory stays bounded.
  for (let from = 0; from < conversations.length; from += 5_000) {
    const messages: Row[] = [];
    for (const conversation of conversations.slice(from, from + 5_000)) {
      let parent: string | null = null;
      for (let n = 0; n < PER_CONVERSATION; n++) {
        const id = uuidv7();
        const role = n % 2 === 0 ? 'user' : 'assistant';
        const text = messageText();
        const at = iso(conversation.created + n * 10_000);
        if (conversation.user === heavyUser && /^\p{Script=Han}/u.test(text) && cjkSamples.length < 2_000) cjkSamples.push(text);
        const content = role === 'user' ? { text } : { text, tool_calls: [], steps: [{ id: 'step-0', index: 0, type: 'text', content: text }] };
        messages.push([id, conversation.id, parent, role, JSON.stringify(content), 0, 'complete', at]);
        addEntry({ id, userId: conversation.user, conversationId: conversation.id, messageId: id, role, text, createdAt: at });
        parent = id;
      }
    }
    await target.bulk('messages', ['id', 'conversation_id', 'parent_id', 'role', 'content', 'token_count', 'status', 'created_at'], messages);
    await loadEntries();
    process.stdout.write('.');
  }
  const indexing = performance.now();
  await restoreIndexes();
  process.stdout.write(` (indexes built in ${((performance.now() - indexing) / 1000).toFixed(0)} s${mysql ? `, ${postingCount.toLocaleString('en')} postings` : ''})`);
  await target.analyze();
  return { heavyUser, cjkSamples, seconds: (performance.now() - started) / 1000 };
}

/** BENCH_REUSE: what a finished seeding left (its heavy user and Chinese samples), or null when not seeded yet. */
async function seededBefore(target: Target): Promise<Seeded | null> {
  await target.query(`create table if not exists bench_search_seeded (data ${target.engine === 'mysql' ? 'mediumtext' : 'text'} not null)`);
  const [row] = await target.query('select data from bench_search_seeded');
  if (row) return { ...(JSON.parse(String(row.data)) as Seeded), seconds: 0 };
  // Not finished (or never started): start again from empty tables.
  const rows = await target.query('select count(*) as n from users');
  if (Number(rows[0]!.n) > 0) throw new Error(`${target.url} holds a seeding that did not finish: drop it and run again`);
  return null;
}

async function rememberSeeded(target: Target, seeded: Seeded): Promise<void> {
  const data = JSON.stringify({ heavyUser: seeded.heavyUser, cjkSamples: seeded.cjkSamples.slice(0, 500), seconds: seeded.seconds });
  await target.query(`insert into bench_search_seeded (data) values ('${data.replace(/'/g, "''")}')`);
}

type Figures = Record<string, { p50: number; p95: number; hits?: number }>;

async function benchEngine(engine: DialectName): Promise<{ figures: Figures; seedSeconds: number; sizeMb: number }> {
  const reuse = process.env.BENCH_REUSE_NAME || `nc_bench_search_${String(SCALE).replace('.', '_')}`;
  const target = await openTarget(engine, process.env.BENCH_REUSE === '1' ? { reuse } : {});
  let database: Database | null = null;
  try {
    database = await createDatabase({ url: target.url, dataDir: target.dataDir });
    await migrateToLatest(database.db);
    const kept = target.reused ? await seededBefore(target) : null;
    if (kept) console.log(`${engine}: reusing the database seeded before (${target.url})`);
    else process.stdout.write(`${engine}: seeding ${CONVERSATIONS.toLocaleString('en')} conversations, ${MESSAGES.toLocaleString('en')} messages `);
    const seeded = kept ?? (await seed(target));
    if (target.reused && !kept) await rememberSeeded(target, seeded);
    const sizeMb = await target.sizeMb();
    if (!kept) console.log(` ${seeded.seconds.toFixed(0)} s, ${sizeMb.toFixed(0)} MB`);
    // Steady state, as on a server that has been answering: the search table read once so that its pages are
    // in memory (the OS cache; PostgreSQL's and MariaDB's own buffers are 128 MB by default). Without it, a
    // reused database whose files another program pushed out of the cache is measured from disk.
    const warmed = performance.now();
    await target.query(`select count(*) as n from search_entries where length(folded) >= 0`);
    console.log(`${engine}: search_entries read once to warm the cache (${((performance.now() - warmed) / 1000).toFixed(1)} s)`);
    if (engine === 'sqlite') {
      await database.close();
      database = await createDatabase({ url: target.url, dataDir: target.dataDir });
    }
    const { db } = database;
    const repos = createRepositories(db);
    const pickRand = prng(7);
    const pickWord = (from: number, to: number) => vocabulary[from + Math.floor(pickRand() * (to - from))]!;
    const cjk = () => {
      const text = seeded.cjkSamples[Math.floor(pickRand() * seeded.cjkSamples.length)]!;
      const at = Math.floor(pickRand() * (text.length - 3));
      return text.slice(at, at + 3);
    };
    const queries: Record<string, () => string> = {
      'one word (mid-frequency)': () => pickWord(300, 3_000),
      'one word (rare)': () => pickWord(10_000, vocabulary.length),
      'two words': () => `${pickWord(100, 2_000)} ${pickWord(100, 2_000)}`,
      'accent-folded (cafe → Café)': () => ['cafe', 'naive', 'resume', 'zurich', 'creme', 'jalapeno'][Math.floor(pickRand() * 6)]!,
      'Chinese, 3 characters': cjk,
      'frequent word (top 50)': () => pickWord(0, 50),
    };
    const figures: Figures = {};
    for (const [name, query] of Object.entries(queries)) {
      let hits = 0;
      figures[`search: ${name}`] = await measure(SAMPLES, async () => {
        const q = query();
        const page = await repos.search.search(seeded.heavyUser, queryWords(q), { limit: PAGE });
        // A Chinese sample is a piece of one of the user's own messages: finding nothing means the index is wrong.
        if (name === 'Chinese, 3 characters' && page.items.length === 0) throw new Error(`${engine}: "${q}" found nothing, though it is taken from a stored message`);
        hits += page.items.length;
      });
      figures[`search: ${name}`]!.hits = hits / (SAMPLES + 20);
      const f = figures[`search: ${name}`]!;
      console.log(`  ${engine} search: ${name}: p50 ${f.p50.toFixed(2)} ms, p95 ${f.p95.toFixed(2)} ms, ${f.hits!.toFixed(1)} hits a page`);
    }
    // The same kinds of words with a plain LIKE scan over the user's messages, newest first (no folding).
    for (const name of ['one word (mid-frequency)', 'one word (rare)', 'Chinese, 3 characters']) {
      const query = queries[name]!;
      figures[`LIKE scan: ${name}`] = await measure(LIKE_SAMPLES, async () => {
        await sql`select m.id from messages m join conversations c on c.id = m.conversation_id
          where c.user_id = ${seeded.heavyUser} and m.content like ${`%${query()}%`}
          order by m.created_at desc limit ${PAGE + 1}`.execute(db);
      }, 2);
    }
    return { figures, seedSeconds: seeded.seconds, sizeMb };
  } finally {
    await database?.close();
    await releaseTarget(target);
  }
}

async function main(): Promise<void> {
  const engines = benchEngines();
  const results: Record<string, Awaited<ReturnType<typeof benchEngine>>> = {};
  for (const engine of engines) {
    results[engine] = await benchEngine(engine);
    for (const [op, f] of Object.entries(results[engine]!.figures)) console.log(`  ${op}: p50 ${f.p50.toFixed(2)} ms, p95 ${f.p95.toFixed(2)} ms`);
  }
  printFigures(
    engines,
    Object.fromEntries(engines.map((e) => [e, results[e]!.figures])),
    [
      ['seed + index time (s)', Object.fromEntries(engines.map((e) => [e, results[e]!.seedSeconds.toFixed(0)]))],
      ['database size (MB)', Object.fromEntries(engines.map((e) => [e, results[e]!.sizeMb.toFixed(0)]))],
    ],
    `${CONVERSATIONS.toLocaleString('en')} conversations, ${MESSAGES.toLocaleString('en')} messages; ${SAMPLES} samples per search, ${LIKE_SAMPLES} per LIKE scan`,
  );
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, `bench/results/search${quick ? '-quick' : ''}-latest.json`),
    JSON.stringify({ date: new Date().toISOString(), conversations: CONVERSATIONS, messages: MESSAGES, results }, null, 2),
  );
}

await main();
if (process.env.BENCH_KEEP === '1') process.exit(0);
