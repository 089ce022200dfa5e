import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDocumentSchema, type AssistantContent, type ExportConversation, type ExportDocument } from '@nanoclaw/protocol';
import { makeImage, makePdf } from './attachmentFixtures.js';
import { partsOf, uploadAttachment } from './attachmentHelpers.js';
import { registerUser, startMultiUserServer } from './authHelpers.js';
import { createConversation, readSse, sendMessage, startTestServer, type TestServer } from './helpers.js';

const fixtureText = (name: string) => readFileSync(new URL(`./fixtures/imports/${name}`, import.meta.url), 'utf8');
const IMPORT_LIMIT = 64 * 1024;

/**
 * A document with its ids and timestamps taken out, what export → import → export keeps: ids become
 * positions ("m3" is the conversation's fourth message), so the tree and the active leaf still compare.
 */
function withoutIdsAndTimes(conversations: ExportConversation[]) {
  return conversations.map((conversation) => {
    const position = new Map(conversation.messages.map((message, i) => [message.id, `m${i}`]));
    const file = new Map((conversation.attachments ?? []).map((attachment, i) => [attachment.id, `a${i}`]));
    return {
      ...conversation,
      id: undefined,
      created_at: undefined,
      updated_at: undefined,
      active_leaf_id: conversation.active_leaf_id === null ? null : position.get(conversation.active_leaf_id),
      messages: conversation.messages.map((message) => ({
        ...message,
        id: position.get(message.id),
        parent_id: message.parent_id === null ? null : position.get(message.parent_id),
        created_at: undefined,
        content: 'files' in message.content && message.content.files ? { ...message.content, files: message.content.files.map((ref) => ({ ...ref, id: file.get(ref.id) })) } : message.content,
      })),
      attachments: conversation.attachments?.map((attachment) => ({ ...attachment, id: file.get(attachment.id), created_at: undefined })),
    };
  });
}

