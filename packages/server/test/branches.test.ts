import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, readSse, sendMessage, startTestServer, waitFor, type TestServer } from './helpers.js';

/**
 * Conversations as trees (issue 14): editing a message branches, regenerating keeps the old answer as
 * a version, /branch switches versions, the listing and the model follow the active path, deleting
 * takes a subtree. On every engine.
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

const path = async (id: string, query = '') => (await t.api('GET', `/api/conversations/${id}/messages${query}`)).body.data.items as any[];
const texts = (items: any[]) => items.map((m) => m.text);
async function send(id: string, body: object): Promise<void> {
  const events = await readSse(await sendMessage(t.url, id, body));
  expect(events.at(-1)?.event, JSON.stringify(events.at(-1))).toBe('done');
}
/** The user messages of the last request the model got. */
const modelSaw = () => ((t.sim.requests().at(-1)!.body as any).messages as any[]).filter((m) => m.role === 'user').map((m) => m.content);

describe('conversations as trees', () => {
  it('edits a message into a new branch beside the old one; the model sees only the new path', async () => {
    const c = await createConversation(t, { model: 'text' });
    await send(c.id, { text: 'first' });
    await send(c.id, { text: 'second' });
    const before = await path(c.id);
    expect(before.every((m) => m.sibling_ids.length === 1 && m.sibling_ids[0] === m.id)).toBe(true);
    // The default parent is the active leaf: each message follows the one before.
    expect(before.map((m) => m.parent_id)).toEqual([null, before[0].id, before[1].id, before[2].id]);

    await send(c.id, { text: 'second, edited', parent_id: before[2].parent_id });
    expect(modelSaw()).toEqual(['first', 'second, edited']);
    const after = await path(c.id);
    expect(texts(after).filter((_, i) => i % 2 === 0)).toEqual(['first', 'second, edited']);
    expect(after[2].sibling_ids).toEqual([before[2].id, after[2].id]);
    expect(after[3].sibling_ids).toEqual([after[3].id]);
    // Everything is still there.
    expect(await path(c.id, '?all=true')).toHaveLength(6);

    // The next message continues the active path.
    await send(c.id, { text: 'third' });
    expect(modelSaw()).toEqual(['first', 'second, edited', 'third']);
  });

  it('edits the first message with parent_id null: a second root', async () => {
    const c = await createConversation(t, { model: 'text' });
    await send(c.id, { text: 'hello' });
    await send(c.id, { text: 'hello again', parent_id: null });
    expect(modelSaw()).toEqual(['hello again']);
    const items = await path(c.id);
    expect(texts(items)[0]).toBe('hello again');
    expect(items[0].sibling_ids).toHaveLength(2);
    expect(items[0].parent_id).toBeNull();
  });

  it('regenerating keeps the old answer as a sibling version', async () => {
    const c = await createConversation(t, { model: 'text' });
    await send(c.id, { text: 'q' });
    const [question, oldAnswer] = await path(c.id);
    const events = await readSse(await fetch(`${t.url}/api/conversations/${c.id}/regenerate/${oldAnswer.id}`, { method: 'POST' }));
    expect(events.at(-1)?.event).toBe('done');
    const [, newAnswer] = await path(c.id);
    expect(newAnswer.id).toBe(events.at(-1)!.data.message_id);
    expect(newAnswer.parent_id).toBe(question.id);
    expect(newAnswer.sibling_ids).toEqual([oldAnswer.id, newAnswer.id]);
  });

  it('switches versions with /branch, down to the newest leaf of the chosen one, and the model follows', async () => {
    const c = await createConversation(t, { model: 'text' });
    await send(c.id, { text: 'a' });
    const [qa] = await path(c.id);
    await send(c.id, { text: 'a2' });
    await send(c.id, { text: 'b', parent_id: null });
    expect(texts(await path(c.id))[0]).toBe('b');

    const switched = await t.api('POST', `/api/conversations/${c.id}/branch`, { message_id: qa.id });
    expect(switched.status).toBe(200);
    const items = await path(c.id);
    expect(switched.body.data).toEqual({ active_leaf_id: items.at(-1).id });
    expect(texts(items).filter((_, i) => i % 2 === 0)).toEqual(['a', 'a2']);
    // Survives a fresh read and is what the next run replays.
    await send(c.id, { text: 'a3' });
    expect(modelSaw()).toEqual(['a', 'a2', 'a3']);
  });

  it('deletes a subtree; the active path moves to the nearest surviving branch', async () => {
    const c = await createConversation(t, { model: 'text' });
    await send(c.id, { text: 'root' });
    await send(c.id, { text: 'old' });
    const [, answer, old] = await path(c.id);
    await send(c.id, { text: 'new', parent_id: answer.id });
    await send(c.id, { text: 'newer' });
    const [, , edited] = await path(c.id);
    expect((await t.api('DELETE', `/api/conversations/${c.id}/messages/${edited.id}`)).body.data).toEqual({ id: edited.id, deleted: true });
    expect(texts(await path(c.id)).filter((_, i) => i % 2 === 0)).toEqual(['root', 'old']);
    expect(await path(c.id, '?all=true')).toHaveLength(4);
    // Without siblings the parent becomes the leaf.
    await t.api('DELETE', `/api/conversations/${c.id}/messages/${old.id}`);
    expect((await path(c.id)).map((m) => m.id)).toEqual([(await path(c.id, '?all=true'))[0].id, answer.id]);
  });

  it('pages the active path like the whole listing', async () => {
    const c = await createConversation(t, { model: 'text' });
    for (const text of ['1', '2', '3']) await send(c.id, { text });
    const all = await path(c.id);
    await send(c.id, { text: 'side', parent_id: all[1].id });
    await t.api('POST', `/api/conversations/${c.id}/branch`, { message_id: all[2].id });
    const backward = (await t.api('GET', `/api/conversations/${c.id}/messages?direction=backward&limit=4`)).body.data;
    expect(backward.items.map((m: any) => m.id)).toEqual(all.slice(2).map((m) => m.id));
    const older = (await t.api('GET', `/api/conversations/${c.id}/messages?direction=backward&limit=4&cursor=${backward.next_cursor}`)).body.data;
    expect(older).toMatchObject({ has_more: false, next_cursor: null });
    expect(older.items.map((m: any) => m.id)).toEqual(all.slice(0, 2).map((m) => m.id));
    const forward = (await t.api('GET', `/api/conversations/${c.id}/messages?limit=5`)).body.data;
    const rest = (await t.api('GET', `/api/conversations/${c.id}/messages?limit=5&cursor=${forward.next_cursor}`)).body.data;
    expect([...forward.items, ...rest.items].map((m: any) => m.id)).toEqual(all.map((m) => m.id));
  });

  it('refuses a parent or message of another conversation, or unknown, storing nothing', async () => {
    const c = await createConversation(t, { model: 'text' });
    const other = await createConversation(t, { model: 'text' });
    await send(other.id, { text: 'elsewhere' });
    const [foreign] = await path(other.id);
    for (const parent_id of [foreign.id, 'no-such-message']) {
      const res = await sendMessage(t.url, c.id, { text: 'x', parent_id });
      expect(res.status).toBe(404);
      expect((await res.json()).message).toMatch(/"parent_id"/);
    }
    for (const message_id of [foreign.id, 'no-such-message']) {
      const res = await t.api('POST', `/api/conversations/${c.id}/branch`, { message_id });
      expect(res.status).toBe(404);
      expect(res.body.message).toMatch(/"message_id"/);
    }
    expect((await t.api('POST', `/api/conversations/${c.id}/branch`, {})).status).toBe(400);
    expect(await path(c.id, '?all=true')).toEqual([]);
    expect(await path(other.id, '?all=true')).toHaveLength(2);
  });

  it('answers 409 to a send with parent_id, a switch or a delete above the answer while a run is going', async () => {
    const c = await createConversation(t, { model: 'text' });
    await send(c.id, { text: 'before' });
    const [question] = await path(c.id);
    await t.api('PATCH', `/api/conversations/${c.id}`, { model: 'slow:200' });
    const running = sendMessage(t.url, c.id, { text: 'slowly' });
    await waitFor(async () => (await t.api('GET', `/api/conversations/${c.id}`)).body.data.running);
    await waitFor(async () => (await path(c.id)).length === 4);
    expect((await sendMessage(t.url, c.id, { text: 'edit', parent_id: null })).status).toBe(409);
    expect((await t.api('POST', `/api/conversations/${c.id}/branch`, { message_id: question.id })).status).toBe(409);
    expect((await t.api('DELETE', `/api/conversations/${c.id}/messages/${question.id}`)).status).toBe(409);
    await t.api('POST', `/api/conversations/${c.id}/stop`);
    await readSse(await running);
    expect(await path(c.id, '?all=true')).toHaveLength(4);
  });
});
