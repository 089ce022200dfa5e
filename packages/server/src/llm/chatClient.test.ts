import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModelConfig } from '@nanoclaw/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChatClientOptions, type LlmSettings, createChatClient } from './chatClient.js';
import { createUndiciTransport } from './httpTransport.js';
import { LlmError } from './llmError.js';
import { QuotaExceededError, type QuotaGate } from './quotaGate.js';
import { tokensOfAnswer } from './tokenCounts.js';
import type { ChatDelta, ChatRequest, ChatStreamResult } from './types.js';
import { recordingTelemetry } from '../telemetry/recordingTelemetry.testing.js';

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface TestServer {
  url: string;
  requests: ReceivedRequest[];
}

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function startServer(handler: Handler): Promise<TestServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (text: string) => (body += text));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, requests.length);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function sse(...chunks: unknown[]): string {
  return chunks.map((chunk) => `data: ${typeof chunk === 'string' ? chunk : JSON.stringify(chunk)}\n\n`).join('');
}

function contentChunk(text: string, finishReason: string | null = null): unknown {
  return { id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text }, finish_reason: finishReason }] };
}

function startEventStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.flushHeaders();
}

const settings: LlmSettings = { timeout_ms: 2_000, max_retries: 2, retry_base_ms: 10, retry_max_ms: 100 };

function modelAt(server: TestServer, extra: Partial<ModelConfig> = {}): ModelConfig {
  return { id: 'test-model', api_url: `${server.url}/v1/chat/completions`, api_key: 'sk-test', ...extra };
}

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };

interface Collected {
  deltas: ChatDelta[];
  result?: ChatStreamResult;
  error?: LlmError;
}

/** Drains a stream like the agent does: keeps every delta, and the error if one ends it. */
async function collect(stream: AsyncGenerator<ChatDelta, ChatStreamResult, undefined>): Promise<Collected> {
  const deltas: ChatDelta[] = [];
  try {
    for (;;) {
      const next = await stream.next();
      if (next.done) return { deltas, result: next.value };
      deltas.push(next.value);
    }
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    return { deltas, error: err };
  }
}

