import {
  apiAuthModeSchema,
  chatCompletionChunkSchema,
  chatCompletionSchema,
  openAiErrorSchema,
  openAiModelListSchema,
  apiAdminApiKeySchema,
  apiApiKeySchema,
  apiCreatedApiKeySchema,
  apiConversationDetailSchema,
  apiConversationSchema,
  apiDeletedSchema,
  apiDirectoryListingSchema,
  apiFileContentSchema,
  apiFileDeletedSchema,
  apiFileLimitsSchema,
  apiFileMovedSchema,
  apiFilesUploadResultSchema,
  apiImportResultSchema,
  apiFileWrittenSchema,
  apiLoginResultSchema,
  apiMcpServerStatusSchema,
  apiMessageSchema,
  apiModelSchema,
  apiProjectSchema,
  apiSearchPageSchema,
  apiSearchResultSchema,
  apiStopResultSchema,
  apiBranchResultSchema,
  apiTokenStatsSchema,
  apiToolSchema,
  apiUploadResultSchema,
  apiUserSchema,
  healthStatusSchema,
  apiAllQuotasSchema,
  apiOwnQuotaSchema,
  apiUserQuotaSchema,
  exportDocumentSchema,
  fileRefSchema,
  pageSchema,
  readinessStatusSchema,
} from '@nanoclaw/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerUser, startMultiUserServer } from './authHelpers.js';
import { FlowBrowser, signInAtProvider } from './oidcBrowser.js';
import { startOidcProvider, type TestOidcProvider } from './oidcProvider.js';
import { makeImage } from './attachmentFixtures.js';
import { uploadAttachment } from './attachmentHelpers.js';
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
    expectContract(apiAuthModeSchema, await ok(t, 'GET', '/api/auth/mode'), 'auth mode');
    expectContract(z.array(apiModelSchema).min(1), await ok(t, 'GET', '/api/models'), 'models');
    expectContract(z.array(apiToolSchema).min(1), await ok(t, 'GET', '/api/tools'), 'tools');
    expectContract(z.object({ mcp_servers: z.array(apiMcpServerStatusSchema) }), await ok(t, 'GET', '/api/tools/status'), 'tool status');
    expectContract(apiUserSchema, await ok(t, 'GET', '/api/auth/profile'), 'profile');
  });

  it('operations at the root (outside the envelope): health and readiness', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expectContract(healthStatusSchema, await health.json(), 'healthz');
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expectContract(readinessStatusSchema, await ready.json(), 'readyz');
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
    expectContract(apiBranchResultSchema, await ok(t, 'POST', `/api/conversations/${created.id}/branch`, { message_id: messages.items[0]!.id }), 'branch');
    expectContract(pageSchema(apiMessageSchema), await ok(t, 'GET', `/api/conversations/${created.id}/messages?all=true`), 'whole tree page');
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

  it('export and import', async () => {
    const conversation = await createConversation(t, { title: 'Exported' });
    const file = await uploadAttachment(t, 'notes.md', Buffer.from('# Notes\n'));
    await readSse(await sendMessage(t.url, conversation.id, { text: 'hello', attachment_ids: [file.body.data.id] }));
    const one = await (await fetch(`${t.url}/api/conversations/${conversation.id}/export?format=json`)).json();
    expectContract(exportDocumentSchema, one, 'conversation export');
    expect(one.conversations[0].attachments).toHaveLength(1);
    const all = await (await fetch(`${t.url}/api/export`)).json();
    expectContract(exportDocumentSchema, all, 'export');
    expectContract(apiImportResultSchema, await ok(t, 'POST', '/api/import', one), 'import');
  });

  it('API keys: create, list, the admin list, revoke', async () => {
    const created = expectContract(apiCreatedApiKeySchema, await ok(t, 'POST', '/api/api-keys', { name: 'contract' }), 'created API key');
    expectContract(z.array(apiApiKeySchema).min(1), await ok(t, 'GET', '/api/api-keys'), 'API keys');
    expectContract(z.array(apiAdminApiKeySchema).min(1), await ok(t, 'GET', '/api/admin/api-keys'), 'admin API keys');
    expectContract(apiDeletedSchema, await ok(t, 'DELETE', `/api/api-keys/${created.id}`), 'revoked API key');
    const second = expectContract(apiCreatedApiKeySchema, await ok(t, 'POST', '/api/api-keys', { name: 'contract 2' }), 'created API key');
    expectContract(apiDeletedSchema, await ok(t, 'DELETE', `/api/admin/api-keys/${second.id}`), 'admin-revoked API key');
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

  it('attachments, and messages that carry them (files, notices)', async () => {
    const uploaded = await uploadAttachment(t, 'pixel.png', await makeImage('png', 4, 4));
    expect(uploaded.status).toBe(200);
    const file = expectContract(fileRefSchema, uploaded.body.data, 'uploaded attachment');
    // `text` has no vision: the answer carries a notice.
    const conversation = await createConversation(t, { model: 'text' });
    await readSse(await sendMessage(t.url, conversation.id, { text: 'look', attachment_ids: [file.id] }));
    const messages = expectContract(pageSchema(apiMessageSchema), await ok(t, 'GET', `/api/conversations/${conversation.id}/messages`), 'messages with files');
    expect(messages.items[0]!.files).toHaveLength(1);
    expect(messages.items[1]!.notices).toHaveLength(1);
  });
});

describe('REST answers of multi-user mode follow the protocol schemas', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startMultiUserServer();
  });
  afterAll(() => t.close());

  it('register, login, profile, the admin list and quotas', async () => {
    const admin = await registerUser(t, 'contract-admin');
    const login = await t.api('POST', '/api/auth/login', { username: 'contract-admin', password: 'correct horse battery staple' });
    expectContract(apiLoginResultSchema, login.body.data, 'login');
    const registered = await t.api('POST', '/api/auth/register', { username: 'contract-user', password: 'correct horse battery staple' });
    expectContract(apiLoginResultSchema, registered.body.data, 'register');
    expectContract(apiUserSchema, await ok(admin, 'GET', '/api/auth/profile'), 'profile');
    expectContract(z.array(apiUserSchema), await ok(admin, 'GET', '/api/admin/users'), 'admin users');
    expectContract(apiUserSchema, await ok(admin, 'PATCH', `/api/admin/users/${registered.body.data.user.id}`, { is_active: false }), 'admin update');
    // Quotas: the own limits, one user's, setting them, everyone's.
    expectContract(apiOwnQuotaSchema, await ok(admin, 'GET', '/api/stats/limits'), 'own limits');
    expectContract(apiUserQuotaSchema, await ok(admin, 'GET', `/api/admin/users/${admin.id}/limits`), 'user limits');
    expectContract(apiUserQuotaSchema, await ok(admin, 'PUT', `/api/admin/users/${admin.id}/limits`, { tokens_per_day: 1000, requests_per_minute: 0 }), 'set user limits');
    expectContract(apiAllQuotasSchema, await ok(admin, 'GET', '/api/admin/limits'), 'all limits');
  });
});

