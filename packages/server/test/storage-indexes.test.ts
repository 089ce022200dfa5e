import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql, type KyselyPlugin, type Kysely, type PluginTransformQueryArgs, type RootOperationNode, type QueryId } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { createDatabase, migrateToLatest, type Database, type DB } from '../src/db/index.js';
import { createConversationRepo } from '../src/db/conversationRepo.js';
import { createMessageRepo } from '../src/db/messageRepo.js';
import { createScratchDatabase, testServerEngine, type ScratchDatabase } from './engines.js';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The list queries the API runs are served by indexes on every engine: the plan of the exact SQL the
 * repositories send (captured, then EXPLAINed on the engine of this test project) reads the
 * (user_id, updated_at, id) / (conversation_id, created_at, id) index in order, with no sort step.
 */
const engine = testServerEngine();

const USERS = 40;
const HEAVY_USER_CONVERSATIONS = 2_000;
const OTHER_CONVERSATIONS = 2_000;
const LONG_CONVERSATION_MESSAGES = 2_000;
const MESSAGES_PER_CONVERSATION = 4;

/** Records every query a Kysely instance runs, so the test can EXPLAIN exactly what the repository sent. */
class QueryRecorder implements KyselyPlugin {
  readonly queries: Array<{ node: RootOperationNode; queryId: QueryId }> = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.queries.push({ node: args.node, queryId: args.queryId });
    return args.node;
  }
  async transformResult(args: { result: any }) {
    return args.result;
  }
}

let scratch: ScratchDatabase;
let database: Database;
let dataDir: string;
const heavyUser = uuidv7();
let heavyConversations: string[] = [];
let projectId: string;
let longConversation: string;
let longMessages: string[] = [];

async function insertInBatches<T extends keyof DB>(db: Kysely<DB>, table: T, rows: any[], batch = 400): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += batch) await trx.insertInto(table).values(rows.slice(i, i + batch)).execute();
  });
}

const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms).toISOString();

async function seed(db: Kysely<DB>): Promise<void> {
  const users = [heavyUser, ...Array.from({ length: USERS - 1 }, () => uuidv7())];
  await insertInBatches(
    db,
    'users',
    users.map((id, i) => ({ id, username: `user-${i}`, role: 'user', is_active: true, created_at: at(0) })),
  );
  projectId = uuidv7();
  await insertInBatches(db, 'projects', [{ id: projectId, user_id: heavyUser, name: 'p', path: 'p', created_at: at(0), updated_at: at(0) }]);
  const conversations: any[] = [];
  for (let i = 0; i < HEAVY_USER_CONVERSATIONS + OTHER_CONVERSATIONS; i++) {
    const heavy = i < HEAVY_USER_CONVERSATIONS;
    // Groups of ten share a timestamp, as conversations created in one burst do.
    const stamp = at(Math.floor(i / 10) * 1000);
    conversations.push({
      id: uuidv7(),
      user_id: heavy ? heavyUser : users[1 + (i % (USERS - 1))],
      project_id: heavy && i % 4 === 0 ? projectId : null,
      title: `conversation ${i}`,
      model: 'm',
      system_prompt: null,
      temperature: 0.7,
      max_tokens: 4096,
      thinking_enabled: false,
      created_at: stamp,
      updated_at: stamp,
    });
  }
  heavyConversations = conversations.slice(0, HEAVY_USER_CONVERSATIONS).map((c) => c.id);
  await insertInBatches(db, 'conversations', conversations);

  longConversation = heavyConversations[0]!;
  const messages: any[] = [];
  const message = (conversationId: string, n: number) => ({
    id: uuidv7(),
    conversation_id: conversationId,
    parent_id: null,
    role: n % 2 === 0 ? 'user' : 'assistant',
    content: JSON.stringify({ text: `message ${n}` }),
    token_count: 3,
    status: 'complete',
    created_at: at(Math.floor(n / 4) * 1000),
  });
  for (let n = 0; n < LONG_CONVERSATION_MESSAGES; n++) messages.push(message(longConversation, n));
  longMessages = messages.map((m) => m.id);
  for (const conversation of conversations.slice(1)) {
    for (let n = 0; n < MESSAGES_PER_CONVERSATION; n++) messages.push(message(conversation.id, n));
  }
  await insertInBatches(db, 'messages', messages);

  // Fresh statistics, as a database in use has; the plans below are what the planner then picks.
  if (engine === 'postgres') await sql`analyze`.execute(db);
  else if (engine === 'mysql') await sql`analyze table users, projects, conversations, messages`.execute(db);
  else await sql`analyze`.execute(db);
}

