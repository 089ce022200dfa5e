import { z } from 'zod';
import type { ZodToolDefinition } from '../types.js';
import { MAX_MATCHES, MAX_PATTERN_LENGTH, checkPattern, createRegexRunner, type RegexMatch, type RegexRunner } from './textProcessRegex.js';

export const MAX_TEXT_LENGTH = 1_000_000;
/** Longest text a replace may produce (the regex worker is also bounded by its heap limit). */
export const MAX_OUTPUT_LENGTH = 10_000_000;
const DEFAULT_REGEX_TIMEOUT_MS = 1000;

const PRESET_NAMES = ['emails', 'urls', 'numbers', 'hashtags', 'mentions'] as const;
type Preset = (typeof PRESET_NAMES)[number];

const textProcessArguments = z.strictObject({
  operation: z.enum(['count', 'replace', 'split', 'extract', 'case', 'trim']),
  text: z.string().max(MAX_TEXT_LENGTH).describe('The text to process.'),
  pattern: z.string().min(1).max(MAX_PATTERN_LENGTH).optional().describe('Text or regex to look for (count, replace, split, extract).'),
  regex: z.boolean().default(false).describe('Treat "pattern" as a regular expression (always true for extract).'),
  flags: z
    .string()
    .regex(/^[imsu]*$/)
    .default('')
    .describe('Regex flags: i (ignore case), m (multiline), s (dot matches newline), u (unicode).'),
  replacement: z.string().max(100_000).default('').describe('Replacement text for "replace".'),
  replace_all: z.boolean().default(true).describe('Replace every occurrence (true) or only the first.'),
  limit: z
    .int()
    .min(1)
    .max(MAX_MATCHES)
    .optional()
    .describe(`split: at most this many parts; extract: at most this many matches (default and maximum ${MAX_MATCHES}).`),
  preset: z.enum(PRESET_NAMES).optional().describe('extract: a ready-made pattern instead of "pattern".'),
  case_style: z.enum(['upper', 'lower', 'title', 'sentence', 'camel', 'snake', 'kebab', 'swap']).optional(),
  trim_mode: z.enum(['both', 'start', 'end', 'lines', 'collapse']).default('both'),
});

export type TextProcessArgs = z.infer<typeof textProcessArguments>;
type CaseStyle = NonNullable<TextProcessArgs['case_style']>;
type TrimMode = TextProcessArgs['trim_mode'];

/** Built-in extract patterns: linear shapes (no nested quantifiers), safe on any text. */
const PRESETS: Record<Preset, { pattern: string; flags: string }> = {
  emails: { pattern: '[\\p{L}\\p{N}._%+-]+@[\\p{L}\\p{N}-]+(?:\\.[\\p{L}\\p{N}-]+)*\\.\\p{L}{2,}', flags: 'u' },
  urls: { pattern: 'https?:\\/\\/[^\\s<>"\'`)\\]]+', flags: 'u' },
  numbers: { pattern: '[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[eE][-+]?\\d+)?', flags: '' },
  hashtags: { pattern: '#[\\p{L}\\p{N}_]+', flags: 'u' },
  mentions: { pattern: '@[\\p{L}\\p{N}_.]+', flags: 'u' },
};

export interface TextProcessToolOptions {
  /** Deadline for one regular expression job, ms. */
  regexTimeoutMs?: number;
  runner?: RegexRunner;
}

