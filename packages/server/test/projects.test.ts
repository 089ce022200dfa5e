import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let workspaceRoot: string;
let userId: string;

beforeAll(async () => {
  t = await startTestServer();
  workspaceRoot = join(t.dataDir, 'workspaces');
  userId = (await t.api('GET', '/api/auth/profile')).body.data.id;
});
afterAll(async () => {
  await t?.close();
});

async function createProject(name: string, description?: string) {
  const { status, body } = await t.api('POST', '/api/projects', { name, ...(description !== undefined && { description }) });
  if (status !== 200) throw new Error(`create project failed: ${status} ${JSON.stringify(body)}`);
  return body.data;
}

function upload(files: Array<[string, string | Uint8Array]>, fields: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  for (const [path, content] of files) form.append('files', new Blob([content]), path);
  return fetch(`${t.url}/api/projects/upload`, { method: 'POST', body: form });
}

describe('projects API', () => {
  it('creates a project with its directory under workspace_root/<user>/<name>', async () => {
    const project = await createProject('Data Analysis', 'numbers');
    expect(project).toMatchObject({ name: 'Data Analysis', description: 'numbers', user_id: userId, path: `${userId}/Data-Analysis` });
    expect(existsSync(join(workspaceRoot, userId, 'Data-Analysis'))).toBe(true);
    expect((await t.api('GET', `/api/projects/${project.id}`)).body.data).toEqual(project);
  });

  it('keeps names unique per user (409) and gives clashing directory names their own directory', async () => {
    await createProject('unique');
    const again = await t.api('POST', '/api/projects', { name: 'unique' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ code: 409, message: 'A project named "unique" already exists.' });
    const similar = await createProject('unique!');
    expect(similar.path).toBe(`${userId}/unique-2`);
    expect(readdirSync(join(workspaceRoot, userId)).filter((name) => name.startsWith('unique'))).toEqual(['unique', 'unique-2']);
  });

  it('sanitises names into directory names and never leaves the workspace', async () => {
    const project = await createProject('../../../etc');
    expect(project.path).toBe(`${userId}/etc`);
    expect(existsSync(join(workspaceRoot, userId, 'etc'))).toBe(true);
    const odd = await createProject('...');
    expect(odd.path).toMatch(new RegExp(`^${userId}/project-`));
  });

  it('validates bodies with 400 naming the field', async () => {
    expect((await t.api('POST', '/api/projects', { name: '' })).status).toBe(400);
    expect((await t.api('POST', '/api/projects', { name: '  ' })).body.message).toContain('"name"');
    expect((await t.api('POST', '/api/projects', {})).body.message).toContain('"name" is required');
    expect((await t.api('POST', '/api/projects', { name: 'x', description: 5 })).body.message).toContain('"description"');
    expect((await t.api('POST', '/api/projects', { name: 'a\nb' })).status).toBe(400);
  });

  it('lists by name, updates with PUT (the directory stays), and answers 404 for unknown ids', async () => {
    const fresh = await startTestServer();
    try {
      const b = (await fresh.api('POST', '/api/projects', { name: 'b' })).body.data;
      await fresh.api('POST', '/api/projects', { name: 'a' });
      expect((await fresh.api('GET', '/api/projects')).body.data.map((p: any) => p.name)).toEqual(['a', 'b']);
      const renamed = await fresh.api('PUT', `/api/projects/${b.id}`, { name: 'c', description: 'now c' });
      expect(renamed.body.data).toMatchObject({ id: b.id, name: 'c', description: 'now c', path: b.path });
      expect((await fresh.api('PATCH', `/api/projects/${b.id}`, { description: null })).body.data.description).toBeNull();
      expect((await fresh.api('PUT', `/api/projects/${b.id}`, { name: 'a' })).status).toBe(409);
      for (const [method, body] of [['GET'], ['PUT', { name: 'z' }], ['DELETE']] as const) {
        const res = await fresh.api(method, '/api/projects/00000000-0000-0000-0000-000000000000', body);
        expect(res.status, method).toBe(404);
        expect(res.body.message).toBe('Project was not found.');
      }
    } finally {
      await fresh.close();
    }
  });

  it('deletes a project with its directory; its conversations stay, unbound', async () => {
    const project = await createProject('doomed');
    await t.api('PUT', `/api/projects/${project.id}/files/notes/todo.md`, { content: '- [ ] x' });
    const conversation = await createConversation(t, { project_id: project.id });
    const dir = join(workspaceRoot, project.path);
    expect(existsSync(join(dir, 'notes', 'todo.md'))).toBe(true);

    const del = await t.api('DELETE', `/api/projects/${project.id}`);
    expect(del.body.data).toEqual({ id: project.id, deleted: true });
    expect(existsSync(dir)).toBe(false);
    expect((await t.api('GET', `/api/projects/${project.id}`)).status).toBe(404);
    expect((await t.api('GET', `/api/conversations/${conversation.id}`)).body.data).toMatchObject({ project_id: null, project_name: null });
  });
});

