import { EventSourceParserStream } from 'eventsource-parser/stream';

/** One server-sent event whose data is JSON. */
export interface JsonSseEvent {
  id: string | undefined;
  event: string;
  data: any;
}

/**
 * The events of a text/event-stream response body, in order, with their data parsed as JSON (an event
 * whose data is not JSON, such as a keep-alive, is skipped). Ends with the body; a dropped connection
 * throws, as reading the body does.
 */
export async function* readJsonEvents(body: NonNullable<Response['body']>): AsyncGenerator<JsonSseEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      let data: unknown;
      try {
        data = JSON.parse(value.data);
      } catch {
        continue;
      }
      yield { id: value.id, event: value.event ?? 'message', data };
    }
  } finally {
    reader.releaseLock?.();
  }
}
