import {
  apiConversationDetailSchema,
  apiConversationSchema,
  apiDeletedSchema,
  apiDirectoryListingSchema,
  apiFileContentSchema,
  apiFileDeletedSchema,
  apiFileLimitsSchema,
  apiFileMovedSchema,
  apiFilesUploadResultSchema,
  apiFileWrittenSchema,
  apiLoginResultSchema,
  apiMcpServerStatusSchema,
  apiMessageSchema,
  apiModelSchema,
  apiProjectSchema,
  apiSearchPageSchema,
  apiSearchResultSchema,
  apiStopResultSchema,
  apiTokenStatsSchema,
  apiToolSchema,
  apiUploadResultSchema,
  apiUserSchema,
  pageSchema,
} from '@nanoclaw/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerUser, startMultiUserServer } from './authHelpers.js';
import { createConversation, readSse, sendMessage, startTestServer, waitFor, type TestServer } from './helpers.js';

/**
 * Every answer of the REST API follows the protocol package's schemas — the types the server and the web
 * are written against — with no field missing, mistyped or left out of the contract.
 */
function expectContract<T extends z.ZodType>(schema: T, data: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new Error(`${what}: ${z.prettifyError(parsed.error)}\n${JSON.stringify(data)}`);
  // Parsing drops what the schema does not know: an answer with more than the contract differs.
  expect(parsed.data, `${what} has fields the contract does not name`).toEqual(data);
  return parsed.data;
}

async function ok(t: TestServer | { api: TestServer['api'] }, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await t.api(method, path, body);
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
  expect(res.body.code).toBe(0);
  return res.body.data;
}

