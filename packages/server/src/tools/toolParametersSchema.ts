import { z } from 'zod';

/**
 * The JSON Schema a model is offered for a built-in tool's zod argument schema: draft-07 (what
 * OpenAI-compatible providers read), the accepted input (fields with defaults are optional), and no
 * `$schema` key, which some providers refuse.
 */
export function toolParametersSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...parameters } = z.toJSONSchema(schema, { target: 'draft-07', io: 'input' });
  return parameters;
}
