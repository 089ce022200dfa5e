import type { StreamProtocol } from '@nanoclaw/protocol';
import type { LoggedEvent } from '../agent/runSession.js';

/** The SSE `id:` of an event: run id and sequence, so a client can resume with Last-Event-ID. */
export function eventId(runId: string, seq: number): string {
  return `${runId}:${seq}`;
}

/** Reads the sequence to resume after from a Last-Event-ID value; another run's id means "from the start". */
export function resumeAfter(lastEventId: string | undefined, runId: string): number {
  if (!lastEventId) return 0;
  const sep = lastEventId.lastIndexOf(':');
  if (sep === -1 || lastEventId.slice(0, sep) !== runId) return 0;
  const seq = Number(lastEventId.slice(sep + 1));
  return Number.isInteger(seq) && seq > 0 ? seq : 0;
}

/**
 * One whole SSE event (id, event and data lines) as a single string, so it goes out in one write.
 * Default protocol: thinking/text events carry only the new `delta`. Protocol v1 (the original's):
 * they carry `content`, the whole text of the step so far.
 */
export function formatEvent(runId: string, event: LoggedEvent, protocol: StreamProtocol): string {
  if (protocol === 'default' && event.wire) return event.wire;
  const text = `id: ${eventId(runId, event.seq)}\nevent: ${event.name}\ndata: ${JSON.stringify(eventData(event, protocol))}\n\n`;
  if (protocol === 'default') event.wire = text;
  return text;
}

/** The `data` of an event in the given protocol (also what is mirrored to Redis, in the default one). */
export function eventData(event: LoggedEvent, protocol: StreamProtocol): unknown {
  if (event.name !== 'process_step') return event.data;
  if (event.kind === 'step') return event.step;
  const { step } = event;
  const head: { id: string; index: number; type: string; parent_id?: string; agent?: string } = { id: step.id, index: step.index, type: step.type };
  if (step.parent_id) head.parent_id = step.parent_id;
  if (step.agent) head.agent = step.agent;
  return protocol === 'v1' ? { ...head, content: step.content.slice(0, event.end) } : { ...head, delta: event.delta };
}