function recordingSleep(): { delays: number[]; sleep: NonNullable<ChatClientOptions['sleep']> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

describe('streamChat', () => {
  it('streams the text as it arrives and returns the assembled result', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.write(sse({ choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: 'Hmm.' } }] }));
      res.write(sse(contentChunk('Hel')));
      setTimeout(() => {
        res.write('data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n');
        res.end(`\n${sse({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } }, '[DONE]')}`);
      }, 20);
    });
    const client = createChatClient({ settings });

    const { deltas, result, error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error).toBeUndefined();
    expect(deltas).toEqual([
      { type: 'reasoning', text: 'Hmm.' },
      { type: 'content', text: 'Hel' },
      { type: 'content', text: 'lo' },
    ]);
    expect(result).toEqual({
      content: 'Hello',
      reasoning: 'Hmm.',
      tool_calls: [],
      finish_reason: 'stop',
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });
  });

  it('sends the headers and the request body the provider expects', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.end(sse(contentChunk('ok', 'stop'), '[DONE]'));
    });
    const client = createChatClient({ settings });
    const tools: ChatRequest['tools'] = [
      { type: 'function', function: { name: 'calculator', description: 'Evaluates arithmetic', parameters: { type: 'object' } } },
    ];

    await collect(
      client.streamChat(modelAt(server), { ...request, tools, toolChoice: 'auto', temperature: 0.2, maxTokens: 100 }, new AbortController().signal),
    );

    expect(server.requests).toHaveLength(1);
    const [received] = server.requests;
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/v1/chat/completions');
    expect(received?.headers.authorization).toBe('Bearer sk-test');
    expect(received?.headers['content-type']).toBe('application/json');
    expect(received?.headers.accept).toBe('text/event-stream');
    expect(JSON.parse(received?.body ?? '')).toEqual({
      model: 'test-model',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
      tools,
      tool_choice: 'auto',
      temperature: 0.2,
      max_tokens: 100,
    });
  });

  it('sends no Authorization header when the model has no api_key', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.end(sse(contentChunk('ok', 'stop'), '[DONE]'));
    });
    const client = createChatClient({ settings });

    await collect(client.streamChat(modelAt(server, { api_key: undefined }), request, new AbortController().signal));

    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('retries a 429 after the delay its retry-after-ms header asks for', async () => {
    const server = await startServer((_req, res, attempt) => {
      if (attempt === 1) {
        res.writeHead(429, { 'retry-after-ms': '50', 'content-type': 'application/json' });
        res.end('{"error":{"message":"slow down"}}');
        return;
      }
      startEventStream(res);
      res.end(sse(contentChunk('ok', 'stop'), '[DONE]'));
    });
    const warnings: object[] = [];
    const client = createChatClient({ settings, logger: { warn: (obj) => void warnings.push(obj) } });

    const started = performance.now();
    const { deltas, result, error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error).toBeUndefined();
    expect(result?.content).toBe('ok');
    expect(server.requests).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    // The caller is told before the wait: which attempt comes next, of how many, when, and why.
    expect(deltas).toEqual([
      { type: 'retry', attempt: 2, maxAttempts: settings.max_retries + 1, delayMs: 50, reason: 'Rate limit exceeded, please try again later' },
      { type: 'content', text: 'ok' },
    ]);
    expect(warnings).toEqual([expect.objectContaining({ attempt: 1, delayMs: 50, error: 'Rate limit exceeded, please try again later' })]);
  });

  it('honours Retry-After in seconds and as an HTTP date, capped at retry_max_ms', async () => {
    const server = await startServer((_req, res, attempt) => {
      if (attempt === 1) res.writeHead(503, { 'retry-after': '0.07' }).end();
      else if (attempt === 2) res.writeHead(503, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }).end();
      else {
        startEventStream(res);
        res.end(sse(contentChunk('ok', 'stop'), '[DONE]'));
      }
    });
    const { delays, sleep } = recordingSleep();
    const client = createChatClient({ settings: { ...settings, retry_max_ms: 5_000 }, sleep });

    const { result } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(result?.content).toBe('ok');
    expect(delays).toEqual([70, 5_000]);
  });

  it('backs off exponentially when the server gives no Retry-After', async () => {
    const server = await startServer((_req, res) => res.writeHead(500).end());
    const { delays, sleep } = recordingSleep();
    const client = createChatClient({ settings: { ...settings, max_retries: 4, retry_base_ms: 100, retry_max_ms: 500 }, sleep });

    await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(delays).toHaveLength(4);
    const ceilings = [100, 200, 400, 500];
    delays.forEach((delay, attempt) => {
      expect(delay).toBeGreaterThanOrEqual((ceilings[attempt] ?? 0) / 2);
      expect(delay).toBeLessThanOrEqual(ceilings[attempt] ?? 0);
    });
  });

  it('gives up on a lasting 429 with the rate-limit sentence', async () => {
    const server = await startServer((_req, res) => res.writeHead(429, { 'retry-after-ms': '1' }).end());
    const client = createChatClient({ settings });

    const { error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error?.message).toBe('Rate limit exceeded, please try again later');
    expect(error?.kind).toBe('rate_limited');
    expect(server.requests).toHaveLength(settings.max_retries + 1);
  });

  it.each([500, 502, 503])('reports a lasting %i as "LLM service unavailable (status)"', async (status) => {
    const server = await startServer((_req, res) => res.writeHead(status).end('upstream down'));
    const { sleep } = recordingSleep();
    const client = createChatClient({ settings, sleep });

    const { error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error?.message).toBe(`LLM service unavailable (${status})`);
    expect(error?.kind).toBe('unavailable');
    expect(error?.status).toBe(status);
    expect(server.requests).toHaveLength(settings.max_retries + 1);
  });

  it('reports a refused connection as "Unable to connect to LLM service" after retrying', async () => {
    const server = await startServer(() => undefined);
    const closed = servers.pop();
    await new Promise((resolve) => closed?.close(resolve));
    const { delays, sleep } = recordingSleep();
    const client = createChatClient({ settings, sleep });

    const { error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error?.message).toBe('Unable to connect to LLM service');
    expect(error?.kind).toBe('connect');
    expect(delays).toHaveLength(settings.max_retries);
  });

  it('reports a server that never answers as "LLM request timed out", without retrying', async () => {
    const server = await startServer(() => undefined);
    const client = createChatClient({ settings: { ...settings, timeout_ms: 200 } });

    const started = performance.now();
    const { error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error?.message).toBe('LLM request timed out');
    expect(error?.kind).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a stream that stalls mid-body, keeping what already arrived', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.write(sse(contentChunk('partial')));
    });
    const client = createChatClient({ settings: { ...settings, timeout_ms: 200 } });

    const { deltas, error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(deltas).toEqual([{ type: 'content', text: 'partial' }]);
    expect(error?.message).toBe('LLM request timed out');
    expect(server.requests).toHaveLength(1);
  });

  it('does not count a slow consumer against the timeout', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.write(sse(contentChunk('a')));
      setTimeout(() => res.end(sse(contentChunk('b'), contentChunk('c', 'stop'), '[DONE]')), 20);
    });
    const client = createChatClient({ settings: { ...settings, timeout_ms: 100 } });
    const texts: string[] = [];
    let yields = 0;

    for await (const delta of client.streamChat(modelAt(server), request, new AbortController().signal)) {
      yields++;
      if (delta.type === 'content') texts.push(delta.text);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }

    // 'b' and 'c' came in one read, so they arrive merged; the consumer paused longer than the timeout after each.
    expect(texts).toEqual(['a', 'bc']);
    expect(yields).toBe(2);
  });

  it('closes the upstream connection at once when the caller aborts mid-stream', async () => {
    let socketClosedAt = 0;
    const server = await startServer((req, res) => {
      req.socket.on('close', () => (socketClosedAt = performance.now()));
      startEventStream(res);
      res.write(sse(contentChunk('first')));
    });
    const client = createChatClient({ settings: { ...settings, timeout_ms: 10_000 } });
    const controller = new AbortController();
    const stream = client.streamChat(modelAt(server), request, controller.signal);

    expect((await stream.next()).value).toEqual({ type: 'content', text: 'first' });
    const pending = collect(stream);
    const abortedAt = performance.now();
    controller.abort();
    const { error } = await pending;

    expect(error?.kind).toBe('aborted');
    await expect.poll(() => socketClosedAt, { timeout: 1_000, interval: 10 }).toBeGreaterThan(0);
    expect(socketClosedAt - abortedAt).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it('closes the upstream connection when the consumer stops reading', async () => {
    let socketClosed = false;
    const server = await startServer((req, res) => {
      req.socket.on('close', () => (socketClosed = true));
      startEventStream(res);
      res.write(sse(contentChunk('first')));
    });
    const client = createChatClient({ settings: { ...settings, timeout_ms: 10_000 } });

    for await (const _delta of client.streamChat(modelAt(server), request, new AbortController().signal)) break;

    await expect.poll(() => socketClosed, { timeout: 1_000, interval: 10 }).toBe(true);
  });

  it('stops waiting between retries when the caller aborts', async () => {
    const server = await startServer((_req, res) => res.writeHead(503, { 'retry-after': '30' }).end());
    const client = createChatClient({ settings: { ...settings, retry_max_ms: 30_000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const started = performance.now();
    const { error } = await collect(client.streamChat(modelAt(server), request, controller.signal));

    expect(error?.kind).toBe('aborted');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const server = await startServer((_req, res) => res.end());
    const client = createChatClient({ settings });
    const controller = new AbortController();
    controller.abort();

    const { error } = await collect(client.streamChat(modelAt(server), request, controller.signal));

    expect(error?.kind).toBe('aborted');
    expect(server.requests).toHaveLength(0);
  });

  it("includes the provider's message when it rejects the request, without retrying", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error' } }));
    });
    const client = createChatClient({ settings });

    const { error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error?.message).toBe("The model provider rejected the request (400): Invalid value for 'temperature'");
    expect(error?.kind).toBe('rejected');
    expect(error?.status).toBe(400);
    expect(server.requests).toHaveLength(1);
  });

  it('reports a connection lost mid-answer after deltas, without retrying', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.write(sse(contentChunk('partial')), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const client = createChatClient({ settings });

    const { deltas, error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(deltas).toEqual([{ type: 'content', text: 'partial' }]);
    expect(error?.message).toBe('The connection to the LLM service was lost mid-answer');
    expect(error?.kind).toBe('unavailable');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a connection lost after half a tool call: no text reached the caller, the call comes whole from the retry', async () => {
    const toolChunk = (fragment: object) => ({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...fragment }] } }] });
    const opening = (id: string) => toolChunk({ id, function: { name: 'calc', arguments: '{"x"' } });
    const server = await startServer((_req, res, attempt) => {
      startEventStream(res);
      if (attempt === 1) res.write(sse(opening('call_1')), () => setTimeout(() => res.socket?.destroy(), 20));
      else res.end(sse(opening('call_2'), toolChunk({ function: { arguments: ':1}' } }), '[DONE]'));
    });
    const { sleep } = recordingSleep();
    const client = createChatClient({ settings, sleep });

    const { deltas, result, error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error).toBeUndefined();
    // No text reached the caller: only the notice that the request is tried again.
    expect(deltas).toEqual([{ type: 'retry', attempt: 2, maxAttempts: settings.max_retries + 1, delayMs: expect.any(Number), reason: expect.any(String) }]);
    expect(result?.tool_calls).toEqual([{ index: 0, id: 'call_2', type: 'function', function: { name: 'calc', arguments: '{"x":1}' } }]);
    expect(server.requests).toHaveLength(2);
  });

  it('retries a connection lost before any delta was yielded', async () => {
    const server = await startServer((_req, res, attempt) => {
      startEventStream(res);
      if (attempt === 1) setTimeout(() => res.socket?.destroy(), 20);
      else res.end(sse(contentChunk('ok', 'stop'), '[DONE]'));
    });
    const { sleep } = recordingSleep();
    const client = createChatClient({ settings, sleep });

    const { result, error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error).toBeUndefined();
    expect(result?.content).toBe('ok');
    expect(server.requests).toHaveLength(2);
  });

  it('finishes at [DONE] even when the provider keeps the connection open, reads nothing after it, and closes that connection', async () => {
    let connectionClosed!: Promise<void>;
    const server = await startServer((req, res) => {
      connectionClosed = new Promise((resolve) => req.socket.once('close', () => resolve()));
      startEventStream(res);
      res.write(sse(contentChunk('all', 'stop'), '[DONE]', contentChunk(' never')));
      // …and the response never ends.
    });
    const client = createChatClient({ settings });

    const { result, error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error).toBeUndefined();
    expect(result).toMatchObject({ content: 'all', finish_reason: 'stop' });
    await connectionClosed; // the test times out if the half-read response keeps its socket
  });

  it('releases a request read to its end without aborting it', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.end(sse(contentChunk('all', 'stop'), '[DONE]'));
    });
    const signals: AbortSignal[] = [];
    const undici = createUndiciTransport();
    const client = createChatClient({ settings, transport: (url, init) => (signals.push(init.signal), undici(url, init)) });

    const { result } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(result).toMatchObject({ content: 'all', finish_reason: 'stop' });
    expect(signals.map((s) => s.aborted)).toEqual([false]);
  });

  it('decodes the last event of a body that ends without a blank line', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.end(`${sse(contentChunk('one '))}data: ${JSON.stringify(contentChunk('two', 'stop'))}`);
    });
    const client = createChatClient({ settings });

    const { deltas, result } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(deltas.filter((d) => d.type === 'content').map((d) => (d as { text: string }).text).join('')).toBe('one two');
    expect(result).toMatchObject({ content: 'one two', finish_reason: 'stop' });
  });

  it('keeps the partial answer of a stream that ends without [DONE]', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.end(sse(contentChunk('cut sh')));
    });
    const client = createChatClient({ settings });

    const { result, error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error).toBeUndefined();
    expect(result).toMatchObject({ content: 'cut sh', finish_reason: null });
  });

  it('reports an empty stream as a protocol error', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.end();
    });
    const client = createChatClient({ settings });

    const { error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error?.kind).toBe('protocol');
  });

  it("surfaces an error the provider sends inside the stream with the provider's message", async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.end(sse(contentChunk('Hel'), { error: { message: 'Model overloaded', code: 'overloaded' } }));
    });
    const client = createChatClient({ settings });

    const { deltas, error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(deltas).toEqual([{ type: 'content', text: 'Hel' }]);
    expect(error?.message).toContain('Model overloaded');
  });

  it('reports a JSON error sent with status 200 instead of a stream', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Insufficient balance' } }));
    });
    const client = createChatClient({ settings });

    const { error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));

    expect(error?.message).toContain('Insufficient balance');
    expect(server.requests).toHaveLength(1);
  });
});

