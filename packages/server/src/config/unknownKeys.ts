import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';

/** One config key the schema does not know, where it is, and the known key it most likely meant. */
export interface UnknownKey {
  /** Dotted path of the key, e.g. `max_iteration` or `llm.timeout` or `models.0.api_ur1`. */
  path: string;
  /** The path as segments (array indexes as their text). */
  segments: string[];
  key: string;
  suggestion: string | null;
}

type Segment = string | number | symbol;
type Issue = z.core.$ZodIssue;

/** The keys an object schema at `path` inside `schema` accepts (through defaults, optionals, arrays and unions). */
export function knownKeysAt(schema: z.core.$ZodType, path: readonly Segment[]): string[] {
  const def = schema._zod.def as unknown as Record<string, any>;
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
    case 'readonly':
      return knownKeysAt(def.innerType, path);
    case 'pipe':
      return knownKeysAt(def.in, path);
    case 'union':
      return [...new Set((def.options as z.core.$ZodType[]).flatMap((option) => knownKeysAt(option, path)))];
    case 'array':
      return path.length === 0 ? [] : knownKeysAt(def.element, path.slice(1));
    case 'object': {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      if (path.length === 0) return Object.keys(shape);
      const child = shape[String(path[0])];
      return child ? knownKeysAt(child, path.slice(1)) : [];
    }
    default:
      return [];
  }
}

/** The closest known key when it is close enough to be a likely typo, else null. */
export function closestKey(key: string, known: readonly string[]): string | null {
  if (known.length === 0) return null;
  const best = closest(key, [...known]);
  return distance(key, best) <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

/** The unknown keys among a failed parse's issues (zod `unrecognized_keys`), each with its likely intended key. */
export function unknownKeysIn(schema: z.core.$ZodType, issues: readonly Issue[]): UnknownKey[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return [];
    const known = knownKeysAt(schema, issue.path);
    return issue.keys.map((key) => {
      const segments = [...issue.path.map(String), key];
      return { path: segments.join('.'), segments, key, suggestion: closestKey(key, known) };
    });
  });
}

/** `Unknown config key "max_iteration" (did you mean "max_iterations"?)`. */
export function describeUnknownKey(unknown: UnknownKey): string {
  return `Unknown config key "${unknown.path}"${unknown.suggestion ? ` (did you mean "${unknown.suggestion}"?)` : ''}`;
}

/** Deletes the unknown keys from the (already expanded) raw config, so it can be parsed without them. */
export function withoutKeys(raw: Record<string, unknown>, unknown: readonly UnknownKey[]): void {
  for (const { segments } of unknown) {
    let target: unknown = raw;
    for (const segment of segments.slice(0, -1)) target = typeof target === 'object' && target !== null ? (target as Record<string, unknown>)[segment] : undefined;
    if (typeof target === 'object' && target !== null) delete (target as Record<string, unknown>)[segments.at(-1)!];
  }
}
