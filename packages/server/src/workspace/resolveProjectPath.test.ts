import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normaliseProjectPath, resolveProjectPath } from './resolveProjectPath.js';
import { PathRefusedError } from './workspaceErrors.js';
import { ProjectFiles } from './projectFiles.js';

let base: string;
let project: string;
let outside: string;

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'nc-resolve-')));
  project = join(base, 'project');
  outside = join(base, 'outside');
  mkdirSync(join(project, 'src'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(project, 'src', 'main.py'), 'print(1)\n');
  writeFileSync(join(outside, 'secret.txt'), 'top secret\n');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

async function refused(userPath: unknown, options?: Parameters<typeof resolveProjectPath>[2]): Promise<string> {
  const error = await resolveProjectPath(project, userPath, options).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error, `expected "${String(userPath)}" to be refused`).toBeInstanceOf(PathRefusedError);
  return (error as Error).message;
}

describe('resolveProjectPath', () => {
  it('resolves ordinary relative paths inside the project', async () => {
    expect(await resolveProjectPath(project, 'src/main.py')).toEqual({ absolute: join(project, 'src', 'main.py'), relative: 'src/main.py' });
    expect((await resolveProjectPath(project, './src//new/../main.py')).relative).toBe('src/main.py');
    expect((await resolveProjectPath(project, 'src\\main.py')).relative).toBe('src/main.py');
    expect((await resolveProjectPath(project, 'not/yet/there.txt')).relative).toBe('not/yet/there.txt');
    expect((await resolveProjectPath(project, 'données/ファイル.txt')).relative).toBe('données/ファイル.txt');
  });

  it('gives the project directory only when asked to', async () => {
    expect(await resolveProjectPath(project, '', { allowRoot: true })).toEqual({ absolute: project, relative: '' });
    expect((await resolveProjectPath(project, '.', { allowRoot: true })).relative).toBe('');
    expect(await refused('')).toMatch(/inside the project/);
    expect(await refused('src/..')).toMatch(/inside the project/);
  });

  it('refuses .. escapes in every spelling', async () => {
    for (const path of ['..', '../outside/secret.txt', 'src/../../outside', 'a/b/../../../x', '..\\outside\\secret.txt', 'src\\..\\..\\x']) {
      expect(await refused(path)).toMatch(/leads outside the project/);
    }
  });

  it('refuses absolute paths', async () => {
    for (const path of ['/etc/passwd', '/', join(outside, 'secret.txt'), '\\etc\\passwd']) {
      expect(await refused(path)).toMatch(/Absolute paths are not allowed/);
    }
  });

  it('refuses Windows drive and UNC forms', async () => {
    for (const path of ['C:\\Windows\\win.ini', 'C:/Windows', 'c:foo', 'D:']) expect(await refused(path)).toMatch(/Windows drive/);
    for (const path of ['\\\\server\\share\\x', '//server/share', '\\\\?\\C:\\x']) expect(await refused(path)).toMatch(/UNC/);
  });

  it('refuses NUL bytes and control characters', async () => {
    expect(await refused('src/main.py\0.txt')).toMatch(/NUL byte/);
    expect(await refused('a\nb')).toMatch(/control characters/);
    expect(await refused('tab\there')).toMatch(/control characters/);
  });

  it('refuses over-long names and paths', async () => {
    expect(await refused('a'.repeat(256))).toMatch(/too long/);
    expect(await refused(`src/${'é'.repeat(128)}`)).toMatch(/too long/); // 256 bytes in UTF-8
    expect((await resolveProjectPath(project, 'a'.repeat(255))).relative).toHaveLength(255);
    expect(await refused(Array.from({ length: 500 }, () => 'abcdefghi').join('/'))).toMatch(/too long/);
  });

  it('refuses a non-string path', async () => {
    expect(await refused(42)).toMatch(/must be a string/);
    expect(await refused(null)).toMatch(/must be a string/);
  });

  it('refuses a symlink planted inside the project that points to /etc', async () => {
    symlinkSync('/etc', join(project, 'etc-link'));
    expect(await refused('etc-link')).toMatch(/symbolic link/);
    expect(await refused('etc-link/passwd')).toMatch(/symbolic link/);
    expect(await refused('etc-link/nonexistent/new.txt')).toMatch(/symbolic link/);
  });

  it('refuses paths through a symlinked parent directory that leads outside', async () => {
    symlinkSync(outside, join(project, 'src', 'out'));
    expect(await refused('src/out/secret.txt')).toMatch(/symbolic link/);
    expect(await refused('src/out/new-file.txt')).toMatch(/symbolic link/);
    expect(await refused('src/out/deeper/new-file.txt')).toMatch(/symbolic link/);
    // The link itself may be removed (not followed): only its parents are checked.
    expect((await resolveProjectPath(project, 'src/out', { followFinal: false })).relative).toBe('src/out');
  });

  it('refuses a file symlink to outside, and a dangling link that would create a file outside', async () => {
    symlinkSync(join(outside, 'secret.txt'), join(project, 'secret-link.txt'));
    expect(await refused('secret-link.txt')).toMatch(/symbolic link/);
    symlinkSync(join(outside, 'created-by-write.txt'), join(project, 'dangling.txt'));
    expect(await refused('dangling.txt')).toMatch(/does not exist/);
    symlinkSync(join(outside, 'missing-dir'), join(project, 'dangling-dir'));
    expect(await refused('dangling-dir/x.txt')).toMatch(/does not exist/);
  });

  it('accepts symlinks that stay inside the project', async () => {
    symlinkSync(join(project, 'src'), join(project, 'source'));
    symlinkSync('main.py', join(project, 'src', 'alias.py'));
    expect((await resolveProjectPath(project, 'source/main.py')).relative).toBe('source/main.py');
    expect((await resolveProjectPath(project, 'src/alias.py')).relative).toBe('src/alias.py');
  });

  it('refuses a symlink loop', async () => {
    symlinkSync(join(project, 'loop-b'), join(project, 'loop-a'));
    symlinkSync(join(project, 'loop-a'), join(project, 'loop-b'));
    expect(await refused('loop-a/x')).toMatch(/loop/);
  });

  it('works when the project directory itself is reached through a symlink', async () => {
    const alias = join(base, 'alias');
    symlinkSync(project, alias);
    expect((await resolveProjectPath(alias, 'src/main.py')).absolute).toBe(join(project, 'src', 'main.py'));
  });

  it('refuses paths longer than the configured number of characters, naming the limit', async () => {
    const limits = { maxChars: 20, maxDepth: 64 };
    expect((await resolveProjectPath(project, 'a'.repeat(20), { limits })).relative).toBe('a'.repeat(20));
    // Characters, not UTF-16 units or bytes: twenty emoji are twenty characters.
    expect((await resolveProjectPath(project, '😀'.repeat(20), { limits })).relative).toBe('😀'.repeat(20));
    expect(await refused('a'.repeat(21), { limits })).toBe('The path is too long: at most 20 characters are allowed (max_path_chars).');
    expect(await refused(`src/${'b'.repeat(17)}`, { limits })).toMatch(/at most 20 characters .*max_path_chars/);
    // Checked on the path as given, before `.` and `..` are resolved.
    expect(await refused('./././././././././././src', { limits })).toMatch(/max_path_chars/);
  });

  it('refuses paths deeper than the configured number of levels, naming the limit', async () => {
    const limits = { maxChars: 1024, maxDepth: 3 };
    expect((await resolveProjectPath(project, 'a/b/c.txt', { limits })).relative).toBe('a/b/c.txt');
    expect(await refused('a/b/c/d.txt', { limits })).toBe('The path is too deep: 4 levels, at most 3 folders and names are allowed (max_path_depth).');
    // The depth that counts is where the path leads once `.` and `..` are resolved.
    expect((await resolveProjectPath(project, 'a/b/c/../d.txt', { limits })).relative).toBe('a/b/d.txt');
    expect((await resolveProjectPath(project, 'a//b/./c.txt', { limits })).relative).toBe('a/b/c.txt');
  });

  it('refuses over-long and over-deep paths before any file system call', async () => {
    // The project directory does not exist: a path that reached the disk would be refused for that instead.
    const missing = join(base, 'no-such-project');
    const refusal = (userPath: string, limits = { maxChars: 10, maxDepth: 2 }) => resolveProjectPath(missing, userPath, { limits }).catch((err: Error) => err.message);
    expect(await refusal('x'.repeat(11))).toMatch(/max_path_chars/);
    expect(await refusal('a/b/c')).toMatch(/max_path_depth/);
    expect(await refusal('a/b')).toMatch(/directory does not exist/);
  });

  it('applies no character or depth limit unless given one', async () => {
    const deep = Array.from({ length: 100 }, () => 'd').join('/');
    expect((await resolveProjectPath(project, deep)).relative).toBe(deep);
  });

  it('normalises without touching the file system', () => {
    expect(normaliseProjectPath('a/./b/../c')).toBe('a/c');
    expect(() => normaliseProjectPath('../x')).toThrow(PathRefusedError);
  });
});

