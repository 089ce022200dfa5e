/**
 * Paths inside a project as people type them in the file explorer, checked before they are sent
 * (the server checks again). Answers the i18n key of what is wrong, or null.
 */
export type PathProblem = 'files.pathEmpty' | 'files.pathAbsolute' | 'files.pathOutside' | 'files.pathBadName' | 'files.pathUnchanged';

const CONTROL = /[\u0000-\u001f\u007f]/;

/** The path without surrounding spaces, backslashes as slashes, no `./`, no doubled or trailing slash. */
export function cleanPath(value: string): string {
  return value
    .trim()
    .replaceAll('\\', '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

export function pathProblem(value: string, options: { unchangedFrom?: string } = {}): PathProblem | null {
  const trimmed = value.trim();
  if (/^[\\/]/.test(trimmed) || /^[A-Za-z]:/.test(trimmed)) return 'files.pathAbsolute';
  if (cleanPath(trimmed) === '') return 'files.pathEmpty';
  if (trimmed.replaceAll('\\', '/').split('/').includes('..')) return 'files.pathOutside';
  if (CONTROL.test(trimmed)) return 'files.pathBadName';
  if (options.unchangedFrom !== undefined && cleanPath(trimmed) === options.unchangedFrom) return 'files.pathUnchanged';
  return null;
}

/** The folder a path is in ("" for the project directory). */
export function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at > 0 ? path.slice(0, at) : '';
}

/** Where the name part of a path starts and its extension begins, to select it for renaming. */
export function nameSelection(path: string): [number, number] {
  const start = path.lastIndexOf('/') + 1;
  const dot = path.lastIndexOf('.');
  return [start, dot > start ? dot : path.length];
}
