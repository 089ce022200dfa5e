import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, readSse, sendMessage, startTestServer, stepsFromEvents, type TestServer } from './helpers.js';

let t: TestServer;
let project: { id: string; path: string };
let dir: string;
let outside: string;

beforeAll(async () => {
  t = await startTestServer({ max_file_read_bytes: 1000, max_file_write_bytes: 500 });
  project = (await t.api('POST', '/api/projects', { name: 'files' })).body.data;
  dir = join(t.dataDir, 'workspaces', project.path);
  outside = join(t.dataDir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'top secret');
});
afterAll(async () => {
  await t?.close();
});

const files = (path = '') => `/api/projects/${project.id}/files${path}`;

describe('files API', () => {
  it('writes, reads, lists, renames, makes directories and deletes', async () => {
    const written = await t.api('PUT', files('/src/main.py'), { content: 'print("hello")\n' });
    expect(written.status).toBe(200);
    expect(written.body.data).toMatchObject({ path: 'src/main.py', name: 'main.py', type: 'file', size: 15, created: true });
    expect(readFileSync(join(dir, 'src', 'main.py'), 'utf8')).toBe('print("hello")\n');

    const read = await t.api('GET', files('/src/main.py'));
    expect(read.body.data).toMatchObject({ path: 'src/main.py', name: 'main.py', content: 'print("hello")\n', size: 15 });

    expect((await t.api('POST', `/api/projects/${project.id}/directories`, { path: 'docs/api' })).body.data).toMatchObject({ path: 'docs/api', type: 'directory', created: true });
    const root = await t.api('GET', files());
    expect(root.body.data.path).toBe('');
    expect(root.body.data.items.map((item: any) => [item.path, item.type])).toEqual(expect.arrayContaining([['docs', 'directory'], ['src', 'directory']]));
    const src = await t.api('GET', files('?path=src'));
    expect(src.body.data.items).toEqual([{ name: 'main.py', path: 'src/main.py', type: 'file', size: 15, modified_at: expect.any(String) }]);

    const moved = await t.api('PATCH', files('/src/main.py'), { new_path: 'app/entry.py' });
    expect(moved.body.data).toEqual({ from: 'src/main.py', to: 'app/entry.py', type: 'file' });
    expect(existsSync(join(dir, 'src', 'main.py'))).toBe(false);
    expect(readFileSync(join(dir, 'app', 'entry.py'), 'utf8')).toBe('print("hello")\n');

    const deleted = await t.api('DELETE', files('/app'));
    expect(deleted.body.data).toEqual({ path: 'app', type: 'directory', deleted: true });
    expect(existsSync(join(dir, 'app'))).toBe(false);
  });

  it('handles names with spaces and non-ASCII characters in the URL', async () => {
    const path = '/notes/über ideas.md';
    expect((await t.api('PUT', files(encodeURI(path)), { content: '# ü' })).body.data.path).toBe('notes/über ideas.md');
    expect((await t.api('GET', files(encodeURI(path)))).body.data.content).toBe('# ü');
    expect(readFileSync(join(dir, 'notes', 'über ideas.md'), 'utf8')).toBe('# ü');
  });

  it('answers 404 for missing files, 409 for conflicts, 400 for wrong kinds', async () => {
    expect((await t.api('GET', files('/nope.txt'))).status).toBe(404);
    expect((await t.api('DELETE', files('/nope.txt'))).status).toBe(404);
    expect((await t.api('GET', files('?path=nope'))).status).toBe(404);
    await t.api('PUT', files('/a.txt'), { content: 'a' });
    await t.api('PUT', files('/b.txt'), { content: 'b' });
    const clash = await t.api('PATCH', files('/a.txt'), { new_path: 'b.txt' });
    expect(clash.status).toBe(409);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('a');
    expect((await t.api('PATCH', files('/a.txt'), { new_path: 'b.txt', overwrite: true })).status).toBe(200);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('a');
    expect((await t.api('POST', `/api/projects/${project.id}/directories`, { path: 'b.txt' })).status).toBe(409);
    expect((await t.api('GET', files('/notes'))).status).toBe(400);
    expect((await t.api('PUT', files('/'), { content: 'x' })).status).toBe(400);
    expect((await t.api('DELETE', files('/'))).status).toBe(400);
    expect(existsSync(dir)).toBe(true);
  });

  it('creates a file only when it does not exist yet with create_only (409 otherwise, content kept)', async () => {
    expect((await t.api('PUT', files('/only/new.txt'), { content: 'first', create_only: true })).body.data).toMatchObject({ path: 'only/new.txt', created: true });
    const again = await t.api('PUT', files('/only/new.txt'), { content: '', create_only: true });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('"only/new.txt" already exists. Choose another name.');
    expect(readFileSync(join(dir, 'only', 'new.txt'), 'utf8')).toBe('first');
  });

  it('reads text only: larger than the limit is 413, binary is 415', async () => {
    writeFileSync(join(dir, 'big.log'), 'x'.repeat(1001));
    const big = await t.api('GET', files('/big.log'));
    expect(big.status).toBe(413);
    expect(big.body.message).toMatch(/more than the 1000 bytes that can be read as text/);
    writeFileSync(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    const binary = await t.api('GET', files('/logo.png'));
    expect(binary.status).toBe(415);
    expect(binary.body.message).toMatch(/not a text file/);
  });

  it('caps writes (413) and leaves the file as it was', async () => {
    await t.api('PUT', files('/capped.txt'), { content: 'before' });
    const res = await t.api('PUT', files('/capped.txt'), { content: 'x'.repeat(501) });
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/more than the 500 bytes/);
    expect(readFileSync(join(dir, 'capped.txt'), 'utf8')).toBe('before');
  });

  it('searches content with line numbers, path, case and max_results', async () => {
    await t.api('PUT', files('/search/one.txt'), { content: 'alpha\nBeta gamma\nbeta\n' });
    await t.api('PUT', files('/search/sub/two.txt'), { content: 'no match\nmore beta here\n' });
    const search = (body: object) => t.api('POST', `/api/projects/${project.id}/search`, body);
    const all = await search({ query: 'beta', path: 'search' });
    expect(all.body.data).toEqual({
      query: 'beta',
      matches: [
        { path: 'search/one.txt', line: 2, text: 'Beta gamma' },
        { path: 'search/one.txt', line: 3, text: 'beta' },
        { path: 'search/sub/two.txt', line: 2, text: 'more beta here' },
      ],
      truncated: false,
      files_searched: 2,
    });
    expect((await search({ query: 'Beta', path: 'search', case_sensitive: true })).body.data.matches).toHaveLength(1);
    const capped = await search({ query: 'beta', path: 'search', max_results: 2 });
    expect(capped.body.data).toMatchObject({ truncated: true });
    expect(capped.body.data.matches).toHaveLength(2);
    expect((await search({ query: '' })).status).toBe(400);
    expect((await search({ query: 'x', path: '../' })).status).toBe(400);
  });
});

