import { createRequire } from 'node:module';
import type { Ajv } from 'ajv';
import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';
import type { ZodToolDefinition } from '../types.js';
import { checkPattern } from './textProcessRegex.js';
import { createWorkerPool, WORKER_START_TIMEOUT_MS } from '../../workers/workerPool.js';

export const MAX_JSON_TEXT = 1_000_000;
export const MAX_RESULTS = 1000;
const MAX_SCHEMA_ERRORS = 20;

/** A JSON document argument: JSON text (at most `maxLength` characters) or a JSON value. */
const jsonDocument = (maxLength: number, description: string) =>
  z
    .unknown()
    .refine((value) => typeof value !== 'string' || value.length <= maxLength, `must NOT have more than ${maxLength} characters`)
    .meta({ description, maxLength });

const jsonProcessArguments = z.strictObject({
  operation: z.enum(['parse', 'validate', 'query', 'format', 'diff']),
  data: jsonDocument(MAX_JSON_TEXT, 'The JSON document: JSON text as a string, or a JSON value.'),
  schema: jsonDocument(200_000, 'validate: the JSON Schema (draft-07 / 2019-09 keywords), as JSON text or an object.').optional(),
  path: z.string().min(1).max(1000).optional().describe('query: a JSONPath expression starting with $.'),
  other: jsonDocument(MAX_JSON_TEXT, 'diff: the document to compare "data" with.').optional(),
  indent: z.int().min(0).max(8).default(2).describe('format: spaces per level; 0 minifies.'),
  sort_keys: z.boolean().default(false).describe('format: sort object keys alphabetically.'),
});

export type JsonProcessArgs = z.infer<typeof jsonProcessArguments>;

export interface JsonDifference {
  op: 'added' | 'removed' | 'changed';
  /** JSON Pointer (RFC 6901) of the value, "" for the root. */
  path: string;
  before?: unknown;
  after?: unknown;
}

const DEFAULT_VALIDATION_TIMEOUT_MS = 2000;

export function createJsonProcessTool(options: { validationTimeoutMs?: number } = {}): ZodToolDefinition<JsonProcessArgs> & { close(): Promise<void> } {
  const validator = createValidator(options.validationTimeoutMs ?? DEFAULT_VALIDATION_TIMEOUT_MS);
  return {
    close: () => validator.close(),
    name: 'json_process',
    category: 'data',
    cacheable: true,
    description:
      'Work with JSON exactly. Operations: "parse" (check JSON text; says where it is broken), "validate" ("data" against ' +
      'a JSON Schema in "schema"; lists every violation with its path), "query" (JSONPath "path" such as ' +
      '"$.store.book[?(@.price < 10)].title" or "$..author"), "format" (pretty-print with "indent", or minify with indent 0; ' +
      '"sort_keys" to order keys), "diff" (differences between "data" and "other" as JSON Pointer paths). "data", "schema" ' +
      'and "other" are JSON text (strings are parsed) or JSON values.',
    arguments: jsonProcessArguments,
    handler: async (args) => processJson(args, validator.validate),
  };
}

function processJson(args: JsonProcessArgs, validator: Validator): unknown {
  switch (args.operation) {
    case 'parse':
      return parseOperation(args.data);
    case 'validate': {
      if (args.schema === undefined) throw new Error('"schema" is required for the validate operation');
      return validate(validator, readJson(args.data, 'data'), readJson(args.schema, 'schema'));
    }
    case 'query': {
      if (!args.path) throw new Error('"path" is required for the query operation');
      return query(readJson(args.data, 'data'), args.path);
    }
    case 'format': {
      const value = readJson(args.data, 'data');
      const ordered = args.sort_keys ? sortKeys(value) : value;
      return args.indent === 0 ? JSON.stringify(ordered) : JSON.stringify(ordered, null, args.indent);
    }
    case 'diff': {
      if (args.other === undefined) throw new Error('"other" is required for the diff operation');
      const differences: JsonDifference[] = [];
      let total = 0;
      diff(readJson(args.data, 'data'), readJson(args.other, 'other'), '', (difference) => {
        total++;
        if (differences.length < MAX_RESULTS) differences.push(difference);
      });
      return {
        equal: total === 0,
        count: total,
        differences,
        ...(total > differences.length ? { note: `Showing the first ${differences.length} of ${total} differences.` } : {}),
      };
    }
  }
}

