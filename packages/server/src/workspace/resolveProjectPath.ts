import { lstat, realpath } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Config } from '@nanoclaw/protocol';
import { PathRefusedError } from './workspaceErrors.js';

/** Longest path accepted, in UTF-8 bytes (Linux PATH_MAX). */
export const MAX_PATH_BYTES = 4096;
/** Longest single name accepted, in UTF-8 bytes (NAME_MAX of common file systems). */
export const MAX_NAME_BYTES = 255;

/** The configured limits of a path inside a project (max_path_chars, max_path_depth). */
export interface PathLimits {
  /** Most characters (code points) of the path as given. */
  maxChars: number;
  /** Most names in the path once `.` and `..` are resolved ("a/b/c.txt" is 3). */
  maxDepth: number;
}

export const pathLimitsOf = (config: Pick<Config, 'max_path_chars' | 'max_path_depth'>): PathLimits => ({
  maxChars: config.max_path_chars,
  maxDepth: config.max_path_depth,
});

export interface ResolvedPath {
  /** Absolute path under the project's real directory. */
  absolute: string;
  /** Relative to the project directory, `/`-separated, no `.` or `..`; "" for the directory itself. */
  relative: string;
}

export interface ResolveOptions {
  /** Accept the project directory itself ("", "."); refused otherwise. Default false. */
  allowRoot?: boolean;
  /**
   * Whether the last name is followed when it is a symbolic link. True (default) for reading, writing
   * and listing; false for operations on the entry itself (delete, the source and target of a move),
   * where only the parent directories are checked and the link itself is what gets removed or moved.
   */
  followFinal?: boolean;
  /** The configured limits; absent, only the file system's own (MAX_PATH_BYTES, MAX_NAME_BYTES) apply. */
  limits?: PathLimits;
}

const WINDOWS_DRIVE = /^[A-Za-z]:/;
const UNC = /^[\\/]{2}/;
// NUL is reported on its own, with a clearer sentence; the rest of C0 and DEL are refused too.
const CONTROL = /[\u0001-\u001f\u007f]/;

/**
 * The checks that need no file system: answers the normalised project-relative path or throws
 * PathRefusedError. `\` counts as a separator, so `..\..\x` is caught like `../../x`.
 */
export function normaliseProjectPath(userPath: unknown, options: Pick<ResolveOptions, 'allowRoot' | 'limits'> = {}): string {
  if (typeof userPath !== 'string') throw new PathRefusedError('The path must be a string.');
  const { limits } = options;
  if (limits && longerThan(userPath, limits.maxChars)) {
    throw new PathRefusedError(`The path is too long: at most ${limits.maxChars} characters are allowed (max_path_chars).`);
  }
  if (userPath.includes('\0')) throw new PathRefusedError('The path contains a NUL byte, which no file name may contain.');
  if (CONTROL.test(userPath)) throw new PathRefusedError('The path contains control characters (such as a newline), which file names here may not contain.');
  if (Buffer.byteLength(userPath, 'utf8') > MAX_PATH_BYTES) {
    throw new PathRefusedError(`The path is too long: at most ${MAX_PATH_BYTES} bytes are allowed.`);
  }
  if (UNC.test(userPath)) throw new PathRefusedError(`Network (UNC) paths such as "\\\\server\\share" are not allowed: give a path relative to the project directory.`);
  if (WINDOWS_DRIVE.test(userPath)) throw new PathRefusedError(`Windows drive paths such as "C:\\..." are not allowed: give a path relative to the project directory.`);
  const slashed = userPath.replaceAll('\\', '/');
  if (slashed.startsWith('/')) throw new PathRefusedError(`Absolute paths are not allowed ("${userPath}"): give a path relative to the project directory.`);

  const parts: string[] = [];
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw new PathRefusedError(`The path "${userPath}" leads outside the project directory.`);
      parts.pop();
      continue;
    }
    if (Buffer.byteLength(part, 'utf8') > MAX_NAME_BYTES) {
      throw new PathRefusedError(`The name "${part.slice(0, 40)}…" is too long: at most ${MAX_NAME_BYTES} bytes are allowed per name.`);
    }
    parts.push(part);
  }
  if (limits && parts.length > limits.maxDepth) {
    throw new PathRefusedError(`The path is too deep: ${parts.length} levels, at most ${limits.maxDepth} folders and names are allowed (max_path_depth).`);
  }
  const relative = parts.join('/');
  if (relative === '' && !options.allowRoot) {
    throw new PathRefusedError('This needs a path inside the project, not the project directory itself.');
  }
  return relative;
}

/** True when `text` has more than `max` characters (code points), counted no further than needed. */
function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let count = 0;
  for (const _ of text) if (++count > max) return true;
  return false;
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/**
 * Resolves a path given by a user or the model inside a project directory, or throws
 * PathRefusedError without touching anything. The one resolver of the files API and the file tools.
 *
 * Refused: `..` that climbs out, absolute paths, NUL and control characters, Windows drive
 * (`C:\x`, `C:x`) and UNC (`\\server\share`) forms, names over 255 bytes, paths over 4096 bytes or over
 * the configured `limits` (characters, depth), and
 * any path whose deepest existing part really lies outside the project once symbolic links are followed
 * (a link to /etc, a link in a parent directory, a dangling link whose target would be created).
 *
 * What remains is the usual check-then-use window: a link swapped in by another process between this
 * check and the operation. Nothing NanoClaw offers users or the model creates symbolic links.
 */
export async function resolveProjectPath(projectDir: string, userPath: unknown, options: ResolveOptions = {}): Promise<ResolvedPath> {
  const relative = normaliseProjectPath(userPath, options);
  let root: string;
  try {
    root = await realpath(projectDir);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') throw new PathRefusedError("The project's directory does not exist on the server.");
    throw err;
  }
  const absolute = relative === '' ? root : join(root, ...relative.split('/'));
  if (relative !== '') await checkRealLocation(root, absolute, options.followFinal ?? true);
  return { absolute, relative };
}

/** Follows the links of the deepest existing part of `absolute` and refuses it if it ends up outside `root`. */
async function checkRealLocation(root: string, absolute: string, followFinal: boolean): Promise<void> {
  let probe = followFinal ? absolute : dirname(absolute);
  while (probe !== root && isInside(root, probe)) {
    let real: string | null = null;
    try {
      real = await realpath(probe);
    } catch (err) {
      const code = errorCode(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        if (code === 'ELOOP') throw new PathRefusedError('The path goes through a loop of symbolic links.');
        if (code === 'ENAMETOOLONG') throw new PathRefusedError('The path is too long for the file system.');
        throw err;
      }
    }
    if (real !== null) {
      if (!isInside(root, real)) throw new PathRefusedError('The path leads outside the project directory through a symbolic link.');
      return;
    }
    // Missing, or a link whose target is missing: a dangling link would be followed on write.
    const entry = await lstat(probe).catch(() => null);
    if (entry?.isSymbolicLink()) {
      throw new PathRefusedError('The path goes through a symbolic link whose target does not exist; it may lead outside the project.');
    }
    probe = dirname(probe);
  }
}
