import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ChatStreamAccumulator } from './chatStreamAccumulator.js';
import { decodeSseBody } from './decodeSseBody.testing.js';
import type { ChatDelta, ChatStreamResult } from './types.js';

/** The recorded provider streams and their expected results (see the README there). */
const corpusDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/provider-streams');

interface Fixture {
  name: string;
  bytes: Uint8Array;
  expected: unknown;
}

function loadFixtures(): Fixture[] {
  if (!existsSync(corpusDir)) throw new Error(`Provider stream corpus not found at ${corpusDir}.`);
  return ['', 'synthetic']
    .map((sub) => join(corpusDir, sub))
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((file) => file.endsWith('.sse'))
        .sort()
        .map((file) => {
          const path = join(dir, file);
          return {
            name: path.slice(corpusDir.length + 1),
            bytes: new Uint8Array(readFileSync(path)),
            expected: JSON.parse(readFileSync(path.replace(/\.sse$/, '.expected.json'), 'utf8')) as unknown,
          };
        }),
    );
}

/** Small seeded PRNG (mulberry32) so random splits are reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function* inPieces(bytes: Uint8Array, nextSize: () => number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; ) {
    const size = Math.max(1, nextSize());
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

/** The same stream with other line endings and a keep-alive comment before every event. */
function withLineEndingAndKeepAlives(bytes: Uint8Array, lineEnding: string): Uint8Array {
  const text = new TextDecoder().decode(bytes);
  const converted = `: keep-alive\n${text.replaceAll('\n\n', '\n\n: keep-alive\n')}`.replaceAll('\n', lineEnding);
  return new TextEncoder().encode(converted);
}

interface Replay {
  result: ChatStreamResult;
  deltas: ChatDelta[];
}

async function replay(body: AsyncIterable<Uint8Array>): Promise<Replay> {
  const accumulator = new ChatStreamAccumulator();
  const deltas: ChatDelta[] = [];
  for await (const batch of decodeSseBody(body)) for (const chunk of batch) deltas.push(...accumulator.push(chunk));
  return { result: accumulator.result(), deltas };
}

/** The text a consumer of the deltas alone sees; it must agree with result() for choice 0. */
function textOf(deltas: ChatDelta[]): Pick<ChatStreamResult, 'content' | 'reasoning' | 'refusal'> {
  const text = { content: '', reasoning: '', refusal: '' };
  for (const delta of deltas) text[delta.type] += delta.text;
  return text;
}

const fixtures = loadFixtures();

describe('provider stream corpus', () => {
  it('finds the recorded and the synthetic streams', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    expect(fixtures.some((fixture) => fixture.name.startsWith('synthetic'))).toBe(true);
  });

  describe.each(fixtures)('$name', ({ name, bytes, expected }) => {
    it('reconstructs the expected result from the whole body', async () => {
      const { result, deltas } = await replay(inPieces(bytes, () => bytes.length));
      expect(result).toStrictEqual(expected);
      expect(textOf(deltas)).toStrictEqual({ content: result.content, reasoning: result.reasoning, refusal: result.refusal ?? '' });
    });

    it('reconstructs it from 1-byte reads', async () => {
      const { result } = await replay(inPieces(bytes, () => 1));
      expect(result).toStrictEqual(expected);
    });

    it.each([1, 2, 3])('reconstructs it from reads split at random points (seed %i)', async (seed) => {
      const random = seededRandom(seed * 7919 + name.length);
      const { result } = await replay(inPieces(bytes, () => Math.floor(random() * 97)));
      expect(result).toStrictEqual(expected);
    });

    it.each([
      ['CRLF', '\r\n'],
      ['CR', '\r'],
    ])('reconstructs it with %s line endings and keep-alive comments, split at random points', async (_name, lineEnding) => {
      const random = seededRandom(name.length);
      const { result } = await replay(inPieces(withLineEndingAndKeepAlives(bytes, lineEnding), () => Math.floor(random() * 31)));
      expect(result).toStrictEqual(expected);
    });
  });
});
