import type { Dirent, Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import picomatch from 'picomatch';
import type { ApiDirectoryListing, ApiFileContent, ApiFileEntry, ApiSearchMatch, ApiSearchResult, FileEntryType, ProjectFileChange } from '@nanoclaw/protocol';
import { resolveProjectPath, type PathLimits, type ResolvedPath } from './resolveProjectPath.js';
import { displayPath, FileConflictError, FileNotFoundError, FileTooLargeError, formatBytes, NotTextError, WrongKindError } from './workspaceErrors.js';

export interface FileLimits {
  /** Largest file read as text, bytes. */
  maxReadBytes: number;
  /** Largest file written, bytes. */
  maxWriteBytes: number;
  /** Longest and deepest path accepted. */
  path: PathLimits;
}

/** A change to the files, as announced after it happened (the project id is added by whoever listens). */
export type FileChange = Omit<ProjectFileChange, 'project_id'>;

export interface SearchOptions {
  query: string;
  path?: string;
  maxResults?: number;
  caseSensitive?: boolean;
}

export interface GlobOptions {
  /** Directory to search from (default: the project directory). */
  path?: string;
  /** Glob pattern matched against paths relative to `path` (`**\/*.ts`, `src/*.{js,ts}`); absent: the directory's own entries. */
  pattern?: string;
  maxResults?: number;
}

export interface GlobResult {
  path: string;
  items: ApiFileEntry[];
  truncated: boolean;
}

export const DEFAULT_SEARCH_RESULTS = 100;
export const DEFAULT_GLOB_RESULTS = 1000;
/** Files a single search or glob looks at, at most; keeps one request from walking a huge tree forever. */
const MAX_FILES_WALKED = 20_000;
const MAX_LINE_CHARS = 500;
/** Bytes looked at to tell text from binary. */
const SNIFF_BYTES = 8000;
const SKIPPED_DIRECTORIES = new Set(['.git']);

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

function typeOf(entry: Stats | Dirent): FileEntryType {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isDirectory()) return 'directory';
  if (entry.isFile()) return 'file';
  return 'other';
}

