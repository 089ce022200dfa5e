// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { ApiFileEntry, ProjectFileChange } from '@nanoclaw/protocol';
import { uploadedFolder, useFilesStore, type OpenFile } from './files';

const entry = (path: string, type: 'file' | 'directory' = 'file'): ApiFileEntry => ({
  name: path.split('/').pop() ?? path,
  path,
  type,
  size: type === 'file' ? 1 : 0,
  modified_at: '2026-01-01T00:00:00.000Z',
});
const change = (kind: ProjectFileChange['kind'], ...paths: string[]): ProjectFileChange => ({ project_id: 'p', kind, paths });
const openFile = (files: ReturnType<typeof useFilesStore>, path: string, saved: string, content = saved): OpenFile => {
  files.open = { path, content, saved, saving: null };
  return files.open;
};

let files: ReturnType<typeof useFilesStore>;
beforeEach(() => {
  setActivePinia(createPinia());
  files = useFilesStore();
});

describe('the files store', () => {
  it('shows the listed folders as rows in tree order, open folders with their entries below them', () => {
    files.dirs.set('', [entry('src', 'directory'), entry('docs', 'directory'), entry('README.md')]);
    files.dirs.set('src', [entry('src/lib', 'directory'), entry('src/main.ts')]);
    files.dirs.set('src/lib', [entry('src/lib/x.ts')]);
    files.dirs.set('docs', [entry('docs/a.md')]);
    files.expanded.add('src');
    const shown = () => files.rows.map((row) => `${row.depth}:${row.entry.path}`);
    // docs is listed but closed; src/lib is listed but closed.
    expect(shown()).toEqual(['0:src', '1:src/lib', '1:src/main.ts', '0:docs', '0:README.md']);
    files.expandTo('src/lib');
    expect(shown()).toEqual(['0:src', '1:src/lib', '2:src/lib/x.ts', '1:src/main.ts', '0:docs', '0:README.md']);
  });

  it('opens every folder down to a revealed one', () => {
    files.expandTo('a/b/c');
    expect([...files.expanded].sort()).toEqual(['', 'a', 'a/b', 'a/b/c']);
  });

  it('after an upload reveals the uploaded folder when everything went into one, else the folder it went into', () => {
    expect(uploadedFolder('', [{ path: 'site/index.html' }, { path: 'site/css/main.css' }])).toBe('site');
    expect(uploadedFolder('src/web', [{ path: 'site/index.html' }])).toBe('src/web/site');
    expect(uploadedFolder('src', [{ path: 'a.txt' }, { path: 'b.txt' }])).toBe('src');
    expect(uploadedFolder('src', [{ path: 'one/a.txt' }, { path: 'two/b.txt' }])).toBe('src');
    // Loose files beside one folder: the folder still opens.
    expect(uploadedFolder('', [{ path: 'notes.txt' }, { path: 'site/a.html' }])).toBe('site');
    // A dropped folder holding only empty folders.
    expect(uploadedFolder('docs', [], ['logs', 'logs/old'])).toBe('docs/logs');
  });

  it('is dirty while the open file differs from what was last saved', () => {
    expect(files.dirty).toBe(false);
    const current = openFile(files, 'a.txt', 'one');
    expect(files.dirty).toBe(false);
    current.content = 'one, edited';
    expect(files.dirty).toBe(true);
    current.content = 'one';
    expect(files.dirty).toBe(false);
  });

  it('takes a new version from disk when there are no unsaved edits, and says so', () => {
    const current = openFile(files, 'a.txt', 'one');
    files.applyDiskContent(current, 'two');
    expect(files.open).toMatchObject({ content: 'two', saved: 'two' });
    expect(files.diskNotice).toBeNull();
    expect(files.note).toBe('Updated from disk.');
  });

  it('keeps unsaved edits when the file changes on disk and offers both versions', () => {
    const current = openFile(files, 'a.txt', 'one', 'mine');
    files.applyDiskContent(current, 'theirs');
    expect(files.open).toMatchObject({ content: 'mine', saved: 'one' });
    expect(files.diskNotice).toEqual({ kind: 'changed', disk: 'theirs' });

    // Keeping mine: the edits stay unsaved, now measured against the disk version.
    files.keepMine();
    expect(files.open).toMatchObject({ content: 'mine', saved: 'theirs' });
    expect(files.dirty).toBe(true);
    expect(files.diskNotice).toBeNull();

    files.applyDiskContent(current, 'theirs again');
    files.loadDiskVersion();
    expect(files.open).toMatchObject({ content: 'theirs again', saved: 'theirs again' });
    expect(files.dirty).toBe(false);
    expect(files.diskNotice).toBeNull();
  });

  it('treats its own save coming back as no news, and a file back on disk as no longer deleted', () => {
    const current = openFile(files, 'a.txt', 'one', 'two');
    current.saving = 'two';
    files.applyDiskContent(current, 'two');
    expect(files.open).toMatchObject({ content: 'two', saved: 'one' });
    expect(files.diskNotice).toBeNull();

    files.diskNotice = { kind: 'deleted' };
    files.applyDiskContent(current, 'one');
    expect(files.diskNotice).toBeNull();
  });

  it('ignores disk content for a file that is no longer the open one', () => {
    const old = openFile(files, 'a.txt', 'one');
    openFile(files, 'b.txt', 'bee');
    files.applyDiskContent(old, 'changed');
    expect(files.open).toMatchObject({ path: 'b.txt', content: 'bee' });
    expect(files.diskNotice).toBeNull();
  });

  it('follows a move pushed by the server to the open file without reading it, keeping the edits', async () => {
    openFile(files, 'src/lib/x.ts', 'x', 'x edited');
    await files.syncOpenFile(change('moved', 'src', 'app'));
    expect(files.open).toMatchObject({ path: 'app/lib/x.ts', content: 'x edited', saved: 'x' });
    // A change elsewhere leaves the open file alone.
    await files.syncOpenFile(change('written', 'docs/a.md'));
    expect(files.open).toMatchObject({ path: 'app/lib/x.ts', content: 'x edited', saved: 'x' });
    expect(files.diskNotice).toBeNull();
  });

  it('keeps the open file, the open folders and the upload folder where a rename took them', () => {
    openFile(files, 'src/lib/x.ts', 'x');
    files.targetDir = 'src/lib';
    for (const path of ['src', 'src/lib', 'docs']) files.expanded.add(path);
    files.followMove('src', 'app');
    expect(files.open?.path).toBe('app/lib/x.ts');
    expect(files.targetDir).toBe('app/lib');
    expect([...files.expanded].sort()).toEqual(['', 'app', 'app/lib', 'docs']);
  });

  it('follows a rename of a folder only for paths inside it', () => {
    openFile(files, 'srcfile.ts', 's');
    files.targetDir = 'src2';
    files.expanded.add('src2');
    files.followMove('src', 'lib');
    expect(files.open?.path).toBe('srcfile.ts');
    expect(files.targetDir).toBe('src2');
    expect(files.expanded.has('src2')).toBe(true);
  });
});
