import { SseChunkDecoder } from './sseChunkDecoder.js';

/**
 * For tests: the decoder over a whole body, read the way the chat client reads it. Yields each read's
 * chunks, ends at `data: [DONE]` or at the end of the body. Throws LlmError `protocol` for a data line
 * that is not JSON, and an LlmError with the provider's own message when it reports an error inside the stream.
 */
export async function* decodeSseBody(body: AsyncIterable<Uint8Array>): AsyncGenerator<unknown[]> {
  const decoder = new SseChunkDecoder();
  for await (const bytes of body) {
    const { chunks, finished, error } = decoder.push(bytes);
    // Chunks before a bad or error chunk in the same read still reach the caller first.
    if (chunks.length) yield chunks;
    if (error) throw error;
    if (finished) return;
  }
  const { chunks, error } = decoder.end();
  if (chunks.length) yield chunks;
  if (error) throw error;
}
