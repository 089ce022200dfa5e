import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectFiles, decodeText, type FileChange } from './projectFiles.js';
import { projectDirectoryName } from './projectDirectoryName.js';

let root: string;
let files: ProjectFiles;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'nc-files-')));
  files = new ProjectFiles(root, { maxReadBytes: 100, maxWriteBytes: 50, path: { maxChars: 1024, maxDepth: 64 } });
  mkdirSync(join(root, 'src', 'lib'), { recursive: true });
  writeFileSync(join(root, 'src', 'main.ts'), 'import { x } from "./lib/x";\nconsole.log(X);\n');
  writeFileSync(join(root, 'src', 'lib', 'x.ts'), 'export const x = 1;\n');
  writeFileSync(join(root, 'README.md'), '# Title\nSee main.\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The name of the error the operation fails with (the HTTP layer maps each to a status); null when it succeeds. */
const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (err: Error) => err.name);

describe('ProjectFiles', () => {
  it('lists directories first, then files, by name', async () => {
    const listing = await files.list('');
    expect(listing.path).toBe('');
    expect(listing.items.map((item) => [item.path, item.type])).toEqual([['src', 'directory'], ['README.md', 'file']]);
    expect((await files.list('src')).items.map((item) => item.path)).toEqual(['src/lib', 'src/main.ts']);
    expect(await failureOf(files.list('README.md'))).toBe('WrongKindError');
    expect(await failureOf(files.list('missing'))).toBe('FileNotFoundError');
  });

  it('reads text, refusing large (413), binary (415), directories (400) and missing files (404)', async () => {
    expect(await files.read('README.md')).toMatchObject({ path: 'README.md', name: 'README.md', content: '# Title\nSee main.\n', size: 18 });
    writeFileSync(join(root, 'big.txt'), 'x'.repeat(101));
    expect(await failureOf(files.read('big.txt'))).toBe('FileTooLargeError');
    writeFileSync(join(root, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    expect(await failureOf(files.read('image.png'))).toBe('NotTextError');
    writeFileSync(join(root, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(await failureOf(files.read('latin1.txt'))).toBe('NotTextError');
    expect(await failureOf(files.read('src'))).toBe('WrongKindError');
    expect(await failureOf(files.read('nope.txt'))).toBe('FileNotFoundError');
  });

  it('writes files, creating parents, and refuses content over the limit without touching the file', async () => {
    expect(await files.write('new/dir/a.txt', 'hello')).toMatchObject({ path: 'new/dir/a.txt', size: 5, created: true });
    expect(await files.write('new/dir/a.txt', 'hello again')).toMatchObject({ created: false, size: 11 });
    expect(await failureOf(files.write('new/dir/a.txt', 'y'.repeat(51)))).toBe('FileTooLargeError');
    expect(readFileSync(join(root, 'new', 'dir', 'a.txt'), 'utf8')).toBe('hello again');
    expect(await failureOf(files.write('src', 'x'))).toBe('FileConflictError');
    expect(await failureOf(files.write('README.md/inner.txt', 'x'))).toBe('FileConflictError');
  });

  it('creates only when asked to, refusing (409) and keeping whatever is already there', async () => {
    expect(await files.write('fresh.txt', 'new', { createOnly: true })).toMatchObject({ path: 'fresh.txt', created: true });
    expect(await failureOf(files.write('README.md', '', { createOnly: true }))).toBe('FileConflictError');
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('# Title\nSee main.\n');
    expect(await failureOf(files.write('src', '', { createOnly: true }))).toBe('FileConflictError');
  });

  it('makes directories idempotently and refuses one over a file', async () => {
    expect(await files.mkdir('a/b/c')).toMatchObject({ path: 'a/b/c', type: 'directory', created: true });
    expect(await files.mkdir('a/b/c')).toMatchObject({ created: false });
    expect(await failureOf(files.mkdir('README.md'))).toBe('FileConflictError');
  });

  it('moves files and directories, refusing to overwrite unless asked and a directory into itself', async () => {
    expect(await files.move('README.md', 'docs/README.md')).toEqual({ from: 'README.md', to: 'docs/README.md', type: 'file' });
    expect(existsSync(join(root, 'docs', 'README.md'))).toBe(true);
    await files.write('other.md', 'other');
    expect(await failureOf(files.move('other.md', 'docs/README.md'))).toBe('FileConflictError');
    expect(await files.move('other.md', 'docs/README.md', { overwrite: true })).toMatchObject({ to: 'docs/README.md' });
    expect(readFileSync(join(root, 'docs', 'README.md'), 'utf8')).toBe('other');
    expect(await failureOf(files.move('src', 'src/lib/src'))).toBe('WrongKindError');
    expect(await files.move('src', 'source')).toMatchObject({ type: 'directory' });
    expect(await failureOf(files.move('missing', 'x'))).toBe('FileNotFoundError');
  });

  it('deletes files and whole directories; the project directory itself cannot be deleted', async () => {
    expect(await files.remove('src')).toEqual({ path: 'src', type: 'directory' });
    expect(existsSync(join(root, 'src'))).toBe(false);
    expect(await failureOf(files.remove(''))).toBe('PathRefusedError');
    expect(await failureOf(files.remove('.'))).toBe('PathRefusedError');
    expect(await failureOf(files.remove('gone'))).toBe('FileNotFoundError');
    expect(existsSync(root)).toBe(true);
  });

  it('searches text with line numbers, case-insensitively by default, and stops at max_results', async () => {
    const result = await files.search({ query: 'MAIN' });
    expect(result.matches).toEqual([{ path: 'README.md', line: 2, text: 'See main.' }]);
    expect((await files.search({ query: 'x', caseSensitive: true, path: 'src' })).matches.map((m) => `${m.path}:${m.line}`)).toEqual([
      'src/lib/x.ts:1',
      'src/main.ts:1',
    ]);
    const capped = await files.search({ query: 'x', maxResults: 1 });
    expect(capped).toMatchObject({ truncated: true });
    expect(capped.matches).toHaveLength(1);
    expect((await files.search({ query: 'const', path: 'src/lib/x.ts' })).matches).toHaveLength(1);
  });

  it('globs below a directory', async () => {
    expect((await files.glob({ pattern: '**/*.ts' })).items.map((item) => item.path)).toEqual(['src/lib/x.ts', 'src/main.ts']);
    expect((await files.glob({ pattern: '*.ts', path: 'src' })).items.map((item) => item.path)).toEqual(['src/main.ts']);
    expect((await files.glob({})).items.map((item) => item.path)).toEqual(['src', 'README.md']);
    const capped = await files.glob({ pattern: '**', maxResults: 2 });
    expect(capped).toMatchObject({ truncated: true });
    expect(capped.items).toHaveLength(2);
  });

  it('announces each change after it happened, and nothing for reads, refusals and no-ops', async () => {
    const changes: FileChange[] = [];
    const watched = new ProjectFiles(root, { maxReadBytes: 100, maxWriteBytes: 50, path: { maxChars: 1024, maxDepth: 64 } }, (change) => changes.push(change));
    await watched.write('notes/a.txt', 'a');
    await watched.mkdir('out');
    await watched.mkdir('out');
    await watched.move('notes/a.txt', 'out/a.txt');
    await watched.move('out/a.txt', 'out/a.txt');
    await watched.remove('notes');
    await watched.read('README.md');
    await watched.list('src');
    await failureOf(watched.write('big.txt', 'x'.repeat(51)));
    await failureOf(watched.remove('missing'));
    await failureOf(watched.write('../escape.txt', 'x'));
    expect(changes).toEqual([
      { kind: 'written', paths: ['notes/a.txt'] },
      { kind: 'directory_created', paths: ['out'] },
      { kind: 'moved', paths: ['notes/a.txt', 'out/a.txt'] },
      { kind: 'deleted', paths: ['notes'] },
    ]);
  });

  it('a listener that throws does not fail the change', async () => {
    const watched = new ProjectFiles(root, { maxReadBytes: 100, maxWriteBytes: 50, path: { maxChars: 1024, maxDepth: 64 } }, () => {
      throw new Error('listener failed');
    });
    expect(await watched.write('still.txt', 'fine')).toMatchObject({ path: 'still.txt', created: true });
    expect(readFileSync(join(root, 'still.txt'), 'utf8')).toBe('fine');
  });

  it('tells text from binary', () => {
    expect(decodeText(new TextEncoder().encode('héllo'))).toBe('héllo');
    expect(decodeText(Uint8Array.from([0x68, 0x00, 0x69]))).toBeNull();
    expect(decodeText(Uint8Array.from([0xff, 0xfe, 0x41]))).toBeNull();
  });
});

describe('projectDirectoryName', () => {
  it('keeps letters, digits, dot, dash and underscore, and drops the rest', () => {
    expect(projectDirectoryName('My Project')).toBe('My-Project');
    expect(projectDirectoryName('../../etc/passwd')).toBe('etc-passwd');
    expect(projectDirectoryName('数据 分析')).toBe('数据-分析');
    expect(projectDirectoryName('...')).toBeNull();
    expect(projectDirectoryName('CON')).toBeNull();
    expect(projectDirectoryName('a'.repeat(200))).toHaveLength(64);
    expect(projectDirectoryName('.hidden')).toBe('hidden');
  });
});
