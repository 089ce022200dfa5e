import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { isRecord } from './isRecord.js';
import { llmErrors } from './llmError.js';
import { providerErrorMessage } from './providerErrorMessage.js';

/**
 * Decodes a chat-completions SSE body into its JSON chunks, in order. Ends at `data: [DONE]`
 * or at the end of the body. Throws LlmError `protocol` for a data line that is not JSON, and
 * an LlmError with the provider's own message when it reports an error inside the stream.
 */
export async function* decodeSseStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  // Streaming mode keeps a multi-byte character split across two reads intact.
  const decoder = new TextDecoder();
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });

  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    // Inline rather than a helper generator: this loop runs for every network read.
    for (const event of events) {
      if (event.data === '[DONE]') return;
      if (event.data !== '') yield parseChunk(event);
    }
    events.length = 0;
  }
  // A body may end without the blank line that closes its last event: flush it.
  parser.feed(`${decoder.decode()}\n\n`);
  for (const event of events) {
    if (event.data === '[DONE]') return;
    if (event.data !== '') yield parseChunk(event);
  }
}

function parseChunk(event: EventSourceMessage): unknown {
  let chunk: unknown;
  try {
    chunk = JSON.parse(event.data);
  } catch {
    throw llmErrors.malformed(`not JSON: ${preview(event.data)}`);
  }
  if (event.event === 'error' || (isRecord(chunk) && chunk.error != null)) {
    throw llmErrors.streamError(providerErrorMessage(chunk) ?? preview(event.data));
  }
  return chunk;
}

function preview(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
