/** Strictness levels of the Python sandbox: wall-clock limit and the modules user code may import. */

export const SANDBOX_LEVELS = ['strict', 'standard', 'lenient'] as const;
export type SandboxLevel = (typeof SANDBOX_LEVELS)[number];

/** Wall-clock limit per run, ms (as in the original NanoClaw). */
export const LEVEL_TIMEOUT_MS: Record<SandboxLevel, number> = { strict: 5_000, standard: 10_000, lenient: 30_000 };

const STRICT_MODULES = [
  'math', 'json', 're', 'datetime', 'collections', 'itertools', 'functools', 'random', 'statistics', 'string', 'decimal', 'fractions',
];

const STANDARD_MODULES = [
  ...STRICT_MODULES,
  'typing', 'dataclasses', 'enum', 'textwrap', 'heapq', 'bisect', 'copy', 'pprint', 'operator', 'hashlib', 'base64', 'uuid', 'csv',
  'io', 'cmath', 'numbers', 'abc', 'array', 'calendar', 'struct', 'unicodedata', 'difflib', 'time', 'contextlib',
];

/** Still pure computation: no module here reaches beyond the interpreter (and the sandbox stops it if one tried). */
const LENIENT_MODULES = [
  ...STANDARD_MODULES,
  'zlib', 'binascii', 'hmac', 'secrets', 'graphlib', 'html', 'colorsys', 'reprlib', 'fnmatch', 'shlex', 'keyword', 'tomllib',
  'codecs', 'gzip', 'bz2', 'lzma', 'xml', 'zoneinfo', 'locale', 'timeit', 'dis',
];

export const LEVEL_MODULES: Record<SandboxLevel, readonly string[]> = {
  strict: STRICT_MODULES,
  standard: STANDARD_MODULES,
  lenient: LENIENT_MODULES,
};

export function levelRank(level: SandboxLevel): number {
  return SANDBOX_LEVELS.indexOf(level);
}

export function isSandboxLevel(value: unknown): value is SandboxLevel {
  return typeof value === 'string' && (SANDBOX_LEVELS as readonly string[]).includes(value);
}
