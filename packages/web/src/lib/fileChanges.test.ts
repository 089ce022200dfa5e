import { describe, expect, it } from 'vitest';
import type { ProjectFileChange } from '@nanoclaw/protocol';
import { changeTouches, decideOnDiskChange, isWithin, pathAfterMove } from './fileChanges';

const change = (kind: ProjectFileChange['kind'], ...paths: string[]): ProjectFileChange => ({ project_id: 'p', kind, paths });

describe('file changes and the open file', () => {
  it('a change touches the path itself and everything below a changed folder, nothing beside it', () => {
    expect(changeTouches(change('written', 'src/a.ts'), 'src/a.ts')).toBe(true);
    expect(changeTouches(change('deleted', 'src'), 'src/lib/a.ts')).toBe(true);
    expect(changeTouches(change('uploaded', ''), 'anything.txt')).toBe(true);
    expect(changeTouches(change('written', 'src/a.ts'), 'src/a.tsx')).toBe(false);
    expect(changeTouches(change('deleted', 'src'), 'src2/a.ts')).toBe(false);
    expect(isWithin('srcfile', 'src')).toBe(false);
  });

  it('follows a move of the file or of a folder above it', () => {
    expect(pathAfterMove(change('moved', 'a.txt', 'b.txt'), 'a.txt')).toBe('b.txt');
    expect(pathAfterMove(change('moved', 'src', 'lib/src'), 'src/x/y.ts')).toBe('lib/src/x/y.ts');
    expect(pathAfterMove(change('moved', 'src', 'lib'), 'srcx/y.ts')).toBeNull();
    expect(pathAfterMove(change('written', 'a.txt'), 'a.txt')).toBeNull();
  });

  it('takes the disk version only when there are no unsaved edits, and ignores its own save coming back', () => {
    const clean = { saved: 'v1', content: 'v1', saving: null };
    const edited = { saved: 'v1', content: 'v1 + my edits', saving: null };
    expect(decideOnDiskChange(clean, 'v1')).toBe('same');
    expect(decideOnDiskChange(clean, 'v2 from the agent')).toBe('reload');
    expect(decideOnDiskChange(edited, 'v2 from the agent')).toBe('conflict');
    expect(decideOnDiskChange(edited, 'v1 + my edits')).toBe('reload');
    // A save in flight: the change it causes arrives before the answer does.
    expect(decideOnDiskChange({ saved: 'v1', content: 'v2 and more typing', saving: 'v2' }, 'v2')).toBe('same');
  });
});
