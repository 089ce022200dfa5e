import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer;
let userDir: string;

beforeAll(async () => {
  t = await startTestServer({ max_upload_bytes: 4000, max_upload_files: 5, max_path_chars: 60, max_path_depth: 6 });
  const me = (await t.api('GET', '/api/auth/profile')).body.data.id;
  userDir = join(t.dataDir, 'workspaces', me);
});
afterAll(async () => {
  await t?.close();
});

let counter = 0;
async function newProject(): Promise<{ id: string; dir: string }> {
  const project = (await t.api('POST', '/api/projects', { name: `upload-${++counter}` })).body.data;
  return { id: project.id, dir: join(t.dataDir, 'workspaces', project.path) };
}

function upload(projectId: string, files: Array<[string, string | Uint8Array]>, query = '', folders: string[] = []): Promise<Response> {
  const form = new FormData();
  for (const folder of folders) form.append('folder', folder);
  for (const [path, content] of files) form.append('files', new Blob([content]), path);
  return fetch(`${t.url}/api/projects/${projectId}/upload${query}`, { method: 'POST', body: form });
}

/** Every path below a directory, sorted, `/`-separated (directories end with `/`). */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? [`${prefix}${entry.name}/`, ...tree(join(dir, entry.name), `${prefix}${entry.name}/`)] : [`${prefix}${entry.name}`]))
    .sort();
}

const stagingLeft = () => readdirSync(userDir).filter((name) => name.startsWith('.upload-'));

