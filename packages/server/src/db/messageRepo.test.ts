import type { AssistantContent } from '@nanoclaw/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversationRepo, type ConversationRepo } from './conversationRepo.js';
import { UnknownCursorError } from './errors.js';
import { createMessageRepo, type MessageRepo, type MessageRow, type NewMessage } from './messageRepo.js';
import { createManualClock, openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';
import { createUserRepo, type UserRepo } from './userRepo.js';

describe.each(testEngines())('messageRepo on %s', (engine) => {
  let database: TestDatabase;
  let users: UserRepo;
  let conversations: ConversationRepo;
  let messages: MessageRepo;
  const clock = createManualClock('2025-03-10T12:00:00.000Z');
  let counter = 0;
  const unknownId = '00000000-0000-7000-8000-000000000000';

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    users = createUserRepo(database.db, clock.now);
    conversations = createConversationRepo(database.db, clock.now);
    messages = createMessageRepo(database.db, clock.now);
  });
  afterAll(() => database.dispose());

  async function newConversationId(): Promise<string> {
    const owner = await users.create({ username: `message-owner-${++counter}` });
    return (await conversations.create(owner.id, { model: 'm' })).id;
  }

  function userMessage(conversationId: string, text: string, extra: Partial<NewMessage> = {}): Promise<MessageRow> {
    return messages.create({ conversationId, role: 'user', content: { text }, status: 'complete', ...extra });
  }

  async function addMessages(conversationId: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await userMessage(conversationId, `m${i}`)).id);
    return ids;
  }

  const answer: AssistantContent = {
    text: 'Done ✅',
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.py"}' }, result: 'x', success: true }],
    steps: [
      { id: 'step-0', index: 0, type: 'thinking', content: 'Let me look.' },
      { id: 'step-1', index: 1, type: 'tool_call', id_ref: 'call_1', name: 'read_file', arguments: '{"path":"a.py"}' },
      { id: 'step-2', index: 2, type: 'tool_result', id_ref: 'call_1', name: 'read_file', content: 'x', skipped: false },
      { id: 'step-3', index: 3, type: 'text', content: 'Done ✅' },
    ],
  };

  it('creates a message, storing content as JSON and reading it back parsed', async () => {
    const conversationId = await newConversationId();
    const question = await userMessage(conversationId, 'hi', { tokenCount: 3 });
    const created = await messages.create({ conversationId, role: 'assistant', content: answer, status: 'complete', tokenCount: 42, parentId: question.id });
    expect(created).toEqual({
      id: created.id,
      conversation_id: conversationId,
      parent_id: question.id,
      role: 'assistant',
      content: answer,
      token_count: 42,
      status: 'complete',
      created_at: '2025-03-10T12:00:00.000Z',
    });
    expect(await messages.get(created.id)).toEqual(created);
    const stored = await database.db.selectFrom('messages').select('content').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.content)).toEqual(answer);
  });

  it('defaults token_count to 0 and parent_id to null', async () => {
    const created = await userMessage(await newConversationId(), 'x');
    expect(created).toMatchObject({ token_count: 0, parent_id: null });
  });

  it('stores several megabytes of content (attachments)', async () => {
    const conversationId = await newConversationId();
    const big = 'x'.repeat(1_000_000);
    const created = await messages.create({
      conversationId,
      role: 'user',
      content: { text: 'files', attachments: [1, 2, 3].map((n) => ({ name: `f${n}.txt`, extension: 'txt', content: big })) },
      status: 'complete',
    });
    const read = await messages.get(created.id);
    expect(read?.content).toEqual(created.content);
  });

  it('reads legacy plain-text content as text', async () => {
    const created = await userMessage(await newConversationId(), 'x');
    await database.db.updateTable('messages').set({ content: 'not json' }).where('id', '=', created.id).execute();
    expect((await messages.get(created.id))?.content).toEqual({ text: 'not json' });
  });

  it('finds a message only in its own conversation', async () => {
    const conversationId = await newConversationId();
    const created = await userMessage(conversationId, 'x');
    expect(await messages.getInConversation(conversationId, created.id)).toEqual(created);
    expect(await messages.getInConversation(await newConversationId(), created.id)).toBeNull();
    expect(await messages.get(unknownId)).toBeNull();
  });

  it('drafts rows with ids and timestamps first and stores several in one insert', async () => {
    const conversationId = await newConversationId();
    const question = messages.draft({ conversationId, role: 'user', content: { text: 'q' }, status: 'complete' });
    const reply = messages.draft({ conversationId, role: 'assistant', content: answer, status: 'streaming', parentId: question.id });
    expect(await messages.listAll(conversationId)).toEqual([]);
    await messages.insert([question, reply]);
    expect(await messages.listAll(conversationId)).toEqual([question, reply]);
  });

  it('saves the contents of several streaming answers in one call', async () => {
    const conversationId = await newConversationId();
    const a = await messages.create({ conversationId, role: 'assistant', content: { text: '', tool_calls: [], steps: [] }, status: 'streaming' });
    const b = await messages.create({ conversationId, role: 'assistant', content: { text: '', tool_calls: [], steps: [] }, status: 'streaming' });
    await messages.saveContents([
      { id: a.id, content: answer },
      { id: b.id, content: { ...answer, text: 'other' } },
    ]);
    expect((await messages.get(a.id))?.content).toEqual(answer);
    expect((await messages.get(b.id))?.content).toMatchObject({ text: 'other' });
    expect((await messages.get(a.id))?.status).toBe('streaming');
  });

  it('keeps insertion order for messages created in the same millisecond', async () => {
    const conversationId = await newConversationId();
    const ids = await addMessages(conversationId, 30);
    expect((await messages.listAll(conversationId)).map((m) => m.id)).toEqual(ids);
  });

  it('lists oldest first by created_at even when ids would say otherwise', async () => {
    const conversationId = await newConversationId();
    clock.set('2025-03-10T12:00:05.000Z');
    const later = await userMessage(conversationId, 'later');
    clock.set('2025-03-10T12:00:01.000Z');
    const earlier = await userMessage(conversationId, 'earlier');
    clock.set('2025-03-10T12:00:00.000Z');
    expect((await messages.listAll(conversationId)).map((m) => m.id)).toEqual([earlier.id, later.id]);
  });

  it('pages through 50 messages sharing one timestamp, oldest first, without gaps or repeats', async () => {
    const conversationId = await newConversationId();
    const ids = await addMessages(conversationId, 50);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await messages.listForConversation(conversationId, { limit: 8, cursor });
      pages++;
      seen.push(...page.items.map((m) => m.id));
      if (!page.has_more) {
        expect(page.next_cursor).toBeNull();
        break;
      }
      cursor = page.next_cursor ?? undefined;
    }
    expect(pages).toBe(7);
    expect(seen).toEqual(ids);
  });

  it('pages backward from the newest message, each page oldest first, without gaps or repeats', async () => {
    const conversationId = await newConversationId();
    const ids = await addMessages(conversationId, 50);
    const pages: string[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await messages.listForConversation(conversationId, { limit: 8, cursor, direction: 'backward' });
      pages.push(page.items.map((m) => m.id));
      if (!page.has_more) {
        expect(page.next_cursor).toBeNull();
        break;
      }
      expect(page.next_cursor).toBe(page.items[0]!.id);
      cursor = page.next_cursor ?? undefined;
    }
    expect(pages[0]).toEqual(ids.slice(-8));
    expect(pages).toHaveLength(7);
    expect(pages.reverse().flat()).toEqual(ids);
    await expect(messages.listForConversation(conversationId, { cursor: unknownId, direction: 'backward' })).rejects.toBeInstanceOf(UnknownCursorError);
  });

  it('uses a page size of 50 by default', async () => {
    const conversationId = await newConversationId();
    await addMessages(conversationId, 51);
    const page = await messages.listForConversation(conversationId);
    expect(page.items).toHaveLength(50);
    expect(page.has_more).toBe(true);
  });

  it('rejects a cursor from another conversation or one that does not exist', async () => {
    const conversationId = await newConversationId();
    const elsewhere = await userMessage(await newConversationId(), 'x');
    await expect(messages.listForConversation(conversationId, { cursor: elsewhere.id })).rejects.toBeInstanceOf(UnknownCursorError);
    await expect(messages.listForConversation(conversationId, { cursor: unknownId })).rejects.toBeInstanceOf(UnknownCursorError);
  });

  it('updates content, status and token count (the streaming checkpoint)', async () => {
    const conversationId = await newConversationId();
    const created = await messages.create({ conversationId, role: 'assistant', content: { text: '', tool_calls: [], steps: [] }, status: 'streaming' });
    await messages.update(created.id, { content: { ...answer, text: 'partial' } });
    expect(await messages.get(created.id)).toMatchObject({ status: 'streaming', content: { text: 'partial' } });
    await messages.update(created.id, { content: answer, status: 'complete', tokenCount: 99 });
    expect(await messages.get(created.id)).toEqual({ ...created, content: answer, status: 'complete', token_count: 99 });
    await messages.update(created.id, {});
    await messages.update(unknownId, { status: 'error' });
    expect((await messages.get(created.id))?.status).toBe('complete');
  });

  it('deletes the given messages of the conversation only', async () => {
    const conversationId = await newConversationId();
    const [first, second, third] = await addMessages(conversationId, 3);
    expect(await messages.deleteMany(await newConversationId(), [first!])).toBe(0);
    expect(await messages.deleteMany(conversationId, [first!, third!])).toBe(2);
    expect(await messages.deleteMany(conversationId, [first!])).toBe(0);
    expect((await messages.listAll(conversationId)).map((m) => m.id)).toEqual([second]);
  });

  it('marks answers left streaming as interrupted and counts them', async () => {
    const conversationId = await newConversationId();
    const streaming = await messages.create({ conversationId, role: 'assistant', content: { text: '', tool_calls: [], steps: [] }, status: 'streaming' });
    const done = await userMessage(conversationId, 'done');
    expect(await messages.markUnfinished()).toBeGreaterThanOrEqual(1);
    expect((await messages.get(streaming.id))?.status).toBe('interrupted');
    expect((await messages.get(done.id))?.status).toBe('complete');
    expect(await messages.markUnfinished()).toBe(0);
  });

  it('marks with custom statuses', async () => {
    const conversationId = await newConversationId();
    await messages.create({ conversationId, role: 'assistant', content: { text: '', tool_calls: [], steps: [] }, status: 'stopped' });
    await messages.create({ conversationId, role: 'assistant', content: { text: '', tool_calls: [], steps: [] }, status: 'stopped' });
    expect(await messages.markUnfinished('stopped', 'error')).toBe(2);
  });

  it('disappears with its conversation (cascade)', async () => {
    const conversationId = await newConversationId();
    const created = await userMessage(conversationId, 'x');
    await database.db.deleteFrom('conversations').where('id', '=', conversationId).execute();
    expect(await messages.get(created.id)).toBeNull();
  });
});
