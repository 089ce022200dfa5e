import { describe, expect, it } from 'vitest';
import { formatSize, itemsFromFileList, uploadProblem } from './uploadItems';

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

  it('word sizes as the server does', () => {
    expect(formatSize(300)).toBe('300 B');
    expect(formatSize(12.5 * 1024)).toBe('12.5 KB');
    expect(formatSize(100 * 1024 * 1024)).toBe('100 MB');
  });
});
