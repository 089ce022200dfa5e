/**
 * Storage benchmark: per engine, a fresh database seeded with 100,000 conversations and 1,000,000
 * messages, then p50/p95 of what the API does against it, through the real repositories:
 *  - listing conversations: the first page, and a deep cursor page (tens of thousands down);
 *  - opening a conversation: the last page of a 1,000-message conversation (cursor paging), by creation
 *    order (`?all=true`) and along the active path (the tree's listing, with each message's sibling_ids);
 *  - sending a message, the way the route and the run service store it (read the conversation and as much
 *    history as the model can see, insert the question, insert the answer draft, the final update, token usage, touch).
 *
 * Usage: npm run bench:storage
 *   BENCH_ENGINES=sqlite,postgres,mysql (default: all three)   BENCH_QUICK=1 (a tenth of the data)
 *   NANOCLAW_TEST_PG_URL / NANOCLAW_TEST_MYSQL_URL: the servers (defaults: this machine's)
 *   BENCH_KEEP=1: keep the seeded databases (their URLs are printed) to look at plans by hand
 * Seeding bypasses the repositories (raw multi-row inserts in large transactions) to stay fast.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { v7 as uuidv7 } from 'uuid';
import { createDatabase, createRepositories, migrateToLatest, type Database, type DialectName, type Repositories } from '../packages/server/src/db/index.js';
import { loadRecentHistory } from '../packages/server/src/agent/recentHistory.js';
import { benchEngines, measure, openTarget, printFigures, releaseTarget, prng, type Figures, type Row, type Target } from './benchDatabase.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const quick = process.env.BENCH_QUICK === '1';
const SCALE = quick ? 0.1 : 1;
const CONVERSATIONS = Math.round(100_000 * SCALE);
const MESSAGES = Math.round(1_000_000 * SCALE);
const USERS = 100;
/** The user whose lists are measured owns half of all conversations (a heavy single-user install). */
const HEAVY_SHARE = 0.5;
const LONG_CONVERSATIONS = Math.round(100 * SCALE);
const LONG_LENGTH = 1_000;
const PAGE = 20;
const MESSAGE_PAGE = 50;
const SAMPLES = quick ? 100 : 300;
const SEND_SAMPLES = quick ? 60 : 200;

// ---------------------------------------------------------------------------------------------
// Deterministic data

const BASE = Date.UTC(2025, 0, 1);
const iso = (ms: number) => new Date(BASE + ms).toISOString();
const LOREM = 'the quick brown fox jumps over the lazy dog while the model thinks about tools and answers in markdown '.repeat(4);

const CONVERSATION_COLUMNS = ['id', 'user_id', 'project_id', 'title', 'model', 'system_prompt', 'temperature', 'max_tokens', 'thinking_enabled', 'created_at', 'updated_at'];
const MESSAGE_COLUMNS = ['id', 'conversation_id', 'parent_id', 'role', 'content', 'token_count', 'status', 'created_at'];

interface Dataset {
  users: string[];
  heavyUser: string;
  projects: Array<{ id: string; user_id: string; name: string }>;
  /** The heavy user's conversation ids, oldest first. */
  heavyConversations: string[];
  /** Conversation id → message count, for the conversations the measurements use. */
  longConversations: string[];
  /** Ordinary conversations of the heavy user (about ten messages), for sending. */
  ordinaryConversations: string[];
  /** The heavy user's conversations in the first project, oldest first. */
  projectConversations: string[];
}

/** Conversations, in creation order: timestamps 5 minutes apart, in bursts of five sharing one timestamp. */
function* conversationRows(data: Dataset, rand: () => number): Generator<Row> {
  let otherIndex = 0;
  for (let i = 0; i < CONVERSATIONS; i++) {
    const heavy = i % Math.round(1 / HEAVY_SHARE) === 0;
    const id = uuidv7();
    const userId = heavy ? data.heavyUser : data.users[1 + (otherIndex++ % (USERS - 1))]!;
    const project = heavy && rand() < 0.3 ? data.projects[Math.floor(rand() * data.projects.length)]!.id : null;
    const created = Math.floor(i / 5) * 5 * 60_000;
    if (heavy) data.heavyConversations.push(id);
    if (project === data.projects[0]!.id) data.projectConversations.push(id);
    yield [id, userId, project, `Conversation ${i}`, 'gpt-bench', null, 0.7, 4096, false, iso(created), iso(created + 60_000)];
  }
}

