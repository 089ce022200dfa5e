import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from './index.js';
import { openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';

describe.each(testEngines())('answer writes on %s', (engine) => {
  let database: TestDatabase;
  let repos: ReturnType<typeof createRepositories>;
  let counter = 0;
  let clock = new Date('2025-05-01T10:00:00.000Z');

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    repos = createRepositories(database.db, () => clock);
  });
  afterAll(() => database.dispose());

  async function streamingAnswer() {
    const user = await repos.users.create({ username: `finish-${++counter}` });
    const conversation = await repos.conversations.create(user.id, { model: 'm' });
    const answer = await repos.messages.create({ conversationId: conversation.id, role: 'assistant', content: { text: 'par' }, status: 'streaming' });
    return { userId: user.id, conversation, answer };
  }

  it('starts an answer: stores the question and the streaming answer and gives the conversation its first title', async () => {
    const user = await repos.users.create({ username: `start-${++counter}` });
    const conversation = await repos.conversations.create(user.id, { model: 'm' });
    const question = repos.messages.draft({ conversationId: conversation.id, role: 'user', content: { text: 'What is 2+2?' }, status: 'complete' });
    const answer = repos.messages.draft({ conversationId: conversation.id, role: 'assistant', content: { text: '' }, status: 'streaming', parentId: question.id });
    await repos.answers.start({ conversationId: conversation.id, rows: [question, answer], title: 'What is 2+2?' });
    expect((await repos.messages.listForConversation(conversation.id)).items.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'streaming'],
    ]);
    expect((await repos.conversations.getForUser(user.id, conversation.id))?.title).toBe('What is 2+2?');
  });

  it('changes nothing when starting fails: no title without the rows', async () => {
    const { userId, conversation, answer } = await streamingAnswer();
    const again = { ...answer }; // the same id: the insert fails
    await expect(repos.answers.start({ conversationId: conversation.id, rows: [again], title: 'Never set' })).rejects.toThrow();
    expect((await repos.conversations.getForUser(userId, conversation.id))?.title).not.toBe('Never set');
  });

  it('stores the final answer, adds its tokens and marks the conversation active, together', async () => {
    const { userId, conversation, answer } = await streamingAnswer();
    clock = new Date('2025-05-01T11:30:00.000Z');
    await repos.answers.finish({
      conversationId: conversation.id,
      messageId: answer.id,
      patch: { content: { text: 'partial and the rest' }, status: 'complete', tokenCount: 7 },
      usage: { userId, model: 'm', promptTokens: 12, completionTokens: 7, at: clock },
    });
    expect(await repos.messages.get(answer.id)).toMatchObject({ content: { text: 'partial and the rest' }, status: 'complete', token_count: 7 });
    expect((await repos.usage.stats(userId, 'daily', clock)).total).toEqual({ prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
    expect((await repos.conversations.getForUser(userId, conversation.id))?.updated_at).toBe('2025-05-01T11:30:00.000Z');
  });

  it('changes nothing when one part fails: the answer stays as it was', async () => {
    const { userId, conversation, answer } = await streamingAnswer();
    const before = await repos.conversations.getForUser(userId, conversation.id);
    clock = new Date('2025-05-01T12:00:00.000Z');
    await expect(
      repos.answers.finish({
        conversationId: conversation.id,
        messageId: answer.id,
        patch: { content: { text: 'never stored' }, status: 'complete' },
        usage: { userId, model: 'm', promptTokens: -1, completionTokens: 1, at: clock },
      }),
    ).rejects.toThrow('promptTokens must be a non-negative integer');
    expect(await repos.messages.get(answer.id)).toMatchObject({ content: { text: 'par' }, status: 'streaming' });
    expect((await repos.usage.stats(userId, 'daily', clock)).total).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect((await repos.conversations.getForUser(userId, conversation.id))?.updated_at).toBe(before?.updated_at);
  });

  it('stores an answer that used no tokens without touching the totals', async () => {
    const { userId, conversation, answer } = await streamingAnswer();
    await repos.answers.finish({ conversationId: conversation.id, messageId: answer.id, patch: { status: 'stopped' }, usage: null });
    expect(await repos.messages.get(answer.id)).toMatchObject({ content: { text: 'par' }, status: 'stopped' });
    expect((await repos.usage.stats(userId, 'daily', clock)).total).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});
