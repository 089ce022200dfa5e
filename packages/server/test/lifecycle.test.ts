import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, readSse, sendMessage, sseEvents, startTestServer, stepsFromEvents, waitFor, type SseEvent, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ run_retention_ms: 10_000 });
});
afterAll(async () => {
  await t?.close();
});

const messagesOf = async (id: string) => (await t.api('GET', `/api/conversations/${id}/messages`)).body.data.items;

/** Reads events from a live response until `count` arrived, then drops the connection. */
async function readSomeThenDisconnect(res: Response, count: number, controller: AbortController): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of sseEvents(res)) {
    events.push(event);
    if (events.length >= count) break;
  }
  controller.abort();
  return events;
}

describe('a run outlives its client', () => {
  it('finishes and stores the answer after the client disconnects', async () => {
    const conversation = await createConversation(t, { model: 'slow:50' });
    const controller = new AbortController();
    const res = await sendMessage(t.url, conversation.id, { text: 'keep going' }, { signal: controller.signal });
    const seen = await readSomeThenDisconnect(res, 3, controller).catch(() => []);
    expect(seen.length).toBeGreaterThan(0);
    const answer = await waitFor(async () => (await messagesOf(conversation.id)).find((m: any) => m.role === 'assistant' && m.status === 'complete'), 10_000);
    expect(answer.text.length).toBeGreaterThan(seen.map((e) => e.data.delta ?? '').join('').length);
  });

  it('re-attaches from Last-Event-ID: the missed events, then the rest live, with nothing doubled', async () => {
    const conversation = await createConversation(t, { model: 'slow:50' });
    const controller = new AbortController();
    const res = await sendMessage(t.url, conversation.id, { text: 'resume me' }, { signal: controller.signal });
    const first = await readSomeThenDisconnect(res, 4, controller).catch(() => [] as SseEvent[]);
    const lastId = first.at(-1)!.id!;
    const resumed = await readSse(await fetch(`${t.url}/api/conversations/${conversation.id}/stream`, { headers: { 'last-event-id': lastId } }));
    const all = [...first, ...resumed];
    expect(all.map((e) => Number(e.id!.split(':')[1]))).toEqual(all.map((_, i) => i + 1));
    expect(resumed.at(-1)!.event).toBe('done');
    const stored = (await messagesOf(conversation.id)).at(-1);
    expect(stepsFromEvents(all).map((s) => s.content).join('')).toBe(stored.text);
  });

  it('lets a second client watch the same run from the start, also with ?last_event_id=', async () => {
    const conversation = await createConversation(t, { model: 'slow:50' });
    const mainStream = sendMessage(t.url, conversation.id, { text: 'two watchers' }).then(readSse);
    // Started, not just reserved: the run can be watched from then on.
    await waitFor(() => t.server.ctx.runHub.find(conversation.id));
    const watcher = await readSse(await fetch(`${t.url}/api/conversations/${conversation.id}/stream?protocol=v1`));
    const original = await mainStream;
    expect(watcher.map((e) => e.id)).toEqual(original.map((e) => e.id));
    const tail = await readSse(await fetch(`${t.url}/api/conversations/${conversation.id}/stream?last_event_id=${encodeURIComponent(original.at(-2)!.id!)}`));
    expect(tail.map((e) => e.event)).toEqual(['done']);
  });

  it('answers 409 to a second message while a run is going, and stores nothing for it', async () => {
    const conversation = await createConversation(t, { model: 'slow:50' });
    const first = sendMessage(t.url, conversation.id, { text: 'first' }).then(readSse);
    await waitFor(() => t.server.ctx.runHub.isRunning(conversation.id));
    const second = await t.api('POST', `/api/conversations/${conversation.id}/messages`, { text: 'second' });
    expect(second.status).toBe(409);
    expect(second.body.message).toMatch(/still being generated/);
    await first;
    const texts = (await messagesOf(conversation.id)).filter((m: any) => m.role === 'user').map((m: any) => m.text);
    expect(texts).toEqual(['first']);
  });
});

describe('stop', () => {
  it('stops the run, aborts the upstream request within a second and keeps the partial answer', async () => {
    const conversation = await createConversation(t, { model: 'slow:200' });
    const stream = sendMessage(t.url, conversation.id, { text: 'long story' }).then(readSse);
    await waitFor(() => t.sim.openConnections() > 0 && t.server.ctx.runHub.isRunning(conversation.id));
    await new Promise((r) => setTimeout(r, 500));
    const stopped = await t.api('POST', `/api/conversations/${conversation.id}/stop`);
    expect(stopped.body.data.stopped).toBe(true);
    const stopAt = Date.now();
    await waitFor(() => t.sim.openConnections() === 0, 1000);
    expect(Date.now() - stopAt).toBeLessThan(1000);
    const events = await stream;
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { status: 'stopped' } });
    const answer = (await messagesOf(conversation.id)).at(-1);
    expect(answer.status).toBe('stopped');
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.text).toBe(stepsFromEvents(events).map((s) => s.content).join(''));
    expect((await t.api('POST', `/api/conversations/${conversation.id}/stop`)).body.data.stopped).toBe(false);
  });
});

describe('regenerate and delete', () => {
  it('regenerates: removes that answer and everything after it, then answers again', async () => {
    const conversation = await createConversation(t, { model: 'text' });
    await readSse(await sendMessage(t.url, conversation.id, { text: 'one' }));
    await readSse(await sendMessage(t.url, conversation.id, { text: 'two' }));
    const before = await messagesOf(conversation.id);
    expect(before).toHaveLength(4);
    const events = await readSse(await fetch(`${t.url}/api/conversations/${conversation.id}/regenerate/${before[1].id}`, { method: 'POST' }));
    expect(events.at(-1)!.event).toBe('done');
    const after = await messagesOf(conversation.id);
    expect(after.map((m: any) => m.role)).toEqual(['user', 'assistant']);
    expect(after[0].id).toBe(before[0].id);
    expect(after[1].id).not.toBe(before[1].id);
    expect(after[1].parent_id).toBe(before[0].id);
    const userRegen = await t.api('POST', `/api/conversations/${conversation.id}/regenerate/${before[0].id}`);
    expect(userRegen.status).toBe(400);
    expect((await t.api('POST', `/api/conversations/${conversation.id}/regenerate/nope`)).status).toBe(404);
  });

  it('deletes one message', async () => {
    const conversation = await createConversation(t, { model: 'text' });
    await readSse(await sendMessage(t.url, conversation.id, { text: 'one' }));
    const [question, answer] = await messagesOf(conversation.id);
    expect((await t.api('DELETE', `/api/conversations/${conversation.id}/messages/${answer.id}`)).body.data).toEqual({ id: answer.id, deleted: true });
    expect((await messagesOf(conversation.id)).map((m: any) => m.id)).toEqual([question.id]);
    expect((await t.api('DELETE', `/api/conversations/${conversation.id}/messages/${answer.id}`)).status).toBe(404);
  });
});
