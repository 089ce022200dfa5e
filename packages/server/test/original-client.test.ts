import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse, startTestServer, type TestServer } from './helpers.js';

/**
 * Every request the original NanoClaw front end (ViperEkura/nanoClaw, frontend/src/api/index.js and
 * the components calling it, read in all its stored versions) sends, exactly as it sends them, and
 * the parts of the answers it reads. Its `request()` puts `Content-Type: application/json` on every
 * call and a JSON body only when there is a payload; its streams POST JSON and read the events.
 *
 *  #  method  path                                          body / query as sent
 *  1  GET     /api/models                                   –
 *  2  GET     /api/stats/tokens?period=daily|weekly|monthly –
 *  3  GET     /api/conversations?limit=20                   (&cursor=<id>, &project_id=<id> when set)
 *  4  POST    /api/conversations                            {title: '新对话', project_id: <id> | null, model: <id>}
 *                                                           (older versions: {title: '新对话'})
 *  5  GET     /api/conversations/:id                        –
 *  6  PATCH   /api/conversations/:id                        settings form {title, model, system_prompt, temperature,
 *                                                           max_tokens, thinking_enabled}, or the whole object from GET
 *  7  DELETE  /api/conversations/:id                        JSON content type, empty body
 *  8  GET     /api/conversations/:id/messages?limit=50      (&cursor=<id>)
 *  9  POST    /api/conversations/:id/messages               {text, attachments: null | [{name, extension, content}],
 *                                                           stream: true, tools_enabled, project_id?}  → event stream
 * 10  DELETE  /api/conversations/:id/messages/:mid          JSON content type, empty body
 * 11  POST    /api/conversations/:id/regenerate/:mid        {tools_enabled, project_id?}  → event stream
 * 12  GET     /api/projects                                 (older versions: ?user_id=1)
 * 13  POST    /api/projects                                 {name, description} (older versions: {user_id: 1, name, description})
 * 14  GET     /api/projects/:id                             –
 * 15  PUT     /api/projects/:id                             {name, description}, or the whole object from GET
 * 16  DELETE  /api/projects/:id                             JSON content type, empty body
 * 17  POST    /api/projects/upload                          multipart: name, description, files (filename = relative path)
 * 18  GET     /api/projects/:id/files                       ?path=<dir> (left out for the top)
 * 19  GET     /api/projects/:id/files/<path>                –
 * 20  PUT     /api/projects/:id/files/<path>                {content}
 * 21  DELETE  /api/projects/:id/files/<path>                JSON content type, empty body
 * 22  POST    /api/projects/:id/files/mkdir                 {path}
 * 23  POST    /api/projects/:id/search                      {query, ...options (path, max_results, case_sensitive)}
 *
 * Not served, on purpose: the oldest front end's folder upload as JSON {user_id, name, folder_path,
 * description}, which asked the server to copy a folder of its own file system (answered 415: send
 * the files as multipart, as every later version does).
 */

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

/** As the original's `request()`: JSON content type always, a JSON body only when there is a payload. */
async function original(method: string, path: string, body?: object): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

/** As the original's `createSSEStream()`: a JSON POST whose answer is read as events. */
async function originalStream(path: string, body: object) {
  const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await (res.ok ? Promise.resolve('') : res.clone().text())).toBe(200);
  return readSse(res);
}

function done(events: Awaited<ReturnType<typeof readSse>>) {
  const last = events.find((e) => e.event === 'done');
  expect(last, JSON.stringify(events.filter((e) => e.event === 'error'))).toBeDefined();
  return last!.data;
}

describe('the original front end: models and statistics (1, 2)', () => {
  it('reads the models and the token statistics of each period', async () => {
    const models = await original('GET', '/api/models');
    expect(models.body.code).toBe(0);
    expect(models.body.data[0]).toMatchObject({ id: expect.any(String), name: expect.any(String) });
    for (const period of ['daily', 'weekly', 'monthly']) {
      const stats = await original('GET', `/api/stats/tokens?period=${period}`);
      expect(stats.status, period).toBe(200);
      expect(stats.body.data.period).toBe(period);
    }
  });
});