function joinRelative(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

function entryOf(relative: string, info: Stats): ApiFileEntry {
  const type = typeOf(info);
  return {
    name: relative.split('/').at(-1) ?? '',
    path: relative,
    type,
    size: type === 'file' ? info.size : 0,
    modified_at: info.mtime.toISOString(),
  };
}

function byKindThenName(a: ApiFileEntry, b: ApiFileEntry): number {
  const rank = (entry: ApiFileEntry) => (entry.type === 'directory' ? 0 : 1);
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** UTF-8 text, or null for binary data (a NUL byte, or bytes that are not valid UTF-8). */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The files of one project directory. Every path goes through resolveProjectPath first, so nothing
 * outside the directory is ever read, written, listed, moved or deleted.
 */
export class ProjectFiles {
  constructor(
    readonly root: string,
    readonly limits: FileLimits,
    /** Told after every change this object makes (write, mkdir, move, delete, upload). */
    private readonly onChange?: (change: FileChange) => void,
  ) {}

  /** Tells the listener about a change; a listener that throws never fails the operation that changed the files. */
  announce(change: FileChange): void {
    try {
      this.onChange?.(change);
    } catch {
      /* the change happened; only the announcement failed */
    }
  }

  resolve(path: unknown, options?: { allowRoot?: boolean; followFinal?: boolean }): Promise<ResolvedPath> {
    return resolveProjectPath(this.root, path, { ...options, limits: this.limits.path });
  }

  private async statOrNotFound(target: ResolvedPath): Promise<Stats> {
    try {
      return await stat(target.absolute);
    } catch (err) {
      if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') throw new FileNotFoundError(target.relative);
      throw err;
    }
  }

  /** The entries of a directory: directories first, then files, each by name. */
  async list(path: string = ''): Promise<ApiDirectoryListing> {
    const target = await this.resolve(path, { allowRoot: true });
    const info = await this.statOrNotFound(target);
    if (!info.isDirectory()) throw new WrongKindError(`"${displayPath(target.relative)}" is a file, not a directory; read it instead of listing it.`);
    const names = await readdir(target.absolute);
    const items: ApiFileEntry[] = [];
    for (const name of names) {
      const entry = await lstat(join(target.absolute, name)).catch(() => null);
      if (entry) items.push(entryOf(joinRelative(target.relative, name), entry));
    }
    return { path: target.relative, items: items.sort(byKindThenName) };
  }

  /** A text file's content: 413 over the read limit, 415 for binary data, 400 for a directory. */
  async read(path: string): Promise<ApiFileContent> {
    const target = await this.resolve(path);
    const info = await this.statOrNotFound(target);
    if (info.isDirectory()) throw new WrongKindError(`"${target.relative}" is a directory; list it instead of reading it.`);
    if (!info.isFile()) throw new WrongKindError(`"${target.relative}" is not a regular file.`);
    if (info.size > this.limits.maxReadBytes) {
      throw new FileTooLargeError(`"${target.relative}" is ${formatBytes(info.size)}, more than the ${formatBytes(this.limits.maxReadBytes)} that can be read as text.`);
    }
    const handle = await open(target.absolute, 'r');
    let bytes: Buffer;
    try {
      // Read at most one byte past the limit, in case the file grew since stat.
      const buffer = Buffer.alloc(Math.min(info.size, this.limits.maxReadBytes) + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    if (bytes.length > this.limits.maxReadBytes) {
      throw new FileTooLargeError(`"${target.relative}" is larger than the ${formatBytes(this.limits.maxReadBytes)} that can be read as text.`);
    }
    const content = decodeText(bytes);
    if (content === null) throw new NotTextError(target.relative);
    return { path: target.relative, name: target.relative.split('/').at(-1) ?? '', content, size: bytes.length, modified_at: info.mtime.toISOString() };
  }

  /**
   * Writes (creates or replaces) a file, creating missing parent directories. With `createOnly`,
   * anything already at the path is a conflict (409) and stays as it is.
   */
  async write(path: string, content: string | Uint8Array, options: { createOnly?: boolean } = {}): Promise<ApiFileEntry & { created: boolean }> {
    const target = await this.resolve(path);
    const size = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
    if (size > this.limits.maxWriteBytes) {
      throw new FileTooLargeError(`The content is ${formatBytes(size)}, more than the ${formatBytes(this.limits.maxWriteBytes)} a file may be written with.`);
    }
    const existing = await stat(target.absolute).catch(() => null);
    if (existing?.isDirectory()) throw new FileConflictError(`"${target.relative}" is a directory; a file cannot be written over it.`);
    const alreadyThere = () => new FileConflictError(`"${target.relative}" already exists. Choose another name.`);
    if (existing && options.createOnly) throw alreadyThere();
    await this.ensureParentDirectory(target);
    try {
      await writeFile(target.absolute, content, { flag: options.createOnly ? 'wx' : 'w' });
    } catch (err) {
      if (options.createOnly && errorCode(err) === 'EEXIST') throw alreadyThere();
      throw err;
    }
    this.announce({ kind: 'written', paths: [target.relative] });
    return { ...entryOf(target.relative, await stat(target.absolute)), created: existing === null };
  }

  /** Creates a directory and any missing parents; an existing directory is fine, an existing file is a conflict. */
  async mkdir(path: string): Promise<ApiFileEntry & { created: boolean }> {
    const target = await this.resolve(path);
    const existing = await stat(target.absolute).catch(() => null);
    if (existing) {
      if (!existing.isDirectory()) throw new FileConflictError(`"${target.relative}" already exists and is a file.`);
      return { ...entryOf(target.relative, existing), created: false };
    }
    await this.ensureParentDirectory(target);
    try {
      await mkdir(target.absolute);
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    this.announce({ kind: 'directory_created', paths: [target.relative] });
    return { ...entryOf(target.relative, await stat(target.absolute)), created: true };
  }

  /** Moves or renames a file or directory inside the project. */
  async move(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<{ from: string; to: string; type: FileEntryType }> {
    // Both checked before anything moves: a target outside the project leaves the source untouched.
    const source = await this.resolve(from, { followFinal: false });
    const target = await this.resolve(to, { followFinal: false });
    const sourceInfo = await lstat(source.absolute).catch(() => null);
    if (!sourceInfo) throw new FileNotFoundError(source.relative);
    if (source.relative === target.relative) return { from: source.relative, to: target.relative, type: typeOf(sourceInfo) };
    if (sourceInfo.isDirectory() && (target.relative + '/').startsWith(source.relative + '/')) {
      throw new WrongKindError(`A directory cannot be moved into itself ("${source.relative}" → "${target.relative}").`);
    }
    const targetInfo = await lstat(target.absolute).catch(() => null);
    if (targetInfo) {
      if (!options.overwrite) throw new FileConflictError(`"${target.relative}" already exists. Choose another name, or allow overwriting.`);
      if (targetInfo.isDirectory() || sourceInfo.isDirectory()) {
        throw new FileConflictError(`"${target.relative}" already exists; only a file can replace a file.`);
      }
    }
    await this.ensureParentDirectory(target);
    await rename(source.absolute, target.absolute);
    this.announce({ kind: 'moved', paths: [source.relative, target.relative] });
    return { from: source.relative, to: target.relative, type: typeOf(sourceInfo) };
  }

  /** Deletes a file, a symbolic link (not its target) or a directory with everything in it. */
  async remove(path: string): Promise<{ path: string; type: FileEntryType }> {
    const target = await this.resolve(path, { followFinal: false });
    const info = await lstat(target.absolute).catch(() => null);
    if (!info) throw new FileNotFoundError(target.relative);
    await rm(target.absolute, { recursive: true, force: false });
    this.announce({ kind: 'deleted', paths: [target.relative] });
    return { path: target.relative, type: typeOf(info) };
  }

  async exists(path: string): Promise<{ path: string; exists: boolean; type: FileEntryType | null; size: number | null }> {
    const target = await this.resolve(path, { allowRoot: true });
    const info = await stat(target.absolute).catch(() => null);
    return { path: target.relative, exists: info !== null, type: info ? typeOf(info) : null, size: info?.isFile() ? info.size : null };
  }

  /** Entries under a directory whose path (relative to it) matches a glob pattern. */
  async glob(options: GlobOptions = {}): Promise<GlobResult> {
    const base = await this.resolve(options.path ?? '', { allowRoot: true });
    const info = await this.statOrNotFound(base);
    if (!info.isDirectory()) throw new WrongKindError(`"${displayPath(base.relative)}" is a file, not a directory.`);
    const limit = options.maxResults ?? DEFAULT_GLOB_RESULTS;
    if (!options.pattern) {
      const listing = await this.list(base.relative);
      return { path: listing.path, items: listing.items.slice(0, limit), truncated: listing.items.length > limit };
    }
    const matches = picomatch(options.pattern, { dot: true });
    const items: ApiFileEntry[] = [];
    let truncated = false;
    await this.walk(base, async (relativeToBase, _entry, info) => {
      if (!matches(relativeToBase)) return true;
      if (items.length >= limit) {
        truncated = true;
        return false;
      }
      items.push(entryOf(joinRelative(base.relative, relativeToBase), info));
      return true;
    });
    return { path: base.relative, items, truncated };
  }

  /** Plain-text search (not a regular expression) through the text files under a directory, with line numbers. */
  async search(options: SearchOptions): Promise<ApiSearchResult> {
    const base = await this.resolve(options.path ?? '', { allowRoot: true });
    const info = await this.statOrNotFound(base);
    const limit = options.maxResults ?? DEFAULT_SEARCH_RESULTS;
    const needle = options.caseSensitive ? options.query : options.query.toLowerCase();
    const matches: ApiSearchMatch[] = [];
    let truncated = false;
    let filesSearched = 0;

    const searchFile = async (absolute: string, relative: string, size: number): Promise<boolean> => {
      if (size > this.limits.maxReadBytes) return true;
      const text = decodeText(await readBytes(absolute));
      filesSearched++;
      if (text === null) return true;
      const lines = text.split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as string;
        if (!(options.caseSensitive ? line : line.toLowerCase()).includes(needle)) continue;
        if (matches.length >= limit) {
          truncated = true;
          return false;
        }
        matches.push({ path: relative, line: i + 1, text: line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line });
      }
      return true;
    };

    if (info.isFile()) {
      await searchFile(base.absolute, base.relative, info.size);
    } else {
      await this.walk(base, async (relativeToBase, entry, entryInfo) => {
        if (!entry.isFile()) return true;
        return searchFile(join(base.absolute, ...relativeToBase.split('/')), joinRelative(base.relative, relativeToBase), entryInfo.size);
      });
    }
    return { query: options.query, matches, truncated, files_searched: filesSearched };
  }

  /**
   * Depth-first walk in name order. Symbolic links are reported but never followed (no escapes, no
   * loops); `.git` is skipped. The visitor answers false to stop.
   */
  private async walk(base: ResolvedPath, visit: (relative: string, entry: Dirent, info: Stats) => Promise<boolean>): Promise<void> {
    let walked = 0;
    const visitDirectory = async (absolute: string, relative: string): Promise<boolean> => {
      const entries = await readdir(absolute, { withFileTypes: true }).catch(() => [] as Dirent[]);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (++walked > MAX_FILES_WALKED) return false;
        const childAbsolute = join(absolute, entry.name);
        const childRelative = joinRelative(relative, entry.name);
        const info = await lstat(childAbsolute).catch(() => null);
        if (!info) continue;
        if (!(await visit(childRelative, entry, info))) return false;
        if (entry.isDirectory() && !SKIPPED_DIRECTORIES.has(entry.name)) {
          if (!(await visitDirectory(childAbsolute, childRelative))) return false;
        }
      }
      return true;
    };
    await visitDirectory(base.absolute, '');
  }

  private async ensureParentDirectory(target: ResolvedPath): Promise<void> {
    const parent = dirname(target.absolute);
    try {
      await mkdir(parent, { recursive: true });
    } catch (err) {
      if (errorCode(err) === 'ENOTDIR' || errorCode(err) === 'EEXIST') {
        throw new FileConflictError(`A parent of "${target.relative}" is a file, not a directory.`);
      }
      throw err;
    }
    const parentInfo = await stat(parent);
    if (!parentInfo.isDirectory()) throw new FileConflictError(`A parent of "${target.relative}" is a file, not a directory.`);
  }
}

async function readBytes(absolute: string): Promise<Uint8Array> {
  const handle = await open(absolute, 'r');
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
