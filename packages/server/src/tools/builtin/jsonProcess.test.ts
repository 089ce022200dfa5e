import { afterAll, describe, expect, it } from 'vitest';
import { createJsonProcessTool, type JsonProcessArgs } from './jsonProcess.js';
import { createToolRegistry } from '../toolRegistry.js';
import { createToolExecutor } from '../toolExecutor.js';
import type { ToolContext } from '../types.js';
import { callTool } from '../callTool.testing.js';

const ctx: ToolContext = { userId: 'u', conversationId: 'c', projectId: null, model: 'm', signal: new AbortController().signal };
const tool = createJsonProcessTool({ validationTimeoutMs: 1000 });
afterAll(() => tool.close());
const run = (args: JsonProcessArgs) => Promise.resolve(callTool(tool, args, ctx)) as Promise<any>;

const STORE = JSON.stringify({
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', isbn: '0-553-21311-3', price: 8.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
});

describe('json_process: parse', () => {
  it('reports the type and shape of valid JSON', async () => {
    expect(await run({ operation: 'parse', data: '{"a": 1, "b": [true]}' })).toEqual({ valid: true, type: 'object', keys: ['a', 'b'], value: { a: 1, b: [true] } });
    expect(await run({ operation: 'parse', data: '[1,2,3]' })).toMatchObject({ valid: true, type: 'array', length: 3 });
  });

  it('says where JSON is broken, by line and column', async () => {
    expect(await run({ operation: 'parse', data: '{\n  "a": 1,\n}' })).toEqual({
      valid: false, error: 'Expected double-quoted property name (line 3, column 1)', line: 3, column: 1,
    });
    expect(await run({ operation: 'parse', data: '{"a": 1' })).toEqual({ valid: false, error: "Expected ',' or '}' after property value (line 1, column 8)", line: 1, column: 8 });
    expect(await run({ operation: 'parse', data: '' })).toMatchObject({ valid: false, error: 'Unexpected end of JSON input (line 1, column 1)' });
  });
});

describe('json_process: validate', () => {
  const schema = {
    type: 'object',
    required: ['name', 'age'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1 },
      age: { type: 'integer', minimum: 0 },
      email: { type: 'string', format: 'email' },
      role: { enum: ['admin', 'user'] },
    },
  };

  it('accepts a valid document', async () => {
    expect(await run({ operation: 'validate', data: '{"name": "Ana", "age": 31, "email": "ana@example.org"}', schema })).toEqual({ valid: true, errors: [] });
  });

  it('lists every violation with its path (schema given as text or object)', async () => {
    const result = await run({ operation: 'validate', data: { age: -1, email: 'nope', role: 'root', extra: 1 }, schema: JSON.stringify(schema) });
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { path: '/name', message: 'is required', keyword: 'required' },
        { path: '/extra', message: 'is not allowed (additional property)', keyword: 'additionalProperties' },
        { path: '/age', message: 'must be >= 0', keyword: 'minimum' },
        { path: '/email', message: 'must match format "email"', keyword: 'format' },
        { path: '/role', message: 'must be one of ["admin","user"]', keyword: 'enum' },
      ]),
    );
    expect(result.error_count).toBe(5);
  });

  it('caps the list of errors', async () => {
    const result = await run({ operation: 'validate', data: Array.from({ length: 50 }, () => 'x'), schema: { type: 'array', items: { type: 'number' } } });
    expect(result).toMatchObject({ valid: false, error_count: 50, note: 'Showing the first 20 of 50 errors.' });
    expect(result.errors).toHaveLength(20);
  });

  it('stops a validation that overruns its deadline, without blocking the server', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const started = Date.now();
    // Star height 1 passes the shape check; the overlapping alternatives backtrack exponentially.
    await expect(run({ operation: 'validate', data: JSON.stringify(`${'a'.repeat(40)}!`), schema: { type: 'string', pattern: '^(a|a)*$' } })).rejects.toThrow(
      'Validating took longer than 1000 ms and was stopped',
    );
    clearInterval(ticker);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(ticks).toBeGreaterThan(20);
    expect(await run({ operation: 'validate', data: '"ok"', schema: { type: 'string' } })).toEqual({ valid: true, errors: [] });
  });

  it('refuses broken schemas, remote references and catastrophic patterns', async () => {
    await expect(run({ operation: 'validate', data: '1', schema: { type: 'nonsense' } })).rejects.toThrow(/^The schema is not valid: /);
    await expect(run({ operation: 'validate', data: '1', schema: { $ref: 'http://127.0.0.1:1/schema.json' } })).rejects.toThrow(/^The schema is not valid: can't resolve reference/);
    await expect(run({ operation: 'validate', data: '"aaaa"', schema: { type: 'string', pattern: '^(a+)+$' } })).rejects.toThrow(
      /^The schema pattern "\^\(a\+\)\+\$" is refused: The pattern can take exponential time/,
    );
    await expect(run({ operation: 'validate', data: '{}', schema: { patternProperties: { '(x+x+)+y': {} } } })).rejects.toThrow('is refused');
    await expect(run({ operation: 'validate', data: '{}' })).rejects.toThrow('"schema" is required for the validate operation');
  });
});