describe('streamChat with quotas', () => {
  /** A gate that refuses user `over` and writes down what it is asked and told. */
  function recordingGate(): QuotaGate & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      async admit(userId) {
        calls.push(`admit ${userId}`);
        if (userId === 'over') throw new QuotaExceededError('You have used your 10 tokens for today.', 'tokens_per_day', new Date(), 60);
      },
      async record(userId, tokens) {
        calls.push(`record ${userId} ${tokens}`);
      },
    };
  }

  it('asks the gate before a request naming its user and tells it the tokens used; the user id is not sent', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.end(sse(contentChunk('ok', 'stop'), { choices: [], usage: { prompt_tokens: 30, completion_tokens: 12 } }, '[DONE]'));
    });
    const quota = recordingGate();
    const client = createChatClient({ settings, quota });
    const { result } = await collect(client.streamChat(modelAt(server), { ...request, userId: 'u1' }, new AbortController().signal));
    expect(result?.content).toBe('ok');
    expect(quota.calls).toEqual(['admit u1', 'record u1 42']);
    expect(server.requests[0]!.body).not.toContain('u1');
    // The server's own requests (no user) are neither checked nor counted.
    await collect(client.streamChat(modelAt(server), request, new AbortController().signal));
    expect(quota.calls).toHaveLength(2);
  });

  it('without usage from the provider, counts the same estimate the token statistics record', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.end(sse(contentChunk('an answer of some length', 'stop'), '[DONE]'));
    });
    const quota = recordingGate();
    const client = createChatClient({ settings, quota });
    const { result } = await collect(client.streamChat(modelAt(server), { ...request, userId: 'u1' }, new AbortController().signal));
    const { promptTokens, completionTokens } = tokensOfAnswer(request, result!);
    expect(promptTokens + completionTokens).toBeGreaterThan(0);
    expect(quota.calls).toEqual(['admit u1', `record u1 ${promptTokens + completionTokens}`]);
  });

  it('sends nothing when the gate refuses, and throws its error', async () => {
    const server = await startServer((_req, res) => {
      startEventStream(res);
      res.end(sse(contentChunk('ok', 'stop'), '[DONE]'));
    });
    const client = createChatClient({ settings, quota: recordingGate() });
    const { error } = await collect(client.streamChat(modelAt(server), { ...request, userId: 'over' }, new AbortController().signal));
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error?.message).toBe('You have used your 10 tokens for today.');
    expect(server.requests).toHaveLength(0);
  });
});

