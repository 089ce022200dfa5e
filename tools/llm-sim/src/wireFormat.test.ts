import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleChatStream, readChatStream } from './chatStreamReader.js';
import { startSimulator, type Simulator } from './simulator.js';
import type { ChatCompletion, ChatCompletionChunk } from './wireTypes.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const HELLO = [{ role: 'user', content: 'hi' }];

function post(body: unknown, url = sim.chatUrl): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function stream(body: Record<string, unknown>) {
  const response = await post({ messages: HELLO, ...body, stream: true });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const { chunks, done } = await readChatStream(response);
  expect(done).toBe(true);
  expectOpenAiChunkShapes(chunks, String(body.model));
  return { chunks, answer: assembleChatStream(chunks) };
}

/** Checks every chunk against OpenAI's `chat.completion.chunk` shape. */
function expectOpenAiChunkShapes(chunks: ChatCompletionChunk[], model: string): void {
  expect(chunks.length).toBeGreaterThan(0);
  const choiceChunks = chunks.filter((chunk) => chunk.choices.length > 0);
  for (const chunk of chunks) {
    expect(chunk).toMatchObject({ id: chunks[0]?.id, object: 'chat.completion.chunk', model });
    expect(chunk.id).toMatch(/^chatcmpl-/);
    expect(Number.isInteger(chunk.created)).toBe(true);
    expect(chunk.choices.length).toBeLessThanOrEqual(1);
    for (const choice of chunk.choices) expect(choice.index).toBe(0);
  }
  expect(choiceChunks[0]?.choices[0]?.delta.role).toBe('assistant');
  expect(choiceChunks.slice(1).every((chunk) => chunk.choices[0]?.delta.role === undefined)).toBe(true);
  const finishReasons = choiceChunks.map((chunk) => chunk.choices[0]?.finish_reason);
  expect(finishReasons.slice(0, -1).every((reason) => reason === null)).toBe(true);
  expect(finishReasons.at(-1)).toMatch(/^(stop|tool_calls|length)$/);
  expect(choiceChunks.at(-1)?.choices[0]?.delta).toEqual({});
}

const contentChunks = (chunks: ChatCompletionChunk[]) => chunks.filter((chunk) => chunk.choices[0]?.delta.content !== undefined);

describe('text', () => {
  it('streams about 40 content pieces and finishes with stop', async () => {
    const { chunks, answer } = await stream({ model: 'text' });
    expect(contentChunks(chunks)).toHaveLength(40);
    expect(answer.content).toMatch(/^Lorem ipsum .*\.$/s);
    expect(answer.finishReason).toBe('stop');
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
  });

  it('text:N streams exactly N content pieces', async () => {
    const { chunks } = await stream({ model: 'text:7' });
    expect(contentChunks(chunks)).toHaveLength(7);
  });

  it('is also served at /chat/completions without /v1', async () => {
    const response = await post({ model: 'text:3', messages: HELLO, stream: true }, sim.chatUrl.replace('/v1', ''));
    const { chunks, done } = await readChatStream(response);
    expect(done).toBe(true);
    expect(assembleChatStream(chunks).content).toBe('Lorem ipsum dolor.');
  });
});

describe('usage reporting', () => {
  it('adds a final usage chunk with choices [] when the request asks, and usage: null elsewhere', async () => {
    const messages = [{ role: 'user', content: 'x'.repeat(400) }];
    const { chunks, answer } = await stream({ model: 'text:12', messages, stream_options: { include_usage: true } });
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 100, completion_tokens: 12, total_tokens: 112 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(answer.usage?.completion_tokens).toBe(12);
  });

  it('counts reasoning, content and tool-argument pieces as completion tokens', async () => {
    const { chunks } = await stream({
      model: 'tool-call',
      tools: [{ type: 'function', function: { name: 'calculator' } }],
      stream_options: { include_usage: true },
    });
    const pieceChunks = chunks.filter((chunk) => {
      const delta = chunk.choices[0]?.delta;
      return delta?.content !== undefined || delta?.reasoning_content !== undefined || delta?.tool_calls !== undefined;
    });
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(pieceChunks.length);
  });

  it('usage reports usage even when not asked', async () => {
    const { chunks } = await stream({ model: 'usage' });
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(20);
  });

  it('usage-none never reports usage, even when asked', async () => {
    const { chunks } = await stream({ model: 'usage-none', stream_options: { include_usage: true } });
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);
  });
});

describe('reasoning', () => {
  it('streams reasoning_content pieces before the content', async () => {
    const { chunks, answer } = await stream({ model: 'reasoning' });
    const kinds = chunks.flatMap((chunk) => {
      const delta = chunk.choices[0]?.delta;
      if (delta?.reasoning_content !== undefined) return ['reasoning'];
      return delta?.content !== undefined ? ['content'] : [];
    });
    const firstContent = kinds.indexOf('content');
    expect(kinds.lastIndexOf('reasoning')).toBeLessThan(firstContent);
    expect(kinds.filter((kind) => kind === 'reasoning').length).toBeGreaterThan(5);
    expect(answer.reasoning).toMatch(/^The user wants a plain answer\./);
    expect(answer.content.length).toBeGreaterThan(0);
  });
});