beforeAll(async () => {
  scratch = await createScratchDatabase(engine);
  dataDir = mkdtempSync(join(tmpdir(), 'nc-indexes-'));
  database = await createDatabase({ url: scratch.url, dataDir });
  await migrateToLatest(database.db);
  await seed(database.db);
}, 120_000);

afterAll(async () => {
  await database?.close();
  await scratch?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `work` against repositories that record their SQL; answers the plan of the last SELECT as text lines. */
async function planOfLastSelect(work: (db: Kysely<DB>) => Promise<unknown>): Promise<string[]> {
  const recorder = new QueryRecorder();
  const db = database.db.withPlugin(recorder);
  await work(db);
  const last = [...recorder.queries].reverse().find((q) => q.node.kind === 'SelectQueryNode');
  if (!last) throw new Error('the repository ran no SELECT');
  const compiled = database.db.getExecutor().compileQuery(last.node, last.queryId);
  return explain(compiled.sql, compiled.parameters);
}

async function explain(query: string, parameters: readonly unknown[]): Promise<string[]> {
  const db = database.db;
  switch (engine) {
    case 'postgres': {
      const result = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query}`, [...parameters]));
      return result.rows.map((r) => r['QUERY PLAN']);
    }
    case 'mysql': {
      const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`explain ${query}`, [...parameters]));
      return result.rows.map((r) => `table=${r.table} type=${r.type} key=${r.key} extra=${r.Extra ?? ''}`);
    }
    case 'sqlite': {
      const result = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query}`, [...parameters]));
      return result.rows.map((r) => r.detail);
    }
  }
}

/**
 * The plan reads `table` through `index` (a regular expression) and never sorts: the index order is the
 * answer order. With `seek`, the read starts at the cursor (MySQL `range`, not `ref` from the top).
 */
function expectIndexOrderedPlan(plan: string[], table: string, index: string, seek = false): void {
  const text = plan.join('\n');
  switch (engine) {
    case 'postgres':
      expect(text, text).toMatch(new RegExp(`Index (Only )?Scan( Backward)? using ${index} on ${table}\\b`));
      expect(text, text).not.toMatch(/\bSort\b/);
      break;
    case 'mysql': {
      const row = plan.find((line) => line.startsWith(`table=${table.split(' ').at(-1)} `));
      expect(row, text).toBeDefined();
      expect(row, text).toMatch(new RegExp(`key=${index} `));
      expect(row, text).not.toMatch(/filesort|temporary/i);
      if (seek) expect(row, text).toContain('type=range ');
      break;
    }
    case 'sqlite':
      expect(text, text).toMatch(new RegExp(`SEARCH ${table.split(' ').at(-1)} USING (COVERING )?INDEX ${index}\\b`));
      expect(text, text).not.toMatch(/TEMP B-TREE/);
      break;
  }
}

