import type { LoggedEvent } from './runSession.js';

/** An event's object, its sequence number and the cached SSE framing around its data, roughly. */
const EVENT_OVERHEAD_BYTES = 160;

/**
 * Roughly how much memory a run's event log holds, bytes: each event's object and framing, and its text
 * twice (the piece itself, and its share of the step it grows) plus once more for the cached SSE line.
 * Counted once, when a run ends; used to bound what finished runs keep (RunRegistry).
 */
export function runLogBytes(events: readonly LoggedEvent[]): number {
  let bytes = 0;
  for (const event of events) {
    bytes += EVENT_OVERHEAD_BYTES + (event.wire?.length ?? 0);
    if (event.name !== 'process_step') bytes += 200;
    else if (event.kind === 'delta') bytes += 4 * event.delta.length;
    else bytes += 2 * (event.step.name.length + event.step.id.length + (event.step.type === 'tool_call' ? event.step.arguments.length : event.step.content.length));
  }
  return bytes;
}