/** Strings are JSON text; any other value is taken as already parsed. */
function readJson(value: unknown, name: string): unknown {
  if (typeof value !== 'string') return value;
  if (value.length > MAX_JSON_TEXT) throw new Error(`"${name}" is too long (${value.length} characters, at most ${MAX_JSON_TEXT})`);
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new Error(`"${name}" is not valid JSON: ${describeParseError(value, error)}`);
  }
}

function parseOperation(data: unknown): unknown {
  if (typeof data !== 'string') return { valid: true, type: jsonType(data), ...shape(data) };
  if (data.length > MAX_JSON_TEXT) throw new Error(`"data" is too long (${data.length} characters, at most ${MAX_JSON_TEXT})`);
  try {
    const value = JSON.parse(data) as unknown;
    return { valid: true, type: jsonType(value), ...shape(value), value };
  } catch (error) {
    const position = errorPosition(data, error);
    return { valid: false, error: describeParseError(data, error), ...(position ?? {}) };
  }
}

function shape(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return { length: value.length };
  if (value !== null && typeof value === 'object') return { keys: Object.keys(value) };
  return {};
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function errorPosition(text: string, error: unknown): { line: number; column: number } | null {
  const message = error instanceof Error ? error.message : '';
  const match = /position (\d+)/.exec(message);
  if (!match) {
    // "Unexpected end of JSON input" has no position: the problem is at the end.
    if (/end of JSON/i.test(message)) return lineColumn(text, text.length);
    return null;
  }
  return lineColumn(text, Number(match[1]));
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

function describeParseError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = errorPosition(text, error);
  // Node quotes a snippet of the input in its message; drop it so huge inputs do not come back.
  const short = message.replace(/, "[\s\S]*" is not valid JSON$/, '').replace(/ (?:in JSON )?at position \d+.*$/s, '');
  return position ? `${short} (line ${position.line}, column ${position.column})` : short;
}

type ValidationOutcome =
  | { kind: 'valid' }
  | { kind: 'invalid'; errorCount: number; errors: Array<{ path: string; message: string; keyword: string }> }
  | { kind: 'bad_schema'; message: string };

interface ValidationLibraries {
  Ajv: typeof Ajv;
  addFormats: (ajv: Ajv) => Ajv;
}

/**
 * Compiles the schema and validates. Self-contained (uses only its arguments) because the worker pool runs
 * its source text: schema regexes that pass the shape check ((a|a)*b) and quadratic keywords (uniqueItems on
 * a long array) then cost one worker up to its deadline, never the server's event loop.
 */
function validateAgainstSchema(data: unknown, schema: unknown, libs: ValidationLibraries, maxErrors: number): ValidationOutcome {
  const ajv = new libs.Ajv({ allErrors: true, strict: false, validateSchema: true });
  libs.addFormats(ajv);
  let check;
  try {
    check = ajv.compile(schema as object);
  } catch (error) {
    return { kind: 'bad_schema', message: error instanceof Error ? error.message : String(error) };
  }
  if (check(data)) return { kind: 'valid' };
  const all = check.errors ?? [];
  const errors = all.slice(0, maxErrors).map((error) => {
    const params = error.params as Record<string, unknown>;
    let path = error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      path = `${path}/${String(params.missingProperty)}`;
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      path = `${path}/${String(params.additionalProperty)}`;
      message = 'is not allowed (additional property)';
    } else if (error.keyword === 'enum') {
      message = `must be one of ${JSON.stringify(params.allowedValues)}`;
    }
    return { path: path || '/', message, keyword: error.keyword };
  });
  return { kind: 'invalid', errorCount: all.length, errors };
}

type Validator = (data: unknown, schema: unknown) => Promise<ValidationOutcome>;