export function createTextProcessTool(options: TextProcessToolOptions = {}): ZodToolDefinition<TextProcessArgs> & { close(): Promise<void> } {
  const runner = options.runner ?? createRegexRunner({ timeoutMs: options.regexTimeoutMs ?? DEFAULT_REGEX_TIMEOUT_MS });
  return {
    name: 'text_process',
    category: 'text',
    cacheable: true,
    description:
      'Process text exactly instead of by eye. Operations: "count" (characters, words, lines, sentences, paragraphs, or ' +
      'occurrences of "pattern"), "replace" ("pattern" → "replacement"; $1/$<name> work with regex), "split" (by "pattern"; ' +
      'default newline), "extract" (all matches of a regex "pattern" with their groups, or a "preset": emails, urls, numbers, ' +
      'hashtags, mentions), "case" ("case_style": upper, lower, title, sentence, camel, snake, kebab, swap), "trim" ' +
      '("trim_mode": both, start, end, lines, collapse). Patterns are literal text unless "regex" is true (JavaScript syntax; ' +
      '"flags" from i, m, s, u). Patterns with nested quantifiers are refused and every regex has a time limit.',
    arguments: textProcessArguments,
    handler: (args) => processText(runner, args),
    close: () => runner.close(),
  };
}

async function processText(runner: RegexRunner, args: TextProcessArgs): Promise<unknown> {
  const { operation, text } = args;
  switch (operation) {
    case 'count':
      return args.pattern === undefined ? countText(text) : countOccurrences(runner, args, args.pattern);
    case 'replace':
      return replace(runner, args);
    case 'split':
      return split(runner, args);
    case 'extract':
      return extract(runner, args);
    case 'case':
      if (!args.case_style) throw new Error('"case_style" is required for the case operation');
      return { result: changeCase(text, args.case_style) };
    case 'trim':
      return { result: trim(text, args.trim_mode) };
  }
}

export function countText(text: string): Record<string, number> {
  const words = [...new Intl.Segmenter('en', { granularity: 'word' }).segment(text)].filter((s) => s.isWordLike).length;
  const sentences = [...new Intl.Segmenter('en', { granularity: 'sentence' }).segment(text)].filter((s) => s.segment.trim() !== '').length;
  return {
    characters: [...text].length,
    characters_no_spaces: [...text.replace(/\s/gu, '')].length,
    words,
    lines: text === '' ? 0 : text.split(/\r\n|\r|\n/).length,
    sentences,
    paragraphs: text.split(/(?:\r?\n[ \t]*){2,}/).filter((p) => p.trim() !== '').length,
    bytes_utf8: Buffer.byteLength(text, 'utf8'),
  };
}

/** The pattern as a RegExp source: escaped when literal, checked when regex. */
function source(args: TextProcessArgs, pattern: string, forceRegex = false): { pattern: string; flags: string; literal: boolean } {
  const { flags } = args;
  if (args.regex || forceRegex) {
    checkPattern(pattern, flags);
    return { pattern, flags, literal: false };
  }
  return { pattern: pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags: flags.includes('i') ? 'i' : '', literal: true };
}

async function countOccurrences(runner: RegexRunner, args: TextProcessArgs, pattern: string): Promise<unknown> {
  const src = source(args, pattern);
  const { total } = await matches(runner, src, args.text, 0);
  return { pattern, occurrences: total };
}

async function replace(runner: RegexRunner, args: TextProcessArgs): Promise<unknown> {
  if (args.pattern === undefined) throw new Error('"pattern" is required for the replace operation');
  const src = source(args, args.pattern);
  const flags = args.replace_all ? `${src.flags}g` : src.flags;
  const { replacement } = args;
  if (src.literal) {
    // Literal replacement: "$" in the replacement is plain text too.
    const re = new RegExp(src.pattern, flags);
    let occurrences = 0;
    if (flags.includes('g')) for (const _match of args.text.matchAll(re)) occurrences++;
    else occurrences = re.test(args.text) ? 1 : 0;
    const outputLength = args.text.length + occurrences * (replacement.length - args.pattern.length);
    if (outputLength > MAX_OUTPUT_LENGTH) {
      throw new Error(`The result would be ${outputLength} characters long (at most ${MAX_OUTPUT_LENGTH}); replace fewer occurrences or use a shorter replacement`);
    }
    re.lastIndex = 0;
    let replacements = 0;
    const result = args.text.replace(re, () => {
      replacements++;
      return replacement;
    });
    return { result, replacements };
  }
  const outcome = await runner.run({ op: 'replace', pattern: src.pattern, flags, input: args.text, replacement });
  if (outcome.op !== 'replace') throw new Error('Unexpected regex result');
  return { result: outcome.output, replacements: outcome.replacements };
}

