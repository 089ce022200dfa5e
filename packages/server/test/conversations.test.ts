import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createConversation, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

describe('conversations API', () => {
  it('creates with defaults and reads back the detail', async () => {
    const { status, body } = await t.api('POST', '/api/conversations', {});
    expect(status).toBe(200);
    expect(body.code).toBe(0);
    expect(body.data).toMatchObject({ title: '', model: 'text', project_id: null, system_prompt: null, thinking_enabled: false });
    const detail = await t.api('GET', `/api/conversations/${body.data.id}`);
    expect(detail.body.data).toMatchObject({ id: body.data.id, project_name: null, running: false });
  });

  it('updates fields and rejects bad values naming the field, changing nothing', async () => {
    const conversation = await createConversation(t, { title: 'before' });
    const ok = await t.api('PATCH', `/api/conversations/${conversation.id}`, { title: 'after', temperature: 0.2, system_prompt: 'Be brief.' });
    expect(ok.body.data).toMatchObject({ title: 'after', temperature: 0.2, system_prompt: 'Be brief.' });

    const bad = await t.api('PATCH', `/api/conversations/${conversation.id}`, { title: 'ignored', temperature: 'hot' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 400, message: expect.stringContaining('"temperature"') });
    const unknownModel = await t.api('PATCH', `/api/conversations/${conversation.id}`, { model: 'nope' });
    expect(unknownModel.status).toBe(400);
    expect(unknownModel.body.message).toContain('Unknown model "nope"');
    const after = await t.api('GET', `/api/conversations/${conversation.id}`);
    expect(after.body.data).toMatchObject({ title: 'after', temperature: 0.2, model: 'text' });
  });

  it('ignores unknown fields, logging them at debug level, and refuses malformed JSON with 400', async () => {
    const lines: string[] = [];
    const logged = await startTestServer({ logger: pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }) });
    try {
      const unknown = await logged.api('POST', '/api/conversations', { title: 'kept', colour: 'red' });
      expect(unknown.status).toBe(200);
      expect(unknown.body.data).toMatchObject({ title: 'kept' });
      expect(unknown.body.data).not.toHaveProperty('colour');
      const entry = lines.map((line) => JSON.parse(line)).find((e) => e.msg?.includes('ignored unknown request body field'));
      expect(entry).toMatchObject({ level: 20, fields: ['colour'], method: 'POST', route: '/api/conversations' });
    } finally {
      await logged.close();
    }
    const res = await fetch(`${t.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 400, message: 'The request body is not valid JSON.' });
  });

  it('answers 404 in the envelope for unknown ids and routes', async () => {
    for (const [method, path] of [
      ['GET', '/api/conversations/00000000-0000-0000-0000-000000000000'],
      ['PATCH', '/api/conversations/nope'],
      ['DELETE', '/api/conversations/nope'],
      ['GET', '/api/conversations/nope/messages'],
      ['POST', '/api/conversations/nope/stop'],
      ['GET', '/api/conversations/nope/stream'],
      ['GET', '/api/nothing-here'],
    ] as const) {
      const res = await t.api(method, path, method === 'PATCH' ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.code).toBe(404);
      expect(res.body.message).toMatch(/\w/);
    }
  });

  it('pages newest first with a stable cursor and filters by project', async () => {
    const fresh = await startTestServer();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) ids.push((await createConversation(fresh, { title: `c${i}` })).id);
      const first = await fresh.api('GET', '/api/conversations');
      expect(first.body.data.items).toHaveLength(20);
      expect(first.body.data.has_more).toBe(true);
      const second = await fresh.api('GET', `/api/conversations?limit=20&cursor=${first.body.data.next_cursor}`);
      expect(second.body.data.items).toHaveLength(5);
      expect(second.body.data).toMatchObject({ has_more: false, next_cursor: null });
      const seen = [...first.body.data.items, ...second.body.data.items].map((c: any) => c.id);
      expect(seen).toEqual([...ids].reverse());
      expect((await fresh.api('GET', '/api/conversations?limit=500')).status).toBe(400);
      expect((await fresh.api('GET', '/api/conversations?limit=0')).status).toBe(400);

      const me = (await fresh.api('GET', '/api/auth/profile')).body.data;
      const project = await fresh.server.ctx.repos.projects.create(me.id, { name: 'p', path: 'p' });
      const inProject = await createConversation(fresh, { project_id: project.id });
      const filtered = await fresh.api('GET', `/api/conversations?project_id=${project.id}`);
      expect(filtered.body.data.items.map((c: any) => c.id)).toEqual([inProject.id]);
      expect((await fresh.api('GET', `/api/conversations/${inProject.id}`)).body.data.project_name).toBe('p');
      const missingProject = await fresh.api('POST', '/api/conversations', { project_id: 'no-such-project' });
      expect(missingProject.status).toBe(404);
    } finally {
      await fresh.close();
    }
  });

  it('deletes a conversation with its messages', async () => {
    const conversation = await createConversation(t);
    await (await fetch(`${t.url}/api/conversations/${conversation.id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi' }) })).text();
    const del = await t.api('DELETE', `/api/conversations/${conversation.id}`);
    expect(del.body.data).toEqual({ id: conversation.id, deleted: true });
    expect((await t.api('GET', `/api/conversations/${conversation.id}`)).status).toBe(404);
    expect(await t.server.ctx.repos.messages.listAll(conversation.id)).toEqual([]);
  });

  it('lists models and tools publicly', async () => {
    const models = await t.api('GET', '/api/models');
    expect(models.body.data.find((m: any) => m.id === 'text')).toMatchObject({ name: 'text', default: true });
    const tools = await t.api('GET', '/api/tools');
    const names = tools.body.data.map((tool: any) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['calculator', 'get_current_time']));
    expect(tools.body.data[0]).toEqual({ name: expect.any(String), description: expect.any(String), category: expect.any(String), parameters: expect.any(Object) });
    expect((await t.api('GET', '/api/auth/mode')).body.data).toEqual({ mode: 'single', local_login: false, oidc: null });
    expect((await t.api('GET', '/api/auth/profile')).body.data).toMatchObject({ username: 'default', role: 'admin' });
  });

  it('pages messages backward from the newest, for opening a long conversation at its end', async () => {
    const conversation = await createConversation(t);
    for (const text of ['one', 'two']) {
      await (await fetch(`${t.url}/api/conversations/${conversation.id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) })).text();
    }
    const all = (await t.api('GET', `/api/conversations/${conversation.id}/messages`)).body.data.items.map((m: any) => m.id);
    expect(all).toHaveLength(4);
    const newest = (await t.api('GET', `/api/conversations/${conversation.id}/messages?direction=backward&limit=3`)).body.data;
    expect(newest.items.map((m: any) => m.id)).toEqual(all.slice(1));
    expect(newest).toMatchObject({ has_more: true, next_cursor: all[1] });
    const older = (await t.api('GET', `/api/conversations/${conversation.id}/messages?direction=backward&limit=3&cursor=${newest.next_cursor}`)).body.data;
    expect(older).toEqual({ items: [expect.objectContaining({ id: all[0], text: 'one' })], has_more: false, next_cursor: null });
    expect((await t.api('GET', `/api/conversations/${conversation.id}/messages?direction=sideways`)).status).toBe(400);
  });

  it('validates message bodies', async () => {
    const conversation = await createConversation(t);
    const missing = await t.api('POST', `/api/conversations/${conversation.id}/messages`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('Write a message ("text") or attach a file ("attachments" or "attachment_ids") before sending.');
    const empty = await t.api('POST', `/api/conversations/${conversation.id}/messages`, { text: '   ' });
    expect(empty.status).toBe(400);
    expect(await t.server.ctx.repos.messages.listAll(conversation.id)).toEqual([]);
  });
});
