import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse, sendMessage, waitFor, type TestServer } from './helpers.js';
import { registerUser, startMultiUserServer, type SignedInUser } from './authHelpers.js';

/**
 * Two users on one server: every route tried by alice with bob's ids answers 404, and reading as bob
 * afterwards shows nothing changed.
 */
let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;
let bobProject: { id: string; path: string; name: string };
let bobConversation: { id: string };
let bobQuestionId: string;
let bobAnswerId: string;
let aliceConversation: { id: string };

async function snapshotOfBob() {
  return {
    conversation: (await bob.api('GET', `/api/conversations/${bobConversation.id}`)).body.data,
    messages: (await bob.api('GET', `/api/conversations/${bobConversation.id}/messages`)).body.data.items,
    conversations: (await bob.api('GET', '/api/conversations')).body.data.items.map((c: any) => c.id),
    project: (await bob.api('GET', `/api/projects/${bobProject.id}`)).body.data,
    files: (await bob.api('GET', `/api/projects/${bobProject.id}/files`)).body.data,
    note: (await bob.api('GET', `/api/projects/${bobProject.id}/files/notes/plan.md`)).body.data?.content,
    stats: (await bob.api('GET', '/api/stats/tokens?period=daily')).body.data.total,
  };
}

beforeAll(async () => {
  t = await startMultiUserServer();
  alice = await registerUser(t, 'alice');
  bob = await registerUser(t, 'bob');

  bobProject = (await bob.api('POST', '/api/projects', { name: 'secret-plans' })).body.data;
  await bob.api('PUT', `/api/projects/${bobProject.id}/files/notes/plan.md`, { content: 'the plan' });
  bobConversation = (await bob.api('POST', '/api/conversations', { title: 'bob private', project_id: bobProject.id })).body.data;
  const events = await readSse(await sendMessage(t.url, bobConversation.id, { text: 'hello from bob' }, { headers: bob.headers }));
  expect(events.at(-1)?.event).toBe('done');
  const messages = (await bob.api('GET', `/api/conversations/${bobConversation.id}/messages`)).body.data.items;
  bobQuestionId = messages[0].id;
  bobAnswerId = messages[1].id;
  aliceConversation = (await alice.api('POST', '/api/conversations', { title: 'alice own' })).body.data;
});
afterAll(async () => {
  await t?.close();
});