async function split(runner: RegexRunner, args: TextProcessArgs): Promise<unknown> {
  // Without a pattern, split into lines (\n, \r\n or \r).
  const src = args.pattern === undefined ? { pattern: '\\r\\n|\\r|\\n', flags: '', literal: true } : source(args, args.pattern);
  let parts: string[];
  if (src.literal) {
    parts = args.text.split(new RegExp(src.pattern, src.flags), args.limit);
  } else {
    const outcome = await runner.run({ op: 'split', pattern: src.pattern, flags: src.flags, input: args.text, ...(args.limit ? { limit: args.limit } : {}) });
    if (outcome.op !== 'split') throw new Error('Unexpected regex result');
    parts = outcome.parts;
  }
  return { parts, count: parts.length };
}

async function extract(runner: RegexRunner, args: TextProcessArgs): Promise<unknown> {
  let src: { pattern: string; flags: string; literal: boolean };
  if (args.preset) {
    src = { ...PRESETS[args.preset], literal: false };
  } else if (args.pattern !== undefined) {
    src = source(args, args.pattern, true);
  } else {
    throw new Error('"pattern" or "preset" is required for the extract operation');
  }
  const limit = args.limit ?? MAX_MATCHES;
  const { matches: found, total } = await matches(runner, src, args.text, limit);
  const simple = found.every((m) => m.groups.length === 0);
  return {
    ...(args.preset ? { preset: args.preset } : { pattern: args.pattern }),
    total,
    matches: simple ? found.map((m) => m.match) : found,
    ...(total > found.length ? { note: `Showing the first ${found.length} of ${total} matches.` } : {}),
  };
}

async function matches(runner: RegexRunner, src: { pattern: string; flags: string; literal: boolean }, input: string, limit: number): Promise<{ matches: RegexMatch[]; total: number }> {
  if (src.literal) {
    const found: RegexMatch[] = [];
    let total = 0;
    for (const m of input.matchAll(new RegExp(src.pattern, `${src.flags}g`))) {
      total++;
      if (found.length < limit) found.push({ match: m[0], index: m.index, groups: [], named: null });
    }
    return { matches: found, total };
  }
  const outcome = await runner.run({ op: 'matches', pattern: src.pattern, flags: src.flags, input, limit });
  if (outcome.op !== 'matches') throw new Error('Unexpected regex result');
  return outcome;
}

function words(text: string): string[] {
  return text
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export function changeCase(text: string, style: CaseStyle): string {
  switch (style) {
    case 'upper':
      return text.toUpperCase();
    case 'lower':
      return text.toLowerCase();
    case 'title':
      return text.toLowerCase().replace(/(^|[^\p{L}\p{N}'’])(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toUpperCase());
    case 'sentence':
      return text.toLowerCase().replace(/(^\s*|[.!?]\s+)(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toUpperCase());
    case 'camel':
      return words(text)
        .map((word, i) => (i === 0 ? word.toLowerCase() : word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()))
        .join('');
    case 'snake':
      return words(text).map((word) => word.toLowerCase()).join('_');
    case 'kebab':
      return words(text).map((word) => word.toLowerCase()).join('-');
    case 'swap':
      return [...text].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join('');
  }
}

export function trim(text: string, mode: TrimMode): string {
  switch (mode) {
    case 'both':
      return text.trim();
    case 'start':
      return text.trimStart();
    case 'end':
      return text.trimEnd();
    case 'lines':
      return text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .join('\n');
    case 'collapse':
      return text.replace(/\s+/g, ' ').trim();
  }
}