function createValidator(timeoutMs: number): { validate: Validator; close(): Promise<void> } {
  const require = createRequire(import.meta.url);
  const pool = createWorkerPool<{ data: unknown; schema: unknown }, ValidationOutcome>({
    source: `
const { parentPort, workerData } = require('node:worker_threads');
const ajvModule = require(workerData.ajv);
const formatsModule = require(workerData.ajvFormats);
const libs = { Ajv: ajvModule.Ajv || ajvModule.default || ajvModule, addFormats: formatsModule.default || formatsModule };
const validateAgainstSchema = ${validateAgainstSchema.toString()};
parentPort.on('message', ({ id, job }) => {
  try {
    parentPort.postMessage({ id, ok: true, result: validateAgainstSchema(job.data, job.schema, libs, ${MAX_SCHEMA_ERRORS}) });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: error && error.message ? error.message : String(error) });
  }
});
parentPort.postMessage({ ready: true });`,
    workerData: { ajv: require.resolve('ajv'), ajvFormats: require.resolve('ajv-formats') },
    timeoutMs,
    timeoutMessage: `Validating took longer than ${timeoutMs} ms and was stopped; simplify the schema (its patterns or uniqueItems) or validate less data`,
    memoryMessage: 'Validating used too much memory and was stopped',
    resourceLimits: { maxOldGenerationSizeMb: 256 },
    // The deadline is the validation's: starting the worker and loading ajv do not count against it.
    startup: { timeoutMs: WORKER_START_TIMEOUT_MS, timeoutMessage: 'The JSON Schema validator could not start in time; try again' },
  });
  return { validate: (data, schema) => pool.run({ data, schema }), close: () => pool.close() };
}

async function validate(validator: Validator, data: unknown, schema: unknown): Promise<unknown> {
  if (typeof schema !== 'object' || schema === null) {
    if (typeof schema !== 'boolean') throw new Error('"schema" must be a JSON Schema object');
  }
  checkSchemaPatterns(schema);
  const outcome = await validator(data, schema);
  if (outcome.kind === 'bad_schema') throw new Error(`The schema is not valid: ${outcome.message}`);
  if (outcome.kind === 'valid') return { valid: true, errors: [] };
  return {
    valid: false,
    error_count: outcome.errorCount,
    errors: outcome.errors,
    ...(outcome.errorCount > outcome.errors.length ? { note: `Showing the first ${outcome.errors.length} of ${outcome.errorCount} errors.` } : {}),
  };
}

/** Schema "pattern"s are regexes ajv runs on the data: refuse catastrophic ones like text_process does. */
function checkSchemaPatterns(schema: unknown, depth = 0): void {
  if (depth > 64 || schema === null || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const item of schema) checkSchemaPatterns(item, depth + 1);
    return;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'pattern' && typeof value === 'string') guardPattern(value);
    if (key === 'patternProperties' && value && typeof value === 'object') for (const name of Object.keys(value)) guardPattern(name);
    checkSchemaPatterns(value, depth + 1);
  }
}

function guardPattern(pattern: string): void {
  try {
    checkPattern(pattern, 'u');
  } catch (error) {
    throw new Error(`The schema pattern ${JSON.stringify(pattern)} is refused: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function query(data: unknown, path: string): unknown {
  if (!path.trim().startsWith('$')) throw new Error('A JSONPath expression starts with $, e.g. "$.items[0].name" or "$..price"');
  if (data === null || typeof data !== 'object') throw new Error('JSONPath needs an object or an array to query');
  let found: Array<{ path: string; value: unknown }>;
  try {
    // 'safe' evaluates filter expressions with jsonpath-plus's own interpreter, never eval / Function.
    found = JSONPath({ path, json: data as object, resultType: 'all', wrap: true, eval: 'safe' }) as Array<{ path: string; value: unknown }>;
  } catch (error) {
    throw new Error(`Invalid JSONPath expression: ${error instanceof Error ? error.message : String(error)}`);
  }
  const shown = found.slice(0, MAX_RESULTS);
  return {
    path,
    count: found.length,
    values: shown.map((item) => item.value),
    paths: shown.map((item) => item.path),
    ...(found.length > shown.length ? { note: `Showing the first ${shown.length} of ${found.length} results.` } : {}),
  };
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

function pointer(base: string, key: string | number): string {
  return `${base}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export function diff(before: unknown, after: unknown, path: string, emit: (difference: JsonDifference) => void): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) {
      if (i >= after.length) emit({ op: 'removed', path: pointer(path, i), before: before[i] });
      else if (i >= before.length) emit({ op: 'added', path: pointer(path, i), after: after[i] });
      else diff(before[i], after[i], pointer(path, i), emit);
    }
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of Object.keys(before)) {
      if (!Object.hasOwn(after, key)) emit({ op: 'removed', path: pointer(path, key), before: before[key] });
      else diff(before[key], after[key], pointer(path, key), emit);
    }
    for (const key of Object.keys(after)) if (!Object.hasOwn(before, key)) emit({ op: 'added', path: pointer(path, key), after: after[key] });
    return;
  }
  if (!Object.is(before, after) && JSON.stringify(before) !== JSON.stringify(after)) emit({ op: 'changed', path, before, after });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
