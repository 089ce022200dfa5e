import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocx, makeImage, makePdf, makeXlsx } from './attachmentFixtures.js';
import { partsOf, uploadAttachment } from './attachmentHelpers.js';
import { registerUser, startMultiUserServer } from './authHelpers.js';
import { createConversation, readSse, sendMessage, startTestServer, type TestServer } from './helpers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/attachments/${name}`, import.meta.url));

/** Sends a message and answers the stored answer's text (and the done/error event). */
async function ask(t: TestServer, conversationId: string, body: object) {
  const events = await readSse(await sendMessage(t.url, conversationId, body));
  const last = events.at(-1)!;
  const { body: page } = await t.api('GET', `/api/conversations/${conversationId}/messages`);
  const answer = page.data.items.at(-1);
  return { last, answer, question: page.data.items.at(-2) };
}

describe('attachments', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ modelOverrides: { parts: { vision: true } }, attachments: { max_file_bytes: 3 * 1024 * 1024, max_message_bytes: 4 * 1024 * 1024, max_files_per_message: 4, image_max_side: 512 } });
  });
  afterAll(() => t.close());

  it('stores an upload and answers {id, name, mime, size, sha256, kind}; the owner gets the image back inline', async () => {
    const png = await makeImage('png', 64, 32);
    const { status, body } = await uploadAttachment(t, 'shot.png', png);
    expect(status).toBe(200);
    expect(body.data).toMatchObject({ name: 'shot.png', mime: 'image/png', kind: 'image', size: png.length });
    expect(body.data.sha256).toMatch(/^[0-9a-f]{64}$/);
    const res = await fetch(`${t.url}/api/attachments/${body.data.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="shot.png"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
  });

  it('serves documents as downloads (Content-Disposition: attachment), with a UTF-8 name', async () => {
    const { body } = await uploadAttachment(t, 'Bericht ü.pdf', await makePdf(1));
    expect(body.data).toMatchObject({ mime: 'application/pdf', kind: 'document' });
    const res = await fetch(`${t.url}/api/attachments/${body.data.id}`);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Bericht _.pdf"; filename*=UTF-8''Bericht%20%C3%BC.pdf`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('judges the type by the bytes: an executable named .png is refused (415), HTML named .png is text', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(200, 1)]);
    const refused = await uploadAttachment(t, 'cat.png', elf);
    expect(refused.status).toBe(415);
    expect(refused.body.message).toMatch(/cannot be attached/);
    const html = await uploadAttachment(t, 'page.png', Buffer.from('<script>alert(1)</script>'));
    expect(html.body.data).toMatchObject({ kind: 'document', mime: 'text/plain' });
    const res = await fetch(`${t.url}/api/attachments/${html.body.data.id}`);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('refuses a file over attachments.max_file_bytes (413) and an empty one', async () => {
    const big = await uploadAttachment(t, 'big.txt', Buffer.alloc(3 * 1024 * 1024 + 1, 0x61));
    expect(big.status).toBe(413);
    expect(big.body.message).toMatch(/attachments\.max_file_bytes/);
    expect((await uploadAttachment(t, 'empty.txt', Buffer.alloc(0))).status).toBe(422);
  });

  it('refuses a multipart body without a file, and one that is not multipart', async () => {
    const form = new FormData();
    form.append('note', 'no file');
    expect((await fetch(`${t.url}/api/attachments`, { method: 'POST', body: form })).status).toBe(400);
    expect((await t.api('POST', '/api/attachments', { file: 'x' })).status).toBe(415);
  });

  it('answers a clear 422 for a damaged PDF, a 10,000-page PDF and a DOCX zip bomb; the server keeps working', async () => {
    const pdf = await makePdf(2);
    const damaged = await uploadAttachment(t, 'broken.pdf', pdf.subarray(0, 300));
    expect(damaged.status).toBe(422);
    expect(damaged.body.message).toMatch(/PDF could not be read/);
    const long = await uploadAttachment(t, 'long.pdf', fixture('10000-blank-pages.pdf'));
    expect(long.status).toBe(422);
    expect(long.body.message).toMatch(/10000 pages; at most 2000/);
    const bomb = await uploadAttachment(t, 'bomb.docx', fixture('zip-bomb-300mb.docx'));
    expect(bomb.status).toBe(422);
    expect(bomb.body.message).toMatch(/zip bomb/);
    const scanned = await uploadAttachment(t, 'scan.pdf', await makePdf(1, '', { blank: true }));
    expect(scanned.body.message).toMatch(/no text layer/);
    expect((await uploadAttachment(t, 'ok.docx', await makeDocx(['fine']))).status).toBe(200);
  }, 60_000);

  it('sends an image to a vision model as an image_url part, downscaled to image_max_side, and lists the file on the message', async () => {
    const { body: up } = await uploadAttachment(t, 'wide.png', await makeImage('png', 2000, 1000));
    const conversation = await createConversation(t, { model: 'parts' });
    const { last, answer, question } = await ask(t, conversation.id, { text: 'What is this?', attachment_ids: [up.data.id] });
    expect(last.event).toBe('done');
    expect(partsOf(answer.text)).toEqual([
      { type: 'text', chars: 'What is this?'.length },
      { type: 'text', chars: 'Attached image wide.png:'.length },
      { type: 'image_url', url_scheme: 'data', mime: 'image/png', bytes: expect.any(Number), width: 512, height: 256 },
    ]);
    expect(answer.notices).toBeUndefined();
    expect(question.files).toEqual([{ ...up.data, id: up.data.id }]);
  });

  it('names an untitled conversation after its first file when the message has no text', async () => {
    const { body: up } = await uploadAttachment(t, 'holiday.png', await makeImage('png', 8, 8));
    const conversation = await createConversation(t, { model: 'parts' });
    await ask(t, conversation.id, { attachment_ids: [up.data.id] });
    expect((await t.api('GET', `/api/conversations/${conversation.id}`)).body.data.title).toBe('holiday.png');
  });

  it('does not send an image to a model without vision: the answer carries a notice, the model a line saying so', async () => {
    const { body: up } = await uploadAttachment(t, 'photo.jpg', await makeImage('jpeg', 40, 40));
    const conversation = await createConversation(t, { model: 'parts:blind' });
    const { answer } = await ask(t, conversation.id, { text: 'Describe it', attachment_ids: [up.data.id] });
    expect(partsOf(answer.text)).toEqual([{ type: 'text', chars: expect.any(Number) }]);
    expect(answer.notices).toEqual(['parts:blind does not take images: photo.jpg was not sent to it. Choose a model with vision to ask about images.']);
  });

  it('gives the model the text of PDF, DOCX, XLSX and CSV attachments', async () => {
    const ids = [];
    for (const [name, bytes] of [
      ['report.pdf', await makePdf(2, 'Revenue grew')],
      ['memo.docx', await makeDocx(['Meeting at noon'])],
      ['sheet.xlsx', await makeXlsx({ Data: [['City', 'Rain'], ['Oslo', 12]] })],
      ['table.csv', Buffer.from('a,b\n1,2\n')],
    ] as const) ids.push((await uploadAttachment(t, name, bytes)).body.data.id);
    const conversation = await createConversation(t, { model: 'echo' });
    const { answer } = await ask(t, conversation.id, { text: 'Summarise', attachment_ids: ids });
    const lastUser = JSON.parse(answer.text).last_user as string;
    expect(lastUser).toContain('Summarise');
    expect(lastUser).toContain('Attached file report.pdf (application/pdf):\n```\n--- page 1 ---\nRevenue grew (page 1)');
    expect(lastUser).toContain('Meeting at noon');
    expect(lastUser).toContain('| City | Rain |\n| --- | --- |\n| Oslo | 12 |');
    expect(lastUser).toContain('Attached file table.csv (text/csv):\n```\na,b\n1,2\n');
  });

  it('keeps the original inline attachments [{name, extension, content}] working beside uploaded files', async () => {
    const { body: up } = await uploadAttachment(t, 'notes.md', Buffer.from('# Notes'));
    const conversation = await createConversation(t, { model: 'echo' });
    const { answer, question } = await ask(t, conversation.id, { text: 'Both', attachments: [{ name: 'a.py', extension: 'py', content: 'print(1)' }], attachment_ids: [up.data.id] });
    const lastUser = JSON.parse(answer.text).last_user as string;
    expect(lastUser).toContain('Attached file a.py:\n```py\nprint(1)\n```');
    expect(lastUser).toContain('Attached file notes.md (text/markdown):\n```\n# Notes\n```');
    expect(question.attachments).toEqual([{ name: 'a.py', extension: 'py', content: 'print(1)' }]);
  });

  it('refuses an unknown attachment id (404), files over attachments.max_message_bytes together and more than max_files_per_message (413), storing nothing', async () => {
    const conversation = await createConversation(t, { model: 'echo' });
    expect((await sendMessage(t.url, conversation.id, { text: 'x', attachment_ids: ['nope'] })).status).toBe(404);
    const a = (await uploadAttachment(t, 'a.txt', Buffer.alloc(2.5 * 1024 * 1024, 0x61))).body.data.id;
    const b = (await uploadAttachment(t, 'b.txt', Buffer.alloc(2 * 1024 * 1024, 0x62))).body.data.id;
    const res = await sendMessage(t.url, conversation.id, { text: 'x', attachment_ids: [a, b] });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/may total at most 4\.0 MB; these total 4\.5 MB/);
    const many = await sendMessage(t.url, conversation.id, { text: 'x', attachment_ids: ['a', 'b', 'c', 'd', 'e'] });
    expect(many.status).toBe(413);
    expect(((await many.json()) as { message: string }).message).toBe('A message may carry at most 4 files ("attachment_ids" has 5).');
    expect((await t.api('GET', `/api/conversations/${conversation.id}/messages`)).body.data.items).toEqual([]);
  });

  it('stores equal content once, and deleting a conversation frees only what no other conversation references', async () => {
    const png = await makeImage('png', 20, 20);
    const first = (await uploadAttachment(t, 'same.png', png)).body.data;
    const second = (await uploadAttachment(t, 'same-again.png', png)).body.data;
    expect(second.sha256).toBe(first.sha256);
    const c1 = await createConversation(t, { model: 'parts' });
    const c2 = await createConversation(t, { model: 'parts' });
    await ask(t, c1.id, { text: 'one', attachment_ids: [first.id] });
    await ask(t, c2.id, { text: 'two', attachment_ids: [second.id] });
    const blob = () => t.server.ctx.repos.attachments.getBlob(first.sha256);

    await t.api('DELETE', `/api/conversations/${c1.id}`);
    expect((await fetch(`${t.url}/api/attachments/${first.id}`)).status).toBe(404);
    expect((await fetch(`${t.url}/api/attachments/${second.id}`)).status).toBe(200);
    expect(await blob()).toBeDefined();

    await t.api('DELETE', `/api/conversations/${c2.id}`);
    expect(await blob()).toBeUndefined();
  });

  it('copies an attachment sent again in another conversation, so each conversation owns its row', async () => {
    const { body: up } = await uploadAttachment(t, 'reuse.txt', Buffer.from('reused text'));
    const c1 = await createConversation(t, { model: 'echo' });
    const c2 = await createConversation(t, { model: 'echo' });
    const one = await ask(t, c1.id, { text: 'a', attachment_ids: [up.data.id] });
    const two = await ask(t, c2.id, { text: 'b', attachment_ids: [up.data.id] });
    expect(one.question.files[0].id).toBe(up.data.id);
    expect(two.question.files[0].id).not.toBe(up.data.id);
    expect(JSON.parse(two.answer.text).last_user).toContain('reused text');
    await t.api('DELETE', `/api/conversations/${c1.id}`);
    expect((await fetch(`${t.url}/api/attachments/${two.question.files[0].id}`)).status).toBe(200);
  });
});

