import retModule from 'ret';
import safeRegex from 'safe-regex2';
import { createWorkerPool, WORKER_START_TIMEOUT_MS } from '../../workers/workerPool.js';

/**
 * Regular expressions from the model run in a worker thread with a deadline: a catastrophic pattern
 * ((a+)+$ on "aaaa…!") would otherwise freeze the whole server. Patterns with nested quantifiers are
 * refused up front (safe-regex2); the deadline catches what that heuristic misses ((a|a)*b).
 */

// ret is CommonJS: the tokenizer is module.exports itself (its typings describe an ES default export).
const tokenize = ((retModule as unknown as { default?: unknown }).default ?? retModule) as unknown as (pattern: string) => unknown;

export const MAX_PATTERN_LENGTH = 1000;
/** Matches returned by extract/count at most; the total is still reported. */
export const MAX_MATCHES = 1000;

export type RegexJob =
  | { op: 'matches'; pattern: string; flags: string; input: string; limit: number }
  | { op: 'replace'; pattern: string; flags: string; input: string; replacement: string }
  | { op: 'split'; pattern: string; flags: string; input: string; limit?: number };

export interface RegexMatch {
  match: string;
  index: number;
  groups: Array<string | null>;
  named: Record<string, string | null> | null;
}

export type RegexJobResult =
  | { op: 'matches'; matches: RegexMatch[]; total: number }
  | { op: 'replace'; output: string; replacements: number }
  | { op: 'split'; parts: string[] };

export interface RegexRunner {
  run(job: RegexJob): Promise<RegexJobResult>;
  /** Stops its workers (tests, shutdown); later jobs are refused. */
  close(): Promise<void>;
}

/** Throws a sentence when the pattern is too long, invalid, or has the shape of a catastrophic regex. */
export function checkPattern(pattern: string, flags: string): void {
  if (pattern.length === 0) throw new Error('The pattern is empty');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new Error(`The pattern is too long (${pattern.length} characters, at most ${MAX_PATTERN_LENGTH})`);
  }
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    throw new Error(error instanceof Error ? error.message : String(error));
  }
  // safe-regex2's parser does not know lookbehind; (?:…) has the same nesting, so judge that spelling instead.
  const judged = pattern.replace(/\(\?<[=!]/g, '(?:');
  let parseable = true;
  try {
    tokenize(judged);
  } catch {
    parseable = false;
  }
  if (parseable && !safeRegex(judged)) {
    throw new Error(
      'The pattern can take exponential time (a repeated group that itself contains a repetition, such as (a+)+ or (\\w+\\s?)*, ' +
        'or more than 25 repetitions); rewrite it without nested quantifiers',
    );
  }
}

/** Longest text a regex replace may produce. */
export const MAX_REPLACE_OUTPUT = 10_000_000;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, job }) => {
  try {
    let result;
    if (job.op === 'matches') {
      const re = new RegExp(job.pattern, job.flags.includes('g') ? job.flags : job.flags + 'g');
      const matches = [];
      let total = 0;
      for (const m of job.input.matchAll(re)) {
        total++;
        if (matches.length < job.limit) {
          matches.push({ match: m[0], index: m.index, groups: m.slice(1).map((g) => g ?? null), named: m.groups ? Object.fromEntries(Object.entries(m.groups).map(([k, v]) => [k, v ?? null])) : null });
        }
      }
      result = { op: 'matches', matches, total };
    } else if (job.op === 'replace') {
      const re = new RegExp(job.pattern, job.flags);
      let replacements = 0;
      const counter = new RegExp(job.pattern, job.flags.includes('g') ? job.flags : job.flags + 'g');
      if (job.flags.includes('g')) { for (const _ of job.input.matchAll(counter)) replacements++; }
      else replacements = re.test(job.input) ? 1 : 0;
      re.lastIndex = 0;
      const output = job.input.replace(re, job.replacement);
      if (output.length > ${MAX_REPLACE_OUTPUT}) throw new Error('The result would be longer than ${MAX_REPLACE_OUTPUT} characters; replace fewer occurrences or use a shorter replacement');
      result = { op: 'replace', output, replacements };
    } else {
      const re = new RegExp(job.pattern, job.flags.replace('g', ''));
      result = { op: 'split', parts: job.input.split(re, job.limit) };
    }
    parentPort.postMessage({ id, ok: true, result });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: error && error.message ? error.message : String(error) });
  }
});
parentPort.postMessage({ ready: true });
`;

/** Workers kept warm between calls; a worker that overran its deadline is terminated, never reused. */
export function createRegexRunner(options: { timeoutMs: number }): RegexRunner {
  const pool = createWorkerPool<RegexJob, RegexJobResult>({
    source: WORKER_SOURCE,
    timeoutMs: options.timeoutMs,
    timeoutMessage:
      `The regular expression took longer than ${options.timeoutMs} ms on this text and was stopped; ` +
      'simplify the pattern (avoid nested or overlapping quantifiers) or shorten the text',
    memoryMessage: 'The regular expression used too much memory and was stopped',
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
    // The deadline is the pattern's: a worker starting slowly on a busy machine does not count against it.
    startup: { timeoutMs: WORKER_START_TIMEOUT_MS, timeoutMessage: 'The regular expression engine could not start in time; try again' },
  });
  return { run: (job) => pool.run(job), close: () => pool.close() };
}