describe('files API refuses every escape with 400 and touches nothing', () => {
  it('.., absolute, NUL, drive and UNC forms in the URL path and the query', async () => {
    const attempts: Array<[string, string, object?]> = [
      ['GET', files('/..%2F..%2Foutside%2Fsecret.txt')],
      ['GET', files('/%2Fetc%2Fpasswd')],
      ['GET', files('/a%00b')],
      ['GET', files('/C:%5Cwindows%5Cwin.ini')],
      ['GET', files('/%5C%5Cserver%5Cshare%5Cx')],
      ['GET', files('?path=..')],
      ['GET', files('?path=/etc')],
      ['PUT', files('/..%2Fescape.txt'), { content: 'pwned' }],
      ['PUT', files('/sub%5C..%5C..%5Cescape.txt'), { content: 'pwned' }],
      ['DELETE', files('/..%2F..%2Foutside')],
      ['POST', `/api/projects/${project.id}/directories`, { path: '../../made-outside' }],
      ['POST', `/api/projects/${project.id}/directories`, { path: 'C:made' }],
      ['POST', `/api/projects/${project.id}/search`, { query: 'secret', path: '/' }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await t.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.code).toBe(400);
      expect(res.body.message).toMatch(/outside|Absolute|NUL|Windows|UNC/);
    }
    expect(readdirSync(outside)).toEqual(['secret.txt']);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
    expect(existsSync(join(t.dataDir, 'workspaces', 'escape.txt'))).toBe(false);
    expect(existsSync(join(t.dataDir, 'made-outside'))).toBe(false);
  });

  it('a symlink planted inside the project that points to /etc', async () => {
    symlinkSync('/etc', join(dir, 'etc'));
    for (const [method, path, body] of [
      ['GET', files('/etc/passwd')],
      ['GET', files('?path=etc')],
      ['PUT', files('/etc/nanoclaw-was-here'), { content: 'x' }],
      ['POST', `/api/projects/${project.id}/directories`, { path: 'etc/nanoclaw-dir' }],
      ['POST', `/api/projects/${project.id}/search`, { query: 'root', path: 'etc' }],
      ['PATCH', files('/etc/hostname'), { new_path: 'stolen-hostname' }],
    ] as Array<[string, string, object?]>) {
      const res = await t.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.message).toMatch(/symbolic link/);
    }
    expect(existsSync('/etc/nanoclaw-was-here')).toBe(false);
    expect(existsSync('/etc/nanoclaw-dir')).toBe(false);
    expect(existsSync(join(dir, 'stolen-hostname'))).toBe(false);
    // A project-wide search does not follow the link either.
    const search = await t.api('POST', `/api/projects/${project.id}/search`, { query: 'root:' });
    expect(search.body.data.matches).toEqual([]);
    // The link itself can be deleted; /etc stays.
    expect((await t.api('DELETE', files('/etc'))).body.data).toEqual({ path: 'etc', type: 'symlink', deleted: true });
    expect(existsSync('/etc/passwd')).toBe(true);
  });

  it('a rename whose target lies outside leaves the source in place', async () => {
    await t.api('PUT', files('/keep.txt'), { content: 'keep me' });
    symlinkSync(outside, join(dir, 'out'));
    for (const new_path of ['../keep.txt', '../../../../tmp/keep.txt', '/tmp/keep.txt', 'out/keep.txt', 'C:\\keep.txt', '\\\\srv\\share\\keep.txt']) {
      const res = await t.api('PATCH', files('/keep.txt'), { new_path });
      expect(res.status, new_path).toBe(400);
    }
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('keep me');
    expect(readdirSync(outside)).toEqual(['secret.txt']);
  });
});