describe('conversations and projects', () => {
  it('bind on create, move with PATCH, unbind with null, and filter by project', async () => {
    const first = await createProject('bind-1');
    const second = await createProject('bind-2');
    const conversation = await createConversation(t, { project_id: first.id });
    expect((await t.api('GET', `/api/conversations/${conversation.id}`)).body.data).toMatchObject({ project_id: first.id, project_name: 'bind-1' });

    const moved = await t.api('PATCH', `/api/conversations/${conversation.id}`, { project_id: second.id });
    expect(moved.body.data).toMatchObject({ project_id: second.id, project_name: 'bind-2' });
    expect((await t.api('GET', `/api/conversations?project_id=${second.id}`)).body.data.items.map((c: any) => c.id)).toEqual([conversation.id]);
    expect((await t.api('GET', `/api/conversations?project_id=${first.id}`)).body.data.items).toEqual([]);

    const unbound = await t.api('PATCH', `/api/conversations/${conversation.id}`, { project_id: null });
    expect(unbound.body.data).toMatchObject({ project_id: null, project_name: null });
    expect((await t.api('GET', `/api/conversations/${conversation.id}`)).body.data.project_id).toBeNull();
    expect((await t.api('GET', `/api/conversations?project_id=${second.id}`)).body.data.items).toEqual([]);

    const missing = await t.api('PATCH', `/api/conversations/${conversation.id}`, { project_id: 'no-such-project' });
    expect(missing.status).toBe(404);
    expect((await t.api('GET', `/api/conversations/${conversation.id}`)).body.data.project_id).toBeNull();
  });
});