describe('upload into a project folder', () => {
  it('keeps the relative paths below the chosen folder, byte for byte, creating missing folders', async () => {
    const project = await newProject();
    mkdirSync(join(project.dir, 'src'));
    const binary = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10]);
    const res = await upload(project.id, [['site/index.html', '<h1>hi</h1>'], ['site/css/main.css', 'h1 {}'], ['site/logo.png', binary]], '?path=src/web');
    expect(res.status).toBe(200);
    expect((await res.json()).data).toEqual({
      path: 'src/web',
      files: ['src/web/site/index.html', 'src/web/site/css/main.css', 'src/web/site/logo.png'],
      folders: [],
      bytes: 11 + 5 + 7,
      replaced: 0,
    });
    expect(tree(project.dir)).toEqual(['src/', 'src/web/', 'src/web/site/', 'src/web/site/css/', 'src/web/site/css/main.css', 'src/web/site/index.html', 'src/web/site/logo.png']);
    expect(readFileSync(join(project.dir, 'src/web/site/css/main.css'), 'utf8')).toBe('h1 {}');
    expect(new Uint8Array(readFileSync(join(project.dir, 'src/web/site/logo.png')))).toEqual(binary);
    const listing = (await t.api('GET', `/api/projects/${project.id}/files?path=src/web/site`)).body.data;
    expect(listing.items.map((item: { path: string }) => item.path)).toEqual(['src/web/site/css', 'src/web/site/index.html', 'src/web/site/logo.png']);
    expect(stagingLeft()).toEqual([]);
  });

  it('creates the empty folders the upload names (folder fields), with its files or alone', async () => {
    const project = await newProject();
    mkdirSync(join(project.dir, 'site'));
    const res = await upload(project.id, [['site/index.html', '<h1>hi</h1>']], '', ['site/logs', 'site/assets/img', 'site']);
    expect(res.status).toBe(200);
    expect((await res.json()).data).toEqual({ path: '', files: ['site/index.html'], folders: ['site/logs', 'site/assets/img', 'site'], bytes: 11, replaced: 0 });
    expect(tree(project.dir)).toEqual(['site/', 'site/assets/', 'site/assets/img/', 'site/index.html', 'site/logs/']);
    const alone = await upload(project.id, [], '?path=site', ['cache']);
    expect(alone.status).toBe(200);
    expect((await alone.json()).data).toMatchObject({ path: 'site', files: [], folders: ['site/cache'] });
    expect(tree(join(project.dir, 'site'))).toContain('cache/');
    expect(stagingLeft()).toEqual([]);
  });

  it('refuses a folder where the project or the upload has a file, or one leading outside (400), changing nothing', async () => {
    const project = await newProject();
    writeFileSync(join(project.dir, 'lib'), 'a file named lib');
    const projectFile = await upload(project.id, [['fresh.txt', 'x']], '', ['lib']);
    expect(projectFile.status).toBe(400);
    expect((await projectFile.json()).message).toBe('The upload needs a folder at "lib", but the project has a file there.');
    const below = await upload(project.id, [['fresh.txt', 'x']], '', ['lib/deeper']);
    expect(below.status).toBe(400);
    const uploadFile = await upload(project.id, [['same', 'x']], '', ['same']);
    expect(uploadFile.status).toBe(400);
    expect((await uploadFile.json()).message).toMatch(/both a file and a folder named "same"/);
    for (const folder of ['../escape', '/etc/x', '', '.']) {
      const res = await upload(project.id, [['fresh.txt', 'x']], '', [folder]);
      expect(res.status, folder).toBe(400);
    }
    expect(tree(project.dir)).toEqual(['lib']);
    expect(stagingLeft()).toEqual([]);
  });

  it('goes into the project directory without a path', async () => {
    const project = await newProject();
    const res = await upload(project.id, [['notes.md', '# notes']]);
    expect(res.status).toBe(200);
    expect((await res.json()).data).toMatchObject({ path: '', files: ['notes.md'] });
    expect(readFileSync(join(project.dir, 'notes.md'), 'utf8')).toBe('# notes');
  });

  it('refuses to replace existing files (409, naming them, nothing changed) unless overwrite=true', async () => {
    const project = await newProject();
    writeFileSync(join(project.dir, 'a.txt'), 'old a');
    const refused = await upload(project.id, [['new.txt', 'new'], ['a.txt', 'new a']]);
    expect(refused.status).toBe(409);
    const body = await refused.json();
    expect(body).toEqual({ code: 409, message: '1 file of the upload already exists in the project: "a.txt". Upload again allowing them to be replaced, or choose another folder.' });
    expect(tree(project.dir)).toEqual(['a.txt']);
    expect(readFileSync(join(project.dir, 'a.txt'), 'utf8')).toBe('old a');

    const replaced = await upload(project.id, [['new.txt', 'new'], ['a.txt', 'new a']], '?overwrite=true');
    expect(replaced.status).toBe(200);
    expect((await replaced.json()).data).toMatchObject({ files: ['new.txt', 'a.txt'], replaced: 1 });
    expect(readFileSync(join(project.dir, 'a.txt'), 'utf8')).toBe('new a');
    expect(readFileSync(join(project.dir, 'new.txt'), 'utf8')).toBe('new');
    expect(stagingLeft()).toEqual([]);
  });

  it('refuses paths that lead outside (400) and stores nothing', async () => {
    const project = await newProject();
    const outside = join(t.dataDir, 'outside');
    mkdirSync(outside);
    for (const path of ['../escape.txt', 'ok/../../escape.txt', '/etc/escape.txt', 'C:\\escape.txt', '\\\\server\\share\\x', 'a\u0000b']) {
      const res = await upload(project.id, [['fine.txt', 'fine'], [path, 'pwned']]);
      expect(res.status, path).toBe(400);
      expect((await res.json()).message, path).toMatch(/outside|Absolute|Windows|UNC|NUL/);
    }
    for (const query of ['?path=..', '?path=../../outside', '?path=/tmp']) {
      const res = await upload(project.id, [['fine.txt', 'fine']], query);
      expect(res.status, query).toBe(400);
    }
    // A folder inside the project that is a symbolic link to a directory outside it.
    symlinkSync(outside, join(project.dir, 'out'));
    const viaLink = await upload(project.id, [['x.txt', 'pwned']], '?path=out');
    expect(viaLink.status).toBe(400);
    expect((await viaLink.json()).message).toMatch(/symbolic link/);
    const viaLinkedName = await upload(project.id, [['out/x.txt', 'pwned']]);
    expect(viaLinkedName.status).toBe(400);
    expect(readdirSync(outside)).toEqual([]);
    expect(tree(project.dir)).toEqual(['out']);
    expect(existsSync(join(t.dataDir, 'workspaces', 'escape.txt'))).toBe(false);
    expect(stagingLeft()).toEqual([]);
  });

  it('refuses paths over max_path_chars or max_path_depth (400), in the upload or once inside the folder, storing nothing', async () => {
    const project = await newProject();
    mkdirSync(join(project.dir, 'a/b/c'), { recursive: true });
    const attempts: Array<[Array<[string, string]>, string, string[], RegExp]> = [
      [[['fine.txt', 'fine'], [`${'n'.repeat(58)}.md`, 'long']], '', [], /too long: at most 60 characters .*\(max_path_chars\)/],
      [[['fine.txt', 'fine'], ['1/2/3/4/5/6/7.txt', 'deep']], '', [], /too deep: 7 levels, at most 6 .*\(max_path_depth\)/],
      [[['fine.txt', 'fine']], '', ['1/2/3/4/5/6/7'], /max_path_depth/],
      [[['fine.txt', 'fine']], '', [`${'f'.repeat(61)}`], /max_path_chars/],
      // Within the limits in the upload, but not once placed in the chosen folder.
      [[['fine.txt', 'fine'], ['4/5/6/7.txt', 'deep']], '?path=a/b/c', [], /max_path_depth/],
      [[['fine.txt', 'fine']], `?path=${'p'.repeat(61)}`, [], /max_path_chars/],
    ];
    for (const [files, query, folders, message] of attempts) {
      const res = await upload(project.id, files, query, folders);
      expect(res.status, `${files.map(([path]) => path).join(', ')} ${query} ${folders.join(', ')}`).toBe(400);
      expect(await res.json()).toEqual({ code: 400, message: expect.stringMatching(message) });
    }
    expect(tree(project.dir)).toEqual(['a/', 'a/b/', 'a/b/c/']);
    expect(stagingLeft()).toEqual([]);
    // A new project from a folder: the same limits.
    const form = new FormData();
    form.append('files', new Blob(['deep']), 'site/1/2/3/4/5/6.txt');
    const res = await fetch(`${t.url}/api/projects/upload`, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/max_path_depth/);
  });

  it('refuses a folder where the upload has a file and a file where it needs a folder (400), changing nothing', async () => {
    const project = await newProject();
    mkdirSync(join(project.dir, 'docs'));
    writeFileSync(join(project.dir, 'lib'), 'a file named lib');
    const folderInTheWay = await upload(project.id, [['fresh.txt', 'x'], ['docs', 'a file named docs']]);
    expect(folderInTheWay.status).toBe(400);
    expect((await folderInTheWay.json()).message).toBe('The project has a folder at "docs", where the upload has a file.');
    const fileInTheWay = await upload(project.id, [['fresh.txt', 'x'], ['lib/util.js', 'x']]);
    expect(fileInTheWay.status).toBe(400);
    expect((await fileInTheWay.json()).message).toBe('The upload needs a folder at "lib", but the project has a file there.');
    const intoAFile = await upload(project.id, [['fresh.txt', 'x']], '?path=lib');
    expect(intoAFile.status).toBe(400);
    expect((await intoAFile.json()).message).toMatch(/"lib" is a file; choose a folder/);
    const twice = await upload(project.id, [['same.txt', '1'], ['same.txt', '2']]);
    expect(twice.status).toBe(400);
    expect((await twice.json()).message).toMatch(/appears twice/);
    const fileAndFolder = await upload(project.id, [['both', '1'], ['both/inner.txt', '2']]);
    expect(fileAndFolder.status).toBe(400);
    expect((await fileAndFolder.json()).message).toMatch(/both a file and a folder/);
    expect(tree(project.dir)).toEqual(['docs/', 'lib']);
    expect(stagingLeft()).toEqual([]);
  });

  it('caps the total size and the number of files (413) and stores nothing', async () => {
    const project = await newProject();
    const big = await upload(project.id, [['a.txt', 'x'.repeat(2500)], ['b.txt', 'y'.repeat(2500)]]);
    expect(big.status).toBe(413);
    expect((await big.json()).message).toBe('The upload is larger than the 3.9 KB allowed (max_upload_bytes).');
    const many = await upload(project.id, [1, 2, 3, 4, 5, 6].map((n): [string, string] => [`f${n}.txt`, String(n)]));
    expect(many.status).toBe(413);
    expect((await many.json()).message).toMatch(/more files than allowed \(max_upload_files\)/);
    const withFolders = await upload(project.id, [['a.txt', 'a'], ['b.txt', 'b']], '', ['one', 'two', 'three', 'four']);
    expect(withFolders.status).toBe(413);
    expect((await withFolders.json()).message).toBe('The upload has more files and folders than allowed (max_upload_files).');
    expect(tree(project.dir)).toEqual([]);
    expect(stagingLeft()).toEqual([]);
  });

  it('answers 400 for an upload without files, 415 for one that is not multipart, 404 for an unknown project', async () => {
    const project = await newProject();
    const empty = await upload(project.id, []);
    expect(empty.status).toBe(400);
    expect((await empty.json()).message).toMatch(/holds no files/);
    const json = await t.api('POST', `/api/projects/${project.id}/upload`, { files: [] });
    expect(json.status).toBe(415);
    expect((await upload('no-such-project', [['a.txt', 'a']])).status).toBe(404);
    expect((await t.api('POST', `/api/projects/${project.id}/upload?unknown=1`)).status).toBe(400);
  });

  it('tells clients the limits', async () => {
    expect((await t.api('GET', '/api/files/limits')).body.data).toEqual({
      max_upload_bytes: 4000,
      max_upload_files: 5,
      max_file_write_bytes: 10 * 1024 * 1024,
      max_file_read_bytes: 5 * 1024 * 1024,
      max_path_chars: 60,
      max_path_depth: 6,
    });
  });
});