describe('files API refuses paths over the configured length or depth with 400 and touches nothing', () => {
  it('in every operation, for both paths of a move, with the defaults max_path_chars 1024 and max_path_depth 64', async () => {
    await t.api('PUT', files('/limits/keep.txt'), { content: 'keep me' });
    const before = readdirSync(dir).sort();
    const deep = `${Array.from({ length: 64 }, (_, i) => `d${i}`).join('/')}/x.txt`;
    // Names stay under the 255 bytes a file system allows: the length is the whole path's.
    const folders = `${'n'.repeat(200)}/`.repeat(5);
    const long = `${folders}${'x'.repeat(1024 - folders.length - 3)}.md`;
    expect(deep.split('/')).toHaveLength(65);
    expect(long).toHaveLength(1024);
    const longer = `${long}x`;
    const directories = `/api/projects/${project.id}/directories`;
    const attempts: Array<[string, string, object | undefined, RegExp]> = [
      ['GET', files(`/${encodeURI(deep)}`), undefined, /too deep: 65 levels, at most 64 .*\(max_path_depth\)/],
      ['GET', files(`?path=${encodeURIComponent(deep)}`), undefined, /max_path_depth/],
      ['PUT', files(`/${encodeURI(deep)}`), { content: 'x' }, /max_path_depth/],
      ['PUT', files(`/${longer}`), { content: 'x' }, /too long: at most 1024 characters .*\(max_path_chars\)/],
      ['PATCH', files('/limits/keep.txt'), { new_path: longer }, /max_path_chars/],
      ['PATCH', files('/limits/keep.txt'), { new_path: deep }, /max_path_depth/],
      ['PATCH', files(`/${longer}`), { new_path: 'limits/moved.txt' }, /max_path_chars/],
      ['DELETE', files(`/${encodeURI(deep)}`), undefined, /max_path_depth/],
      ['POST', directories, { path: deep }, /max_path_depth/],
      ['POST', directories, { path: longer }, /max_path_chars/],
      ['POST', `/api/projects/${project.id}/search`, { query: 'keep', path: deep }, /max_path_depth/],
    ];
    for (const [method, path, body, message] of attempts) {
      const res = await t.api(method, path, body);
      expect(res.status, `${method} ${path.slice(0, 80)}`).toBe(400);
      expect(res.body).toEqual({ code: 400, message: expect.stringMatching(message) });
    }
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readdirSync(join(dir, 'limits'))).toEqual(['keep.txt']);
    // At the limits themselves, all is well.
    expect((await t.api('PUT', files(`/${long}`), { content: 'long' })).status).toBe(200);
    const deepest = deep.replace('/x.txt', '');
    expect((await t.api('PUT', files(`/${encodeURI(deepest)}`), { content: 'deep' })).status).toBe(200);
    expect((await t.api('DELETE', files('/d0'))).status).toBe(200);
    expect((await t.api('DELETE', files(`/${'n'.repeat(200)}`))).status).toBe(200);
  });
});

