import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversationRepo } from '../db/conversationRepo.js';
import { createMessageRepo, type MessageRepo, type MessageRow } from '../db/messageRepo.js';
import { createManualClock, openTestDatabase, type TestDatabase } from '../db/testEngines.js';
import { createUserRepo } from '../db/userRepo.js';
import { historyToChat } from './historyToChat.js';
import { loadRecentHistory } from './recentHistory.js';
import { estimateTokens, trimToBudget } from './trimToBudget.js';

describe('loadRecentHistory', () => {
  let database: TestDatabase;
  let messages: MessageRepo;
  let conversationId: string;
  let all: MessageRow[];
  const clock = createManualClock('2026-01-01T00:00:00.000Z');

  beforeAll(async () => {
    database = await openTestDatabase('sqlite');
    const users = createUserRepo(database.db, clock.now);
    const conversations = createConversationRepo(database.db, clock.now);
    messages = createMessageRepo(database.db, clock.now);
    const owner = await users.create({ username: 'history-owner' });
    conversationId = (await conversations.create(owner.id, { model: 'm' })).id;
    // 300 exchanges: a question, then an answer with a tool round, of different lengths; each
    // message follows the one before. A side branch hangs off every tenth answer.
    let parentId: string | null = null;
    for (let i = 0; i < 300; i++) {
      clock.advance(1000);
      parentId = (await messages.create({ conversationId, role: 'user', content: { text: `question ${i} ${'q'.repeat(i % 7 * 40)}` }, status: 'complete', parentId })).id;
      clock.advance(1000);
      const sideBranch = i % 10 === 0 && i > 0 ? parentId : null;
      parentId = (await messages.create({
        conversationId,
        parentId,
        role: 'assistant',
        status: 'complete',
        content: {
          text: `answer ${i} ${'a'.repeat(i % 5 * 90)}`,
          tool_calls: [],
          steps: [
            { id: `c${i}`, index: 0, type: 'tool_call', content: '', id_ref: null, name: 'calculator', arguments: '{"expression":"1+1"}' },
            { id: `r${i}`, index: 1, type: 'tool_result', content: '2', id_ref: `c${i}`, name: 'calculator', success: true },
            { id: `t${i}`, index: 2, type: 'text', content: `answer ${i} ${'a'.repeat(i % 5 * 90)}` },
          ],
        },
      } as never)).id;
      if (sideBranch) {
        await messages.create({ conversationId, role: 'assistant', status: 'complete', parentId: sideBranch, content: { text: 'an older version', tool_calls: [], steps: [] } });
      }
    }
    await conversations.setActiveLeaf(conversationId, parentId);
    all = (await messages.listAll(conversationId)).filter((m) => m.content.text !== 'an older version');
  });
  afterAll(() => database.dispose());

  const replayed = (rows: MessageRow[], budget: number) => trimToBudget(historyToChat(rows), budget);

  it('reads only the end of a long conversation, and the model gets exactly what the whole one would give', async () => {
    for (const budget of [50, 500, 2000, 7000]) {
      const recent = await loadRecentHistory(messages, conversationId, { budgetTokens: budget, pageSize: 40 });
      expect(recent.length).toBeLessThan(all.length);
      expect(recent).toEqual(all.slice(-recent.length));
      // Enough was read: what it replays exceeds the budget, so trimming decides, as with the whole conversation.
      expect(historyToChat(recent).reduce((sum, m) => sum + estimateTokens(m), 0)).toBeGreaterThan(budget);
      expect(replayed(recent, budget)).toEqual(replayed(all, budget));
    }
  });

  it('reads everything when the whole conversation fits', async () => {
    const recent = await loadRecentHistory(messages, conversationId, { budgetTokens: 10_000_000, pageSize: 100 });
    expect(recent).toEqual(all);
  });

  it('follows the path ending at a given message (regenerating an answer, editing a message)', async () => {
    const question = all[400]!;
    const recent = await loadRecentHistory(messages, conversationId, { budgetTokens: 1000, leaf: question.id, pageSize: 30 });
    expect(recent.at(-1)?.id).toBe(all[400]!.id);
    expect(recent).toEqual(all.slice(401 - recent.length, 401));
    expect(replayed(recent, 1000)).toEqual(replayed(all.slice(0, 401), 1000));
  });
});
