import { describe, expect, it } from 'vitest';
import { cleanPath, nameSelection, parentOf, pathProblem } from './projectPaths';

describe('project paths typed in the explorer', () => {
  it('are cleaned of spaces, backslashes, ./ and extra slashes', () => {
    expect(cleanPath('  src//lib/./a.ts/ ')).toBe('src/lib/a.ts');
    expect(cleanPath('docs\\notes.md')).toBe('docs/notes.md');
  });

  it('are refused empty, absolute, leading outside, with control characters, or unchanged', () => {
    expect(pathProblem('')).toBe('files.pathEmpty');
    expect(pathProblem('  / ')).toBe('files.pathAbsolute');
    expect(pathProblem('src/')).toBeNull();
    expect(pathProblem('/etc/passwd')).toBe('files.pathAbsolute');
    expect(pathProblem('C:\\x')).toBe('files.pathAbsolute');
    expect(pathProblem('a/../../b')).toBe('files.pathOutside');
    expect(pathProblem('..\\b')).toBe('files.pathOutside');
    expect(pathProblem('a\nb')).toBe('files.pathBadName');
    expect(pathProblem('src/a.ts', { unchangedFrom: 'src/a.ts' })).toBe('files.pathUnchanged');
    expect(pathProblem('src/b.ts', { unchangedFrom: 'src/a.ts' })).toBeNull();
    expect(pathProblem('notes/数据.md')).toBeNull();
  });

  it('know their folder and the name part to select for renaming', () => {
    expect(parentOf('src/lib/a.ts')).toBe('src/lib');
    expect(parentOf('a.ts')).toBe('');
    expect(nameSelection('src/lib/main.test.ts')).toEqual([8, 17]);
    expect(nameSelection('src/Makefile')).toEqual([4, 12]);
    expect(nameSelection('.env')).toEqual([0, 4]);
  });
});
