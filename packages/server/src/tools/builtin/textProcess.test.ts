import { afterAll, describe, expect, it } from 'vitest';
import { createTextProcessTool, type TextProcessArgs } from './textProcess.js';
import { checkPattern } from './textProcessRegex.js';
import { createToolRegistry } from '../toolRegistry.js';
import { createToolExecutor } from '../toolExecutor.js';
import type { ToolContext } from '../types.js';
import { callTool } from '../callTool.testing.js';

const ctx: ToolContext = { userId: 'u', conversationId: 'c', projectId: null, model: 'm', signal: new AbortController().signal };
const tool = createTextProcessTool({ regexTimeoutMs: 300 });
afterAll(() => tool.close());

const run = (args: TextProcessArgs) => Promise.resolve(callTool(tool, args, ctx)) as Promise<any>;

describe('text_process: count', () => {
  it('counts characters, words, lines, sentences, paragraphs and bytes', async () => {
    expect(await run({ operation: 'count', text: 'Hello world. How are you?\n\nFine, thanks!\n' })).toEqual({
      characters: 41, characters_no_spaces: 33, words: 7, lines: 4, sentences: 3, paragraphs: 2, bytes_utf8: 41,
    });
    expect(await run({ operation: 'count', text: '' })).toMatchObject({ characters: 0, words: 0, lines: 0, paragraphs: 0 });
  });

  it('counts code points, not UTF-16 units, and CJK words', async () => {
    const result = await run({ operation: 'count', text: '你好世界 😀' });
    expect(result).toMatchObject({ characters: 6, bytes_utf8: 17 });
    expect(result.words).toBeGreaterThanOrEqual(2);
  });

  it('counts occurrences of literal text and of a regex', async () => {
    expect(await run({ operation: 'count', text: 'a.b.c a.b', pattern: 'a.b' })).toEqual({ pattern: 'a.b', occurrences: 2 });
    expect(await run({ operation: 'count', text: 'The the THE', pattern: 'the', flags: 'i' })).toEqual({ pattern: 'the', occurrences: 3 });
    expect(await run({ operation: 'count', text: 'a1 b22 c333', pattern: '\\d+', regex: true })).toEqual({ pattern: '\\d+', occurrences: 3 });
  });
});

describe('text_process: replace, split, extract', () => {
  it('replaces literal text, treating $ in the replacement as text', async () => {
    expect(await run({ operation: 'replace', text: 'cost: 5 (five)', pattern: '(five)', replacement: '$1 dollars' })).toEqual({
      result: 'cost: 5 $1 dollars', replacements: 1,
    });
    expect(await run({ operation: 'replace', text: 'x x x', pattern: 'x', replacement: 'y', replace_all: false })).toEqual({ result: 'y x x', replacements: 1 });
  });

  it('replaces with a regex and group references', async () => {
    expect(await run({ operation: 'replace', text: '2025-03-09 and 2024-12-31', pattern: '(\\d{4})-(\\d{2})-(\\d{2})', regex: true, replacement: '$3/$2/$1' })).toEqual({
      result: '09/03/2025 and 31/12/2024', replacements: 2,
    });
    expect(await run({ operation: 'replace', text: 'Bob Ann', pattern: '(?<first>\\w+) (?<second>\\w+)', regex: true, replacement: '$<second> $<first>' })).toMatchObject({ result: 'Ann Bob' });
  });

  it('splits by newline by default, by text or by regex, with a limit', async () => {
    expect(await run({ operation: 'split', text: 'a\nb\nc' })).toEqual({ parts: ['a', 'b', 'c'], count: 3 });
    expect(await run({ operation: 'split', text: 'a, b,c', pattern: ',\\s*', regex: true })).toEqual({ parts: ['a', 'b', 'c'], count: 3 });
    expect(await run({ operation: 'split', text: 'a|b|c|d', pattern: '|', limit: 2 })).toEqual({ parts: ['a', 'b'], count: 2 });
    expect(await run({ operation: 'split', text: 'a\r\nb\rc\nd' })).toEqual({ parts: ['a', 'b', 'c', 'd'], count: 4 });
  });

  it('extracts regex matches with groups and named groups', async () => {
    const result = await run({ operation: 'extract', text: 'v1.2 and v10.0', pattern: 'v(\\d+)\\.(?<minor>\\d+)' });
    expect(result).toEqual({
      pattern: 'v(\\d+)\\.(?<minor>\\d+)',
      total: 2,
      matches: [
        { match: 'v1.2', index: 0, groups: ['1', '2'], named: { minor: '2' } },
        { match: 'v10.0', index: 9, groups: ['10', '0'], named: { minor: '0' } },
      ],
    });
  });

  it('extracts with presets and caps the number of matches', async () => {
    const text = 'Mail ana@example.org or bob.smith+x@mail.co.uk, see https://example.com/a?b=1 and http://x.io. Pay 1,234.50 or -3e2. #rust @ana_r';
    expect((await run({ operation: 'extract', text, preset: 'emails' })).matches).toEqual(['ana@example.org', 'bob.smith+x@mail.co.uk']);
    expect((await run({ operation: 'extract', text, preset: 'urls' })).matches).toEqual(['https://example.com/a?b=1', 'http://x.io.']);
    expect((await run({ operation: 'extract', text, preset: 'numbers' })).matches).toEqual(['1', '1,234.50', '-3e2']);
    expect((await run({ operation: 'extract', text, preset: 'hashtags' })).matches).toEqual(['#rust']);
    const capped = await run({ operation: 'extract', text: 'a'.repeat(50), pattern: 'a', limit: 5 });
    expect(capped).toMatchObject({ total: 50, matches: ['a', 'a', 'a', 'a', 'a'], note: 'Showing the first 5 of 50 matches.' });
  });

  it('asks for what an operation needs', async () => {
    await expect(run({ operation: 'replace', text: 'x' })).rejects.toThrow('"pattern" is required for the replace operation');
    await expect(run({ operation: 'extract', text: 'x' })).rejects.toThrow('"pattern" or "preset" is required');
    await expect(run({ operation: 'case', text: 'x' })).rejects.toThrow('"case_style" is required');
  });
});

