/** Longest directory name made from a project name. */
const MAX_DIRECTORY_NAME = 64;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * A safe directory name for a project: letters (any script), digits, `.`, `_` and `-`; everything
 * else becomes `-`; never starting with `.` or `-`, never `.`/`..`, at most 64 characters. Answers
 * null when nothing usable is left (then the project id is used).
 */
export function projectDirectoryName(name: string): string | null {
  const cleaned = name
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/[.-]+$/, '');
  const short = [...cleaned].slice(0, MAX_DIRECTORY_NAME).join('').replace(/[.-]+$/, '');
  if (!short || WINDOWS_RESERVED.test(short)) return null;
  return short;
}