describe('refusals touch nothing', () => {
  it('over-long and over-deep paths are refused by every file operation, and nothing is created', async () => {
    const files = new ProjectFiles(project, { maxReadBytes: 1024, maxWriteBytes: 1024, path: { maxChars: 30, maxDepth: 3 } });
    const long = `new/${'n'.repeat(30)}.txt`;
    const deep = 'new/a/b/c.txt';
    const operations: Array<() => Promise<unknown>> = [
      () => files.write(long, 'x'),
      () => files.write(deep, 'x'),
      () => files.mkdir(deep),
      () => files.read(deep),
      () => files.list(deep),
      () => files.remove(deep),
      () => files.move('src/main.py', deep),
      () => files.move(long, 'src/moved.py'),
      () => files.search({ query: 'print', path: deep }),
      () => files.exists(long),
    ];
    for (const operation of operations) {
      const error = await operation().then(() => null, (err: unknown) => err);
      expect(error, String(operation)).toBeInstanceOf(PathRefusedError);
      expect((error as Error).message).toMatch(/max_path_(chars|depth)/);
    }
    expect(readdirSync(project)).toEqual(['src']);
    expect(readdirSync(join(project, 'src'))).toEqual(['main.py']);
  });


  it('a rename whose target lies outside leaves the source where it was', async () => {
    const files = new ProjectFiles(project, { maxReadBytes: 1024, maxWriteBytes: 1024, path: { maxChars: 1024, maxDepth: 64 } });
    symlinkSync(outside, join(project, 'out'));
    for (const target of ['../moved.py', '/tmp/moved.py', 'out/moved.py', 'C:\\moved.py', 'src/../../moved.py']) {
      await expect(files.move('src/main.py', target)).rejects.toBeInstanceOf(PathRefusedError);
    }
    expect(readFileSync(join(project, 'src', 'main.py'), 'utf8')).toBe('print(1)\n');
    expect(readdirSync(outside)).toEqual(['secret.txt']);
    expect(existsSync(join(base, 'moved.py'))).toBe(false);
  });

  it('writes, mkdirs and deletes through a link to outside are refused and change nothing outside', async () => {
    const files = new ProjectFiles(project, { maxReadBytes: 1024, maxWriteBytes: 1024, path: { maxChars: 1024, maxDepth: 64 } });
    symlinkSync(outside, join(project, 'out'));
    await expect(files.write('out/secret.txt', 'pwned')).rejects.toBeInstanceOf(PathRefusedError);
    await expect(files.write('out/new.txt', 'pwned')).rejects.toBeInstanceOf(PathRefusedError);
    await expect(files.mkdir('out/newdir')).rejects.toBeInstanceOf(PathRefusedError);
    await expect(files.remove('out/secret.txt')).rejects.toBeInstanceOf(PathRefusedError);
    await expect(files.read('out/secret.txt')).rejects.toBeInstanceOf(PathRefusedError);
    await expect(files.list('out')).rejects.toBeInstanceOf(PathRefusedError);
    expect(readdirSync(outside)).toEqual(['secret.txt']);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('top secret\n');
    // Deleting the link removes the link, never what it points to.
    await files.remove('out');
    expect(existsSync(join(project, 'out'))).toBe(false);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('top secret\n');
  });
});
