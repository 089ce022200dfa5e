/**
 * The paced load: many concurrent streams, each answer paced like a real model (one token every
 * `tokenDelayMs`), a fixed number of requests in all; the same load against the simulator directly and
 * through NanoClaw. Each of `streams` clients repeats: (through NanoClaw) create a conversation, send a
 * message and read its event stream to the end; (direct) post the chat request and read the stream.
 */
import { createParser } from 'eventsource-parser';

export interface PacedLoadOptions {
  /** Clients running at once. */
  streams: number;
  /** Requests in all (each client takes the next until none are left). */
  requests: number;
  /** Tokens in each answer (the simulator's model `text:<tokens>`). */
  tokens: number;
}

export interface PacedLoadResult {
  requests: number;
  errors: number;
  /** First error seen, for the report. */
  firstError?: string;
  seconds: number;
  /** Time from sending the message (or the chat request) to its first token event, ms. */
  firstEventMs: number[];
  /** Gaps between consecutive token events of one stream, ms. */
  gapMs: number[];
  /** Conversation creation times (NanoClaw only), ms. */
  createMs: number[];
  /** Token events received in all (the server may send several tokens in one event). */
  tokenEvents: number;
  /** Tokens of the answers read to their end (requests without error × tokens per answer). */
  tokens: number;
  /** Streams between their first token and their end, now. */
  streaming: number;
}

export function emptyResult(): PacedLoadResult {
  return { requests: 0, errors: 0, seconds: 0, firstEventMs: [], gapMs: [], createMs: [], tokenEvents: 0, tokens: 0, streaming: 0 };
}

interface Target {
  /** Runs one request to its end; pushes its timings. Throws on any failure. */
  once(result: PacedLoadResult): Promise<void>;
}

/** Reads an SSE body; calls `onEvent` with each event's decoded data (a real client decodes each one). */
async function readEvents(body: ReadableStream<Uint8Array> | null, onEvent: (event: string | undefined, data: unknown) => void): Promise<void> {
  if (!body) throw new Error('the answer had no body');
  const parser = createParser({
    onEvent(message) {
      onEvent(message.event, message.data === '[DONE]' ? '[DONE]' : JSON.parse(message.data));
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
}

class Timeline {
  private first = -1;
  private last = 0;
  count = 0;
  constructor(
    private readonly start: number,
    private readonly result: PacedLoadResult,
  ) {}
  tick(): void {
    const now = performance.now();
    if (this.first < 0) {
      this.first = now - this.start;
      this.result.firstEventMs.push(this.first);
      this.result.streaming++;
    } else this.result.gapMs.push(now - this.last);
    this.last = now;
    this.count++;
    this.result.tokenEvents++;
  }
  /** The stream ended (however). */
  end(): void {
    if (this.first >= 0) this.result.streaming--;
  }
}

export function directTarget(chatUrl: string, model: string): Target {
  return {
    async once(result) {
      const start = performance.now();
      const res = await fetch(chatUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'benchmark' }] }),
      });
      if (!res.ok) throw new Error(`direct: HTTP ${res.status}`);
      const timeline = new Timeline(start, result);
      let done = false;
      try {
        await readEvents(res.body, (_event, data) => {
          if (data === '[DONE]') done = true;
          else if ((data as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content) timeline.tick();
        });
      } finally {
        timeline.end();
      }
      if (!done) throw new Error('direct: the stream ended without [DONE]');
    },
  };
}

export function serverTarget(baseUrl: string, model: string, headers: Record<string, string> = {}): Target {
  const json = { 'content-type': 'application/json', ...headers };
  return {
    async once(result) {
      const createStart = performance.now();
      const created = await fetch(`${baseUrl}/api/conversations`, { method: 'POST', headers: json, body: JSON.stringify({ model }) });
      if (!created.ok) throw new Error(`create conversation: HTTP ${created.status} ${await created.text()}`);
      const id = ((await created.json()) as { data: { id: string } }).data.id;
      result.createMs.push(performance.now() - createStart);
      const start = performance.now();
      const res = await fetch(`${baseUrl}/api/conversations/${id}/messages`, { method: 'POST', headers: json, body: JSON.stringify({ text: 'benchmark', tools_enabled: false }) });
      if (!res.ok) throw new Error(`send message: HTTP ${res.status} ${await res.text()}`);
      const timeline = new Timeline(start, result);
      let done = false;
      let failed: string | undefined;
      try {
        await readEvents(res.body, (event, data) => {
          if (event === 'process_step' && (data as { type?: string }).type === 'text') timeline.tick();
          else if (event === 'done') done = true;
          else if (event === 'error') failed = JSON.stringify(data);
        });
      } finally {
        timeline.end();
      }
      if (failed) throw new Error(`run error: ${failed}`);
      if (!done) throw new Error('the stream ended without done');
    },
  };
}

/** Runs the load; `result` (live while it runs) fills in as it goes. */
export async function runPacedLoad(target: Target, options: PacedLoadOptions, result: PacedLoadResult = emptyResult()): Promise<PacedLoadResult> {
  let next = 0;
  const start = performance.now();
  const client = async () => {
    while (next < options.requests) {
      next++;
      try {
        await target.once(result);
        result.tokens += options.tokens;
      } catch (err) {
        result.errors++;
        result.firstError ??= err instanceof Error ? err.message : String(err);
      }
      result.requests++;
    }
  };
  await Promise.all(Array.from({ length: options.streams }, client));
  result.seconds = (performance.now() - start) / 1000;
  return result;
}
