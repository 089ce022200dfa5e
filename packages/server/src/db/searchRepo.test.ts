import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryWords, trigramTokens } from '../search/searchText.js';
import { createAnswerWrites } from './answerWrites.js';
import { createConversationRepo, type ConversationRepo } from './conversationRepo.js';
import { UnknownCursorError } from './errors.js';
import { createMessageRepo, type MessageRepo } from './messageRepo.js';
import { createMigrator, migrateToLatest } from './migrate.js';
import { insertSearchEntries, searchEntry } from './searchIndex.js';
import { createSearchRepo, RANK_BLOCK, type SearchRepo } from './searchRepo.js';
import { createTransferStore } from './transferStore.js';
import { createManualClock, openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';
import { createUserRepo, type UserRepo } from './userRepo.js';

describe.each(testEngines())('searchRepo on %s', (engine) => {
  let database: TestDatabase;
  let users: UserRepo;
  let conversations: ConversationRepo;
  let messages: MessageRepo;
  let search: SearchRepo;
  const clock = createManualClock();
  let counter = 0;
  const newUserId = async () => (await users.create({ username: `searcher-${++counter}` })).id;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    users = createUserRepo(database.db, clock.now);
    conversations = createConversationRepo(database.db, clock.now);
    messages = createMessageRepo(database.db, clock.now);
    search = createSearchRepo(database.db);
  });
  afterAll(() => database.dispose());

  const find = async (userId: string, q: string, limit?: number) => (await search.search(userId, queryWords(q), { limit })).items;
  const ids = async (userId: string, q: string) => (await find(userId, q)).map((hit) => hit.message_id ?? `title:${hit.conversation_id}`).sort();

  /** Every hit's message id, page after page through the cursor. */
  async function everyHit(repo: SearchRepo, userId: string, words: string[], limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await repo.search(userId, words, { limit, cursor });
      seen.push(...page.items.map((hit) => hit.message_id!));
      if (!page.has_more) return seen;
      cursor = page.next_cursor!;
    }
  }

  async function conversationWith(userId: string, texts: string[], title = 'Untitled') {
    const conversation = await conversations.create(userId, { model: 'm', title });
    const rows = [];
    for (const text of texts) {
      clock.advance(1000);
      rows.push(await messages.create({ conversationId: conversation.id, role: 'user', content: { text }, status: 'complete' }));
    }
    return { conversation, rows };
  }

  it('finds a three-character Chinese or Japanese substring in the middle of a sentence', async () => {
    const owner = await newUserId();
    const { rows } = await conversationWith(owner, ['我们明天在北京大学图书馆见面吧', '東京都庁の展望台は無料です', 'nothing here']);
    expect(await ids(owner, '北京大')).toEqual([rows[0]!.id]);
    expect(await ids(owner, '展望台')).toEqual([rows[1]!.id]);
    expect(await ids(owner, '图书馆见面')).toEqual([rows[0]!.id]);
    expect(await ids(owner, '京都府')).toEqual([]);
  });

  it('folds case and accents both ways', async () => {
    const owner = await newUserId();
    const { rows } = await conversationWith(owner, ['A naïve question about the Café on the corner', 'plain NAIVE cafe text', 'other']);
    expect(await ids(owner, 'naive')).toEqual([rows[0]!.id, rows[1]!.id].sort());
    expect(await ids(owner, 'CAFÉ')).toEqual([rows[0]!.id, rows[1]!.id].sort());
    const [hit] = await find(owner, 'naive question');
    expect(hit!.snippet).toContain('<mark>naïve</mark> <mark>question</mark>');
  });

  it('needs every word, in any order, and checks short words on what the long ones found', async () => {
    const owner = await newUserId();
    const { rows } = await conversationWith(owner, ['red apples and green pears', 'green apples only', 'pears, red and ripe', 'go ahead with apples']);
    expect(await ids(owner, 'pears red')).toEqual([rows[0]!.id, rows[2]!.id].sort());
    expect(await ids(owner, 'apples green')).toEqual([rows[0]!.id, rows[1]!.id].sort());
    expect(await ids(owner, 'apples go')).toEqual([rows[3]!.id]);
    expect(await ids(owner, 'apples pears bananas')).toEqual([]);
    // Only short words: nothing an index can look up, so nothing (the route answers 400 first).
    expect(await ids(owner, 'go r')).toEqual([]);
  });

  it('takes LIKE wildcards and quotes in a query literally', async () => {
    const owner = await newUserId();
    const { rows } = await conversationWith(owner, ['100% sure', '100 percent', 'say "hello" please', 'foo_bar_baz and fooxbar']);
    expect(await ids(owner, '100%')).toEqual([rows[0]!.id]);
    expect(await ids(owner, '"hello"')).toEqual([rows[2]!.id]);
    expect(await ids(owner, 'foo_bar')).toEqual([rows[3]!.id]);
    expect(await ids(owner, 'bar_baz')).toEqual([rows[3]!.id]);
    // A word no index can look up (no run of 3 letters) is checked, literally, on what the others found.
    expect(await ids(owner, 'foo r_b')).toEqual([rows[3]!.id]);
    expect(await ids(owner, 'foo rxb')).toEqual([]);
    expect(await ids(owner, 'r_b')).toEqual([]);
  });

  it('finds a word by its start (prefix), not by a piece in its middle', async () => {
    const owner = await newUserId();
    const { rows } = await conversationWith(owner, ['The walruses of Cafés-Zürichberg', 'a narwhal', 'swalrus']);
    expect(await ids(owner, 'walrus')).toEqual([rows[0]!.id]);
    expect(await ids(owner, 'cafe zurich')).toEqual([rows[0]!.id]);
    expect(await ids(owner, 'zurichberg')).toEqual([rows[0]!.id]);
    expect(await ids(owner, 'narw')).toEqual([rows[1]!.id]);
    expect(await ids(owner, 'alrus')).toEqual([]);
  });

  it('mixes a Chinese or Japanese word with a Latin one, both required', async () => {
    const owner = await newUserId();
    const { rows } = await conversationWith(owner, ['東京都庁 tower view', '東京都庁 garden', 'tower only']);
    expect(await ids(owner, 'tower 東京都')).toEqual([rows[0]!.id]);
    expect(await ids(owner, '都庁 garden')).toEqual([rows[1]!.id]);
  });

  it.runIf(engine === 'sqlite')('keeps only the Chinese, Japanese and Korean words in the trigram table (every other word is in the word table)', async () => {
    const userId = await newUserId();
    const { rows } = await conversationWith(userId, ['marmalade 東京タワー zeppelinwords']);
    const count = async (table: 'search_fts' | 'search_words', q: string) =>
      Number(
        (
          await sql<{ n: number }>`select count(*) as n from search_entries e where e.message_id = ${rows[0]!.id} and e.seq in (select rowid from ${sql.table(table)} where ${sql.table(table)} match ${q})`.execute(database.db)
        ).rows[0]!.n,
      );
    expect(await count('search_fts', '"東京タ"')).toBe(1);
    expect(await count('search_fts', '"marmalade"')).toBe(0);
    expect(await count('search_fts', '"zeppelin"')).toBe(0);
    expect(await count('search_words', 'marmalade')).toBe(1);
    expect(await ids(userId, 'marmalade 京タワ')).toEqual([rows[0]!.id]);
  });

  it('a frequent word: newest matches first, ranked within blocks, every one reachable through the cursor', async () => {
    const owner = await newUserId();
    const count = RANK_BLOCK * 2 + 30;
    const texts = Array.from({ length: count }, (_, i) => (i === 5 ? 'lorem lorem lorem' : `lorem ipsum number ${i} with some more words after it to make it longer`));
    const { rows } = await conversationWith(owner, texts);
    const newest = new Set(rows.slice(-RANK_BLOCK).map((row) => row.id));
    const first = await search.search(owner, ['lorem'], { limit: 20 });
    // The first page comes from the newest block only: the dense old match waits for its block.
    expect(first.items.every((hit) => newest.has(hit.message_id!))).toBe(true);
    const all = (repo: SearchRepo) => everyHit(repo, owner, ['lorem'], 30);
    const seen = await all(search);
    expect(seen).toHaveLength(count);
    expect(new Set(seen).size).toBe(count);
    expect(new Set(seen.slice(0, RANK_BLOCK))).toEqual(newest);
    // Within the oldest block (the 30 oldest), the densest match ranks first.
    expect(seen[RANK_BLOCK * 2]).toBe(rows[5]!.id);
    // PostgreSQL reads the newest entries first, then asks the word index: the same hits either way.
    expect(await all(createSearchRepo(database.db, { pgRecentScan: 3 }))).toEqual(seen);
  });

  it.runIf(engine === 'postgres')('PostgreSQL: too few matches among the newest entries, then a stretch sized by their density, ANDed with the word index', async () => {
    const owner = await newUserId();
    // Every fifth message holds the word: 20 in the newest 100, so twice the 50 wanted lie within about 500.
    const texts = Array.from({ length: 800 }, (_, i) => (i % 5 === 0 ? `sparrow note ${i}` : `other note ${i}`));
    const { rows } = await conversationWith(owner, texts);
    const statements: string[] = [];
    const logged = database.db.withPlugin({
      transformQuery: (args) => {
        statements.push(JSON.stringify(args.node));
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const pages = async (repo: SearchRepo) => {
      const first = await repo.search(owner, ['sparrow'], { limit: 20 });
      const second = await repo.search(owner, ['sparrow'], { limit: 20, cursor: first.next_cursor! });
      return [...first.items, ...second.items].map((hit) => hit.message_id);
    };
    const windowed = await pages(createSearchRepo(logged, { pgRecentScan: 100, pgWindowMax: 1_000 }));
    // The stretch was asked with the word index usable (no `|| ''::tsvector`) and a time bound.
    const stretchQueries = statements.filter((q) => q.includes('e.words_tsv') && !q.includes("''::tsvector") && q.includes('created_at >='));
    expect(stretchQueries.length).toBeGreaterThanOrEqual(1);
    // The same hits as through the word index alone (no stretch), the newest first.
    expect(windowed).toEqual(await pages(createSearchRepo(database.db, { pgRecentScan: 100, pgWindowMax: 0 })));
    // Two pages of the newest block of 50 matches: 40 distinct hits among the 50 newest matches.
    const newest = new Set(rows.filter((_, i) => i % 5 === 0).slice(-RANK_BLOCK).map((row) => row.id));
    expect(new Set(windowed).size).toBe(40);
    expect(windowed.every((id) => newest.has(id!))).toBe(true);
  });

  it('indexes an answer cut off by a crash when it is recovered as interrupted', async () => {
    const owner = await newUserId();
    const { conversation } = await conversationWith(owner, ['question']);
    const answers = createAnswerWrites(database.db, clock.now);
    const drafts = ['narwhals', 'manatees'].map((animal) =>
      messages.draft({ conversationId: conversation.id, role: 'assistant', content: { text: '', tool_calls: [], steps: [] }, status: 'streaming' }),
    );
    for (const [i, animal] of ['narwhals', 'manatees'].entries()) {
      await answers.start({ conversationId: conversation.id, rows: [drafts[i]!], title: null });
      await messages.saveContents([{ id: drafts[i]!.id, content: { text: `half a sentence about ${animal}`, tool_calls: [], steps: [] } }]);
    }
    expect(await ids(owner, 'narwhals')).toEqual([]);
    expect(await messages.markInterrupted(drafts[0]!.id)).toBe(true);
    expect(await ids(owner, 'narwhals')).toEqual([drafts[0]!.id]);
    expect(await ids(owner, 'manatees')).toEqual([]);
    expect(await messages.markUnfinished()).toBeGreaterThanOrEqual(1);
    expect(await ids(owner, 'manatees')).toEqual([drafts[1]!.id]);
  });

  it("never finds another user's rows", async () => {
    const alice = await newUserId();
    const bob = await newUserId();
    const { rows } = await conversationWith(alice, ['secret zanzibar plan'], 'Zanzibar trip');
    await conversationWith(bob, ['nothing to see'], 'Bob chat');
    expect(await find(bob, 'zanzibar')).toEqual([]);
    const hits = await find(alice, 'zanzibar');
    expect(hits.map((hit) => hit.message_id).sort()).toEqual([null, rows[0]!.id].sort());
  });

  it('finds titles, renamed titles and first titles set by a run', async () => {
    const owner = await newUserId();
    const { conversation } = await conversationWith(owner, [], 'Holiday in Kyoto');
    expect((await find(owner, 'kyoto')).map((hit) => [hit.conversation_id, hit.message_id, hit.conversation_title])).toEqual([
      [conversation.id, null, 'Holiday in Kyoto'],
    ]);
    await conversations.update(owner, conversation.id, { title: 'Holiday in Osaka' });
    expect(await find(owner, 'kyoto')).toEqual([]);
    expect((await find(owner, 'osaka')).map((hit) => hit.conversation_title)).toEqual(['Holiday in Osaka']);
    await conversations.setTitle(conversation.id, 'Nara deer');
    expect(await find(owner, 'osaka')).toEqual([]);
    expect((await find(owner, 'deer'))).toHaveLength(1);
  });

  it('follows edits, deletions and the end of a streaming answer', async () => {
    const owner = await newUserId();
    const { conversation, rows } = await conversationWith(owner, ['first draft about walruses', 'second about otters', 'third about otters']);
    await messages.update(rows[0]!.id, { content: { text: 'now about penguins' } });
    expect(await ids(owner, 'walrus')).toEqual([]);
    expect(await ids(owner, 'penguin')).toEqual([rows[0]!.id]);
    await messages.deleteMany(conversation.id, [rows[1]!.id]);
    expect(await ids(owner, 'otters')).toEqual([rows[2]!.id]);
    await messages.deleteMany(conversation.id, [rows[2]!.id]);
    expect(await ids(owner, 'otters')).toEqual([]);

    const answers = createAnswerWrites(database.db, clock.now);
    const answer = messages.draft({ conversationId: conversation.id, role: 'assistant', content: { text: '', tool_calls: [], steps: [] }, status: 'streaming' });
    await answers.start({ conversationId: conversation.id, rows: [answer], title: null });
    await messages.saveContents([{ id: answer.id, content: { text: 'half a sentence about lemurs', tool_calls: [], steps: [] } }]);
    await answers.finish({
      conversationId: conversation.id,
      messageId: answer.id,
      patch: { content: { text: 'A whole sentence about lemurs.', tool_calls: [], steps: [] }, status: 'complete' },
      usage: null,
    });
    const [hit] = await find(owner, 'lemurs');
    expect(hit).toMatchObject({ message_id: answer.id, role: 'assistant', snippet: 'A whole sentence about <mark>lemurs</mark>.' });

    await conversations.delete(owner, conversation.id);
    expect(await find(owner, 'lemurs')).toEqual([]);
    expect(await find(owner, 'penguin')).toEqual([]);
  });

  /** MariaDB: the words `search_postings` holds for an entry (by the entry's id), sorted. */
  const postingsOf = async (entryId: string) =>
    (
      await sql<{ word: string }>`select p.word from search_postings p join search_entries e on e.seq = p.seq where e.id = ${entryId} order by p.word`.execute(database.db)
    ).rows.map((row) => row.word);
  /** MariaDB: the postings left under these seqs (whatever entry they belonged to). */
  const postingsUnder = async (seqs: number[]) =>
    Number((await sql<{ n: number }>`select count(*) as n from search_postings where seq in (${sql.join(seqs)})`.execute(database.db)).rows[0]!.n);
  const seqsOf = async (entryIds: string[]) =>
    (await sql<{ seq: number }>`select seq from search_entries where id in (${sql.join(entryIds)})`.execute(database.db)).rows.map((row) => Number(row.seq));

  it.runIf(engine === 'mysql')('writes the postings of a message and a title, replaces them on edit and rename', async () => {
    const owner = await newUserId();
    const { conversation, rows } = await conversationWith(owner, ['Walruses, walruses and a café at 10 am — go!'], 'Arctic trip planning');
    expect(await postingsOf(rows[0]!.id)).toEqual(['and', 'cafe', 'walruses']);
    expect(await postingsOf(conversation.id)).toEqual(['arctic', 'planning', 'trip']);
    const [before] = await seqsOf([rows[0]!.id]);
    await messages.update(rows[0]!.id, { content: { text: 'penguins now' } });
    expect(await postingsOf(rows[0]!.id)).toEqual(['now', 'penguins']);
    expect(await postingsUnder([before!])).toBe(0);
    await conversations.update(owner, conversation.id, { title: 'Antarctic' });
    expect(await postingsOf(conversation.id)).toEqual(['antarctic']);
    // A newer seq: an edited entry counts as indexed last.
    const [after] = await seqsOf([rows[0]!.id]);
    expect(after).toBeGreaterThan(before!);
  });

  it.runIf(engine === 'mysql')('drops the postings with their entry: message deleted, conversation deleted, rows deleted by cascade alone', async () => {
    const owner = await newUserId();
    const one = await conversationWith(owner, ['alpha bravo', 'charlie delta'], 'Echo foxtrot');
    const seqs = await seqsOf([one.rows[0]!.id, one.rows[1]!.id, one.conversation.id]);
    expect(await postingsUnder(seqs)).toBe(6);
    await messages.deleteMany(one.conversation.id, [one.rows[0]!.id]);
    expect(await postingsUnder(seqs)).toBe(4);
    await conversations.delete(owner, one.conversation.id);
    expect(await postingsUnder(seqs)).toBe(0);
    // Two and three levels of foreign-key cascade, no repository involved: message → entry → postings,
    // conversation → messages → entries → postings.
    const two = await conversationWith(owner, ['golf hotel', 'india juliet'], 'Kilo lima');
    const twoSeqs = await seqsOf([two.rows[0]!.id, two.rows[1]!.id, two.conversation.id]);
    await database.db.deleteFrom('messages').where('id', '=', two.rows[0]!.id).execute();
    expect(await postingsUnder(twoSeqs)).toBe(4);
    await database.db.deleteFrom('conversations').where('id', '=', two.conversation.id).execute();
    expect(await postingsUnder(twoSeqs)).toBe(0);
    expect(await find(owner, 'india')).toEqual([]);
  });

  it('finds what an import stored (on MariaDB through its postings)', async () => {
    const owner = await newUserId();
    const at = clock.now().toISOString();
    const message = { parent_id: null, token_count: 0, status: 'complete' as const, created_at: at };
    const [imported] = await createTransferStore(database.db, clock.now).importConversations(owner, [
      {
        projectId: null,
        conversation: {
          id: '00000000-0000-7000-8000-00000000e001',
          title: 'Imported quokkas',
          model: 'm',
          system_prompt: null,
          temperature: 0.7,
          max_tokens: 100,
          thinking_enabled: false,
          project: null,
          active_leaf_id: null,
          created_at: at,
          updated_at: at,
          messages: [
            { ...message, id: '00000000-0000-7000-8000-00000000e002', role: 'user', content: { text: 'tell me about wombats' } },
            { ...message, id: '00000000-0000-7000-8000-00000000e003', parent_id: '00000000-0000-7000-8000-00000000e002', role: 'assistant', content: { text: 'Wombats dig.', tool_calls: [], steps: [] } },
          ],
        },
      },
    ]);
    const hits = await find(owner, 'wombat');
    expect(hits.map((hit) => hit.role).sort()).toEqual(['assistant', 'user']);
    expect((await find(owner, 'quokka')).map((hit) => hit.conversation_id)).toEqual([imported!.id]);
    if (engine === 'mysql') expect(await postingsOf(hits[0]!.message_id!)).toContain('wombats');
  });

  it('finds entries stored in bulk (insertSearchEntries; on MariaDB with their postings)', async () => {
    const owner = await newUserId();
    const { conversation, rows } = await conversationWith(owner, ['first capybara', 'second capybara'], 'Bulk title');
    await database.db.deleteFrom('search_entries').where('conversation_id', '=', conversation.id).execute();
    expect(await find(owner, 'capybara')).toEqual([]);
    const sources = [
      { id: conversation.id, messageId: null, role: null, text: 'Bulk title' },
      ...rows.map((row, i) => ({ id: row.id, messageId: row.id, role: 'user' as const, text: `${i === 0 ? 'first' : 'second'} capybara` })),
    ];
    const entries = sources.map((source) => searchEntry(engine, { ...source, userId: owner, conversationId: conversation.id, createdAt: clock.now().toISOString() })!);
    await insertSearchEntries(database.db, entries, 2);
    expect(await ids(owner, 'capybara')).toEqual(rows.map((row) => row.id).sort());
    expect((await find(owner, 'bulk')).map((hit) => hit.conversation_id)).toEqual([conversation.id]);
    if (engine === 'mysql') expect(await postingsOf(rows[1]!.id)).toEqual(['capybara', 'second']);
  });

  it('finds a prefix that starts more than 256 distinct stored words, each entry once', async () => {
    const owner = await newUserId();
    const many = Array.from({ length: 300 }, (_, i) => `zqv${i.toString(36)}x`).join(' ');
    const { rows } = await conversationWith(owner, [many, 'zqv5x and zqv7x only', 'zqw nothing', `${many} otter`]);
    expect(await ids(owner, 'zqv')).toEqual([rows[0]!.id, rows[1]!.id, rows[3]!.id].sort());
    expect(await ids(owner, 'zqv otter')).toEqual([rows[3]!.id]);
    expect(await ids(owner, 'otter zqv1')).toEqual([rows[3]!.id]);
    const page = await search.search(owner, ['zqv'], { limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.has_more).toBe(true);
  });

  it('answers the same through every way of looking words up (MariaDB: small or large lookups, few or many stored words)', async () => {
    const owner = await newUserId();
    const { rows } = await conversationWith(owner, [
      'apple apricot banana',
      'apple cherry',
      'apricot banana cherry',
      'banana split',
      'applesauce and bananas by e-mail',
      'mail apple banana',
      // `ban` only inside a word: a substring, not the start of a word, so not a match of `ban`.
      'urban apple pie',
    ]);
    const at = (...indexes: number[]) => indexes.map((i) => rows[i]!.id).sort();
    const expected: Array<[string, string[]]> = [
      ['apr', at(0, 2)],
      ['app', at(0, 1, 4, 5, 6)],
      ['app ban', at(0, 4, 5)],
      ['banana app', at(0, 4, 5)],
      ['apr ban che', at(2)],
      ['e-mail app', at(4)],
      ['che spl', []],
    ];
    const tunings = [{}, { small: 1 }, { maxStoredWords: 1 }, { small: 1, maxStoredWords: 1 }, { small: 2, maxStoredWords: 2 }];
    for (const postings of tunings) {
      const repo = createSearchRepo(database.db, { postings });
      for (const [q, want] of expected) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await repo.search(owner, queryWords(q), { limit: 1, cursor });
          seen.push(...page.items.map((hit) => hit.message_id!));
          if (!page.has_more) break;
          cursor = page.next_cursor!;
        }
        expect([q, postings, seen.sort()]).toEqual([q, postings, want]);
      }
    }
  });

  it('pages deep through a word with punctuation, whose word lookup finds many more entries than match', async () => {
    const owner = await newUserId();
    // `e-mail` is looked up as `mail` (the `e` is too short), then checked as a substring: most entries
    // holding `mail` are not matches, and the newest are not, so the first candidates hold none.
    const texts = [
      ...Array.from({ length: 70 }, (_, i) => `send the e-mail number ${i}`),
      ...Array.from({ length: 150 }, (_, i) => `mail delivered by post ${i}`),
    ];
    const { rows } = await conversationWith(owner, texts);
    const expected = new Set(rows.slice(0, 70).map((row) => row.id));
    const seen = await everyHit(search, owner, ['e-mail'], 25);
    expect(seen).toHaveLength(70);
    expect(new Set(seen)).toEqual(expected);
  });

  it.runIf(engine === 'mysql')('0010 writes the postings of what was indexed before, and its down brings back the words index', async () => {
    const owner = await newUserId();
    const { rows } = await conversationWith(owner, ['older dugongs swim'], 'Older manatees');
    const down = await createMigrator(database.db).migrateTo('0009_search_words');
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => r.migrationName)).toEqual(['0011_search_pg_user_index', '0010_search_postings']);
    try {
      const tables = await sql<{ n: number }>`select count(*) as n from information_schema.tables where table_schema = database() and table_name = 'search_postings'`.execute(database.db);
      expect(Number(tables.rows[0]!.n)).toBe(0);
      const words = await sql<{ words: string }>`select words from search_entries where id = ${rows[0]!.id}`.execute(database.db);
      expect(words.rows[0]!.words).toBe('older dugongs swim');
      const fulltext = await sql<{ id: string }>`select id from search_entries where match (words) against ('+dugong*' in boolean mode)`.execute(database.db);
      expect(fulltext.rows.map((row) => row.id)).toEqual([rows[0]!.id]);
      // Stored by a server before 0010: an entry with its words, no postings.
      const at = clock.now().toISOString();
      const base = { model: 'm', temperature: 0.7, max_tokens: 10, thinking_enabled: false, created_at: at, updated_at: at, project_id: null, system_prompt: null };
      await database.db.insertInto('conversations').values({ ...base, id: '00000000-0000-7000-8000-00000000b0e1', user_id: owner, title: 'Narwhal' } as never).execute();
      await sql`insert into search_entries (id, user_id, conversation_id, message_id, role, folded, tokens, words, created_at)
        values ('00000000-0000-7000-8000-00000000b0e1', ${owner}, '00000000-0000-7000-8000-00000000b0e1', null, null, 'narwhal', '', 'narwhal', ${at})`.execute(database.db);
    } finally {
      await migrateToLatest(database.db);
    }
    expect(await postingsOf(rows[0]!.id)).toEqual(['dugongs', 'older', 'swim']);
    expect(await postingsOf('00000000-0000-7000-8000-00000000b0e1')).toEqual(['narwhal']);
    expect((await find(owner, 'narwh')).map((hit) => hit.conversation_title)).toEqual(['Narwhal']);
    expect(await ids(owner, 'dugong')).toEqual([rows[0]!.id]);
    const columns = await sql<{ n: number }>`select count(*) as n from information_schema.columns where table_schema = database() and table_name = 'search_entries' and column_name = 'words'`.execute(database.db);
    expect(Number(columns.rows[0]!.n)).toBe(0);
  });

  it('pages through hits with next_cursor and refuses a cursor it did not hand out', async () => {
    const owner = await newUserId();
    await conversationWith(owner, ['kiwi one', 'kiwi two', 'kiwi three', 'kiwi four', 'kiwi five']);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await search.search(owner, ['kiwi'], { limit: 2, cursor });
      seen.push(...page.items.map((hit) => hit.message_id!));
      if (!page.has_more) break;
      cursor = page.next_cursor!;
    }
    expect(new Set(seen).size).toBe(5);
    await expect(search.search(owner, ['kiwi'], { cursor: 'abc' })).rejects.toBeInstanceOf(UnknownCursorError);
  });

  it('indexes what was stored before the migration (backfill)', async () => {
    const owner = await newUserId();
    // Back to just before the search index (undoing the later migrations too).
    const down = await createMigrator(database.db).migrateTo('0002_conversation_tree');
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => r.migrationName).at(-1)).toBe('0003_search');
    try {
      const at = clock.now().toISOString();
      const base = { model: 'm', temperature: 0.7, max_tokens: 10, thinking_enabled: false, created_at: at, updated_at: at, project_id: null, system_prompt: null };
      await database.db.insertInto('conversations').values({ ...base, id: '00000000-0000-7000-8000-00000000b0c1', user_id: owner, title: 'Old Überblick' } as never).execute();
      await database.db
        .insertInto('messages')
        .values({ id: '00000000-0000-7000-8000-00000000b0c2', conversation_id: '00000000-0000-7000-8000-00000000b0c1', parent_id: null, role: 'user', content: JSON.stringify({ text: 'an old crème brûlée recipe' }), token_count: 0, status: 'complete', created_at: at })
        .execute();
    } finally {
      await migrateToLatest(database.db);
    }
    expect(await ids(owner, 'creme brulee')).toEqual(['00000000-0000-7000-8000-00000000b0c2']);
    expect((await find(owner, 'uberblick')).map((hit) => hit.conversation_title)).toEqual(['Old Überblick']);
  });

  it('indexes the words of what was indexed before the word indexes (0009 backfill)', async () => {
    const owner = await newUserId();
    const { rows } = await conversationWith(owner, ['older pangolins and 北京大学'], 'Older armadillos');
    const down = await createMigrator(database.db).migrateTo('0008_user_identities');
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => r.migrationName)).toEqual(['0011_search_pg_user_index', '0010_search_postings', '0009_search_words']);
    try {
      // What a server before 0009 indexed (on MariaDB: trigram tokens of every word, no words column).
      const at = clock.now().toISOString();
      const base = { model: 'm', temperature: 0.7, max_tokens: 10, thinking_enabled: false, created_at: at, updated_at: at, project_id: null, system_prompt: null };
      await database.db.insertInto('conversations').values({ ...base, id: '00000000-0000-7000-8000-00000000b0d1', user_id: owner, title: 'Capybara' } as never).execute();
      const message = { id: '00000000-0000-7000-8000-00000000b0d2', conversation_id: '00000000-0000-7000-8000-00000000b0d1', parent_id: null, role: 'user' as const, token_count: 0, status: 'complete' as const, created_at: at };
      await database.db.insertInto('messages').values({ ...message, content: JSON.stringify({ text: 'Sloths à Zürich' }) }).execute();
      const folded = 'sloths a zurich';
      await database.db
        .insertInto('search_entries')
        .values({ id: message.id, user_id: owner, conversation_id: message.conversation_id, message_id: message.id, role: 'user', folded, created_at: at, ...(engine === 'mysql' && { tokens: trigramTokens(folded).join(' ') }) })
        .execute();
    } finally {
      await migrateToLatest(database.db);
    }
    expect(await ids(owner, 'pangol')).toEqual([rows[0]!.id]);
    expect(await ids(owner, '北京大')).toEqual([rows[0]!.id]);
    expect((await find(owner, 'armadillo')).map((hit) => hit.conversation_title)).toEqual(['Older armadillos']);
    expect(await ids(owner, 'sloth zurich')).toEqual(['00000000-0000-7000-8000-00000000b0d2']);
  });
});
