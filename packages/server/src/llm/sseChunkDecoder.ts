import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { isRecord } from './isRecord.js';
import { llmErrors } from './llmError.js';
import { providerErrorMessage } from './providerErrorMessage.js';

/** What one read (or the end of the body) decoded to. */
export interface DecodedRead {
  /** The JSON chunks, in order. */
  chunks: unknown[];
  /** `data: [DONE]` was among them: nothing after it is read. */
  finished: boolean;
  /** The first chunk that is not JSON or reports a provider error; the chunks before it are kept. */
  error?: unknown;
}

/**
 * Decodes a chat-completions SSE body into its JSON chunks, one batch per network read (a fast
 * provider packs many chunks into one read; handling them together saves work downstream).
 * Synchronous, fed by the caller's own read loop: one async layer less per read than a generator.
 */
export class SseChunkDecoder {
  // Keeps a multi-byte character split across two reads intact. Node's StringDecoder rather than a
  // streaming TextDecoder: measured here, 7× faster (13 vs 99 µs per 64 KB read).
  readonly #text = new StringDecoder('utf8');
  #atStart = true;
  readonly #events: EventSourceMessage[] = [];
  readonly #parser = createParser({ onEvent: (event) => this.#events.push(event) });

  /** One network read. */
  push(bytes: Uint8Array): DecodedRead {
    let text = this.#text.write(bytes);
    if (this.#atStart && text !== '') {
      this.#atStart = false;
      // A byte order mark may open the stream; it is not part of the first line.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.#parser.feed(text);
    return takeChunks(this.#events);
  }

  /** The body ended: a last event may lack the blank line that closes it. */
  end(): DecodedRead {
    this.#parser.feed(`${this.#text.end()}\n\n`);
    return takeChunks(this.#events);
  }
}

/**
 * Parses and removes the events collected so far: `finished` once `[DONE]` was among them, `error`
 * for the first chunk that is not JSON or reports a provider error (the chunks before it are kept).
 */
function takeChunks(events: EventSourceMessage[]): DecodedRead {
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
