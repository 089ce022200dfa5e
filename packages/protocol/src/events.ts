import { z } from 'zod';
import { stepSchema } from './steps.js';

/**
 * `process_step` payload on the wire. Thinking/text steps carry `delta` (default protocol) or the
 * whole `content` so far (protocol v1); tool steps are always whole.
 */
export const processStepEventDataSchema = z.union([
  z.object({
    id: z.string(),
    index: z.number().int(),
    type: z.enum(['thinking', 'text']),
    delta: z.string(),
    parent_id: z.string().optional(),
    agent: z.string().optional(),
  }),
  stepSchema,
]);

export const doneEventDataSchema = z.object({
  message_id: z.string(),
  token_count: z.number().int(),
  suggested_title: z.string().nullable(),
  usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() }),
  status: z.string().optional(),
});
export type DoneEventData = z.infer<typeof doneEventDataSchema>;

export const errorEventDataSchema = z.object({
  content: z.string(),
  message_id: z.string().optional(),
});
export type ErrorEventData = z.infer<typeof errorEventDataSchema>;

export const streamProtocolSchema = z.enum(['default', 'v1']);
export type StreamProtocol = z.infer<typeof streamProtocolSchema>;

/** SSE event names. */
export type StreamEventName = 'process_step' | 'done' | 'error';
