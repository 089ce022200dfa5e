import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, readSse, sendMessage, startTestServer, stepsFromEvents, type TestServer } from './helpers.js';

/** Finished runs stay re-attachable within run_retention_max_runs; older ones are let go, and their answer is read from storage. */

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ run_retention_ms: 60_000, run_retention_max_runs: 2 });
});
afterAll(async () => {
  await t?.close();
});

describe('finished runs kept for re-attaching', () => {
  it('replays the latest finished runs whole; re-attaching to an older one, let go, is 404 and the stored answer has it all', async () => {
    const conversations = [];
    for (let i = 0; i < 3; i++) {
      const conversation = await createConversation(t, { model: 'text' });
      const events = await readSse(await sendMessage(t.url, conversation.id, { text: `question ${i}` }));
      expect(events.at(-1)!.event).toBe('done');
      conversations.push({ id: conversation.id as string, events });
    }
    for (const { id, events } of conversations.slice(1)) {
      const replayed = await readSse(await fetch(`${t.url}/api/conversations/${id}/stream`));
      expect(replayed.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(replayed.map((e) => e.data)).toEqual(events.map((e) => e.data));
    }
    const oldest = conversations[0]!;
    const gone = await fetch(`${t.url}/api/conversations/${oldest.id}/stream`);
    expect(gone.status).toBe(404);
    expect((await gone.json()).message).toBe('No answer is being generated in this conversation right now.');
    const stored = (await t.api('GET', `/api/conversations/${oldest.id}/messages`)).body.data.items.at(-1);
    expect(stored.status).toBe('complete');
    expect(stored.text).toBe(stepsFromEvents(oldest.events).map((s) => s.content).join(''));
  });
});