describe('the original front end: conversations (3–7)', () => {
  it('creates with its default title, a null project and a model, and finds the conversation in the list with its counts', async () => {
    const created = await original('POST', '/api/conversations', { title: '新对话', project_id: null, model: 'text' });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ id: expect.any(String), title: '新对话', project_id: null, model: 'text', message_count: 0 });
    const older = await original('POST', '/api/conversations', { title: '新对话' });
    expect(older.status).toBe(200);

    const list = await original('GET', '/api/conversations?limit=20');
    expect(list.body.data).toMatchObject({ has_more: false, next_cursor: null });
    const item = list.body.data.items.find((c: any) => c.id === created.body.data.id);
    expect(item).toMatchObject({ title: '新对话', message_count: 0, project_id: null });
    const detail = await original('GET', `/api/conversations/${created.body.data.id}`);
    expect(detail.body.data).toMatchObject({ id: created.body.data.id, title: '新对话', message_count: 0 });
  });

  it('creates inside a project and lists by project', async () => {
    const project = (await original('POST', '/api/projects', { name: 'conversations here', description: '' })).body.data;
    const created = await original('POST', '/api/conversations', { title: '新对话', project_id: project.id, model: 'text' });
    expect(created.body.data).toMatchObject({ project_id: project.id, project_name: 'conversations here' });
    const list = await original('GET', `/api/conversations?limit=20&project_id=${project.id}`);
    expect(list.body.data.items.map((c: any) => c.id)).toEqual([created.body.data.id]);
  });

  it('saves the settings form', async () => {
    const { id } = (await original('POST', '/api/conversations', { title: '新对话' })).body.data;
    const form = { title: 'Settings', model: 'echo', system_prompt: 'Be brief.', temperature: 1.3, max_tokens: 8192, thinking_enabled: true };
    const saved = await original('PATCH', `/api/conversations/${id}`, form);
    expect(saved.status).toBe(200);
    expect(saved.body.data).toMatchObject(form);
  });

  it('takes back the whole object it got from GET, ignoring what the server owns and fields it does not know', async () => {
    const { id } = (await original('POST', '/api/conversations', { title: '新对话', system_prompt: 'old' })).body.data;
    const whole = (await original('GET', `/api/conversations/${id}`)).body.data;
    expect(whole).toMatchObject({ id, user_id: expect.any(String), created_at: expect.any(String), running: false, message_count: 0 });
    const sent = { ...whole, title: 'Renamed', system_prompt: null, created_at: '2000-01-01T00:00:00.000Z', updated_at: 'whenever', message_count: 99, project_name: 'stale', running: true, ui_expanded: true };
    const saved = await original('PATCH', `/api/conversations/${id}`, sent);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.data).toMatchObject({ id, title: 'Renamed', system_prompt: null, created_at: whole.created_at, message_count: 0, project_name: null });
    expect(saved.body.data.updated_at).not.toBe('whenever');
    expect(saved.body.data).not.toHaveProperty('ui_expanded');
  });

  it('still refuses a whole object of another conversation, and wrong types on fields it uses, naming the field and changing nothing', async () => {
    const { id } = (await original('POST', '/api/conversations', { title: 'mine' })).body.data;
    const other = (await original('POST', '/api/conversations', { title: 'other' })).body.data;
    const wrongId = await original('PATCH', `/api/conversations/${id}`, { ...other, title: 'changed' });
    expect(wrongId.status).toBe(400);
    expect(wrongId.body.message).toContain('"id" is read-only');
    const wrongOwner = await original('PATCH', `/api/conversations/${id}`, { title: 'changed', user_id: 'someone-else' });
    expect(wrongOwner.status).toBe(400);
    expect(wrongOwner.body.message).toContain('"user_id"');
    for (const [field, value] of [['temperature', 'hot'], ['max_tokens', '4096'], ['thinking_enabled', 'yes'], ['title', 42]] as const) {
      const bad = await original('PATCH', `/api/conversations/${id}`, { title: 'changed', [field]: value });
      expect(bad.status, field).toBe(400);
      expect(bad.body.message, field).toContain(`"${field}"`);
    }
    expect((await original('GET', `/api/conversations/${id}`)).body.data.title).toBe('mine');
  });

  it('reads null as absent on create and update', async () => {
    const created = await original('POST', '/api/conversations', { title: null, model: null, temperature: null, max_tokens: null, thinking_enabled: null, project_id: null });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.data).toMatchObject({ title: '', model: 'text', temperature: 0.7, thinking_enabled: false, project_id: null });
    const updated = await original('PATCH', `/api/conversations/${created.body.data.id}`, { title: 'kept', temperature: null, model: null });
    expect(updated.body.data).toMatchObject({ title: 'kept', temperature: 0.7, model: 'text' });
  });

  it('deletes with a JSON content type and no body', async () => {
    const { id } = (await original('POST', '/api/conversations', { title: '新对话' })).body.data;
    const deleted = await original('DELETE', `/api/conversations/${id}`);
    expect(deleted).toMatchObject({ status: 200, body: { code: 0 } });
    expect((await original('GET', `/api/conversations/${id}`)).status).toBe(404);
  });
});