describe('text_process: case and trim', () => {
  it.each([
    ['upper', 'HELLO WORLD-WIDE WEB'],
    ['lower', 'hello world-wide web'],
    ['title', 'Hello World-Wide Web'],
    ['camel', 'helloWorldWideWeb'],
    ['snake', 'hello_world_wide_web'],
    ['kebab', 'hello-world-wide-web'],
    ['swap', 'HELLO wORLD-WIDE wEB'],
  ] as const)('%s', async (style, expected) => {
    expect(await run({ operation: 'case', text: 'hello World-wide Web', case_style: style })).toEqual({ result: expected });
  });

  it('sentence case and camelCase input', async () => {
    expect((await run({ operation: 'case', text: 'hELLO. wHAT now? ok', case_style: 'sentence' })).result).toBe('Hello. What now? Ok');
    expect((await run({ operation: 'case', text: 'parseHTTPResponse2x', case_style: 'snake' })).result).toBe('parse_httpresponse2x');
    expect((await run({ operation: 'case', text: 'userId', case_style: 'kebab' })).result).toBe('user-id');
  });

  it.each([
    ['both', 'a  b \n c'],
    ['start', 'a  b \n c  '],
    ['end', '  a  b \n c'],
    ['lines', 'a  b\nc'],
    ['collapse', 'a b c'],
  ] as const)('trim %s', async (mode, expected) => {
    expect(await run({ operation: 'trim', text: '  a  b \n c  ', trim_mode: mode })).toEqual({ result: expected });
  });
});

describe('text_process: regex limits', () => {
  it.each(['(a+)+$', '(\\w+\\s?)*$', '(x+x+)+y', '(.*a){30}'])('refuses the catastrophic shape %s before running it', async (pattern) => {
    await expect(run({ operation: 'extract', text: 'aaaa', pattern })).rejects.toThrow(/^The pattern can take exponential time/);
  });

  it('stops a regex that overruns its deadline without blocking the server', async () => {
    // Star height 1, so the shape check lets it through; overlapping alternatives make it exponential.
    // (Unbounded, it would run for hours: the error proves it was stopped; no wall-clock assertion here,
    // which a loaded CI machine could break.)
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    await expect(run({ operation: 'count', text: `${'a'.repeat(40)}!`, pattern: '^(a|a)*$', regex: true })).rejects.toThrow(
      'The regular expression took longer than 300 ms on this text and was stopped',
    );
    clearInterval(ticker);
    // The event loop kept running meanwhile.
    expect(ticks).toBeGreaterThan(5);
    // The runner still works afterwards.
    expect(await run({ operation: 'count', text: 'aa', pattern: 'a', regex: true })).toEqual({ pattern: 'a', occurrences: 2 });
  });

  it('refuses a replace whose result would be huge', async () => {
    const text = 'x'.repeat(200_000);
    await expect(run({ operation: 'replace', text, pattern: 'x', replacement: 'y'.repeat(100) })).rejects.toThrow(
      'The result would be 20000000 characters long (at most 10000000)',
    );
    await expect(run({ operation: 'replace', text, pattern: 'x', regex: true, replacement: 'y'.repeat(100) })).rejects.toThrow(
      'The result would be longer than 10000000 characters',
    );
  });

  it('accepts lookbehind and named groups, refuses invalid and overlong patterns', () => {
    expect(() => checkPattern('(?<=\\$)\\d+', '')).not.toThrow();
    expect(() => checkPattern('(?<!x)y', 'u')).not.toThrow();
    expect(() => checkPattern('(unclosed', '')).toThrow('Invalid regular expression: /(unclosed/: Unterminated group');
    expect(() => checkPattern('a'.repeat(1001), '')).toThrow('The pattern is too long (1001 characters, at most 1000)');
  });

  it('refuses overlong text and bad flags through the schema', async () => {
    const registry = createToolRegistry();
    registry.register(tool);
    const executor = createToolExecutor({ registry, maxWorkers: 1, timeoutMs: 5000, outputMaxChars: 10_000 });
    const outcomes = await executor.executeBatch(
      [
        { id: '1', name: 'text_process', arguments: JSON.stringify({ operation: 'count', text: 'x'.repeat(1_000_001) }) },
        { id: '2', name: 'text_process', arguments: JSON.stringify({ operation: 'count', text: 'x', pattern: 'x', flags: 'gy' }) },
        { id: '3', name: 'text_process', arguments: JSON.stringify({ operation: 'shout', text: 'x' }) },
      ],
      ctx,
    );
    expect(outcomes[0]?.content).toContain('\\"text\\" must NOT have more than 1000000 characters');
    expect(outcomes[1]?.content).toContain('\\"flags\\" must match pattern');
    expect(outcomes[2]?.content).toContain('\\"operation\\" must be one of');
  });
});
