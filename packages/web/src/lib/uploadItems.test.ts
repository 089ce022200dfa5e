import { describe, expect, it } from 'vitest';
import { formatSize, itemsFromEntries, itemsFromFileList, uploadProblem } from './uploadItems';

const file = (name: string, size: number) => new File([new Uint8Array(size)], name);

describe('upload items', () => {
  it('take the path in the picked folder when there is one, else the name', () => {
    const inFolder = file('main.css', 3);
    Object.defineProperty(inFolder, 'webkitRelativePath', { value: 'site/css/main.css' });
    expect(itemsFromFileList([inFolder, file('loose.txt', 1)]).map((item) => item.path)).toEqual(['site/css/main.css', 'loose.txt']);
  });

  it('are refused before sending when empty, too many or too large for the server', () => {
    const limits = { max_upload_files: 2, max_upload_bytes: 2048 };
    expect(uploadProblem([], limits)).toEqual({ key: 'files.uploadEmpty' });
    expect(uploadProblem(itemsFromFileList([file('a', 1), file('b', 1), file('c', 1)]), limits)).toEqual({ key: 'files.uploadTooMany', count: 3, max: 2 });
    expect(uploadProblem(itemsFromFileList([file('a', 2000), file('b', 100)]), limits)).toEqual({ key: 'files.uploadTooLarge', size: '2.1 KB', max: '2 KB' });
    expect(uploadProblem(itemsFromFileList([file('a', 2000), file('b', 48)]), limits)).toBeNull();
    // Limits not known (yet): the server is the judge.
    expect(uploadProblem(itemsFromFileList([file('a', 5000)]), null)).toBeNull();
  });

  it('from a drop: every file with its path from the dropped folder down, and the folders with nothing in them', async () => {
    type Tree = { [name: string]: Tree | File };
    // What a browser hands over for dropped items (FileSystemEntry), for a folder tree on disk.
    const entry = (name: string, node: Tree | File): FileSystemEntry => {
      if (node instanceof File) return { name, isFile: true, isDirectory: false, file: (ok: (f: File) => void) => ok(node) } as unknown as FileSystemEntry;
      const children = Object.entries(node).map(([child, value]) => entry(child, value));
      return {
        name,
        isFile: false,
        isDirectory: true,
        createReader: () => {
          let read = false;
          // Answers in batches, then an empty batch, as browsers do.
          return { readEntries: (ok: (batch: FileSystemEntry[]) => void) => ok(read ? [] : ((read = true), children)) };
        },
      } as unknown as FileSystemEntry;
    };
    const dropped = await itemsFromEntries([
      entry('site', { 'index.html': file('index.html', 5), logs: {}, assets: { img: {}, 'a.png': file('a.png', 2) } }),
      entry('notes.md', file('notes.md', 1)),
      entry('empty', {}),
    ]);
    expect(dropped.items.map((item) => item.path)).toEqual(['site/index.html', 'site/assets/a.png', 'notes.md']);
    expect(dropped.folders).toEqual(['site/logs', 'site/assets/img', 'empty']);
  });

  it('count empty folders as entries: an upload of only empty folders is not empty, and they count toward the limit', () => {
    const limits = { max_upload_files: 2, max_upload_bytes: 2048 };
    expect(uploadProblem([], limits, ['logs'])).toBeNull();
    expect(uploadProblem(itemsFromFileList([file('a', 1), file('b', 1)]), limits, ['logs'])).toEqual({ key: 'files.uploadTooMany', count: 3, max: 2 });
  });

  it('word sizes as the server does', () => {
    expect(formatSize(300)).toBe('300 B');
    expect(formatSize(12.5 * 1024)).toBe('12.5 KB');
    expect(formatSize(100 * 1024 * 1024)).toBe('100 MB');
  });
});