describe('attachments in a directory (storage: directory)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ modelOverrides: { parts: { vision: true } }, attachments: { storage: 'directory' } });
  });
  afterAll(() => t.close());

  it('keeps the bytes under <data_dir>/attachments by sha256, serves them, and removes them with the conversation', async () => {
    const png = await makeImage('png', 30, 30);
    const { body: up } = await uploadAttachment(t, 'dir.png', png);
    const path = join(t.dataDir, 'attachments', up.data.sha256.slice(0, 2), up.data.sha256);
    expect(readFileSync(path).equals(png)).toBe(true);
    expect(await t.server.ctx.repos.attachments.getBlob(up.data.sha256)).toBeUndefined();
    const conversation = await createConversation(t, { model: 'parts' });
    const { answer } = await ask(t, conversation.id, { text: 'see', attachment_ids: [up.data.id] });
    expect(partsOf(answer.text).map((p) => p.type)).toEqual(['text', 'text', 'image_url']);
    await t.api('DELETE', `/api/conversations/${conversation.id}`);
    expect(existsSync(path)).toBe(false);
  });
});

describe('attachments and accounts', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startMultiUserServer();
  });
  afterAll(() => t.close());

  it("answers 404 for another user's attachment, to read it or to send it", async () => {
    const alice = await registerUser(t, 'alice');
    const bob = await registerUser(t, 'bob');
    const { body: up } = await uploadAttachment(t, 'private.png', await makeImage('png', 10, 10), alice.headers);
    expect((await fetch(`${t.url}/api/attachments/${up.data.id}`, { headers: alice.headers })).status).toBe(200);
    expect((await fetch(`${t.url}/api/attachments/${up.data.id}`, { headers: bob.headers })).status).toBe(404);
    expect((await fetch(`${t.url}/api/attachments/${up.data.id}`)).status).toBe(401);
    expect((await uploadAttachment(t, 'x.png', await makeImage('png', 10, 10))).status).toBe(401);
    const { body: conv } = await bob.api('POST', '/api/conversations', {});
    const res = await sendMessage(t.url, conv.data.id, { text: 'steal', attachment_ids: [up.data.id] }, { headers: bob.headers });
    expect(res.status).toBe(404);
  });
});