describe('the original front end: messages (8–11)', () => {
  it('sends with attachments null, stream and tools flags, gets the events, then lists, regenerates and deletes', async () => {
    const { id } = (await original('POST', '/api/conversations', { title: '新对话', project_id: null, model: 'text' })).body.data;
    const events = await originalStream(`/api/conversations/${id}/messages`, { text: 'Hello from the original client', attachments: null, stream: true, tools_enabled: true });
    const finished = done(events);
    expect(finished).toMatchObject({ message_id: expect.any(String), token_count: expect.any(Number), suggested_title: 'Hello from the original client' });
    expect(events.some((e) => e.event === 'process_step' && typeof e.data.index === 'number')).toBe(true);

    const withFile = await originalStream(`/api/conversations/${id}/messages`, {
      text: 'and a file',
      attachments: [{ name: 'a.py', extension: 'py', content: 'print(1)' }],
      stream: true,
      tools_enabled: false,
    });
    done(withFile);

    const page = await original('GET', `/api/conversations/${id}/messages?limit=50`);
    expect(page.body.data).toMatchObject({ has_more: false, next_cursor: null });
    const items = page.body.data.items;
    expect(items.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(items[2]).toMatchObject({ text: 'and a file', attachments: [{ name: 'a.py', extension: 'py', content: 'print(1)' }] });
    expect(items[3]).toMatchObject({ id: expect.any(String), text: expect.any(String), process_steps: expect.any(Array), token_count: expect.any(Number) });

    t.sim.clearRequests();
    const again = await originalStream(`/api/conversations/${id}/regenerate/${items[3].id}`, { tools_enabled: false });
    expect(done(again).message_id).toEqual(expect.any(String));
    const asked = t.sim.requests().at(-1)!.body as { tools?: unknown[] };
    expect(asked.tools ?? []).toEqual([]);

    const deleted = await original('DELETE', `/api/conversations/${id}/messages/${items[0].id}`);
    expect(deleted).toMatchObject({ status: 200, body: { code: 0 } });
  });

  it('regenerates inside the project it names', async () => {
    const project = (await original('POST', '/api/projects', { name: 'regenerate here', description: '' })).body.data;
    const { id } = (await original('POST', '/api/conversations', { title: '新对话', model: 'text' })).body.data;
    done(await originalStream(`/api/conversations/${id}/messages`, { text: 'hi', attachments: null, stream: true, tools_enabled: true }));
    const answer = (await original('GET', `/api/conversations/${id}/messages?limit=50`)).body.data.items[1];
    const missing = await fetch(`${t.url}/api/conversations/${id}/regenerate/${answer.id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tools_enabled: true, project_id: 'no-such-project' }),
    });
    expect(missing.status).toBe(404);
    done(await originalStream(`/api/conversations/${id}/regenerate/${answer.id}`, { tools_enabled: true, project_id: project.id }));
  });
});

describe('the original front end: projects (12–17)', () => {
  it('creates (with or without its user_id), reads, renames with PUT, and deletes with an empty JSON body', async () => {
    const created = await original('POST', '/api/projects', { name: 'Original', description: 'made there' });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ id: expect.any(String), name: 'Original', path: expect.any(String), description: 'made there', created_at: expect.any(String) });
    const older = await original('POST', '/api/projects', { user_id: 1, name: 'Older', description: '' });
    expect(older.status, JSON.stringify(older.body)).toBe(200);

    for (const path of ['/api/projects', '/api/projects?user_id=1']) {
      const list = await original('GET', path);
      expect(list.status, path).toBe(200);
      expect(JSON.stringify(list.body.data)).toContain(created.body.data.id);
    }
    const detail = await original('GET', `/api/projects/${created.body.data.id}`);
    expect(detail.body.data).toMatchObject({ id: created.body.data.id, name: 'Original' });

    const renamed = await original('PUT', `/api/projects/${created.body.data.id}`, { name: 'Renamed', description: 'now' });
    expect(renamed.body.data).toMatchObject({ id: created.body.data.id, name: 'Renamed', description: 'now', updated_at: expect.any(String) });

    const deleted = await original('DELETE', `/api/projects/${older.body.data.id}`);
    expect(deleted).toMatchObject({ status: 200, body: { code: 0 } });
    expect((await original('GET', `/api/projects/${older.body.data.id}`)).status).toBe(404);
  });

  it('takes back the whole project with PUT and PATCH, refusing another one’s id or path and wrong types', async () => {
    const project = (await original('POST', '/api/projects', { name: 'Whole', description: null })).body.data;
    const other = (await original('POST', '/api/projects', { name: 'Another' })).body.data;
    for (const method of ['PUT', 'PATCH']) {
      const whole = (await original('GET', `/api/projects/${project.id}`)).body.data;
      const saved = await original(method, `/api/projects/${project.id}`, { ...whole, description: `by ${method}`, created_at: 'then', conversation_count: 3, stats: { files: 1 } });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      expect(saved.body.data).toMatchObject({ id: project.id, name: 'Whole', description: `by ${method}`, path: project.path, created_at: project.created_at });
    }
    const wrongId = await original('PUT', `/api/projects/${project.id}`, { ...other, description: 'x' });
    expect(wrongId.status).toBe(400);
    expect(wrongId.body.message).toContain('"id"');
    const wrongPath = await original('PUT', `/api/projects/${project.id}`, { path: 'somewhere/else' });
    expect(wrongPath.status).toBe(400);
    expect(wrongPath.body.message).toContain('"path" is read-only');
    const wrongType = await original('PUT', `/api/projects/${project.id}`, { name: 7 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toContain('"name"');
    expect((await original('GET', `/api/projects/${project.id}`)).body.data).toMatchObject({ name: 'Whole', description: 'by PATCH' });
  });

  it('uploads a folder as multipart and reads the new project’s own fields at the top of data', async () => {
    const form = new FormData();
    form.append('name', 'AlgoLab');
    form.append('description', 'uploaded');
    for (const [path, content] of [['AlgoLab/main.py', 'print(1)'], ['AlgoLab/src/util.py', 'x = 1'], ['AlgoLab/src/deep/more.py', 'y = 2']]) {
      form.append('files', new Blob([content!]), path);
    }
    const res = await fetch(`${t.url}/api/projects/upload`, { method: 'POST', body: form });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.data).toMatchObject({
      id: expect.any(String),
      name: 'AlgoLab',
      path: expect.any(String),
      description: 'uploaded',
      created_at: expect.any(String),
      stats: { files: 3, directories: 2, size: 'print(1)'.length + 'x = 1'.length + 'y = 2'.length },
    });
    expect((await original('GET', `/api/projects/${body.data.id}/files/src/util.py`)).body.data.content).toBe('x = 1');
  });

  it('refuses the oldest front end’s JSON folder upload (a folder on the server) with 415, creating nothing', async () => {
    const before = (await original('GET', '/api/projects')).body.data;
    const res = await original('POST', '/api/projects/upload', { user_id: 1, name: 'From server', folder_path: '/etc', description: '' });
    expect(res.status).toBe(415);
    expect((await original('GET', '/api/projects')).body.data).toEqual(before);
  });
});

describe('the original front end: project files (18–23)', () => {
  it('lists, reads, writes, makes folders, searches and deletes as the file explorer does', async () => {
    const project = (await original('POST', '/api/projects', { name: 'Files', description: '' })).body.data;
    const base = `/api/projects/${project.id}`;
    expect((await original('PUT', `${base}/files/notes.md`, { content: '# Notes\nneedle here\n' })).status).toBe(200);
    expect((await original('PUT', `${base}/files/utils.py`, { content: '' })).status).toBe(200);
    const made = await original('POST', `${base}/files/mkdir`, { path: 'src' });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect((await original('PUT', `${base}/files/src/app.py`, { content: 'NEEDLE = 1\n' })).status).toBe(200);

    const top = await original('GET', `${base}/files`);
    expect(top.status).toBe(200);
    expect(JSON.stringify(top.body.data)).toContain('notes.md');
    const inner = await original('GET', `${base}/files?path=${encodeURIComponent('src')}`);
    expect(JSON.stringify(inner.body.data)).toContain('app.py');

    const read = await original('GET', `${base}/files/notes.md`);
    expect(read.body.data).toMatchObject({ name: 'notes.md', path: 'notes.md', content: '# Notes\nneedle here\n', size: expect.any(Number) });

    const found = await original('POST', `${base}/search`, { query: 'needle' });
    expect(found.status).toBe(200);
    expect(JSON.stringify(found.body.data)).toContain('notes.md');
    const narrowed = await original('POST', `${base}/search`, { query: 'NEEDLE', path: 'src', max_results: 10, case_sensitive: true });
    expect(JSON.stringify(narrowed.body.data)).toContain('src/app.py');
    expect(JSON.stringify(narrowed.body.data)).not.toContain('notes.md');

    const deleted = await original('DELETE', `${base}/files/utils.py`);
    expect(deleted).toMatchObject({ status: 200, body: { code: 0 } });
    expect((await original('GET', `${base}/files/utils.py`)).status).toBe(404);
  });
});
