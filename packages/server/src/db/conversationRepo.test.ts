import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONVERSATION_DEFAULTS, createConversationRepo, type ConversationRepo, type ConversationRow } from './conversationRepo.js';
import { NotFoundError, UnknownCursorError } from './errors.js';
import { createMessageRepo, type MessageRepo } from './messageRepo.js';
import { createProjectRepo, type ProjectRepo } from './projectRepo.js';
import { createManualClock, openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';
import { createUserRepo, type UserRepo } from './userRepo.js';

describe.each(testEngines())('conversationRepo on %s', (engine) => {
  let database: TestDatabase;
  let users: UserRepo;
  let projects: ProjectRepo;
  let conversations: ConversationRepo;
  let messages: MessageRepo;
  const clock = createManualClock();
  let counter = 0;
  const newUserId = async () => (await users.create({ username: `conversation-owner-${++counter}` })).id;
  const unknownId = '00000000-0000-7000-8000-000000000000';

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    users = createUserRepo(database.db, clock.now);
    projects = createProjectRepo(database.db, clock.now);
    conversations = createConversationRepo(database.db, clock.now);
    messages = createMessageRepo(database.db, clock.now);
  });
  afterAll(() => database.dispose());

  /** Every page of the user's list, following next_cursor. */
  async function listAllPages(userId: string, limit: number, projectId?: string | null): Promise<ConversationRow[][]> {
    const pages: ConversationRow[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await conversations.listForUser(userId, { limit, cursor, projectId });
      pages.push(page.items);
      expect(page.has_more).toBe(page.next_cursor !== null);
      if (!page.next_cursor) return pages;
      expect(page.next_cursor).toBe(page.items.at(-1)?.id);
      cursor = page.next_cursor;
    }
  }

  it('creates a conversation with defaults and reads it back with numbers and booleans', async () => {
    clock.set('2025-03-10T12:00:00.000Z');
    const owner = await newUserId();
    const created = await conversations.create(owner, { model: 'gpt-test' });
    const expected: ConversationRow = {
      id: created.id,
      user_id: owner,
      project_id: null,
      project_name: null,
      title: CONVERSATION_DEFAULTS.title,
      model: 'gpt-test',
      system_prompt: null,
      temperature: CONVERSATION_DEFAULTS.temperature,
      max_tokens: CONVERSATION_DEFAULTS.maxTokens,
      thinking_enabled: false,
      created_at: '2025-03-10T12:00:00.000Z',
      updated_at: '2025-03-10T12:00:00.000Z',
      pinned: false,
      pinned_at: null,
    };
    expect(created).toEqual(expected);
    expect(await conversations.getForUser(owner, created.id)).toEqual(expected);
  });

  it('stores every setting exactly (temperature 0.7 stays 0.7) and joins the project name', async () => {
    const owner = await newUserId();
    const project = await projects.create(owner, { name: 'proj', path: 'proj' });
    const created = await conversations.create(owner, {
      model: 'm',
      title: 'Hello 🌍',
      systemPrompt: 'You are terse.'.repeat(5_000),
      temperature: 0.7,
      maxTokens: 123_456,
      thinkingEnabled: true,
      projectId: project.id,
    });
    const read = await conversations.getForUser(owner, created.id);
    expect(read).toEqual(created);
    expect(read).toMatchObject({ temperature: 0.7, max_tokens: 123_456, thinking_enabled: true, project_name: 'proj' });
    expect(read?.system_prompt).toHaveLength(70_000);
  });

  it('refuses a project of another user', async () => {
    const owner = await newUserId();
    const foreign = await projects.create(await newUserId(), { name: 'theirs', path: 'theirs' });
    await expect(conversations.create(owner, { model: 'm', projectId: foreign.id })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('hides a conversation from other users', async () => {
    const owner = await newUserId();
    const created = await conversations.create(owner, { model: 'm' });
    expect(await conversations.getForUser(await newUserId(), created.id)).toBeNull();
    expect(await conversations.getForUser(owner, unknownId)).toBeNull();
  });

  it('lists newest first by updated_at and only the user’s own conversations', async () => {
    const owner = await newUserId();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.set(new Date(Date.UTC(2025, 0, 1, 0, i)));
      ids.push((await conversations.create(owner, { model: 'm', title: `c${i}` })).id);
    }
    await conversations.create(await newUserId(), { model: 'm' });
    const page = await conversations.listForUser(owner, { limit: 20 });
    expect(page.items.map((c) => c.id)).toEqual([...ids].reverse());
    expect(page).toMatchObject({ has_more: false, next_cursor: null });
  });

  it('pages through 50 conversations sharing one timestamp without losing or repeating any', async () => {
    const owner = await newUserId();
    clock.set('2025-02-02T02:02:02.002Z');
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await conversations.create(owner, { model: 'm' })).id);
    const pages = await listAllPages(owner, 7);
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    const listed = pages.flat().map((c) => c.id);
    expect(listed).toEqual([...ids].sort().reverse());
    expect(new Set(listed).size).toBe(50);
  });

  it('answers has_more false when the last page is exactly full', async () => {
    const owner = await newUserId();
    for (let i = 0; i < 4; i++) await conversations.create(owner, { model: 'm' });
    const first = await conversations.listForUser(owner, { limit: 2 });
    const second = await conversations.listForUser(owner, { limit: 2, cursor: first.next_cursor ?? undefined });
    expect(second).toMatchObject({ has_more: false, next_cursor: null });
    expect(second.items).toHaveLength(2);
  });

  it('filters by project, and by "no project" with null', async () => {
    const owner = await newUserId();
    const project = await projects.create(owner, { name: 'filter', path: 'filter' });
    const inProject = await conversations.create(owner, { model: 'm', projectId: project.id });
    const loose = await conversations.create(owner, { model: 'm' });
    expect((await listAllPages(owner, 1, project.id)).flat().map((c) => c.id)).toEqual([inProject.id]);
    expect((await listAllPages(owner, 1, null)).flat().map((c) => c.id)).toEqual([loose.id]);
  });

  it('rejects a cursor that does not exist or belongs to another user', async () => {
    const owner = await newUserId();
    const foreign = await conversations.create(await newUserId(), { model: 'm' });
    await expect(conversations.listForUser(owner, { cursor: unknownId })).rejects.toBeInstanceOf(UnknownCursorError);
    await expect(conversations.listForUser(owner, { cursor: foreign.id })).rejects.toThrow('Unknown cursor');
  });

  it('clamps the page size to 1..100', async () => {
    const owner = await newUserId();
    for (let i = 0; i < 3; i++) await conversations.create(owner, { model: 'm' });
    expect((await conversations.listForUser(owner, { limit: 0 })).items).toHaveLength(1);
    expect((await conversations.listForUser(owner, { limit: 1000 })).items).toHaveLength(3);
  });

  it('updates settings, bumps updated_at and answers the new row', async () => {
    clock.set('2025-03-10T12:00:00.000Z');
    const owner = await newUserId();
    const project = await projects.create(owner, { name: 'upd', path: 'upd' });
    const created = await conversations.create(owner, { model: 'm', systemPrompt: 'old' });
    clock.set('2025-03-10T13:00:00.000Z');
    const updated = await conversations.update(owner, created.id, {
      title: 'Renamed',
      systemPrompt: null,
      temperature: 1.25,
      maxTokens: 10,
      thinkingEnabled: true,
      projectId: project.id,
    });
    expect(updated).toEqual({
      ...created,
      title: 'Renamed',
      system_prompt: null,
      temperature: 1.25,
      max_tokens: 10,
      thinking_enabled: true,
      project_id: project.id,
      project_name: 'upd',
      updated_at: '2025-03-10T13:00:00.000Z',
    });
    expect(await conversations.update(owner, created.id, { projectId: null })).toMatchObject({ project_id: null, project_name: null });
  });

  it('does not update another user’s conversation or attach another user’s project', async () => {
    const owner = await newUserId();
    const stranger = await newUserId();
    const created = await conversations.create(owner, { model: 'm', title: 'mine' });
    expect(await conversations.update(stranger, created.id, { title: 'stolen' })).toBeNull();
    const foreign = await projects.create(stranger, { name: 'x', path: 'x' });
    await expect(conversations.update(owner, created.id, { projectId: foreign.id })).rejects.toBeInstanceOf(NotFoundError);
    expect((await conversations.getForUser(owner, created.id))?.title).toBe('mine');
  });

  it('touch moves a conversation to the top of the list', async () => {
    clock.set('2025-03-10T12:00:00.000Z');
    const owner = await newUserId();
    const older = await conversations.create(owner, { model: 'm' });
    clock.advance(1_000);
    await conversations.create(owner, { model: 'm' });
    clock.advance(1_000);
    await conversations.touch(older.id);
    const [top] = (await conversations.listForUser(owner)).items;
    expect(top).toMatchObject({ id: older.id, updated_at: '2025-03-10T12:00:02.000Z' });
  });

  it('counts messages', async () => {
    const owner = await newUserId();
    const created = await conversations.create(owner, { model: 'm' });
    expect(await conversations.countMessages(created.id)).toBe(0);
    for (let i = 0; i < 3; i++) await messages.create({ conversationId: created.id, role: 'user', content: { text: `${i}` }, status: 'complete' });
    expect(await conversations.countMessages(created.id)).toBe(3);
  });

  it('counts the messages of a whole page of conversations in one grouped query', async () => {
    const owner = await newUserId();
    const [a, b, c] = [await conversations.create(owner, { model: 'm' }), await conversations.create(owner, { model: 'm' }), await conversations.create(owner, { model: 'm' })];
    for (const [conversation, n] of [[a!, 2], [c!, 5]] as const) {
      for (let i = 0; i < n; i++) await messages.create({ conversationId: conversation.id, role: 'user', content: { text: `${i}` }, status: 'complete' });
    }
    let queries = 0;
    const counting = createConversationRepo(
      database.db.withPlugin({ transformQuery: (args) => (queries++, args.node), transformResult: async (args) => args.result }),
      clock.now,
    );
    const counts = await counting.countMessagesOf([a!.id, b!.id, c!.id]);
    expect(queries).toBe(1);
    expect(Object.fromEntries(counts)).toEqual({ [a!.id]: 2, [b!.id]: 0, [c!.id]: 5 });
    expect((await counting.countMessagesOf([])).size).toBe(0);
    expect(queries).toBe(1);
  });

  it('pins and unpins without counting it as activity, keeps the first pin time and lists pinned or unpinned only', async () => {
    clock.set('2025-04-01T08:00:00.000Z');
    const owner = await newUserId();
    const first = await conversations.create(owner, { model: 'm' });
    const second = await conversations.create(owner, { model: 'm' });
    clock.set('2025-04-02T08:00:00.000Z');
    const pinned = await conversations.update(owner, first.id, { pinned: true });
    expect(pinned).toMatchObject({ pinned: true, pinned_at: '2025-04-02T08:00:00.000Z', updated_at: '2025-04-01T08:00:00.000Z' });
    clock.set('2025-04-03T08:00:00.000Z');
    // A whole-object save repeats pinned: true; the pin keeps its time.
    expect(await conversations.update(owner, first.id, { pinned: true, title: 'Kept' })).toMatchObject({ pinned_at: '2025-04-02T08:00:00.000Z', updated_at: '2025-04-03T08:00:00.000Z' });
    expect((await conversations.listForUser(owner, { pinned: true })).items.map((c) => c.id)).toEqual([first.id]);
    expect((await conversations.listForUser(owner, { pinned: false })).items.map((c) => c.id)).toEqual([second.id]);
    expect(await conversations.update(owner, first.id, { pinned: false })).toMatchObject({ pinned: false, pinned_at: null });
    expect((await conversations.listForUser(owner, { pinned: true })).items).toEqual([]);
  });

  it('deletes a conversation with its messages, only for its owner', async () => {
    const owner = await newUserId();
    const created = await conversations.create(owner, { model: 'm' });
    const message = await messages.create({ conversationId: created.id, role: 'user', content: { text: 'hi' }, status: 'complete' });
    expect(await conversations.delete(await newUserId(), created.id)).toBe(false);
    expect(await conversations.delete(owner, created.id)).toBe(true);
    expect(await conversations.getForUser(owner, created.id)).toBeNull();
    expect(await messages.get(message.id)).toBeNull();
    expect(await conversations.delete(owner, created.id)).toBe(false);
  });

  it('disappears with its user, messages included (cascade)', async () => {
    const owner = await newUserId();
    const created = await conversations.create(owner, { model: 'm' });
    const message = await messages.create({ conversationId: created.id, role: 'user', content: { text: 'hi' }, status: 'complete' });
    await database.db.deleteFrom('users').where('id', '=', owner).execute();
    expect(await conversations.getForUser(owner, created.id)).toBeNull();
    expect(await messages.get(message.id)).toBeNull();
  });

  it.runIf(engine === 'sqlite')('deletes the messages even with foreign keys switched off', async () => {
    const owner = await newUserId();
    const created = await conversations.create(owner, { model: 'm' });
    const message = await messages.create({ conversationId: created.id, role: 'user', content: { text: 'hi' }, status: 'complete' });
    await sql`pragma foreign_keys = off`.execute(database.db);
    try {
      expect(await conversations.delete(owner, created.id)).toBe(true);
    } finally {
      await sql`pragma foreign_keys = on`.execute(database.db);
    }
    expect(await messages.get(message.id)).toBeNull();
  });
});
