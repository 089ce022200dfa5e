import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../src/db/testEngines.js';
import { createConversation, readSse, sendMessage, startTestServer, type TestServer } from './helpers.js';

/**
 * Cursor pagination through the HTTP API when many rows share one timestamp (a frozen clock), on the
 * engine of this test project: pages follow (timestamp, id) without losing or repeating a row.
 */
const clock = createManualClock('2025-06-01T10:30:00.000Z');

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ now: clock.now });
});
afterAll(async () => {
  await t?.close();
});

interface ListPage {
  items: any[];
  next_cursor: string | null;
  has_more: boolean;
}

/** Every page of a list, following next_cursor; checks the page invariants on the way. */
async function allPages(path: string, limit: number): Promise<any[][]> {
  const pages: any[][] = [];
  let cursor: string | null = null;
  for (;;) {
    const separator = path.includes('?') ? '&' : '?';
    const query = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const { status, body } = await t.api<ListPage>('GET', `${path}${separator}${query}`);
    expect(status).toBe(200);
    const page: ListPage = body.data;
    pages.push(page.items);
    expect(page.has_more).toBe(page.next_cursor !== null);
    if (!page.has_more) return pages;
    expect(page.items).toHaveLength(limit);
    expect(page.next_cursor).toBe(page.items.at(-1).id);
    cursor = page.next_cursor;
  }
}

describe('pagination over rows sharing one timestamp', () => {
  it('lists 45 conversations created in the same millisecond newest first, 7 at a time, each exactly once', async () => {
    clock.set('2025-06-01T10:30:00.000Z');
    const project = await t.server.ctx.repos.projects.create((await t.api('GET', '/api/auth/profile')).body.data.id, { name: 'p', path: 'p' });
    const created: string[] = [];
    for (let i = 0; i < 45; i++) created.push((await createConversation(t, { title: `c${i}`, ...(i % 3 === 0 && { project_id: project.id }) })).id);
    const listed = await t.api('GET', '/api/conversations?limit=100');
    expect(new Set(listed.body.data.items.map((c: any) => c.updated_at))).toEqual(new Set(['2025-06-01T10:30:00.000Z']));

    const pages = await allPages('/api/conversations', 7);
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 7, 7, 3]);
    expect(pages.flat().map((c) => c.id)).toEqual([...created].reverse());

    const inProject = await allPages(`/api/conversations?project_id=${project.id}`, 4);
    expect(inProject.flat().map((c) => c.id)).toEqual(created.filter((_, i) => i % 3 === 0).reverse());
  });

  it('moves a conversation to the top when it gets a message, and pages stay consistent', async () => {
    clock.set('2025-06-01T11:00:00.000Z');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await createConversation(t, { title: `d${i}` })).id);
    const middle = ids[5]!;
    clock.advance(1);
    await readSse(await sendMessage(t.url, middle, { text: 'bump' }));
    const listed = (await allPages('/api/conversations', 5)).flat().map((c) => c.id);
    expect(listed.slice(0, 12)).toEqual([middle, ...[...ids].reverse().filter((id) => id !== middle)]);
  });

  it('lists the messages of six turns stored in the same millisecond oldest first, 5 at a time', async () => {
    clock.set('2025-06-01T12:00:00.000Z');
    const conversation = await createConversation(t, { model: 'text' });
    for (let i = 0; i < 6; i++) {
      const events = await readSse(await sendMessage(t.url, conversation.id, { text: `turn ${i}` }));
      expect(events.at(-1)!.event).toBe('done');
    }
    const pages = await allPages(`/api/conversations/${conversation.id}/messages`, 5);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    const messages = pages.flat();
    expect(new Set(messages.map((m) => m.created_at))).toEqual(new Set(['2025-06-01T12:00:00.000Z']));
    expect(messages.map((m) => m.role)).toEqual(Array.from({ length: 6 }, () => ['user', 'assistant']).flat());
    expect(messages.filter((m) => m.role === 'user').map((m) => m.text)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `turn ${i}`));
    // Each message answers or follows the one before it: the order is the order they were written.
    expect(messages.map((m) => m.parent_id)).toEqual([null, ...messages.slice(0, -1).map((m) => m.id)]);
    expect(new Set(messages.map((m) => m.id)).size).toBe(12);
  });

  it('refuses a cursor from another conversation with 400', async () => {
    const a = await createConversation(t, { model: 'text' });
    const b = await createConversation(t, { model: 'text' });
    await readSse(await sendMessage(t.url, a.id, { text: 'hello' }));
    const foreign = (await t.api('GET', `/api/conversations/${a.id}/messages`)).body.data.items[0].id;
    const res = await t.api('GET', `/api/conversations/${b.id}/messages?cursor=${foreign}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/cursor/i);
  });
});
