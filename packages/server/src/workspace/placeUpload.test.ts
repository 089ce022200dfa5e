import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectFiles, type FileChange } from './projectFiles.js';
import { placeUpload, type StagedFiles } from './placeUpload.js';

let base: string;
let project: string;
let files: ProjectFiles;
let changes: FileChange[];

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'nc-place-')));
  project = join(base, 'project');
  mkdirSync(join(project, 'docs'), { recursive: true });
  writeFileSync(join(project, 'docs', 'keep.md'), 'old keep');
  changes = [];
  files = new ProjectFiles(project, { maxReadBytes: 1000, maxWriteBytes: 1000, path: { maxChars: 1024, maxDepth: 64 } }, (change) => changes.push(change));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** Files received into a staging directory, as the upload route leaves them. */
function stage(entries: Record<string, string>): StagedFiles {
  const root = join(base, 'staging', 'files');
  const backups = join(base, 'staging', 'replaced');
  mkdirSync(root, { recursive: true });
  mkdirSync(backups, { recursive: true });
  for (const [path, content] of Object.entries(entries)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, paths: Object.keys(entries), backups };
}

function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? [`${prefix}${entry.name}/`, ...tree(join(dir, entry.name), `${prefix}${entry.name}/`)] : [`${prefix}${entry.name}`]))
    .sort();
}

describe('placeUpload', () => {
  it('moves the staged files into the folder and announces them once', async () => {
    const placed = await placeUpload(files, stage({ 'a.txt': 'A', 'deep/er/b.txt': 'B' }), 'docs/new');
    expect(placed).toEqual({ path: 'docs/new', files: ['docs/new/a.txt', 'docs/new/deep/er/b.txt'], folders: [], replaced: 0 });
    expect(tree(project)).toEqual(['docs/', 'docs/keep.md', 'docs/new/', 'docs/new/a.txt', 'docs/new/deep/', 'docs/new/deep/er/', 'docs/new/deep/er/b.txt']);
    expect(changes).toEqual([{ kind: 'uploaded', paths: ['docs/new/a.txt', 'docs/new/deep/er/b.txt'] }]);
  });

  it('announces a large upload as its folder', async () => {
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`f${i}.txt`, String(i)]));
    await placeUpload(files, stage(many), 'bulk');
    expect(changes).toEqual([{ kind: 'uploaded', paths: ['bulk'] }]);
  });

  it('puts everything back when moving fails halfway: replaced files return, new files and folders go', async () => {
    const staged = stage({ 'docs/keep.md': 'new keep', 'fresh/one.txt': '1', 'fresh/two.txt': '2' });
    // The third file vanishes from staging after the checks: its move fails after two have been made.
    rmSync(join(staged.root, 'fresh', 'two.txt'));
    await expect(placeUpload(files, staged, '', { overwrite: true })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(tree(project)).toEqual(['docs/', 'docs/keep.md']);
    expect(readFileSync(join(project, 'docs', 'keep.md'), 'utf8')).toBe('old keep');
    expect(changes).toEqual([]);
  });

  it('creates the upload’s empty folders beside its files, and takes them away again when moving fails', async () => {
    const staged = { ...stage({ 'site/index.html': 'hi' }), folders: ['site/logs', 'docs', 'cache/tmp'] };
    const placed = await placeUpload(files, staged, '');
    expect(placed).toMatchObject({ files: ['site/index.html'], folders: ['site/logs', 'docs', 'cache/tmp'] });
    expect(tree(project)).toEqual(['cache/', 'cache/tmp/', 'docs/', 'docs/keep.md', 'site/', 'site/index.html', 'site/logs/']);
    expect(changes).toEqual([{ kind: 'uploaded', paths: ['site/logs', 'docs', 'cache/tmp', 'site/index.html'] }]);

    changes.length = 0;
    const failing = { ...stage({ 'more/one.txt': '1' }), folders: ['empty/inside'] };
    rmSync(join(failing.root, 'more', 'one.txt'));
    await expect(placeUpload(files, failing, 'fresh')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(tree(project)).not.toContain('fresh/');
    expect(changes).toEqual([]);
  });
});
