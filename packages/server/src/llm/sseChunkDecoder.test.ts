import { describe, expect, it } from 'vitest';
import { SseChunkDecoder } from './sseChunkDecoder.js';
import { decodeSseBody } from './decodeSseBody.testing.js';
import { LlmError } from './llmError.js';

const encoder = new TextEncoder();

async function* reads(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? encoder.encode(part) : part;
}

async function decodeAll(body: AsyncIterable<Uint8Array>): Promise<unknown[]> {
  const chunks: unknown[] = [];
  for await (const batch of decodeSseBody(body)) chunks.push(...batch);
  return chunks;
}

async function decodeError(body: AsyncIterable<Uint8Array>): Promise<LlmError> {
  const error: unknown = await decodeAll(body).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof LlmError)) throw new Error(`expected an LlmError, got ${String(error)}`);
  return error;
}

describe('SseChunkDecoder', () => {
  it('keeps multi-byte characters intact when a read splits them', async () => {
    const bytes = encoder.encode('data: {"text":"你好 🌍 ok"}\n\n');
    const emojiStart = bytes.indexOf(0xf0);
    const chineseStart = bytes.indexOf(0xe4);

    const chunks = await decodeAll(
      reads(
        bytes.subarray(0, chineseStart + 1),
        bytes.subarray(chineseStart + 1, emojiStart + 2),
        bytes.subarray(emojiStart + 2, emojiStart + 3),
        bytes.subarray(emojiStart + 3),
      ),
    );

    expect(chunks).toEqual([{ text: '你好 🌍 ok' }]);
  });

  it('drops a byte order mark opening the stream, even when a read splits it', async () => {
    const bytes = encoder.encode('\uFEFFdata: {"a":1}\n\ndata: {"b":"\uFEFF"}\n\n');
    expect(await decodeAll(reads(bytes.subarray(0, 2), bytes.subarray(2)))).toEqual([{ a: 1 }, { b: '\uFEFF' }]);
  });

  it('ignores comment and keep-alive lines', async () => {
    expect(await decodeAll(reads(': ping\n\n', 'data: {"a":1}\n', ': keep-alive\n\n', ':\n\ndata: {"a":2}\n\n'))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it.each([
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('accepts %s line endings, even when a read ends between CR and LF', async (_name, eol) => {
    const text = `data: {"a":1}${eol}${eol}data: {"a":2}${eol}${eol}data: [DONE]${eol}${eol}`;
    const splitAfterCr = text.indexOf('\r') + 1;

    expect(await decodeAll(reads(text.slice(0, splitAfterCr), text.slice(splitAfterCr)))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('reports [DONE] as the end and leaves what follows it undecoded (the chat client then stops reading)', () => {
    const read = new SseChunkDecoder().push(encoder.encode('data: {"a":1}\n\ndata: [DONE]\n\ndata: {"a":2}\n\n'));
    expect(read).toEqual({ chunks: [{ a: 1 }], finished: true });
  });

  it('delivers a last event that the body ends without a blank line', async () => {
    expect(await decodeAll(reads('data: {"a":1}\n\ndata: {"a":2}'))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('joins a multi-line data field', async () => {
    expect(await decodeAll(reads('data: {"a":\ndata: 1}\n\n'))).toEqual([{ a: 1 }]);
  });

  it('reports a data line that is not JSON as a protocol error', async () => {
    const error = await decodeError(reads('data: {"a":1}\n\ndata: {"a":\n\n'));

    expect(error.kind).toBe('protocol');
  });

  it("reports an error object sent inside the stream with the provider's message", async () => {
    const error = await decodeError(reads('data: {"error":{"message":"Upstream overloaded","type":"server_error"}}\n\n'));

    expect(error.message).toContain('Upstream overloaded');
  });

  it('reports an `event: error` with its message', async () => {
    const error = await decodeError(reads('event: error\ndata: {"message":"quota exhausted"}\n\n'));

    expect(error.message).toContain('quota exhausted');
  });

  it('ignores a chunk whose error field is null', async () => {
    expect(await decodeAll(reads('data: {"error":null,"choices":[]}\n\n'))).toEqual([{ error: null, choices: [] }]);
  });
});