describe('folder upload', () => {
  it('creates a project from a folder with nested paths, named after the folder', async () => {
    const res = await upload([
      ['site/index.html', '<h1>hi</h1>'],
      ['site/css/main.css', 'body { color: red }'],
      ['site/js/lib/app.js', 'console.log(1)'],
    ]);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.data).toMatchObject({ project: { name: 'site', path: `${userId}/site` }, files: 3, bytes: 11 + 19 + 14 });
    const dir = join(workspaceRoot, userId, 'site');
    expect(readFileSync(join(dir, 'css', 'main.css'), 'utf8')).toBe('body { color: red }');
    expect(readFileSync(join(dir, 'js', 'lib', 'app.js'), 'utf8')).toBe('console.log(1)');
    const listing = await t.api('GET', `/api/projects/${body.data.project.id}/files`);
    expect(listing.body.data.items.map((item: any) => item.path)).toEqual(['css', 'js', 'index.html']);
    expect(readdirSync(join(workspaceRoot, userId)).some((name) => name.startsWith('.upload-'))).toBe(false);
  });

  it('takes the name and description from form fields, and loose files stay at the top', async () => {
    const res = await upload([['a.txt', 'A'], ['docs/b.md', 'B']], { name: 'Loose files', description: 'two of them' });
    const body = await res.json();
    expect(body.data.project).toMatchObject({ name: 'Loose files', description: 'two of them' });
    const listing = await t.api('GET', `/api/projects/${body.data.project.id}/files`);
    expect(listing.body.data.items.map((item: any) => item.path)).toEqual(['docs', 'a.txt']);
  });

  it('refuses a file path that escapes, creating nothing', async () => {
    const before = (await t.api('GET', '/api/projects')).body.data.length;
    for (const path of ['evil/../../escape.txt', '/etc/cron.d/evil', 'C:\\evil.txt', '\\\\server\\share\\x']) {
      const res = await upload([['evil/ok.txt', 'fine'], [path, 'pwned']], { name: `escape ${path}` });
      expect(res.status, path).toBe(400);
      expect((await res.json()).message).toMatch(/outside|Absolute|Windows|UNC/);
    }
    expect((await t.api('GET', '/api/projects')).body.data.length).toBe(before);
    expect(existsSync(join(workspaceRoot, userId, 'escape.txt'))).toBe(false);
    expect(existsSync(join(workspaceRoot, 'escape.txt'))).toBe(false);
    expect(readdirSync(join(workspaceRoot, userId)).some((name) => name.startsWith('.upload-'))).toBe(false);
  });

  it('keeps the empty folders of an uploaded folder (folder fields)', async () => {
    const form = new FormData();
    form.append('folder', 'scaffold/logs');
    form.append('folder', 'scaffold/src/empty');
    form.append('files', new Blob(['# app']), 'scaffold/README.md');
    const res = await fetch(`${t.url}/api/projects/upload`, { method: 'POST', body: form });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.data.project.name).toBe('scaffold');
    const dir = join(workspaceRoot, body.data.project.path);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'logs', 'src']);
    expect(readdirSync(join(dir, 'src'))).toEqual(['empty']);
  });

  it('refuses a duplicate project name with 409 and leaves nothing behind', async () => {
    await createProject('dup-upload');
    const res = await upload([['f.txt', 'x']], { name: 'dup-upload' });
    expect(res.status).toBe(409);
    expect(readdirSync(join(workspaceRoot, userId)).filter((name) => name.startsWith('dup-upload') || name.startsWith('.upload-'))).toEqual(['dup-upload']);
  });

  it('takes uploads larger than the JSON body limit, in binary, byte for byte', async () => {
    const large = new Uint8Array(17 * 1024 * 1024).map((_, i) => i % 251);
    const res = await upload([['big/data.bin', large], ['big/readme.txt', 'hi']]);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.data).toMatchObject({ files: 2, bytes: large.length + 2 });
    const stored = readFileSync(join(workspaceRoot, body.data.project.path, 'data.bin'));
    expect(stored.equals(Buffer.from(large))).toBe(true);
    expect((await t.api('GET', `/api/projects/${body.data.project.id}/files/data.bin`)).status).toBe(413);
  });

  it('refuses uploads without files (400) or not multipart (415)', async () => {
    const empty = await upload([], { name: 'nothing' });
    expect(empty.status).toBe(400);
    expect((await empty.json()).message).toMatch(/no files/);
    const json = await t.api('POST', '/api/projects/upload', { name: 'x' });
    expect(json.status).toBe(415);
  });

  it('caps the upload size and the number of files (413), creating nothing', async () => {
    const small = await startTestServer({ max_upload_bytes: 1000, max_upload_files: 3 });
    try {
      const form = (files: Array<[string, string]>) => {
        const data = new FormData();
        for (const [path, content] of files) data.append('files', new Blob([content]), path);
        return fetch(`${small.url}/api/projects/upload`, { method: 'POST', body: data });
      };
      const big = await form([['p/a.txt', 'x'.repeat(600)], ['p/b.txt', 'y'.repeat(600)]]);
      expect(big.status).toBe(413);
      expect((await big.json()).message).toMatch(/larger than the 1000 bytes allowed/);
      const single = await form([['p/a.txt', 'x'.repeat(1001)]]);
      expect(single.status).toBe(413);
      const many = await form([['p/1', '1'], ['p/2', '2'], ['p/3', '3'], ['p/4', '4']]);
      expect(many.status).toBe(413);
      expect((await many.json()).message).toMatch(/more files than allowed/);
      expect((await small.api('GET', '/api/projects')).body.data).toEqual([]);
      const me = (await small.api('GET', '/api/auth/profile')).body.data.id;
      expect(readdirSync(join(small.dataDir, 'workspaces', me))).toEqual([]);
    } finally {
      await small.close();
    }
  });
});
