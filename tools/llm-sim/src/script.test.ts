import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assembleChatStream, readChatStream, sseDataPayloads } from './chatStreamReader.js';
import { startSimulator, type Simulator } from './simulator.js';
import type { RecordedRequest } from './types.js';
import type { ChatCompletionChunk } from './wireTypes.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterEach(() => {
  sim.clearScript();
  sim.clearRequests();
});
afterAll(() => sim.close());

function post(body: Record<string, unknown>, init: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(sim.chatUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify({ model: 'text:3', messages: [{ role: 'user', content: 'hi' }], stream: true, ...body }),
    signal: init.signal,
  });
}

async function askStream(body: Record<string, unknown> = {}) {
  const { chunks, done } = await readChatStream(await post(body));
  return { chunks, done, answer: assembleChatStream(chunks) };
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Reads the first `count` events of a stream, then reports whether anything more arrives within `quietMs`. */
async function readThenListen(response: Response, count: number, quietMs: number) {
  if (!response.body) throw new Error('no body');
  const payloads = sseDataPayloads(response.body);
  const first: ChatCompletionChunk[] = [];
  for (let i = 0; i < count; i++) {
    const next = await payloads.next();
    if (next.done) throw new Error(`stream ended after ${i} events`);
    first.push(JSON.parse(next.value) as ChatCompletionChunk);
  }
  const more = await Promise.race([
    payloads.next().then(
      (next) => (next.done ? 'ended' : 'more'),
      () => 'error',
    ),
    new Promise<'quiet'>((resolve) => setTimeout(() => resolve('quiet'), quietMs)),
  ]);
  return { first, more };
}

describe('scripted queue', () => {
  it('answers scripted responses in FIFO order, then falls back to the model scenario', async () => {
    sim.script({ kind: 'stream', content: 'first answer' }, { kind: 'stream', content: 'second answer' });
    expect((await askStream()).answer.content).toBe('first answer');
    expect((await askStream()).answer.content).toBe('second answer');
    expect((await askStream()).answer.content).toBe('Lorem ipsum dolor.');
  });

  it('uses arrays as the exact pieces and keeps whitespace of split strings', async () => {
    sim.script({ kind: 'stream', reasoning: ['Hmm', ', ok'], content: ' two  words\n' });
    const { chunks, answer } = await askStream();
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta);
    expect(deltas.slice(0, 2).map((delta) => delta?.reasoning_content)).toEqual(['Hmm', ', ok']);
    expect(deltas.slice(2, 5).map((delta) => delta?.content)).toEqual([' ', 'two  ', 'words\n']);
    expect(answer.reasoning).toBe('Hmm, ok');
    expect(answer.content).toBe(' two  words\n');
  });

  it('sends scripted tool calls with given ids, fragments and finish reason', async () => {
    sim.script({
      kind: 'stream',
      toolCalls: [
        { id: 'call_a', name: 'file_read', arguments: ['{"pa', 'th":"x.txt"}'] },
        { name: 'calculator', arguments: '{"expression": "1+1"}' },
      ],
      finishReason: 'length',
    });
    const { chunks, answer } = await askStream();
    expect(answer.toolCalls[0]).toEqual({ id: 'call_a', name: 'file_read', arguments: '{"path":"x.txt"}' });
    expect(answer.toolCalls[1]?.id).toMatch(/^call_/);
    expect(answer.toolCalls[1]?.arguments).toBe('{"expression": "1+1"}');
    expect(chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).map((call) => call.index)).toEqual([0, 0, 1, 1]);
    expect(answer.finishReason).toBe('length');
  });

  it('sends a scripted usage even unasked, and never when usage is false', async () => {
    sim.script({ kind: 'stream', content: 'a', usage: { prompt_tokens: 11, completion_tokens: 22 } });
    sim.script({ kind: 'stream', content: 'b', usage: false });
    expect((await askStream()).answer.usage).toEqual({ prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 });
    expect((await askStream({ stream_options: { include_usage: true } })).answer.usage).toBeNull();
  });

  it('can send reasoning in delta.reasoning instead of delta.reasoning_content', async () => {
    sim.script({ kind: 'stream', reasoning: 'think first', reasoningField: 'reasoning', content: 'done' });
    const { chunks, answer } = await askStream();
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', reasoning: 'think ' });
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.reasoning_content !== undefined)).toBe(false);
    expect(answer.reasoning).toBe('think first');
  });

  it('still announces the role in an answer without pieces', async () => {
    sim.script({ kind: 'stream' });
    const { chunks, done } = await askStream();
    expect(done).toBe(true);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks[1]?.choices[0]?.finish_reason).toBe('stop');
  });

  it('waits delayMs before headers and chunkDelayMs between pieces', async () => {
    sim.script({ kind: 'stream', content: ['a', 'b', 'c'], delayMs: 80, chunkDelayMs: 40 });
    const started = Date.now();
    const response = await post({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    await readChatStream(response);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70 + 2 * 35);
  });

  it('accepts a script over HTTP at POST /_sim/script and rejects a malformed one', async () => {
    const accepted = await fetch(sim.url.replace('/v1', '/_sim/script'), {
      method: 'POST',
      body: JSON.stringify({ responses: [{ kind: 'stream', content: 'over http' }, { kind: 'error', status: 418 }] }),
    });
    expect(await accepted.json()).toEqual({ queued: 2 });
    expect((await askStream()).answer.content).toBe('over http');
    expect((await post({})).status).toBe(418);

    const rejected = await fetch(`${sim.url}/_sim/script`, { method: 'POST', body: JSON.stringify({ responses: [{ kind: 'stall' }] }) });
    expect(rejected.status).toBe(400);
  });
});

