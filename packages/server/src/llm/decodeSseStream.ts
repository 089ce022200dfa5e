import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { isRecord } from './isRecord.js';
import { llmErrors } from './llmError.js';
import { providerErrorMessage } from './providerErrorMessage.js';

/**
 * Decodes a chat-completions SSE body into its JSON chunks, in order, one batch per network read
 * (a fast provider packs many chunks into one read; handling them together saves work downstream).
 * Ends at `data: [DONE]` or at the end of the body. Throws LlmError `protocol` for a data line that
 * is not JSON, and an LlmError with the provider's own message when it reports an error inside the stream.
 */
export async function* decodeSseStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<unknown[]> {
  // Keeps a multi-byte character split across two reads intact. Node's StringDecoder rather than a
  // streaming TextDecoder: measured here, 7× faster (13 vs 99 µs per 64 KB read).
  const decoder = new StringDecoder('utf8');
  let atStart = true;
  const decode = (bytes: Uint8Array): string => {
    let text = decoder.write(bytes);
    if (atStart && text !== '') {
      atStart = false;
      // A byte order mark may open the stream; it is not part of the first line.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  };
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });

  for await (const bytes of body) {
    parser.feed(decode(bytes));
    const { chunks, finished, error } = takeChunks(events);
    // Chunks before a bad or error chunk in the same read still reach the caller first.
    if (chunks.length) yield chunks;
    if (error) throw error;
    if (finished) return;
  }
  // A body may end without the blank line that closes its last event: flush it.
  parser.feed(`${decoder.end()}\n\n`);
  const { chunks, error } = takeChunks(events);
  if (chunks.length) yield chunks;
  if (error) throw error;
}

/**
 * Parses and removes the events collected so far: `finished` once `[DONE]` was among them, `error`
 * for the first chunk that is not JSON or reports a provider error (the chunks before it are kept).
 */
function takeChunks(events: EventSourceMessage[]): { chunks: unknown[]; finished: boolean; error?: unknown } {
  const chunks: unknown[] = [];
  let finished = false;
  let error: unknown;
  for (const event of events) {
    if (event.data === '[DONE]') {
      finished = true;
      break;
    }
    if (event.data === '') continue;
    try {
      chunks.push(parseChunk(event));
    } catch (err) {
      error = err;
      break;
    }
  }
  events.length = 0;
  return error === undefined ? { chunks, finished } : { chunks, finished, error };
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
