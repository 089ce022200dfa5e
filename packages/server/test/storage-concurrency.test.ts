import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../src/db/testEngines.js';
import { createConversation, readSse, sendMessage, startTestServer, type SseEvent, type TestServer } from './helpers.js';

/**
 * Token usage under load, through HTTP, on the engine of this test project (NANOCLAW_TEST_ENGINE):
 * 50 runs at once for one user and one model must add up exactly, on every engine.
 */
const RUNS = 50;
const clock = createManualClock('2025-06-01T10:30:00.000Z');

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ now: clock.now });
});
afterAll(async () => {
  await t?.close();
});

describe('token usage under 50 concurrent runs', () => {
  it('adds every run’s tokens exactly into the day and hour totals', async () => {
    const conversations = await Promise.all(Array.from({ length: RUNS }, () => createConversation(t, { model: 'text' })));
    // Questions of different lengths, so every run reports different prompt and completion counts.
    const streams = await Promise.all(
      conversations.map(async (conversation, i) => {
        const res = await sendMessage(t.url, conversation.id, { text: `question ${i} ${'word '.repeat(i)}` });
        expect(res.status).toBe(200);
        return readSse(res);
      }),
    );

    const dones = streams.map((events: SseEvent[]) => events.at(-1)!);
    expect(dones.map((e) => e.event)).toEqual(Array(RUNS).fill('done'));
    const prompt = dones.reduce((sum, e) => sum + e.data.usage.prompt_tokens, 0);
    const completion = dones.reduce((sum, e) => sum + e.data.usage.completion_tokens, 0);
    expect(new Set(dones.map((e) => e.data.usage.prompt_tokens)).size).toBeGreaterThan(RUNS / 2);
    expect(prompt).toBeGreaterThan(0);
    expect(completion).toBeGreaterThan(0);

    const expected = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    // Daily stats read the hourly table, weekly stats the daily one: both must hold every token, in one row each.
    for (const period of ['daily', 'weekly']) {
      const stats = (await t.api('GET', `/api/stats/tokens?period=${period}`)).body.data;
      expect(stats.total, period).toEqual(expected);
      expect(stats.by_model, period).toEqual([{ model: 'text', ...expected }]);
      expect(stats.series.filter((bucket: any) => bucket.total_tokens > 0), period).toEqual([expect.objectContaining(expected)]);
    }

    // Each answer is stored complete with the completion tokens its `done` announced.
    for (const [i, conversation] of conversations.entries()) {
      const messages = (await t.api('GET', `/api/conversations/${conversation.id}/messages`)).body.data.items;
      expect(messages.map((m: any) => [m.role, m.status])).toEqual([
        ['user', 'complete'],
        ['assistant', 'complete'],
      ]);
      expect(messages[1].token_count).toBe(dones[i]!.data.token_count);
    }
  });
});