describe('json_process: query', () => {
  it.each([
    ['$.store.book[*].author', ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville']],
    ['$..price', [8.95, 12.99, 8.99, 19.95]],
    ['$.store.book[?(@.price < 10)].title', ['Sayings of the Century', 'Moby Dick']],
    ['$.store.book[?(@.isbn)].title', ['Moby Dick']],
    ["$.store.book[?(@.category === 'fiction')].price", [12.99, 8.99]],
    ['$.store.book[-1:].title', ['Moby Dick']],
    ['$.store.book.length', [3]],
    ['$.nothing', []],
  ])('%s', async (path, values) => {
    const result = await run({ operation: 'query', data: STORE, path });
    expect(result.values).toEqual(values);
    expect(result.count).toBe(values.length);
  });

  it('returns the path of each result', async () => {
    expect((await run({ operation: 'query', data: STORE, path: '$.store.bicycle.color' })).paths).toEqual(["$['store']['bicycle']['color']"]);
  });

  it('never runs code from filter expressions', async () => {
    const attempt = run({ operation: 'query', data: STORE, path: "$..book[?(@.constructor.constructor('return process')().exit())]" });
    await expect(attempt).rejects.toThrow(/^Invalid JSONPath expression/);
  });

  it('explains bad input', async () => {
    await expect(run({ operation: 'query', data: STORE, path: 'store.book' })).rejects.toThrow('A JSONPath expression starts with $');
    await expect(run({ operation: 'query', data: '{"a": ', path: '$.a' })).rejects.toThrow('"data" is not valid JSON: Unexpected end of JSON input');
    await expect(run({ operation: 'query', data: '42', path: '$.a' })).rejects.toThrow('JSONPath needs an object or an array to query');
  });
});

describe('json_process: format and diff', () => {
  it('pretty-prints, minifies and sorts keys', async () => {
    expect(await run({ operation: 'format', data: '{"b":1,"a":{"d":[1,2],"c":null}}' })).toBe('{\n  "b": 1,\n  "a": {\n    "d": [\n      1,\n      2\n    ],\n    "c": null\n  }\n}');
    expect(await run({ operation: 'format', data: '{ "b" : 1,\n "a" : 2 }', indent: 0, sort_keys: true })).toBe('{"a":2,"b":1}');
    expect(await run({ operation: 'format', data: { z: { y: 1, x: 2 } }, indent: 4, sort_keys: true })).toBe('{\n    "z": {\n        "x": 2,\n        "y": 1\n    }\n}');
  });

  it('lists added, removed and changed values as JSON Pointers', async () => {
    const result = await run({
      operation: 'diff',
      data: '{"name": "Ana", "tags": ["a", "b"], "meta": {"v": 1, "old": true}, "a/b": 1}',
      other: { name: 'Ana', tags: ['a', 'c', 'd'], meta: { v: 2 }, 'a/b': 1, constructor: 1 },
    });
    expect(result).toEqual({
      equal: false,
      count: 5,
      differences: [
        { op: 'changed', path: '/tags/1', before: 'b', after: 'c' },
        { op: 'added', path: '/tags/2', after: 'd' },
        { op: 'changed', path: '/meta/v', before: 1, after: 2 },
        { op: 'removed', path: '/meta/old', before: true },
        { op: 'added', path: '/constructor', after: 1 },
      ],
    });
    expect(await run({ operation: 'diff', data: '{"a":[1,{"b":2}]}', other: '{"a": [1, {"b": 2}]}' })).toEqual({ equal: true, count: 0, differences: [] });
    expect(await run({ operation: 'diff', data: '1', other: '"1"' })).toMatchObject({ differences: [{ op: 'changed', path: '', before: 1, after: '1' }] });
  });

  it('caps the differences listed', async () => {
    const result = await run({ operation: 'diff', data: Array.from({ length: 1500 }, (_, i) => i), other: [] });
    expect(result).toMatchObject({ count: 1500, note: 'Showing the first 1000 of 1500 differences.' });
    expect(result.differences).toHaveLength(1000);
  });
});

describe('json_process: schema', () => {
  it('refuses oversized text and unknown operations before running', async () => {
    const registry = createToolRegistry();
    registry.register(tool);
    const executor = createToolExecutor({ registry, maxWorkers: 1, timeoutMs: 5000, outputMaxChars: 10_000 });
    const outcomes = await executor.executeBatch(
      [
        { id: '1', name: 'json_process', arguments: JSON.stringify({ operation: 'parse', data: ' '.repeat(1_000_001) }) },
        { id: '2', name: 'json_process', arguments: JSON.stringify({ operation: 'sort', data: '1' }) },
        { id: '3', name: 'json_process', arguments: JSON.stringify({ operation: 'format', data: '[3,1]', indent: 0 }) },
      ],
      ctx,
    );
    expect(outcomes[0]?.content).toContain('\\"data\\" must NOT have more than 1000000 characters');
    expect(outcomes[1]?.content).toContain('\\"operation\\" must be one of');
    expect(outcomes[2]?.content).toBe('[3,1]');
  });
});
