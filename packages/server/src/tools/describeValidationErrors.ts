import type { ErrorObject } from 'ajv';

/** Enough problems to fix a call; a longer list only buries the first one. */
const MAX_PROBLEMS = 5;

/**
 * Turns ajv errors into short sentences the model can act on, e.g.
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