function userContent(n: number): string {
  return JSON.stringify({ text: `Question ${n}: ${LOREM.slice(0, 80 + (n % 60))}` });
}
function assistantContent(n: number): string {
  const text = `Answer ${n}: ${LOREM.slice(0, 200 + (n % 150))}`;
  return JSON.stringify({ text, tool_calls: [], steps: [{ id: 'step-0', index: 0, type: 'text', content: text }] });
}

/** Messages conversation by conversation: LONG_CONVERSATIONS of 1,000, the rest share what remains. */
function* messageRows(conversations: Array<{ id: string; created: number }>, longIds: Set<string>): Generator<Row> {
  const ordinary = conversations.length - longIds.size;
  const remaining = MESSAGES - longIds.size * LONG_LENGTH;
  const per = Math.floor(remaining / ordinary);
  let extra = remaining - per * ordinary;
  for (const conversation of conversations) {
    const count = longIds.has(conversation.id) ? LONG_LENGTH : per + (extra-- > 0 ? 1 : 0);
    let parent: string | null = null;
    for (let n = 0; n < count; n++) {
      const id = uuidv7();
      const user = n % 2 === 0;
      // Ten seconds apart, pairs (question, answer) in the same second: ties are the normal case.
      const at = iso(conversation.created + Math.floor(n / 2) * 10_000);
      yield [id, conversation.id, parent, user ? 'user' : 'assistant', user ? userContent(n) : assistantContent(n), user ? 0 : 120, 'complete', at];
      parent = id;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding and measuring

async function seed(target: Target): Promise<{ data: Dataset; seconds: number }> {
  const started = performance.now();
  const rand = prng(42);
  const users = Array.from({ length: USERS }, () => uuidv7());
  const data: Dataset = {
    users,
    heavyUser: users[0]!,
    projects: Array.from({ length: 10 }, (_, i) => ({ id: uuidv7(), user_id: users[0]!, name: `project-${i}` })),
    heavyConversations: [],
    longConversations: [],
    ordinaryConversations: [],
    projectConversations: [],
  };
  await target.bulk(
    'users',
    ['id', 'username', 'role', 'is_active', 'created_at'],
    users.map((id, i) => [id, i === 0 ? 'default' : `user-${i}`, i === 0 ? 'admin' : 'user', true, iso(0)]),
  );
  await target.bulk(
    'projects',
    ['id', 'user_id', 'name', 'path', 'created_at', 'updated_at'],
    data.projects.map((p) => [p.id, p.user_id, p.name, p.name, iso(0), iso(0)]),
  );
  const conversations: Array<{ id: string; created: number }> = [];
  await target.bulk(
    'conversations',
    CONVERSATION_COLUMNS,
    (function* () {
      for (const row of conversationRows(data, rand)) {
        conversations.push({ id: row[0] as string, created: Date.parse(row[9] as string) - BASE });
        yield row;
      }
    })(),
  );
  // Long conversations: spread over the heavy user's history, so some are deep in the list.
  const step = Math.floor(data.heavyConversations.length / LONG_CONVERSATIONS);
  data.longConversations = Array.from({ length: LONG_CONVERSATIONS }, (_, i) => data.heavyConversations[i * step]!);
  const longIds = new Set(data.longConversations);
  data.ordinaryConversations = data.heavyConversations.filter((id) => !longIds.has(id));
  const messages = await target.bulk('messages', MESSAGE_COLUMNS, messageRows(conversations, longIds));
  if (messages !== MESSAGES) throw new Error(`seeded ${messages} messages, meant ${MESSAGES}`);
  await target.analyze();
  return { data, seconds: (performance.now() - started) / 1000 };
}

/** What POST /conversations/:id/messages and the run service write for one exchange (the model's part left out). */
async function sendMessage(repos: Repositories, userId: string, conversationId: string, n: number): Promise<void> {
  const conversation = await repos.conversations.getForUser(userId, conversationId);
  if (!conversation) throw new Error('conversation vanished');
  // The history a run replays: as far back as the default model's prompt budget (32,768 − 4,096 tokens) reaches.
  const history = await loadRecentHistory(repos.messages, conversation.id, { budgetTokens: 28_672 });
  const question = repos.messages.draft({
    conversationId: conversation.id,
    role: 'user',
    content: { text: `Benchmark question ${n}` },
    status: 'complete',
    parentId: history.at(-1)?.id ?? null,
  });
  const answer = repos.messages.draft({
    conversationId: conversation.id,
    role: 'assistant',
    content: { text: '', tool_calls: [], steps: [] },
    status: 'streaming',
    parentId: question.id,
  });
  await repos.messages.insert([question]);
  await repos.messages.insert([answer]);
  const text = `Benchmark answer ${n}: ${LOREM.slice(0, 240)}`;
  await repos.messages.update(answer.id, {
    content: { text, tool_calls: [], steps: [{ id: 'step-0', index: 0, type: 'text', content: text }] },
    status: 'complete',
    tokenCount: 60,
  });
  await repos.usage.record({ userId, model: conversation.model, promptTokens: 400 + history.length, completionTokens: 60, at: new Date() });
  await repos.conversations.touch(conversation.id);
}

async function benchEngine(engine: DialectName): Promise<{ figures: Figures; seedSeconds: number; sizeMb: number }> {
  const target = await openTarget(engine);
  let database: Database | null = null;
  try {
    database = await createDatabase({ url: target.url, dataDir: target.dataDir });
    await migrateToLatest(database.db);
    process.stdout.write(`${engine}: seeding ${CONVERSATIONS.toLocaleString('en')} conversations, ${MESSAGES.toLocaleString('en')} messages … `);
    const { data, seconds } = await seed(target);
    const sizeMb = await target.sizeMb();
    console.log(`${seconds.toFixed(1)} s, ${sizeMb.toFixed(0)} MB`);
    if (engine === 'sqlite') {
      // The seeding connection ran ANALYZE; reopen so the measured connection plans with those statistics.
      await database.close();
      database = await createDatabase({ url: target.url, dataDir: target.dataDir });
    }
    const repos = createRepositories(database.db);
    const rand = prng(7);
    const pick = <T>(list: T[], from = 0, to = list.length) => list[from + Math.floor(rand() * (to - from))]!;
    const heavy = data.heavyConversations;
    // Cursor positions 60–90 % down the heavy user's list (newest first): the oldest tenth to third of it.
    const deepCursor = () => pick(heavy, Math.floor(heavy.length * 0.1), Math.floor(heavy.length * 0.4));
    const figures: Figures = {};

    figures['list conversations: first page'] = await measure(SAMPLES, () => repos.conversations.listForUser(data.heavyUser, { limit: PAGE }));
    figures['list conversations: deep cursor page'] = await measure(SAMPLES, async () => {
      const page = await repos.conversations.listForUser(data.heavyUser, { limit: PAGE, cursor: deepCursor() });
      if (page.items.length !== PAGE) throw new Error('short deep page');
    });
    const inProject = data.projectConversations;
    figures['list conversations: project, deep page'] = await measure(SAMPLES, async () => {
      const cursor = pick(inProject, Math.max(PAGE, Math.floor(inProject.length * 0.1)), Math.floor(inProject.length * 0.4));
      const page = await repos.conversations.listForUser(data.heavyUser, { limit: PAGE, projectId: data.projects[0]!.id, cursor });
      if (page.items.length !== PAGE) throw new Error('short project page');
    });
    // The last page of a 1,000-message conversation: the page after its 950th message.
    const lastPageCursors = new Map<string, string>();
    for (const id of data.longConversations) {
      const all = await repos.messages.listAll(id);
      lastPageCursors.set(id, all[LONG_LENGTH - MESSAGE_PAGE - 1]!.id);
    }
    figures['open conversation: last page (1,000 msgs)'] = await measure(SAMPLES, async () => {
      const id = pick(data.longConversations);
      const page = await repos.messages.listForConversation(id, { limit: MESSAGE_PAGE, cursor: lastPageCursors.get(id)! });
      if (page.items.length !== MESSAGE_PAGE || page.has_more) throw new Error('wrong last page');
    });
    // What GET /messages does since conversations are trees: the active path (a recursive walk up from
    // the active leaf) and each listed message's sibling_ids.
    const activePathPage = async (id: string, options: Parameters<Repositories['messages']['listActivePath']>[1]) => {
      const page = await repos.messages.listActivePath(id, options);
      await repos.messages.siblingIdsOf(id, page.items);
      return page;
    };
    figures['active path: open at the end (1,000 msgs)'] = await measure(SAMPLES, async () => {
      const page = await activePathPage(pick(data.longConversations), { limit: MESSAGE_PAGE, direction: 'backward' });
      if (page.items.length !== MESSAGE_PAGE || !page.has_more) throw new Error('wrong newest page');
    });
    figures['active path: last page by cursor (1,000 msgs)'] = await measure(SAMPLES, async () => {
      const id = pick(data.longConversations);
      const page = await activePathPage(id, { limit: MESSAGE_PAGE, cursor: lastPageCursors.get(id)! });
      if (page.items.length !== MESSAGE_PAGE || page.has_more) throw new Error('wrong last page');
    });
    figures['active path: first page (1,000 msgs, whole walk)'] = await measure(SAMPLES, async () => {
      const page = await activePathPage(pick(data.longConversations), { limit: MESSAGE_PAGE });
      if (page.items.length !== MESSAGE_PAGE || !page.has_more) throw new Error('wrong first page');
    });
    figures['active path: first page (~10 msgs)'] = await measure(SAMPLES, () => activePathPage(pick(data.ordinaryConversations), { limit: MESSAGE_PAGE }));
    // The history a run reads (the model's whole prompt budget back), along the active path, and by
    // creation order as before conversations were trees (the same messages in a single line).
    const byCreation = { listActivePath: repos.messages.listForConversation };
    for (const [name, source] of [['active path', repos.messages], ['creation order, before trees', byCreation]] as const) {
      figures[`read history: ${name} (1,000 msgs)`] = await measure(SAMPLES, () =>
        loadRecentHistory(source, pick(data.longConversations), { budgetTokens: 28_672 }),
      );
    }
    figures['open conversation: first page (~10 msgs)'] = await measure(SAMPLES, () =>
      repos.messages.listForConversation(pick(data.ordinaryConversations), { limit: MESSAGE_PAGE }),
    );
    figures['send message (~10 msgs history)'] = await measure(SEND_SAMPLES, (i) =>
      sendMessage(repos, data.heavyUser, pick(data.ordinaryConversations), i),
    );
    figures['send message (1,000 msgs history)'] = await measure(SEND_SAMPLES, (i) =>
      sendMessage(repos, data.heavyUser, pick(data.longConversations), i),
    );
    return { figures, seedSeconds: seconds, sizeMb };
  } finally {
    await database?.close();
    await releaseTarget(target);
  }
}

async function main(): Promise<void> {
  const engines = benchEngines();
  const results: Record<string, Awaited<ReturnType<typeof benchEngine>>> = {};
  for (const engine of engines) results[engine] = await benchEngine(engine);

  printFigures(
    engines,
    Object.fromEntries(engines.map((e) => [e, results[e]!.figures])),
    [
      ['seed time (s)', Object.fromEntries(engines.map((e) => [e, results[e]!.seedSeconds.toFixed(0)]))],
      ['database size (MB)', Object.fromEntries(engines.map((e) => [e, results[e]!.sizeMb.toFixed(0)]))],
    ],
    `${CONVERSATIONS.toLocaleString('en')} conversations, ${MESSAGES.toLocaleString('en')} messages; ${SAMPLES} samples per read, ${SEND_SAMPLES} per send`,
  );
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, `bench/results/storage${quick ? '-quick' : ''}-latest.json`),
    JSON.stringify({ date: new Date().toISOString(), conversations: CONVERSATIONS, messages: MESSAGES, results }, null, 2),
  );
}

await main();
// BENCH_KEEP leaves the seeding connections open with the databases.
if (process.env.BENCH_KEEP === '1') process.exit(0);