describe('file tools in a run', () => {
  async function runWithTool(conversationId: string, toolCall: { name: string; arguments: object }, body: object = {}) {
    t.sim.script(
      { kind: 'stream', toolCalls: [{ name: toolCall.name, arguments: JSON.stringify(toolCall.arguments) }] },
      { kind: 'stream', content: 'Done.' },
    );
    const events = await readSse(await sendMessage(t.url, conversationId, { text: 'use the tool', ...body }));
    const result = stepsFromEvents(events).find((step) => step.type === 'tool_result');
    return { events, result };
  }

  it('act inside the conversation project', async () => {
    const conversation = await createConversation(t, { project_id: project.id });
    const { result } = await runWithTool(conversation.id, { name: 'file_write', arguments: { path: 'from-model/hello.txt', content: 'written by the model' } });
    expect(JSON.parse(result.content)).toMatchObject({ path: 'from-model/hello.txt', created: true });
    expect(readFileSync(join(dir, 'from-model', 'hello.txt'), 'utf8')).toBe('written by the model');

    const read = await runWithTool(conversation.id, { name: 'file_read', arguments: { path: 'from-model/hello.txt' } });
    expect(JSON.parse(read.result.content)).toMatchObject({ content: 'written by the model' });
  });

  it('the request project_id wins over the conversation one', async () => {
    const other = (await t.api('POST', '/api/projects', { name: 'other' })).body.data;
    const conversation = await createConversation(t, { project_id: project.id });
    await runWithTool(conversation.id, { name: 'file_write', arguments: { path: 'which.txt', content: 'other' } }, { project_id: other.id });
    expect(readFileSync(join(t.dataDir, 'workspaces', other.path, 'which.txt'), 'utf8')).toBe('other');
    expect(existsSync(join(dir, 'which.txt'))).toBe(false);
  });

  it('answer a clear error without a project', async () => {
    const conversation = await createConversation(t);
    const { result } = await runWithTool(conversation.id, { name: 'file_list', arguments: {} });
    expect(JSON.parse(result.content)).toEqual({ success: false, error: expect.stringMatching(/^This conversation has no project: /) });
  });

  it('turn a path over max_path_depth into an error result naming the limit, and write nothing', async () => {
    const conversation = await createConversation(t, { project_id: project.id });
    const deep = `${Array.from({ length: 65 }, (_, i) => `m${i}`).join('/')}/x.txt`;
    const { events, result } = await runWithTool(conversation.id, { name: 'file_write', arguments: { path: deep, content: 'x' } });
    expect(JSON.parse(result.content)).toEqual({ success: false, error: expect.stringMatching(/^The path is too deep: 66 levels, at most 64 .*\(max_path_depth\)\.$/) });
    expect(events.at(-1)?.event).toBe('done');
    expect(existsSync(join(dir, 'm0'))).toBe(false);
  });

  it('turn an escape into an error result and the run goes on', async () => {
    const conversation = await createConversation(t, { project_id: project.id });
    const { events, result } = await runWithTool(conversation.id, { name: 'file_read', arguments: { path: '../../outside/secret.txt' } });
    expect(JSON.parse(result.content)).toEqual({ success: false, error: expect.stringMatching(/leads outside the project/) });
    expect(events.at(-1)?.event).toBe('done');
  });

  it('are listed by /api/tools without any project parameter', async () => {
    const tools = (await t.api('GET', '/api/tools')).body.data;
    for (const name of ['file_read', 'file_write', 'file_delete', 'file_list', 'file_exists', 'file_mkdir']) {
      const tool = tools.find((candidate: any) => candidate.name === name);
      expect(tool, name).toBeDefined();
      expect(Object.keys(tool.parameters.properties ?? {})).not.toContain('project_id');
    }
  });
});
