import { EventSourceParserStream } from 'eventsource-parser/stream';

/** One server-sent event as it arrived: its id, its name and its data text (not parsed: each reader checks its own). */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * The events of a text/event-stream response body, in order. Ends with the body; a dropped connection
 * throws, as reading the body does. Comment lines (keep-alive pings) are not events.
 */
export async function* readSseEvents(body: NonNullable<Response['body']>): AsyncGenerator<SseEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield { id: value.id, event: value.event ?? 'message', data: value.data };
    }
  } finally {
    reader.releaseLock?.();
  }
}

/** The data of an event as JSON, or undefined when it is not JSON. */
export function jsonData(event: SseEvent): unknown {
  try {
    return JSON.parse(event.data);
  } catch {
    return undefined;
  }
}