describe('listModels', () => {
  it('lists the ids from GET <baseUrl>/models', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'qwen3:8b', object: 'model' }, { id: 'llama3.2' }, { object: 'model' }] }));
    });
    const client = createChatClient({ settings });

    const models = await client.listModels(`${server.url}/v1/`, 'sk-test');

    expect(models).toEqual([{ id: 'qwen3:8b' }, { id: 'llama3.2' }]);
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/v1/models' });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('reports a rejected listing with the provider message', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided' } }));
    });
    const client = createChatClient({ settings });

    await expect(client.listModels(`${server.url}/v1`)).rejects.toThrow('The model provider rejected the request (401): Incorrect API key provided');
  });
});

describe('streamChat telemetry', () => {
  it('reports a request with a retry: the failed attempt, the retry, the first token, and the finish reason and usage', async () => {
    const server = await startServer((_req, res, attempt) => {
      if (attempt === 1) return void res.writeHead(503).end();
      startEventStream(res);
      res.end(sse(contentChunk('ok'), { id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 3 } }, '[DONE]'));
    });
    const telemetry = recordingTelemetry();
    const client = createChatClient({ settings, sleep: recordingSleep().sleep, telemetry });
    const { error } = await collect(client.streamChat(modelAt(server), request, new AbortController().signal));
    expect(error).toBeUndefined();
    const provider = new URL(server.url).host;
    expect(telemetry.events).toEqual([`model test-model ${provider}`, 'attempt failed unavailable', 'retrying', 'first token', 'finished stop 12/3']);
  });

  it('reports the error that ended a request, and a consumer that stopped reading as aborted', async () => {
    const rejected = await startServer((_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad"}}'));
    const reading = await startServer((_req, res) => {
      startEventStream(res);
      res.write(sse(contentChunk('first')));
    });
    const telemetry = recordingTelemetry();
    const client = createChatClient({ settings: { ...settings, timeout_ms: 10_000 }, telemetry });
    await collect(client.streamChat(modelAt(rejected), request, new AbortController().signal));
    for await (const _delta of client.streamChat(modelAt(reading), request, new AbortController().signal)) break;
    expect(telemetry.events.filter((event) => !event.startsWith('model '))).toEqual(['failed rejected', 'first token', 'failed aborted']);
  });
});