describe(`indexes behind the list queries (${engine})`, () => {
  it('lists a user’s conversations (first page) from (user_id, updated_at, id)', async () => {
    const plan = await planOfLastSelect((db) => createConversationRepo(db).listForUser(heavyUser, { limit: 20 }));
    expectIndexOrderedPlan(plan, 'conversations c', 'conversations_user_updated_idx');
  });

  it('lists cursor pages of conversations from the same index, seeking to the cursor at any depth', async () => {
    // 400 and 1,000 down the user's 2,000. Near the top MariaDB would rather read from the newest
    // row and skip to the cursor (`ref`) unless told the index: the repository names it.
    for (const position of [1600, 1000]) {
      const cursor = heavyConversations[position]!;
      let page: Awaited<ReturnType<ReturnType<typeof createConversationRepo>['listForUser']>> | undefined;
      const plan = await planOfLastSelect(async (db) => {
        page = await createConversationRepo(db).listForUser(heavyUser, { limit: 20, cursor });
      });
      expectIndexOrderedPlan(plan, 'conversations c', 'conversations_user_updated_idx', true);
      expect(page!.items.map((c) => c.id)).toEqual(heavyConversations.slice(position - 20, position).reverse());
    }
  });

  it('lists a project’s conversations through a (user_id, …, updated_at, id) index, in order', async () => {
    // Which of the two the planner takes depends on how much of the user's list the project holds.
    const userIndexes = 'conversations_user_(project_)?updated_idx';
    const first = await planOfLastSelect((db) => createConversationRepo(db).listForUser(heavyUser, { limit: 20, projectId }));
    expectIndexOrderedPlan(first, 'conversations c', userIndexes);
    const deep = await planOfLastSelect((db) =>
      createConversationRepo(db).listForUser(heavyUser, { limit: 20, cursor: heavyConversations[1000], projectId }),
    );
    if (engine === 'postgres') {
      // On this small sample PostgreSQL underestimates how many of the user's conversations are in the
      // project (it cannot know project implies user) and may fetch them by project_id and sort them:
      // still an index read bounded by the project, never a scan of the table.
      expect(deep.join('\n')).toMatch(/Index (Only )?Scan( Backward)? using conversations_(user_project_updated|project)_idx on conversations c\b/);
      expect(deep.join('\n')).not.toMatch(/Seq Scan on conversations/);
    } else expectIndexOrderedPlan(deep, 'conversations c', userIndexes, true);
  });

  it('lists the conversations without a project through an index, in order', async () => {
    for (const cursor of [undefined, heavyConversations[1000]]) {
      const plan = await planOfLastSelect((db) => createConversationRepo(db).listForUser(heavyUser, { limit: 20, cursor, projectId: null }));
      expectIndexOrderedPlan(plan, 'conversations c', 'conversations_user_(project_)?updated_idx');
    }
  });

  it('counts the messages of a page of conversations through (conversation_id, …), never reading the table', async () => {
    const page = heavyConversations.slice(100, 120);
    let counts = new Map<string, number>();
    const plan = await planOfLastSelect(async (db) => {
      counts = await createConversationRepo(db).countMessagesOf(page);
    });
    expect([...counts.values()]).toEqual(page.map(() => MESSAGES_PER_CONVERSATION));
    const text = plan.join('\n');
    switch (engine) {
      case 'postgres':
        // Either index leading with conversation_id serves (since 0002_conversation_tree, also (conversation_id, parent_id)).
        expect(text, text).toMatch(/Index (Only )?Scan using messages_conversation_(created|parent)_idx on messages\b/);
        expect(text, text).not.toMatch(/Seq Scan/);
        break;
      case 'mysql':
        expect(text, text).toMatch(/table=messages type=(range|ref) key=messages_conversation_(created|parent)_idx /);
        break;
      case 'sqlite':
        expect(text, text).toMatch(/SEARCH messages USING COVERING INDEX messages_conversation_(created|parent)_idx \(conversation_id=\?\)/);
        break;
    }
  });

  it('opens a conversation’s messages, first page and a deep page, from (conversation_id, created_at, id)', async () => {
    const first = await planOfLastSelect((db) => createMessageRepo(db).listForConversation(longConversation, { limit: 50 }));
    expectIndexOrderedPlan(first, 'messages', 'messages_conversation_created_idx');
    let items: string[] = [];
    const deep = await planOfLastSelect(async (db) => {
      items = (await createMessageRepo(db).listForConversation(longConversation, { limit: 50, cursor: longMessages[1900] })).items.map((m) => m.id);
    });
    expectIndexOrderedPlan(deep, 'messages', 'messages_conversation_created_idx');
    expect(items).toEqual(longMessages.slice(1901, 1951));
  });
});