describe('REST answers of single sign-on follow the protocol schemas', () => {
  let provider: TestOidcProvider;
  let t: TestServer;
  beforeAll(async () => {
    provider = await startOidcProvider();
    t = await startMultiUserServer({
      oidc: { issuer: provider.issuer, client_id: provider.clientId, client_secret: provider.clientSecret, allow_insecure_issuer: true },
    });
    await provider.allowRedirects([`${t.url}/api/auth/oidc/callback`]);
  });
  afterAll(async () => {
    await t.close();
    await provider.close();
  });

  it('mode, and the token the hand-off gives (login and callback answer redirects)', async () => {
    expectContract(apiAuthModeSchema, await ok(t, 'GET', '/api/auth/mode'), 'auth mode with oidc');
    const browser = new FlowBrowser();
    const callback = await browser.request(await signInAtProvider(browser, t.url, 'contract-sso'), { accept: 'text/html' });
    expect(callback.status).toBe(303);
    const session = await browser.request(`${t.url}/api/auth/oidc/session`, { method: 'POST' });
    expectContract(apiLoginResultSchema, ((await session.json()) as { data: unknown }).data, 'oidc session');
  });
});

describe('OpenAI-compatible answers follow the protocol schemas', () => {
  let t: TestServer;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await startTestServer();
    const key = ((await ok(t, 'POST', '/api/api-keys', { name: 'contract' })) as { key: string }).key;
    headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  });
  afterAll(() => t.close());

  const complete = (body: object) => fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body) });
  /** Every `data:` event of a streamed answer but the final `[DONE]`, which must be there. */
  async function chunks(res: Response): Promise<unknown[]> {
    const events = (await res.text()).split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => block.slice(6));
    expect(events.at(-1)).toBe('[DONE]');
    return events.slice(0, -1).map((data) => JSON.parse(data));
  }
  const question = [{ role: 'user', content: 'What is 6*7?' }];
  const tools = [{ type: 'function', function: { name: 'calculator', parameters: { type: 'object', properties: {} } } }];

  it('models, whole answers (text, tool calls, agent) and errors', async () => {
    expectContract(openAiModelListSchema, await (await fetch(`${t.url}/v1/models`, { headers })).json(), 'model list');
    expectContract(chatCompletionSchema, await (await complete({ model: 'reasoning', messages: question })).json(), 'completion');
    expectContract(chatCompletionSchema, await (await complete({ model: 'tool-call', messages: question, tools })).json(), 'tool-call completion');
    expectContract(chatCompletionSchema, await (await complete({ model: 'agent/text', messages: question })).json(), 'agent completion');
    expectContract(openAiErrorSchema, await (await complete({ model: 'nope', messages: question })).json(), 'unknown model');
    expectContract(openAiErrorSchema, await (await fetch(`${t.url}/v1/models`)).json(), 'missing key');
  });

  it('every chunk of streamed answers, with usage', async () => {
    for (const body of [
      { model: 'reasoning', messages: question },
      { model: 'split-args', messages: question, tools },
      { model: 'agent/tool-call', messages: question },
    ]) {
      const events = await chunks(await complete({ ...body, stream: true, stream_options: { include_usage: true } }));
      for (const event of events) expectContract(chatCompletionChunkSchema, event, `${body.model} chunk`);
      expect(events.length).toBeGreaterThan(2);
    }
  });
});
