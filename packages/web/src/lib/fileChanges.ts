import type { ProjectFileChange } from '@nanoclaw/protocol';

/** Whether `path` is `base` or lies below it ("" is the whole project). */
export function isWithin(path: string, base: string): boolean {
  return base === '' || path === base || path.startsWith(`${base}/`);
}

/** Whether a change may have changed the file or folder at `path`. */
export function changeTouches(change: ProjectFileChange, path: string): boolean {
  return change.paths.some((changed) => isWithin(path, changed));
}

/** Where `path` is after a move, or null when the change did not move it. */
export function pathAfterMove(change: ProjectFileChange, path: string): string | null {
  if (change.kind !== 'moved') return null;
  const [from, to] = change.paths;
  if (from === undefined || to === undefined || from === '' || !isWithin(path, from)) return null;
  return to + path.slice(from.length);
}

/**
 * What to do with the open file once its copy on disk is known:
 * - `same`: nothing changed that we do not know of (also our own save coming back);
 * - `reload`: it changed and we have no unsaved edits, so take the disk version;
 * - `conflict`: it changed and we have unsaved edits: tell the person, overwrite nothing.
 */
export function decideOnDiskChange(file: { saved: string; content: string; saving: string | null }, disk: string): 'same' | 'reload' | 'conflict' {
  if (disk === file.saved || disk === file.saving) return 'same';
  if (file.content === file.saved || file.content === disk) return 'reload';
  return 'conflict';
}
