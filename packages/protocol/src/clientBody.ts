import { z } from 'zod';

/**
 * Request bodies as clients we did not write send them (the original NanoClaw front end among
 * them): tolerant where the original Flask service was, strict where it matters.
 *
 * - No body at all (or a JSON `null`) reads as `{}`, so a missing field is named like any other.
 * - `null` for a field that has no use for null (an optional string, array, number…) means the
 *   field is absent. Where null is a value the field takes (`project_id: null` = no project) it keeps
 *   that meaning.
 * - Fields the server owns in its answers (`id`, timestamps, counts, names of related rows…) are
 *   dropped, so a client may send back the whole object it got. A body schema that lists one of
 *   them in its shape (e.g. `id` on an update, to check it matches) keeps it.
 * - Any other field the schema does not know is dropped too; {@link ignoredBodyFields} names them so
 *   the server can log them.
 * - A field the schema uses, with a wrong type or value, still fails validation, naming the field.
 */

/** Fields the server answers with and never takes from a client. */
export const SERVER_OWNED_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'user_id',
  'created_at',
  'updated_at',
  'project_name',
  'message_count',
  'conversation_count',
  'running',
  'stats',
  'absolute_path',
  'last_login_at',
]);

interface BodyFields {
  known: ReadonlySet<string>;
}

const bodyFields = new WeakMap<z.ZodType, BodyFields>();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object body schema built from `shape` with the rules above; its output type is the object's. */
export function clientBody<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = new Set(Object.keys(shape));
  const takesNull = new Set(Object.keys(shape).filter((key) => (shape[key] as z.ZodType).safeParse(null).success));
  const normalize = (input: unknown): unknown => {
    if (input === undefined || input === null) return {};
    if (!isPlainObject(input)) return input;
    const kept: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      if (!known.has(key)) continue;
      if (value === null && !takesNull.has(key)) continue;
      kept[key] = value;
    }
    return kept;
  };
  const schema = z.preprocess(normalize, z.object(shape));
  bodyFields.set(schema, { known });
  return schema;
}

/**
 * The fields of `body` that a {@link clientBody} schema ignores although the server does not own
 * them either: unknown to this version of the API (a typo, or a client's own bookkeeping). Empty for
 * any other schema or body.
 */
export function ignoredBodyFields(schema: unknown, body: unknown): string[] {
  const fields = typeof schema === 'object' && schema !== null ? bodyFields.get(schema as z.ZodType) : undefined;
  if (!fields || !isPlainObject(body)) return [];
  return Object.keys(body).filter((key) => !fields.known.has(key) && !SERVER_OWNED_FIELDS.has(key));
}
