import { lstat, mkdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectFiles } from './projectFiles.js';
import { displayPath, FileConflictError, WrongKindError } from './workspaceErrors.js';

/** Files received into a staging directory on the same file system as the project. */
export interface StagedFiles {
  /** Directory holding the received files. */
  root: string;
  /** Their paths below it, `/`-separated, already checked by resolveProjectPath. */
  paths: string[];
  /** Folders to create even without a file in them (empty ones), likewise; none when absent. */
  folders?: string[];
  /** An empty directory where files that get replaced are kept until everything is in place. */
  backups: string;
}

export interface PlacedUpload {
  /** The folder the files went into, relative to the project directory. */
  path: string;
  /** Every file placed, relative to the project directory. */
  files: string[];
  /** Every folder the upload named on its own, relative to the project directory (there now, made or found). */
  folders: string[];
  /** How many replaced a file that was there before. */
  replaced: number;
}

/** More changed paths than this are announced as their folder. */
const MAX_ANNOUNCED_PATHS = 200;
/** Names listed in a conflict message, at most. */
const MAX_NAMED_CONFLICTS = 5;

function joinRelative(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/**
 * Moves staged files into a folder of the project, keeping their relative paths, and creates the
 * upload's own (empty) folders there. All or nothing:
 * every target is checked first (a path leading outside through a symbolic link is 400, a folder or
 * a file standing where the upload needs the other kind is 400, an existing file without
 * `overwrite` is 409), and a failure while moving puts back what was already moved.
 */
export async function placeUpload(files: ProjectFiles, staged: StagedFiles, into: string, options: { overwrite?: boolean } = {}): Promise<PlacedUpload> {
  const folder = await files.resolve(into, { allowRoot: true });
  const folderInfo = await stat(folder.absolute).catch(() => null);
  if (folderInfo && !folderInfo.isDirectory()) throw new WrongKindError(`"${displayPath(folder.relative)}" is a file; choose a folder to upload into.`);

  const targets: Array<{ from: string; to: string; relative: string; exists: boolean }> = [];
  const conflicts: string[] = [];
  const checkedDirectories = new Set<string>();
  /** Every folder on the way to `relative` (itself too with `inclusive`) must be a folder, or not exist yet. */
  const checkFoldersOnTheWay = async (relative: string, inclusive: boolean): Promise<void> => {
    const names = relative.split('/');
    for (let depth = 1; depth < names.length + (inclusive ? 1 : 0); depth++) {
      const directory = names.slice(0, depth).join('/');
      if (checkedDirectories.has(directory)) continue;
      const info = await stat(join(files.root, ...names.slice(0, depth))).catch(() => null);
      if (info && !info.isDirectory()) throw new WrongKindError(`The upload needs a folder at "${directory}", but the project has a file there.`);
      checkedDirectories.add(directory);
    }
  };
  const folderTargets: Array<{ absolute: string; relative: string }> = [];
  for (const path of staged.folders ?? []) {
    const target = await files.resolve(joinRelative(folder.relative, path));
    await checkFoldersOnTheWay(target.relative, true);
    folderTargets.push(target);
  }
  for (const path of staged.paths) {
    const target = await files.resolve(joinRelative(folder.relative, path));
    await checkFoldersOnTheWay(target.relative, false);
    const existing = await stat(target.absolute).catch(() => null);
    if (existing?.isDirectory()) throw new WrongKindError(`The project has a folder at "${target.relative}", where the upload has a file.`);
    if (existing) conflicts.push(target.relative);
    targets.push({ from: join(staged.root, ...path.split('/')), to: target.absolute, relative: target.relative, exists: existing !== null });
  }
  if (conflicts.length > 0 && !options.overwrite) {
    const named = conflicts.slice(0, MAX_NAMED_CONFLICTS).map((path) => `"${path}"`).join(', ');
    const more = conflicts.length > MAX_NAMED_CONFLICTS ? ` and ${conflicts.length - MAX_NAMED_CONFLICTS} more` : '';
    const count = conflicts.length === 1 ? '1 file of the upload already exists' : `${conflicts.length} files of the upload already exist`;
    throw new FileConflictError(`${count} in the project: ${named}${more}. Upload again allowing them to be replaced, or choose another folder.`);
  }

  const createdDirectories: string[] = [];
  const moved: Array<{ from: string; to: string; backup: string | null }> = [];
  try {
    await makeDirectories(folder.absolute, createdDirectories);
    for (const target of folderTargets) await makeDirectories(target.absolute, createdDirectories);
    for (const [index, target] of targets.entries()) {
      await makeParents(folder.absolute, target.to, createdDirectories);
      let backup: string | null = null;
      if (target.exists) {
        backup = join(staged.backups, String(index));
        await rename(target.to, backup);
      }
      moved.push({ from: target.from, to: target.to, backup });
      await rename(target.from, target.to);
    }
  } catch (err) {
    await undo(moved, createdDirectories);
    throw err;
  }

  const placed = targets.map((target) => target.relative);
  const folders = folderTargets.map((target) => target.relative);
  const changed = [...folders, ...placed];
  files.announce({ kind: 'uploaded', paths: changed.length <= MAX_ANNOUNCED_PATHS ? changed : [folder.relative] });
  return { path: folder.relative, files: placed, folders, replaced: conflicts.length };
}

/** Creates `directory` when missing, remembering it for undo. */
async function makeDirectories(directory: string, created: string[]): Promise<void> {
  try {
    await mkdir(directory);
    created.push(directory);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') {
      await makeDirectories(join(directory, '..'), created);
      await makeDirectories(directory, created);
      return;
    }
    if (errorCode(err) !== 'EEXIST') throw err;
  }
}

async function makeParents(folder: string, file: string, created: string[]): Promise<void> {
  const parent = join(file, '..');
  if (parent !== folder) await makeDirectories(parent, created);
}

/** Puts the project back as it was: moved files out again, replaced files back, new folders removed. */
async function undo(moved: Array<{ from: string; to: string; backup: string | null }>, createdDirectories: string[]): Promise<void> {
  for (const step of moved.reverse()) {
    const placed = await lstat(step.to).catch(() => null);
    const stillStaged = await lstat(step.from).catch(() => null);
    if (placed && !stillStaged) await rm(step.to, { force: true }).catch(() => undefined);
    if (step.backup && (await lstat(step.backup).catch(() => null))) await rename(step.backup, step.to).catch(() => undefined);
  }
  for (const directory of createdDirectories.reverse()) await rmdir(directory).catch(() => undefined);
}
