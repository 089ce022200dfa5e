import { afterEach, describe, expect, it } from 'vitest';
import { createConversation, readSse, sendMessage, startTestServer, type TestServer } from './helpers.js';

/**
 * Titles from a model (config `titles.mode: model`, the default): once the first answer is done, a short
 * request asks the model for a title, which `done` announces and the conversation keeps; the first words
 * of the question are the fallback when the model is slow, fails or answers nothing usable.
 */
describe('conversation titles from a model', () => {
  let t: TestServer;
  afterEach(() => t?.close());

  it('asks the model once the answer is done, with the exchange, and names the conversation with its cleaned answer', async () => {
    t = await startTestServer({ titles: { mode: 'model', timeout_ms: 5000 } });
    t.sim.script({ kind: 'stream', content: '17 × 23 is 391.' }, { kind: 'stream', content: '"Multiplying 17 by 23."' });
    const conversation = await createConversation(t, { title: 'New chat' });
    const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'what is 17*23?' }));
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { suggested_title: 'Multiplying 17 by 23' } });
    expect((await t.api('GET', `/api/conversations/${conversation.id}`)).body.data.title).toBe('Multiplying 17 by 23');
    const request = t.sim.requests().at(-1)!.body as { messages: Array<{ role: string; content: string }>; tools?: unknown; max_tokens: number };
    expect(request.messages[0]!.content).toMatch(/short title/);
    expect(request.messages[1]!.content).toBe('User: what is 17*23?\n\nAssistant: 17 × 23 is 391.');
    expect(request.tools).toBeUndefined();
    expect(request.max_tokens).toBeLessThanOrEqual(32);
    // A conversation with a title asks nothing more.
    const before = t.sim.requests().length;
    await readSse(await sendMessage(t.url, conversation.id, { text: 'and 2*2?' }));
    expect(t.sim.requests().length).toBe(before + 1);
  });

  it('falls back to the first words when the model is slower than the timeout, and stores the late title unless renamed meanwhile', async () => {
    t = await startTestServer({ titles: { mode: 'model', timeout_ms: 200 } });
    t.sim.script({ kind: 'stream', content: 'Sure.' }, { kind: 'stream', content: 'Late title', delayMs: 800 });
    const conversation = await createConversation(t);
    const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'Plan a trip to Lisbon in spring, with kids' }));
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { suggested_title: 'Plan a trip to Lisbon in' } });
    await expect.poll(async () => (await t.api('GET', `/api/conversations/${conversation.id}`)).body.data.title, { timeout: 5000 }).toBe('Late title');

    t.sim.script({ kind: 'stream', content: 'Sure.' }, { kind: 'stream', content: 'Too late', delayMs: 800 });
    const renamed = await createConversation(t);
    await readSse(await sendMessage(t.url, renamed.id, { text: 'another question' }));
    await t.api('PATCH', `/api/conversations/${renamed.id}`, { title: 'Mine' });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await t.api('GET', `/api/conversations/${renamed.id}`)).body.data.title).toBe('Mine');
  });

  it('keeps the first words when the title request fails or answers nothing usable', async () => {
    t = await startTestServer({ titles: { mode: 'model', timeout_ms: 5000 } });
    t.sim.script({ kind: 'stream', content: 'Fine.' }, { kind: 'error', status: 400 });
    const failed = await createConversation(t);
    const first = await readSse(await sendMessage(t.url, failed.id, { text: 'how are you today?' }));
    expect(first.at(-1)).toMatchObject({ event: 'done', data: { suggested_title: 'how are you today?' } });
    t.sim.script({ kind: 'stream', content: 'Fine.' }, { kind: 'stream', content: '  "" ' });
    const empty = await createConversation(t);
    const second = await readSse(await sendMessage(t.url, empty.id, { text: 'tell me a joke' }));
    expect(second.at(-1)).toMatchObject({ event: 'done', data: { suggested_title: 'tell me a joke' } });
    expect((await t.api('GET', `/api/conversations/${empty.id}`)).body.data.title).toBe('tell me a joke');
  });
});