describe('tool calls on the wire', () => {
  const tools = [
    { type: 'function', function: { name: 'calculator', parameters: { type: 'object' } } },
    { type: 'function', function: { name: 'get_current_time', parameters: { type: 'object' } } },
  ];

  it('announces id, type and name on the first fragment only', async () => {
    const { chunks, answer } = await stream({ model: 'split-args', tools, messages: [{ role: 'user', content: 'what is 17*23?' }] });
    const fragments = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(fragments.length).toBeGreaterThan(8);
    expect(fragments[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'calculator' } });
    expect(fragments[0]?.id).toMatch(/^call_/);
    for (const fragment of fragments.slice(1)) {
      expect(Object.keys(fragment).sort()).toEqual(['function', 'index']);
      expect(Object.keys(fragment.function)).toEqual(['arguments']);
      expect(fragment.function.arguments.length).toBeGreaterThanOrEqual(1);
      expect(fragment.function.arguments.length).toBeLessThanOrEqual(3);
    }
    expect(JSON.parse(answer.toolCalls[0]?.arguments ?? '')).toEqual({ expression: '17*23' });
    expect(answer.finishReason).toBe('tool_calls');
  });

  it('tool-call thinks briefly, then calls calculator with the arithmetic from the user message', async () => {
    const { answer } = await stream({ model: 'tool-call', tools, messages: [{ role: 'user', content: 'compute (2+3)*4 please' }] });
    expect(answer.reasoning.length).toBeGreaterThan(0);
    expect(answer.content).toBe('');
    expect(answer.toolCalls).toHaveLength(1);
    expect(answer.toolCalls[0]?.name).toBe('calculator');
    expect(JSON.parse(answer.toolCalls[0]?.arguments ?? '')).toEqual({ expression: '(2+3)*4' });
  });

  it('tool-call falls back to 6*7 without arithmetic in the question', async () => {
    const { answer } = await stream({ model: 'tool-call', tools });
    expect(JSON.parse(answer.toolCalls[0]?.arguments ?? '')).toEqual({ expression: '6*7' });
  });

  it('parallel-tools sends three calls with their own indexes and ids in one response', async () => {
    const { answer } = await stream({ model: 'parallel-tools', tools });
    expect(answer.toolCalls.map((call) => call.name)).toEqual(['calculator', 'calculator', 'get_current_time']);
    expect(new Set(answer.toolCalls.map((call) => call.id)).size).toBe(3);
    const args = answer.toolCalls.map((call) => JSON.parse(call.arguments) as unknown);
    expect(args[0]).not.toEqual(args[1]);
    expect(args[2]).toEqual({});
    expect(answer.finishReason).toBe('tool_calls');
  });
});

describe('non-streaming requests', () => {
  it('answer one chat.completion with content and usage', async () => {
    const response = await post({ model: 'reasoning', messages: HELLO });
    expect(response.headers.get('content-type')).toBe('application/json');
    const completion = (await response.json()) as ChatCompletion;
    expect(completion).toMatchObject({ object: 'chat.completion', model: 'reasoning' });
    expect(completion.id).toMatch(/^chatcmpl-/);
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('stop');
    expect(choice?.message.role).toBe('assistant');
    expect(choice?.message.content).toMatch(/^Lorem/);
    expect(choice?.message.reasoning_content).toMatch(/^The user wants/);
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
  });

  it('carry tool calls whole, with null content', async () => {
    const tools = [{ type: 'function', function: { name: 'calculator' } }];
    const response = await post({ model: 'split-args', messages: HELLO, tools, stream: false });
    const message = ((await response.json()) as ChatCompletion).choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(message?.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'calculator', arguments: '{"expression":"6*7"}' } });
  });
});

describe('other endpoints and bad requests', () => {
  it('lists the scenarios at /v1/models and /models', async () => {
    for (const url of [`${sim.url}/models`, sim.url.replace('/v1', '/models')]) {
      const list = (await (await fetch(url)).json()) as { object: string; data: Array<{ id: string; object: string }> };
      expect(list.object).toBe('list');
      const ids = list.data.map((model) => model.id);
      expect(ids).toEqual(expect.arrayContaining(['text', 'tool-call', 'parallel-tools', 'rate-limit', 'echo', 'demo']));
      expect(list.data[0]?.object).toBe('model');
    }
  });

  it('rejects a body that is not JSON with an OpenAI-style 400', async () => {
    const response = await fetch(sim.chatUrl, { method: 'POST', body: '{"model": ' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/parse the JSON/);
  });

  it('rejects a request without messages', async () => {
    const response = await post({ model: 'text' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('messages');
  });

  it('answers 404 for unknown paths', async () => {
    const response = await fetch(`${sim.url}/embeddings`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
