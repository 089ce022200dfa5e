import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from './index.js';
import { openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';

describe.each(testEngines())('finishAnswer on %s', (engine) => {
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

  it('stores the final answer, adds its tokens and marks the conversation active, together', async () => {
    const { userId, conversation, answer } = await streamingAnswer();
    clock = new Date('2025-05-01T11:30:00.000Z');
    await repos.finishAnswer({
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
      repos.finishAnswer({
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
    await repos.finishAnswer({ conversationId: conversation.id, messageId: answer.id, patch: { status: 'stopped' }, usage: null });
    expect(await repos.messages.get(answer.id)).toMatchObject({ content: { text: 'par' }, status: 'stopped' });
    expect((await repos.usage.stats(userId, 'daily', clock)).total).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});
