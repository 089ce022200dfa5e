import { z } from 'zod';
import { messageStatusSchema } from './messages.js';
import { textStepSchema, thinkingStepSchema, toolCallStepSchema, toolResultStepSchema } from './steps.js';

/**
 * The run's event stream (Server-Sent Events over the POST that starts a run, or GET …/stream to
 * re-attach): the one contract between the server and every client. The server encodes with
 * `encodeRunEvent`; clients (and the server reading another instance's run back from Redis) decode
 * with `decodeRunEvent`, which checks each event against these schemas.
 */

/** Which form thinking/text steps take: `default` sends each new piece (`delta`), `v1` the whole text so far (the original's). */
export const streamProtocolSchema = z.enum(['default', 'v1']);
export type StreamProtocol = z.infer<typeof streamProtocolSchema>;

/** A new piece of a thinking/text step (default protocol). Sub-agent steps carry `parent_id` and `agent`. */
export const stepDeltaSchema = z.object({
  id: z.string(),
  index: z.number().int().nonnegative(),
  type: z.enum(['thinking', 'text']),
  delta: z.string(),
  parent_id: z.string().optional(),
  agent: z.string().optional(),
});
export type StepDelta = z.infer<typeof stepDeltaSchema>;

/**
 * `process_step` data: a thinking/text step as a delta (default protocol) or as a snapshot of its whole
 * content so far (protocol v1); tool steps always whole.
 */
export const processStepEventDataSchema = z.union([
  stepDeltaSchema,
  thinkingStepSchema,
  textStepSchema,
  toolCallStepSchema,
  toolResultStepSchema,
]);
export type ProcessStepEventData = z.infer<typeof processStepEventDataSchema>;

export const doneEventDataSchema = z.object({
  message_id: z.string(),
  token_count: z.number().int(),
  suggested_title: z.string().nullable(),
  usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() }),
  /** How the answer ended when not `complete` (stopped, max_iterations…). */
  status: messageStatusSchema.optional(),
});
export type DoneEventData = z.infer<typeof doneEventDataSchema>;

export const errorEventDataSchema = z.object({
  content: z.string(),
  message_id: z.string().optional(),
});
export type ErrorEventData = z.infer<typeof errorEventDataSchema>;

/**
 * The model's provider answered 429/5xx (or dropped the connection before any text) and the run tries
 * again: attempt `attempt` of `max_attempts` starts in `delay_ms`. Default protocol only (the original
 * had no such event).
 */
export const retryEventDataSchema = z.object({
  attempt: z.number().int().min(2),
  max_attempts: z.number().int().min(2),
  delay_ms: z.number().int().nonnegative(),
  reason: z.string(),
});
export type RetryEventData = z.infer<typeof retryEventDataSchema>;

export const runEventSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('process_step'), data: processStepEventDataSchema }),
  z.object({ event: z.literal('retry'), data: retryEventDataSchema }),
  z.object({ event: z.literal('done'), data: doneEventDataSchema }),
  z.object({ event: z.literal('error'), data: errorEventDataSchema }),
]);
export type RunEvent = z.infer<typeof runEventSchema>;
/** SSE event names of a run. */
export type StreamEventName = RunEvent['event'];

/** A `process_step` carrying a new piece of a thinking/text step (rather than a whole step). */
export function isStepDelta(data: ProcessStepEventData): data is StepDelta {
  return 'delta' in data;
}

/** The SSE `id:` of a run's event: run id and sequence, so a client can resume with Last-Event-ID. */
export function runEventId(runId: string, seq: number): string {
  return `${runId}:${seq}`;
}

/** The sequence to resume after, read from a Last-Event-ID; another run's id (or none) means from the start. */
export function resumeAfter(lastEventId: string | undefined, runId: string): number {
  if (!lastEventId) return 0;
  const sep = lastEventId.lastIndexOf(':');
  if (sep === -1 || lastEventId.slice(0, sep) !== runId) return 0;
  const seq = Number(lastEventId.slice(sep + 1));
  return Number.isInteger(seq) && seq > 0 ? seq : 0;
}

/**
 * One whole SSE event — `id:`, `event:` and `data:` lines — as one string, so it goes out in one write
 * (the original's front end parses each network read on its own). Types make it right; it does not
 * validate (it runs per token).
 */
export function encodeRunEvent(id: string, event: RunEvent): string {
  return `id: ${id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

export type DecodedRunEvent = { ok: true; event: RunEvent } | { ok: false; error: string };

/**
 * Checks one received event: its name and its data (JSON text, or already parsed) against the
 * contract. Never throws; a malformed event answers why, naming the field.
 */
export function decodeRunEvent(name: string | undefined, data: unknown): DecodedRunEvent {
  let parsed = data;
  if (typeof data === 'string') {
    try {
      parsed = JSON.parse(data);
    } catch {
      return { ok: false, error: `The data of a "${name ?? 'message'}" event is not JSON.` };
    }
  }
  const result = runEventSchema.safeParse({ event: name, data: parsed });
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'event';
  return { ok: false, error: `Malformed "${name ?? 'message'}" event: ${where}: ${issue?.message ?? 'invalid'}.` };
}
