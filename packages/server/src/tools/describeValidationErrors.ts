import type { ErrorObject } from 'ajv';
import type { z } from 'zod';

/** Enough problems to fix a call; a longer list only buries the first one. */
const MAX_PROBLEMS = 5;

/**
 * Turns ajv errors (arguments of tools with a JSON Schema from outside) into short sentences the model can act on, e.g.
 * `"expression" is required`, `"precision" must be an integer`, `"format" must be one of "iso", "human"`.
 */
export function describeValidationErrors(errors: readonly ErrorObject[]): string[] {
  const problems = errors.map(describeError);
  return [...new Set(problems)].slice(0, MAX_PROBLEMS);
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${quoteField(childPath(error.instancePath, String(params.missingProperty)))} is required`;
    case 'additionalProperties':
      return `${quoteField(childPath(error.instancePath, String(params.additionalProperty)))} is not an accepted argument`;
    case 'type':
      return `${subject(error.instancePath)} must be ${withArticle(String(params.type))}`;
    case 'enum':
      return `${subject(error.instancePath)} must be one of ${formatAllowedValues(params.allowedValues)}`;
    case 'const':
      return `${subject(error.instancePath)} must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${subject(error.instancePath)} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * The same sentences for zod issues (built-in tools' arguments), worded as for ajv so that every tool's
 * refusals read alike. `input` is the value that was checked: a missing field is told apart by it.
 */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const problems = issues.flatMap((issue) => describeIssue(issue, input));
  return [...new Set(problems)].slice(0, MAX_PROBLEMS);
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
  const path = pointerOf(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(input, issue.path) === undefined) return [`${quoteField(path)} is required`];
      return [`${subject(path)} must be ${withArticle(ZOD_TYPE_NAMES[issue.expected] ?? issue.expected)}`];
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${quoteField(childPath(path, key))} is not an accepted argument`);
    case 'invalid_value':
      return [
        issue.values.length === 1
          ? `${subject(path)} must be ${JSON.stringify(issue.values[0])}`
          : `${subject(path)} must be one of ${formatAllowedValues(issue.values)}`,
      ];
    case 'too_big':
      return [`${subject(path)} ${sizeLimit('more', issue.origin, issue.maximum, issue.inclusive)}`];
    case 'too_small':
      return [`${subject(path)} ${sizeLimit('fewer', issue.origin, issue.minimum, issue.inclusive)}`];
    case 'invalid_format':
      if (issue.format === 'regex' && 'pattern' in issue) return [`${subject(path)} must match pattern "${String(issue.pattern).replace(/^\/(.*)\/[a-z]*$/s, '$1')}"`];
      return [`${subject(path)} must match format "${issue.format}"`];
    case 'not_multiple_of':
      return [`${subject(path)} must be a multiple of ${String(issue.divisor)}`];
    default:
      return [`${subject(path)} ${issue.message}`];
  }
}

/** zod's names for expected types, in the words ajv uses. */
const ZOD_TYPE_NAMES: Record<string, string> = { int: 'integer', record: 'object', map: 'object', tuple: 'array', nonoptional: 'value' };

/** ajv's wording for size limits: `must NOT have more than 3 items`, `must be <= 20`. */
function sizeLimit(direction: 'more' | 'fewer', origin: string, limit: number | bigint, inclusive: boolean | undefined): string {
  const unit = origin === 'string' ? 'characters' : origin === 'array' || origin === 'set' ? 'items' : undefined;
  if (unit) return `must NOT have ${direction} than ${String(limit)} ${unit}`;
  const operator = direction === 'more' ? (inclusive === false ? '<' : '<=') : inclusive === false ? '>' : '>=';
  return `must be ${operator} ${String(limit)}`;
}

function pointerOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((pointer, key) => childPath(pointer, String(key)), '');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** `/options/0/name` → `options[0].name`, the way a person would name the field. */
export function fieldName(instancePath: string): string {
  const segments = instancePath.split('/').slice(1).map(unescapePointerSegment);
  return segments.reduce((name, segment) => {
    if (/^\d+$/.test(segment)) return `${name}[${segment}]`;
    return name ? `${name}.${segment}` : segment;
  }, '');
}

function childPath(instancePath: string, property: string): string {
  return `${instancePath}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function subject(instancePath: string): string {
  return instancePath ? quoteField(instancePath) : 'the arguments';
}

function quoteField(instancePath: string): string {
  return `"${fieldName(instancePath)}"`;
}

function unescapePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function withArticle(typeNames: string): string {
  return typeNames
    .split(',')
    .map((type) => (type === 'null' ? 'null' : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`))
    .join(' or ');
}

function formatAllowedValues(values: unknown): string {
  return Array.isArray(values) ? values.map((value) => JSON.stringify(value)).join(', ') : String(values);
}