describe('isolation between users', () => {
  it('every route with the other user ids answers 404 and changes nothing', async () => {
    const before = await snapshotOfBob();
    expect(before.stats.total_tokens).toBeGreaterThan(0);
    expect(before.note).toBe('the plan');

    const c = `/api/conversations/${bobConversation.id}`;
    const p = `/api/projects/${bobProject.id}`;
    const attempts: Array<[string, string, object?]> = [
      ['GET', c],
      ['PATCH', c, { title: 'hacked' }],
      ['DELETE', c],
      ['GET', `${c}/messages`],
      ['DELETE', `${c}/messages/${bobQuestionId}`],
      ['DELETE', `${c}/messages/${bobAnswerId}`],
      ['POST', `${c}/stop`],
      ['POST', `${c}/branch`, { message_id: bobQuestionId }],
      // Her own conversation cannot name his messages either.
      ['POST', `/api/conversations/${aliceConversation.id}/branch`, { message_id: bobQuestionId }],
      ['GET', `${c}/stream`],
      ['POST', '/api/conversations', { project_id: bobProject.id }],
      ['PATCH', `/api/conversations/${aliceConversation.id}`, { project_id: bobProject.id }],
      ['GET', p],
      ['PUT', p, { name: 'hacked' }],
      ['PATCH', p, { description: 'hacked' }],
      ['DELETE', p],
      ['GET', `${p}/files`],
      ['GET', `${p}/files?path=notes`],
      ['GET', `${p}/files/notes/plan.md`],
      ['PUT', `${p}/files/notes/plan.md`, { content: 'hacked' }],
      ['PUT', `${p}/files/new.txt`, { content: 'planted' }],
      ['PATCH', `${p}/files/notes/plan.md`, { new_path: 'moved.md' }],
      ['DELETE', `${p}/files/notes/plan.md`],
      ['DELETE', `${p}/files/notes`],
      ['POST', `${p}/directories`, { path: 'planted' }],
      ['POST', `${p}/search`, { query: 'plan' }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await alice.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.code).toBe(404);
    }

    // Sending and regenerating stream only for the owner: 404 before anything is stored or run.
    const send = await sendMessage(t.url, bobConversation.id, { text: 'injected' }, { headers: alice.headers });
    expect(send.status).toBe(404);
    expect((await send.json()).code).toBe(404);
    const regenerate = await fetch(`${t.url}${c}/regenerate/${bobAnswerId}`, { method: 'POST', headers: alice.headers });
    expect(regenerate.status).toBe(404);
    // Her own conversation cannot borrow bob's project for a run either.
    const underHis = await sendMessage(t.url, aliceConversation.id, { text: 'after his', parent_id: bobAnswerId }, { headers: alice.headers });
    expect(underHis.status).toBe(404);
    expect((await alice.api('GET', `/api/conversations/${aliceConversation.id}/messages`)).body.data.items).toEqual([]);
    const borrow = await sendMessage(t.url, aliceConversation.id, { text: 'read his files', project_id: bobProject.id }, { headers: alice.headers });
    expect(borrow.status).toBe(404);

    expect(await snapshotOfBob()).toEqual(before);
    const dir = join(t.dataDir, 'workspaces', bobProject.path);
    expect(readFileSync(join(dir, 'notes', 'plan.md'), 'utf8')).toBe('the plan');
    expect(existsSync(join(dir, 'new.txt'))).toBe(false);
    expect(existsSync(join(dir, 'planted'))).toBe(false);
    expect((await alice.api('GET', `/api/conversations/${aliceConversation.id}`)).body.data.project_id).toBeNull();
  });

  it('lists, filters and stats show only the current user rows', async () => {
    const conversations = (await alice.api('GET', '/api/conversations')).body.data.items.map((conv: any) => conv.id);
    expect(conversations).toEqual([aliceConversation.id]);
    expect((await alice.api('GET', `/api/conversations?project_id=${bobProject.id}`)).body.data.items).toEqual([]);
    expect((await alice.api('GET', '/api/projects')).body.data).toEqual([]);
    for (const period of ['daily', 'weekly', 'monthly']) {
      const stats = (await alice.api('GET', `/api/stats/tokens?period=${period}`)).body.data;
      expect(stats.total.total_tokens, period).toBe(0);
      expect(stats.by_model).toEqual([]);
    }
    expect((await alice.api('GET', '/api/auth/profile')).body.data.username).toBe('alice');
  });

  it('a running answer can be neither stopped nor re-attached by another user', async () => {
    t.sim.script({ kind: 'stream', content: Array.from({ length: 30 }, (_, i) => `word${i} `), chunkDelayMs: 50 });
    const running = await sendMessage(t.url, bobConversation.id, { text: 'a long one please' }, { headers: bob.headers });
    expect(running.status).toBe(200);
    await waitFor(async () => (await bob.api('GET', `/api/conversations/${bobConversation.id}`)).body.data.running);

    const stop = await alice.api('POST', `/api/conversations/${bobConversation.id}/stop`);
    expect(stop.status).toBe(404);
    const stream = await fetch(`${t.url}/api/conversations/${bobConversation.id}/stream`, { headers: alice.headers });
    expect(stream.status).toBe(404);
    await stream.body?.cancel();
    expect((await alice.api('DELETE', `/api/conversations/${bobConversation.id}`)).status).toBe(404);

    // Bob can re-attach, and the answer finishes untouched.
    const reattach = await fetch(`${t.url}/api/conversations/${bobConversation.id}/stream`, { headers: bob.headers });
    expect(reattach.status).toBe(200);
    await reattach.body?.cancel();
    const events = await readSse(running);
    expect(events.at(-1)?.event).toBe('done');
    const messages = (await bob.api('GET', `/api/conversations/${bobConversation.id}/messages`)).body.data.items;
    expect(messages.at(-1)).toMatchObject({ role: 'assistant', status: 'complete' });
    expect(messages.at(-1).text).toContain('word29');
  });

  it('the file tools of a run only reach the run user project', async () => {
    const aliceProject = (await alice.api('POST', '/api/projects', { name: 'secret-plans' })).body.data;
    expect(aliceProject.path).not.toBe(bobProject.path);
    await alice.api('PATCH', `/api/conversations/${aliceConversation.id}`, { project_id: aliceProject.id });
    t.sim.script(
      { kind: 'stream', toolCalls: [{ name: 'file_read', arguments: JSON.stringify({ path: 'notes/plan.md' }) }] },
      { kind: 'stream', content: 'ok' },
    );
    const events = await readSse(await sendMessage(t.url, aliceConversation.id, { text: 'read the plan' }, { headers: alice.headers }));
    const result = events.find((event) => event.event === 'process_step' && event.data.type === 'tool_result');
    // Same project name, same relative path, but alice's directory: no such file there.
    expect(JSON.parse(result!.data.content)).toEqual({ success: false, error: expect.stringMatching(/Nothing exists at "notes\/plan.md"/) });
  });
});