describe('REST answers follow the protocol schemas', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('metadata: mode, models, tools, tool status, profile', async () => {
    expectContract(z.object({ mode: z.enum(['single', 'multi']) }), await ok(t, 'GET', '/api/auth/mode'), 'auth mode');
    expectContract(z.array(apiModelSchema).min(1), await ok(t, 'GET', '/api/models'), 'models');
    expectContract(z.array(apiToolSchema).min(1), await ok(t, 'GET', '/api/tools'), 'tools');
    expectContract(z.object({ mcp_servers: z.array(apiMcpServerStatusSchema) }), await ok(t, 'GET', '/api/tools/status'), 'tool status');
    expectContract(apiUserSchema, await ok(t, 'GET', '/api/auth/profile'), 'profile');
  });

  it('conversations, messages, stop and statistics', async () => {
    const created = expectContract(apiConversationSchema, await createConversation(t, { title: 'Contract' }), 'created conversation');
    const answer = await readSse(await sendMessage(t.url, created.id, { text: 'hello' }));
    expect(answer.at(-1)?.event).toBe('done');
    expectContract(pageSchema(apiConversationSchema), await ok(t, 'GET', '/api/conversations?limit=5'), 'conversation page');
    expectContract(apiConversationDetailSchema, await ok(t, 'GET', `/api/conversations/${created.id}`), 'conversation detail');
    expectContract(apiConversationSchema, await ok(t, 'PATCH', `/api/conversations/${created.id}`, { temperature: 0.2 }), 'updated conversation');
    expectContract(apiConversationSchema, await ok(t, 'PATCH', `/api/conversations/${created.id}`, { pinned: true }), 'pinned conversation');
    expectContract(pageSchema(apiConversationSchema), await ok(t, 'GET', '/api/conversations?pinned=true'), 'pinned conversation page');
    const messages = expectContract(pageSchema(apiMessageSchema), await ok(t, 'GET', `/api/conversations/${created.id}/messages`), 'message page');
    expect(messages.items.map((m) => m.role)).toEqual(['user', 'assistant']);
    expectContract(apiStopResultSchema, await ok(t, 'POST', `/api/conversations/${created.id}/stop`), 'stop');
    const hits = expectContract(apiSearchPageSchema, await ok(t, 'GET', `/api/search?q=${encodeURIComponent(String(messages.items[0]!.text).slice(0, 12))}`), 'search page');
    expect(hits.items.length).toBeGreaterThan(0);
    for (const period of ['daily', 'weekly', 'monthly']) {
      expectContract(apiTokenStatsSchema, await ok(t, 'GET', `/api/stats/tokens?period=${period}`), `stats ${period}`);
    }
    expectContract(apiDeletedSchema, await ok(t, 'DELETE', `/api/conversations/${created.id}/messages/${messages.items[1]!.id}`), 'deleted message');
    expectContract(apiDeletedSchema, await ok(t, 'DELETE', `/api/conversations/${created.id}`), 'deleted conversation');
  });

  it('a stopped answer and a tool answer are stored messages of the contract too', async () => {
    const conversation = await createConversation(t, { model: 'tool-call' });
    await readSse(await sendMessage(t.url, conversation.id, { text: 'what is 17*23?' }));
    const slow = await createConversation(t, { model: 'slow:200' });
    const stream = sendMessage(t.url, slow.id, { text: 'count slowly' });
    await waitFor(async () => (await t.api('GET', `/api/conversations/${slow.id}`)).body.data.running);
    await ok(t, 'POST', `/api/conversations/${slow.id}/stop`);
    await readSse(await stream);
    for (const id of [conversation.id, slow.id]) {
      expectContract(pageSchema(apiMessageSchema), await ok(t, 'GET', `/api/conversations/${id}/messages`), 'messages');
    }
  });

  it('projects and their files', async () => {
    const project = expectContract(apiProjectSchema, await ok(t, 'POST', '/api/projects', { name: 'contract', description: 'files' }), 'project');
    expectContract(z.array(apiProjectSchema), await ok(t, 'GET', '/api/projects'), 'project list');
    expectContract(apiProjectSchema, await ok(t, 'GET', `/api/projects/${project.id}`), 'project detail');
    expectContract(apiProjectSchema, await ok(t, 'PUT', `/api/projects/${project.id}`, { description: 'more files' }), 'updated project');
    const files = `/api/projects/${project.id}/files`;
    expectContract(apiFileWrittenSchema, await ok(t, 'PUT', `${files}/src/a.txt`, { content: 'needle\n' }), 'written file');
    expectContract(apiFileWrittenSchema, await ok(t, 'POST', `/api/projects/${project.id}/directories`, { path: 'docs' }), 'directory');
    expectContract(apiDirectoryListingSchema, await ok(t, 'GET', `${files}?path=`), 'listing');
    expectContract(apiFileContentSchema, await ok(t, 'GET', `${files}/src/a.txt`), 'file content');
    expectContract(apiSearchResultSchema, await ok(t, 'POST', `/api/projects/${project.id}/search`, { query: 'needle' }), 'search');
    expectContract(apiFileMovedSchema, await ok(t, 'PATCH', `${files}/src/a.txt`, { new_path: 'src/b.txt' }), 'moved file');
    expectContract(apiFileDeletedSchema, await ok(t, 'DELETE', `${files}/src/b.txt`), 'deleted file');
    expectContract(apiFileLimitsSchema, await ok(t, 'GET', '/api/files/limits'), 'limits');

    const form = new FormData();
    form.append('files', new Blob(['x']), 'up/x.txt');
    const uploaded = await fetch(`${t.url}/api/projects/${project.id}/upload`, { method: 'POST', body: form });
    expectContract(apiFilesUploadResultSchema, (await uploaded.json()).data, 'files upload');
    const folder = new FormData();
    folder.append('name', 'uploaded');
    folder.append('files', new Blob(['print(1)']), 'site/main.py');
    const created = await fetch(`${t.url}/api/projects/upload`, { method: 'POST', body: folder });
    expectContract(apiUploadResultSchema, (await created.json()).data, 'project upload');
    expectContract(apiDeletedSchema, await ok(t, 'DELETE', `/api/projects/${project.id}`), 'deleted project');
  });
});

describe('REST answers of multi-user mode follow the protocol schemas', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startMultiUserServer();
  });
  afterAll(() => t.close());

  it('register, login, profile and the admin list', async () => {
    const admin = await registerUser(t, 'contract-admin');
    const login = await t.api('POST', '/api/auth/login', { username: 'contract-admin', password: 'correct horse battery staple' });
    expectContract(apiLoginResultSchema, login.body.data, 'login');
    const registered = await t.api('POST', '/api/auth/register', { username: 'contract-user', password: 'correct horse battery staple' });
    expectContract(apiLoginResultSchema, registered.body.data, 'register');
    expectContract(apiUserSchema, await ok(admin, 'GET', '/api/auth/profile'), 'profile');
    expectContract(z.array(apiUserSchema), await ok(admin, 'GET', '/api/admin/users'), 'admin users');
    expectContract(apiUserSchema, await ok(admin, 'PATCH', `/api/admin/users/${registered.body.data.user.id}`, { is_active: false }), 'admin update');
  });
});