describe('scripted errors', () => {
  it('sends the status, headers and OpenAI error body', async () => {
    sim.script({ kind: 'error', status: 429, headers: { 'retry-after': '2' } });
    const response = await post({});
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
  });

  it('sends a given JSON body as is, and a string body as plain text', async () => {
    sim.script({ kind: 'error', status: 400, body: { error: { message: 'context too long' } } }, { kind: 'error', status: 502, body: '<html>Bad Gateway</html>' });
    const json = await post({});
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: { message: 'context too long' } });
    const text = await post({});
    expect(text.status).toBe(502);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toBe('<html>Bad Gateway</html>');
  });
});

describe('broken connections', () => {
  it('hang never sends headers until the client gives up', async () => {
    sim.script({ kind: 'hang' });
    const client = new AbortController();
    const pending = post({}, { signal: client.signal });
    const outcome = await Promise.race([pending.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
    expect(outcome).toBe('waiting');
    expect(sim.openConnections()).toBe(1);
    client.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => sim.openConnections() === 0);
  });

  it('stall sends headers and the first pieces, then nothing on an open connection', async () => {
    sim.script({ kind: 'stall', afterPieces: 2, content: ['one ', 'two ', 'three ', 'four'] });
    const client = new AbortController();
    const response = await post({}, { signal: client.signal });
    expect(response.status).toBe(200);
    const { first, more } = await readThenListen(response, 2, 300);
    expect(first.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(['one ', 'two ']);
    expect(more).toBe('quiet');
    expect(sim.openConnections()).toBe(1);
    client.abort();
    await waitFor(() => sim.openConnections() === 0);
  });

  it('disconnect sends the first pieces, then the stream breaks without [DONE]', async () => {
    sim.script({ kind: 'disconnect', afterPieces: 3, content: 'a b c d e f' });
    const response = await post({});
    const { first, more } = await readThenListen(response, 3, 1000);
    expect(first.map((chunk) => chunk.choices[0]?.delta.content).join('')).toBe('a b c ');
    expect(more).toBe('error');
    await waitFor(() => sim.openConnections() === 0);
  });

  it('the disconnect scenario does the same by model name', async () => {
    const response = await post({ model: 'disconnect:4' });
    const { more } = await readThenListen(response, 4, 1000);
    expect(more).toBe('error');
  });

  it('the stall scenario goes quiet by model name', async () => {
    const client = new AbortController();
    const response = await post({ model: 'stall:1' }, { signal: client.signal });
    const { more } = await readThenListen(response, 1, 200);
    expect(more).toBe('quiet');
    client.abort();
  });

  it('the hang scenario never answers by model name', async () => {
    const client = new AbortController();
    const pending = post({ model: 'hang' }, { signal: client.signal }).then(() => 'answered');
    await waitFor(() => sim.openConnections() === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.abort();
    await expect(pending).rejects.toThrow();
  });

  it('a non-streaming disconnect fails the request', async () => {
    sim.script({ kind: 'disconnect', afterPieces: 0, content: 'x' });
    await expect(post({ stream: false })).rejects.toThrow();
  });
});

describe('recorded requests', () => {
  it('records body, lowercased headers and time in order, also over HTTP', async () => {
    const before = Date.now();
    await (await post({ model: 'text:1', temperature: 0.5 }, { headers: { 'X-Trace-Id': 'abc', Authorization: 'Bearer k' } })).text();
    await (await post({ model: 'usage' })).text();
    const recorded = sim.requests();
    expect(recorded.map((request) => request.body.model)).toEqual(['text:1', 'usage']);
    expect(recorded[0]?.body.temperature).toBe(0.5);
    expect(recorded[0]?.headers['x-trace-id']).toBe('abc');
    expect(recorded[0]?.headers.authorization).toBe('Bearer k');
    expect(recorded[0]?.path).toBe('/v1/chat/completions');
    expect(recorded[0]?.time).toBeGreaterThanOrEqual(before);

    const overHttp = (await (await fetch(`${sim.url}/_sim/requests`)).json()) as RecordedRequest[];
    expect(overHttp).toEqual(recorded);
    await fetch(`${sim.url}/_sim/requests`, { method: 'DELETE' });
    expect(sim.requests()).toEqual([]);
  });

  it('does not record a body that is not JSON', async () => {
    await fetch(sim.chatUrl, { method: 'POST', body: 'nope' });
    expect(sim.requests()).toEqual([]);
  });
});
