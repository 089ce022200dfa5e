import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONVERSATION_TITLES } from '@nanoclaw/protocol';
import { readSse, sendMessage, startTestServer, type TestServer } from './helpers.js';

/**
 * Rules of the original NanoClaw its front end relies on: an empty body with a JSON content type is
 * no body, a conversation with the default title is still untitled, and the conversation list and
 * detail carry `message_count`.
 */

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

/** A request with `Content-Type: application/json` and an empty (or blank) body. */
async function emptyJson(method: string, path: string, body = ''): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${t.url}${path}`, { method, headers: { 'Content-Type': 'application/json' }, body });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* an event stream */
  }
  return { status: res.status, json, text };
}

async function converse(conversationId: string, text: string) {
  const events = await readSse(await sendMessage(t.url, conversationId, { text }));
  const done = events.find((e) => e.event === 'done');
  expect(done, JSON.stringify(events.filter((e) => e.event === 'error'))).toBeDefined();
  return done!.data;
}

describe('an empty body with a JSON content type means no body', () => {
  it('on DELETEs and payload-less POSTs, which then do their work', async () => {
    const project = (await t.api('POST', '/api/projects', { name: 'empty bodies' })).body.data;
    await t.api('PUT', `/api/projects/${project.id}/files/gone.txt`, { content: 'x' });
    const created = await emptyJson('POST', '/api/conversations');
    expect(created.status, created.text).toBe(200);
    expect(created.json.data).toMatchObject({ title: '', model: 'text' });
    const conversationId = created.json.data.id;
    await converse(conversationId, 'first question');
    const [question, answer] = (await t.api('GET', `/api/conversations/${conversationId}/messages`)).body.data.items;

    const again = await emptyJson('POST', `/api/conversations/${conversationId}/regenerate/${answer.id}`);
    expect(again.status, again.text).toBe(200);
    expect(again.text).toContain('event: done');
    expect((await emptyJson('POST', `/api/conversations/${conversationId}/stop`, '  \n')).json).toMatchObject({ code: 0, data: { stopped: false } });
    expect((await emptyJson('DELETE', `/api/conversations/${conversationId}/messages/${question.id}`)).json).toMatchObject({ code: 0 });
    expect((await emptyJson('DELETE', `/api/projects/${project.id}/files/gone.txt`)).json).toMatchObject({ code: 0 });
    expect((await emptyJson('DELETE', `/api/conversations/${conversationId}`)).json).toMatchObject({ code: 0 });
    expect((await emptyJson('DELETE', `/api/projects/${project.id}`)).json).toMatchObject({ code: 0 });
    expect((await t.api('GET', `/api/projects/${project.id}`)).status).toBe(404);
  });

  it('on routes that need a body, which then name the missing field instead of calling the JSON invalid', async () => {
    const project = (await t.api('POST', '/api/projects', { name: 'needs bodies' })).body.data;
    const conversation = (await t.api('POST', '/api/conversations', {})).body.data;
    for (const [method, path, field] of [
      ['POST', '/api/projects', '"name" is required'],
      ['PUT', `/api/projects/${project.id}/files/a.txt`, '"content" is required'],
      ['PATCH', `/api/projects/${project.id}/files/a.txt`, '"new_path" is required'],
      ['POST', `/api/projects/${project.id}/directories`, '"path" is required'],
      ['POST', `/api/projects/${project.id}/search`, '"query" is required'],
      ['POST', `/api/conversations/${conversation.id}/messages`, 'Write a message ("text")'],
    ] as const) {
      const res = await emptyJson(method, path);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.json.message, `${method} ${path}`).toContain(field);
    }
    // A PATCH without a body changes nothing and answers the object.
    const unchanged = await emptyJson('PATCH', `/api/conversations/${conversation.id}`);
    expect(unchanged.json.data).toMatchObject({ id: conversation.id, title: conversation.title });
    // A body that is there but is not JSON is still refused as such.
    const broken = await emptyJson('POST', '/api/conversations', '{"title": ');
    expect(broken).toMatchObject({ status: 400, json: { code: 400, message: 'The request body is not valid JSON.' } });
  });
});

describe('default titles count as untitled', () => {
  it('names a conversation after its first message when its title is empty or a default one, in every language we ship', async () => {
    for (const title of ['', ...DEFAULT_CONVERSATION_TITLES]) {
      const { id } = (await t.api('POST', '/api/conversations', { title })).body.data;
      // The first 30 characters, cut back to a word boundary.
      const done = await converse(id, '  Plan a trip to Lisbon in spring, with kids and a dog  ');
      expect(done.suggested_title, title).toBe('Plan a trip to Lisbon in');
      expect((await t.api('GET', `/api/conversations/${id}`)).body.data.title, title).toBe('Plan a trip to Lisbon in');
      // Once named, it stays named.
      expect((await converse(id, 'Another question')).suggested_title).toBeNull();
    }
  });

  it('leaves a conversation with a title of its own alone', async () => {
    const { id } = (await t.api('POST', '/api/conversations', { title: '新对话 about Lisbon' })).body.data;
    expect((await converse(id, 'Plan a trip')).suggested_title).toBeNull();
    expect((await t.api('GET', `/api/conversations/${id}`)).body.data.title).toBe('新对话 about Lisbon');
  });
});

describe('message_count', () => {
  it('counts every stored message of each conversation in the list (all pages) and in the detail', async () => {
    const fresh = await startTestServer();
    try {
      const talk = async (id: string, text: string) => {
        const events = await readSse(await sendMessage(fresh.url, id, { text }));
        expect(events.some((e) => e.event === 'done')).toBe(true);
      };
      const ids: string[] = [];
      for (const turns of [2, 0, 1, 3]) {
        const { id } = (await fresh.api('POST', '/api/conversations', { title: `${turns} turns` })).body.data;
        for (let i = 0; i < turns; i++) await talk(id, `question ${i}`);
        ids.push(id);
      }
      const expected = { '2 turns': 4, '0 turns': 0, '1 turns': 2, '3 turns': 6 };
      const seen: Record<string, number> = {};
      let cursor: string | null = null;
      do {
        const page: any = (await fresh.api('GET', `/api/conversations?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body.data;
        for (const item of page.items) seen[item.title] = item.message_count;
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toEqual(expected);
      expect((await fresh.api('GET', `/api/conversations/${ids[3]}`)).body.data.message_count).toBe(6);

      const messages = (await fresh.api('GET', `/api/conversations/${ids[0]}/messages`)).body.data.items;
      await fresh.api('DELETE', `/api/conversations/${ids[0]}/messages/${messages[3].id}`);
      expect((await fresh.api('GET', `/api/conversations/${ids[0]}`)).body.data.message_count).toBe(3);
      const renamed = await fresh.api('PATCH', `/api/conversations/${ids[0]}`, { title: 'renamed' });
      expect(renamed.body.data.message_count).toBe(3);
    } finally {
      await fresh.close();
    }
  });
});