describe('export and import (issue 14)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ import: { max_bytes: IMPORT_LIMIT } });
  });
  afterAll(() => t.close());

  async function exportAll(): Promise<ExportDocument> {
    const res = await fetch(`${t.url}/api/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="nanoclaw-export-\d{4}-\d\d-\d\d\.json"$/);
    return exportDocumentSchema.parse(await res.json());
  }

  async function exportOne(id: string): Promise<ExportDocument> {
    const res = await fetch(`${t.url}/api/conversations/${id}/export?format=json`);
    expect(res.status).toBe(200);
    return exportDocumentSchema.parse(await res.json());
  }

  async function importJson(body: unknown) {
    return t.api('POST', '/api/import', body);
  }

  async function importFile(text: string, name = 'conversations.json') {
    const form = new FormData();
    form.append('file', new Blob([text], { type: 'application/json' }), name);
    const res = await fetch(`${t.url}/api/import`, { method: 'POST', body: form });
    return { status: res.status, body: (await res.json()) as { code: number; data: any; message?: string } };
  }

  /** What the user has: conversations and projects, to show a refused file stored nothing. */
  async function holdings() {
    const conversations = await t.api('GET', '/api/conversations?limit=100');
    const projects = await t.api('GET', '/api/projects');
    return { conversations: conversations.body.data.items.length, projects: projects.body.data.length };
  }

  it('export → import → export gives the same document apart from ids and timestamps: settings, project, steps, tool calls, tokens', async () => {
    const project = await t.api('POST', '/api/projects', { name: 'Round trip', description: 'kept by name' });
    const tools = await createConversation(t, { title: 'Tools', model: 'tool-call', project_id: project.body.data.id, system_prompt: 'Be exact.', temperature: 0.3 });
    expect((await readSse(await sendMessage(t.url, tools.id, { text: 'what is 17*23?' }))).at(-1)?.event).toBe('done');
    const usage = await createConversation(t, { title: 'Usage', model: 'usage', thinking_enabled: true, max_tokens: 512 });
    expect((await readSse(await sendMessage(t.url, usage.id, { text: 'count my tokens' }))).at(-1)?.event).toBe('done');

    const before = await exportAll();
    const originals = before.conversations.filter((c) => [tools.id, usage.id].includes(c.id));
    expect(originals).toHaveLength(2);
    const answer = originals[0]!.messages[1]!;
    expect((answer.content as AssistantContent).steps.some((s) => s.type === 'tool_call')).toBe(true);
    expect(originals[1]!.messages[1]!.token_count).toBeGreaterThan(0);
    expect(before.projects).toContainEqual({ name: 'Round trip', description: 'kept by name', created_at: expect.any(String) });

    const imported = await importJson({ ...before, conversations: originals });
    expect(imported.status).toBe(200);
    expect(imported.body.data).toEqual({
      format: 'nanoclaw',
      conversations: [
        { id: expect.any(String), title: 'Tools', message_count: 2 },
        { id: expect.any(String), title: 'Usage', message_count: 2 },
      ],
      projects: [],
      notes: [],
    });
    const newIds = imported.body.data.conversations.map((c: { id: string }) => c.id);
    expect(newIds).not.toContain(tools.id);
    const after = (await exportAll()).conversations.filter((c) => newIds.includes(c.id));
    expect(withoutIdsAndTimes(after)).toEqual(withoutIdsAndTimes(originals));
  });

  it('a ChatGPT export with branches: every branch, current_node the active leaf, and it round-trips', async () => {
    const result = await importFile(fixtureText('chatgpt-conversations.json'));
    expect(result.status).toBe(200);
    expect(result.body.data).toMatchObject({
      format: 'chatgpt',
      conversations: [
        { title: 'Fibonacci numbers', message_count: 7 },
        { title: 'Plant identification', message_count: 2 },
      ],
      notes: ['image asset pointer: 1 kept as a text placeholder.'],
    });
    const fibonacci = (await exportOne(result.body.data.conversations[0].id)).conversations[0]!;
    const byId = new Map(fibonacci.messages.map((m) => [m.id, m]));
    // The active leaf is the code run's answer (current_node "r3" went into it), its path the edited question's first branch.
    const leaf = byId.get(fibonacci.active_leaf_id!)!;
    expect(leaf.content.text).toBe('Python agrees: `fib(10)` returns 55.');
    const path: string[] = [];
    for (let m = leaf; m; m = m.parent_id ? byId.get(m.parent_id)! : (undefined as never)) path.unshift(m.content.text);
    expect(path).toEqual(['What is the 10th Fibonacci number?', 'The 10th Fibonacci number is 55.', 'Compute it with Python to be sure.', 'Python agrees: `fib(10)` returns 55.']);
    // Siblings: two answers to the first question, two questions after the first answer.
    const first = fibonacci.messages[0]!;
    expect(fibonacci.messages.filter((m) => m.parent_id === first.id)).toHaveLength(2);
    // The API's whole tree holds them all, owned by the importer; its message list is the active path.
    const listed = await t.api('GET', `/api/conversations/${result.body.data.conversations[0].id}/messages?limit=100&all=true`);
    expect(listed.body.data.items).toHaveLength(7);
    const shown = await t.api('GET', `/api/conversations/${result.body.data.conversations[0].id}/messages?limit=100`);
    expect(shown.body.data.items.map((m: { text: string }) => m.text)).toEqual(path);

    const again = await importJson(await exportOne(result.body.data.conversations[0].id));
    expect(again.status).toBe(200);
    const copy = (await exportOne(again.body.data.conversations[0].id)).conversations[0]!;
    expect(withoutIdsAndTimes([copy])).toEqual(withoutIdsAndTimes([fibonacci]));
  });

  it('an Open WebUI export becomes the importer\'s conversation, whatever user id it names', async () => {
    const result = await importFile(fixtureText('openwebui-export.json'), 'chat-export.json');
    expect(result.status).toBe(200);
    expect(result.body.data).toMatchObject({ format: 'open-webui', conversations: [{ title: 'Autumn haiku', message_count: 5 }] });
    const conversation = await t.api('GET', `/api/conversations/${result.body.data.conversations[0].id}`);
    const me = await t.api('GET', '/api/auth/profile');
    expect(conversation.body.data.user_id).toBe(me.body.data.id);
  });

  it('a conversation of more messages than an export page reads at once comes out whole and in order', async () => {
    const conversation = await createConversation(t, { title: 'Long' });
    const repo = t.server.ctx.repos.messages;
    const rows = [];
    let parentId: string | null = null;
    for (let i = 0; i < 1_150; i++) {
      const row = repo.draft({ conversationId: conversation.id, parentId, role: i % 2 ? 'assistant' : 'user', content: i % 2 ? { text: `a${i}`, tool_calls: [], steps: [] } : { text: `q${i}` }, status: 'complete' });
      rows.push(row);
      parentId = row.id;
    }
    await repo.insert(rows);
    const exported = (await exportOne(conversation.id)).conversations[0]!;
    expect(exported.messages.map((m) => m.id)).toEqual(rows.map((r) => r.id));
    const markdown = await fetch(`${t.url}/api/conversations/${conversation.id}/export?format=markdown`);
    const text = await markdown.text();
    expect(text.match(/^## (User|Assistant)$/gm)).toHaveLength(1_150);
    expect(text.endsWith('a1149\n')).toBe(true);
  });

  it('Markdown: a readable transcript of the active path, as a download', async () => {
    const conversation = await createConversation(t, { title: 'Hello / world', model: 'reasoning' });
    await readSse(await sendMessage(t.url, conversation.id, { text: 'think first' }));
    const res = await fetch(`${t.url}/api/conversations/${conversation.id}/export?format=markdown`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="Hello-world.md"');
    const text = await res.text();
    expect(text).toMatch(/^# Hello \/ world\n/);
    expect(text).toContain('## User\n\nthink first');
    expect(text).toContain('<summary>Thinking</summary>');
    const missing = await t.api('GET', '/api/conversations/nope/export?format=markdown');
    expect(missing.status).toBe(404);
    const badFormat = await t.api('GET', `/api/conversations/${conversation.id}/export?format=pdf`);
    expect(badFormat.status).toBe(400);
  });

  describe('a file that cannot be imported is refused whole, naming the problem, and stores nothing', () => {
    const chatgpt = () => fixtureText('chatgpt-conversations.json');
    const cases: Array<[string, () => Promise<{ status: number; body: { message?: string } }>, number, RegExp]> = [
      ['malformed', () => importFile('{"format": nanoclaw}'), 400, /not valid JSON/],
      ['truncated', () => importFile(chatgpt().slice(0, 5000)), 400, /not valid JSON .*truncated/],
      ['empty', () => importFile(''), 400, /The file is empty\./],
      ['of another format', () => importFile('{"messages": []}'), 400, /none of the formats NanoClaw imports/],
      ['a JSON body of another format', () => importJson([{ role: 'user', content: 'hi' }]), 400, /none of the formats/],
      ['a ChatGPT export of the wrong shape', () => importFile('[{"title": "x", "mapping": {"a": {"children": 3}}}]'), 400, /ChatGPT.*\[0\]\.mapping\.a\.children/],
      ['a newer NanoClaw export', () => importJson({ format: 'nanoclaw-export', version: 9 }), 400, /version 9/],
      ['oversized (multipart)', () => importFile(`[${' '.repeat(IMPORT_LIMIT + 70_000)}]`), 413, /larger than the 64 KB an import accepts \(import\.max_bytes\)/],
      // Within the allowance for multipart framing, so the announced length passes: the file's own limit stops it.
      ['oversized (multipart, just over)', () => importFile(`[${' '.repeat(IMPORT_LIMIT + 1000)}]`), 413, /import\.max_bytes/],
      ['oversized (JSON body)', () => importJson({ format: 'nanoclaw-export', padding: 'x'.repeat(IMPORT_LIMIT + 70_000) }), 413, /import\.max_bytes/],
      ['a multipart upload without a file', async () => {
        const form = new FormData();
        form.append('note', 'no file here');
        const res = await fetch(`${t.url}/api/import`, { method: 'POST', body: form });
        return { status: res.status, body: await res.json() };
      }, 400, /multipart part "file"/],
    ];
    it.each(cases)('%s', async (_name, send, status, message) => {
      const before = await holdings();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.body.message).toMatch(message);
      expect(await holdings()).toEqual(before);
    });

    it('a file whose second conversation is broken stores neither, nor the project it names', async () => {
      const good = (await exportAll()).conversations.find((c) => c.title === 'Tools')!;
      const broken = { ...good, messages: [{ ...good.messages[1]!, parent_id: 'missing' }] };
      const before = await holdings();
      const res = await importJson({ format: 'nanoclaw-export', version: 1, exported_at: 'x', projects: [{ name: 'Brand new', description: null, created_at: 'x' }], conversations: [{ ...good, project: 'Brand new' }, broken] });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/conversations\[1\]\.messages\[0\] names a parent_id \("missing"\)/);
      expect(await holdings()).toEqual(before);
    });
  });

  it('a project the importer lacks is created (without files); one of the same name is reused', async () => {
    const doc = await exportAll();
    const tools = doc.conversations.find((c) => c.title === 'Tools')!;
    const res = await importJson({ ...doc, projects: [{ name: 'Elsewhere', description: 'from another server', created_at: 'x' }], conversations: [{ ...tools, project: 'Elsewhere' }] });
    expect(res.status).toBe(200);
    expect(res.body.data.projects).toEqual([{ id: expect.any(String), name: 'Elsewhere' }]);
    const conversation = await t.api('GET', `/api/conversations/${res.body.data.conversations[0].id}`);
    expect(conversation.body.data).toMatchObject({ project_id: res.body.data.projects[0].id, project_name: 'Elsewhere' });
    const reused = await importJson({ ...doc, projects: [], conversations: [{ ...tools, project: 'Elsewhere' }] });
    expect(reused.body.data.projects).toEqual([]);
  });
});

describe('export and import with several accounts', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startMultiUserServer();
  });
  afterAll(() => t.close());

  it("each exports only their own; an import is the importer's, whatever the file came from", async () => {
    const alice = await registerUser(t, 'alice');
    const bob = await registerUser(t, 'bob');
    await alice.api('POST', '/api/projects', { name: 'Secret garden' });
    const projects = await alice.api('GET', '/api/projects');
    const mine = await alice.api('POST', '/api/conversations', { title: 'Alice only', project_id: projects.body.data[0].id });
    const own = await fetch(`${t.url}/api/conversations/${mine.body.data.id}/export`, { headers: alice.headers });
    expect(own.status).toBe(200);
    const document = exportDocumentSchema.parse(await own.json());
    expect(document.projects.map((p) => p.name)).toEqual(['Secret garden']);

    expect((await fetch(`${t.url}/api/conversations/${mine.body.data.id}/export`, { headers: bob.headers })).status).toBe(404);
    expect((await fetch(`${t.url}/api/export`)).status).toBe(401);
    expect((await t.api('POST', '/api/import', document)).status).toBe(401);
    const bobs = exportDocumentSchema.parse(await (await fetch(`${t.url}/api/export`, { headers: bob.headers })).json());
    expect(bobs).toMatchObject({ projects: [], conversations: [] });

    const imported = await bob.api('POST', '/api/import', document);
    expect(imported.status).toBe(200);
    const copy = await bob.api('GET', `/api/conversations/${imported.body.data.conversations[0].id}`);
    expect(copy.body.data).toMatchObject({ user_id: bob.id, title: 'Alice only', project_name: 'Secret garden' });
    expect(copy.body.data.project_id).not.toBe(projects.body.data[0].id);
    expect((await alice.api('GET', '/api/conversations')).body.data.items).toHaveLength(1);
    expect((await alice.api('GET', `/api/conversations/${imported.body.data.conversations[0].id}`)).status).toBe(404);
  });
});

describe('export and import carry attachments (issue 16)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startMultiUserServer({ modelOverrides: { parts: { vision: true } }, attachments: { max_file_bytes: 3 * 1024 * 1024 } });
  });
  afterAll(() => t.close());

  async function exportAs(user: { headers: Record<string, string> }, id: string): Promise<ExportDocument> {
    const res = await fetch(`${t.url}/api/conversations/${id}/export?format=json`, { headers: user.headers });
    expect(res.status).toBe(200);
    return exportDocumentSchema.parse(await res.json());
  }

  async function bytesAs(user: { headers: Record<string, string> }, id: string) {
    const res = await fetch(`${t.url}/api/attachments/${id}`, { headers: user.headers });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  /** Alice's conversation with a question carrying an image and a PDF; answers it exported. */
  async function aliceConversation(alice: Awaited<ReturnType<typeof registerUser>>, png: Buffer, pdf: Buffer) {
    const image = await uploadAttachment(t, 'photo.png', png, alice.headers);
    const document = await uploadAttachment(t, 'report.pdf', pdf, alice.headers);
    expect([image.status, document.status]).toEqual([200, 200]);
    const conversation = await alice.api('POST', '/api/conversations', { title: 'With files', model: 'parts' });
    const events = await readSse(await sendMessage(t.url, conversation.body.data.id, { text: 'Look', attachment_ids: [image.body.data.id, document.body.data.id] }, { headers: alice.headers }));
    expect(events.at(-1)?.event).toBe('done');
    return { conversationId: conversation.body.data.id as string, image: image.body.data, document: document.body.data, exported: await exportAs(alice, conversation.body.data.id) };
  }

  it("the importer gets the files: listed on the message, served to them (not to the exporter), sent to a vision model; the document round-trips", async () => {
    const alice = await registerUser(t, 'alice');
    const bob = await registerUser(t, 'bob');
    const png = await makeImage('png', 64, 32);
    const pdf = await makePdf(1, 'Quarterly figures');
    const { image, document, exported } = await aliceConversation(alice, png, pdf);
    const [carried] = exported.conversations;
    expect(carried!.attachments!.map(({ data: _data, created_at: _at, ...rest }) => rest)).toEqual([
      { ...image, text: null },
      { ...document, text: expect.stringContaining('Quarterly figures') },
    ]);
    expect(Buffer.from(carried!.attachments![0]!.data!, 'base64').equals(png)).toBe(true);

    const imported = await bob.api('POST', '/api/import', exported);
    expect(imported.status).toBe(200);
    expect(imported.body.data.notes).toEqual([]);
    const copyId = imported.body.data.conversations[0].id as string;
    const messages = await bob.api('GET', `/api/conversations/${copyId}/messages`);
    const files = messages.body.data.items[0].files as Array<{ id: string; name: string; sha256: string }>;
    expect(files.map((f) => f.name)).toEqual(['photo.png', 'report.pdf']);
    expect(files.map((f) => f.sha256)).toEqual([image.sha256, document.sha256]);
    expect(files.map((f) => f.id)).not.toContain(image.id);
    const served = await bytesAs(bob, files[0]!.id);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(png)).toBe(true);
    expect((await bytesAs(bob, files[1]!.id)).bytes.equals(pdf)).toBe(true);
    expect((await bytesAs(alice, files[0]!.id)).status).toBe(404);
    expect((await bytesAs(bob, image.id)).status).toBe(404);

    // export → import → export: the same document apart from ids and timestamps, files and their bytes included.
    const again = await exportAs(bob, copyId);
    expect(withoutIdsAndTimes(again.conversations)).toEqual(withoutIdsAndTimes(exported.conversations));

    // A run in the imported conversation (the imported answer regenerated) sends the image to the vision model.
    const importedAnswer = messages.body.data.items[1];
    const res = await fetch(`${t.url}/api/conversations/${copyId}/regenerate/${importedAnswer.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bob.headers },
      body: '{}',
    });
    expect((await readSse(res)).at(-1)?.event).toBe('done');
    const answer = (await bob.api('GET', `/api/conversations/${copyId}/messages`)).body.data.items.at(-1);
    expect(answer.id).not.toBe(importedAnswer.id);
    expect(partsOf(answer.text)).toContainEqual(expect.objectContaining({ type: 'image_url', mime: 'image/png', width: 64, height: 32 }));
  });

  it('a tampered sha256, bad base64, a wrong size or a type the bytes belie is refused (400, naming the conversation and the file); nothing is stored', async () => {
    const carol = await registerUser(t, 'carol');
    const dave = await registerUser(t, 'dave');
    const png = await makeImage('png', 20, 10);
    const { exported } = await aliceConversation(carol, png, await makePdf(1));
    const tamper = (change: (attachment: Record<string, unknown>) => void) => {
      const copy = structuredClone(exported) as ExportDocument;
      change(copy.conversations[0]!.attachments![1]! as Record<string, unknown>);
      return copy;
    };
    const cases: Array<[Record<string, unknown> & object, RegExp]> = [
      [tamper((a) => (a.sha256 = '0'.repeat(64))), /does not match its sha256/],
      [tamper((a) => (a.data = `${String(a.data).slice(0, -4)}!!!!`)), /is not base64/],
      [tamper((a) => (a.size = Number(a.size) + 1)), /not the \d+ its size says/],
      [tamper((a) => (a.mime = 'image/png')), /its bytes are application\/pdf/],
    ];
    for (const [document, problem] of cases) {
      const refused = await dave.api('POST', '/api/import', document);
      expect(refused.status).toBe(400);
      expect(refused.body.message).toMatch(/The conversation "With files" \(conversations\[0\]\) has the file "report\.pdf" \(attachments\[1\]\)/);
      expect(refused.body.message).toMatch(problem);
    }
    expect((await dave.api('GET', '/api/conversations')).body.data.items).toEqual([]);
    // The good image before the bad PDF: checked, never stored (its content is carol's alone).
    const sha = exported.conversations[0]!.attachments![0]!.sha256;
    expect(await t.server.ctx.attachments!.read({ sha256: sha })).toBeDefined();
    const lone = structuredClone(exported);
    const loneSha = 'f'.repeat(64);
    lone.conversations[0]!.attachments![0]!.sha256 = loneSha;
    expect((await dave.api('POST', '/api/import', lone)).status).toBe(400);
    expect(await t.server.ctx.attachments!.read({ sha256: loneSha })).toBeUndefined();
  });

  it('a file over attachments.max_file_bytes is refused; references to files the document does not carry are left out with a note', async () => {
    const erin = await registerUser(t, 'erin');
    const frank = await registerUser(t, 'frank');
    const { exported } = await aliceConversation(erin, await makeImage('png', 12, 12), await makePdf(1));
    const big = structuredClone(exported);
    big.conversations[0]!.attachments![0]!.size = 3 * 1024 * 1024 + 1;
    const refused = await frank.api('POST', '/api/import', big);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/"photo\.png" \(attachments\[0\]\): it is larger than .*attachments\.max_file_bytes/);

    // An export written before files were carried (no "attachments"), and one missing a file.
    const older = structuredClone(exported);
    delete older.conversations[0]!.attachments;
    const oldImport = await frank.api('POST', '/api/import', older);
    expect(oldImport.status).toBe(200);
    expect(oldImport.body.data.notes).toEqual(['2 file references in "With files" (conversations[0]) named files the file does not carry; left out of the messages.']);
    const oldQuestion = (await frank.api('GET', `/api/conversations/${oldImport.body.data.conversations[0].id}/messages`)).body.data.items[0];
    expect(oldQuestion.files).toBeUndefined();
    expect(oldQuestion.text).toBe('Look');

    const partial = structuredClone(exported);
    partial.conversations[0]!.attachments!.splice(0, 1);
    const partialImport = await frank.api('POST', '/api/import', partial);
    expect(partialImport.body.data.notes).toEqual(['1 file reference in "With files" (conversations[0]) named files the file does not carry; left out of the messages.']);
    const question = (await frank.api('GET', `/api/conversations/${partialImport.body.data.conversations[0].id}/messages`)).body.data.items[0];
    expect(question.files.map((f: { name: string }) => f.name)).toEqual(['report.pdf']);
  });
});