describe('uploads never sent', () => {
  let t: TestServer;
  let clock = new Date('2026-01-01T00:00:00Z');
  beforeAll(async () => {
    t = await startTestServer({ now: () => clock });
  });
  afterAll(() => t.close());

  it("are deleted a day later, on their owner's next upload, with their bytes; sent ones stay", async () => {
    const unsent = (await uploadAttachment(t, 'forgotten.png', await makeImage('png', 12, 12))).body.data;
    const sent = (await uploadAttachment(t, 'kept.txt', Buffer.from('kept'))).body.data;
    const conversation = await createConversation(t, { model: 'echo' });
    await ask(t, conversation.id, { text: 'x', attachment_ids: [sent.id] });
    clock = new Date(clock.getTime() + 23 * 3600_000);
    await uploadAttachment(t, 'a.txt', Buffer.from('a'));
    expect((await fetch(`${t.url}/api/attachments/${unsent.id}`)).status).toBe(200);
    clock = new Date(clock.getTime() + 2 * 3600_000);
    await uploadAttachment(t, 'b.txt', Buffer.from('b'));
    expect((await fetch(`${t.url}/api/attachments/${unsent.id}`)).status).toBe(404);
    expect(await t.server.ctx.repos.attachments.getBlob(unsent.sha256)).toBeUndefined();
    expect((await fetch(`${t.url}/api/attachments/${sent.id}`)).status).toBe(200);
  });
});
