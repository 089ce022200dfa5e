import { createServer as createHttpServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { healthStatusSchema, readinessStatusSchema } from '@nanoclaw/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/createLogger.js';
import { createConversation, readSse, sendMessage, startTestServer, waitFor, type TestServer } from './helpers.js';

const METRICS_TOKEN = 'scrape-me-please-0123456789';
const call = (name: string, args: object, usage?: object) => ({ kind: 'stream' as const, toolCalls: [{ name, arguments: JSON.stringify(args) }], ...(usage && { usage }) });
const say = (content: string, usage?: object) => ({ kind: 'stream' as const, content, ...(usage && { usage }) });

/** The value of one sample in Prometheus text (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** A JSON logger whose lines are kept, parsed. */
async function capturingLogger() {
  const lines: any[] = [];
  const logger = await createLogger(
    'info',
    'json',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().trimEnd().split('\n')) lines.push(JSON.parse(line));
        done();
      },
    }),
  );
  return { logger, lines };
}

describe('health, readiness, and metrics and traces off (the default)', () => {
  let t: TestServer;
  let log: Awaited<ReturnType<typeof capturingLogger>>;
  beforeAll(async () => {
    log = await capturingLogger();
    t = await startTestServer({ logger: log.logger });
  });
  afterAll(() => t?.close());

  it('still puts the run id and conversation id on the lines a run logs (no trace id)', async () => {
    t.sim.script({ kind: 'error', status: 503 }, say('Back again.'));
    const conversation = await createConversation(t, { model: 'text' });
    const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'Try twice' }));
    t.sim.clearScript();
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    const retry = log.lines.find((entry) => entry.msg === 'LLM request failed, retrying');
    expect(retry).toMatchObject({ conversation_id: conversation.id, run_id: expect.any(String) });
    expect(retry).not.toHaveProperty('trace_id');
    const requestLine = await waitFor(() => log.lines.find((entry) => entry.method === 'POST' && entry.path?.endsWith('/messages')));
    expect(requestLine.runId).toBe(retry.run_id);
  });

  it('answers /healthz and /readyz without a login, as JSON, never the web app', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expect(healthStatusSchema.parse(await health.json())).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(readinessStatusSchema.parse(await ready.json())).toEqual({ status: 'ok' });
  });

  it('has no /metrics: a JSON 404, not the web app', async () => {
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 404 });
  });

  it('answers another method on /healthz with 405 and Allow', async () => {
    const res = await fetch(`${t.url}/healthz`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
  });
});

describe('metrics on, behind a token', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ metrics: { enabled: true, token: METRICS_TOKEN } });
  });
  afterAll(() => t?.close());
  afterEach(() => t.sim.clearScript());

  const scrape = async () => {
    const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  it('refuses a scrape without the token, or with another one, with 401', async () => {
    const none = await fetch(`${t.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await none.json()).message).toMatch(/metrics\.token/);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all-000' } })).status).toBe(401);
  });

  it('counts a chat with a retry, a tool call and tokens: runs, model calls, tools, upstream errors, HTTP, event loop', async () => {
    t.sim.script(
      { kind: 'error', status: 503 },
      call('get_current_time', {}, { prompt_tokens: 30, completion_tokens: 8 }),
      say('It is noon.', { prompt_tokens: 50, completion_tokens: 5 }),
    );
    const conversation = await createConversation(t, { model: 'text' });
    const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'What time is it?' }));
    expect(events.at(-1)!.event).toBe('done');
    // The run's end is counted as its promise settles, just after its last event.
    const text = await waitFor(async () => {
      const body = await scrape();
      return sample(body, 'nanoclaw_runs_finished_total', { model: 'text', outcome: 'complete' }) === 1 && body;
    });
    const provider = new URL(t.sim.chatUrl).host;

    expect(sample(text, 'nanoclaw_runs_started_total', { model: 'text' })).toBe(1);
    expect(sample(text, 'nanoclaw_active_runs')).toBe(0);
    expect(sample(text, 'nanoclaw_run_duration_seconds_count', { model: 'text' })).toBe(1);
    expect(sample(text, 'nanoclaw_llm_time_to_first_token_seconds_count', { model: 'text' })).toBe(1);
    expect(sample(text, 'nanoclaw_llm_tokens_total', { model: 'text', type: 'input' })).toBe(80);
    expect(sample(text, 'nanoclaw_llm_tokens_total', { model: 'text', type: 'output' })).toBe(13);
    expect(sample(text, 'nanoclaw_llm_upstream_errors_total', { provider, kind: 'unavailable' })).toBe(1);
    expect(sample(text, 'nanoclaw_llm_upstream_retries_total', { provider })).toBe(1);
    expect(sample(text, 'nanoclaw_tool_calls_total', { tool: 'get_current_time', outcome: 'success' })).toBe(1);
    expect(sample(text, 'nanoclaw_tool_call_duration_seconds_count', { tool: 'get_current_time', outcome: 'success' })).toBe(1);
    expect(sample(text, 'nanoclaw_active_streams', { kind: 'run' })).toBe(0);
    // The route pattern, never the URL with its ids.
    expect(sample(text, 'nanoclaw_http_requests_total', { method: 'POST', route: '/api/conversations/:id/messages', status: '200' })).toBe(1);
    expect(text).not.toContain(conversation.id);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('labels a model’s invented tool name as unknown, so labels stay bounded', async () => {
    t.sim.script(call('no_such_tool_' + Date.now(), {}), say('Sorry.'));
    const conversation = await createConversation(t, { model: 'text' });
    await readSse(await sendMessage(t.url, conversation.id, { text: 'Use a tool that does not exist' }));
    const text = await scrape();
    expect(sample(text, 'nanoclaw_tool_calls_total', { tool: '(unknown)', outcome: 'invalid' })).toBe(1);
    expect(text).not.toContain('no_such_tool_');
  });

  it('counts requests that matched no route under one label', async () => {
    await fetch(`${t.url}/api/nothing-here/${Date.now()}`);
    expect(sample(await scrape(), 'nanoclaw_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
  });
});

describe('traces', () => {
  const exporter = new InMemorySpanExporter();
  let lines: any[];
  let t: TestServer;
  beforeAll(async () => {
    const { logger, lines: captured } = await capturingLogger();
    lines = captured;
    t = await startTestServer({ spanExporter: exporter, logger, multi_agent: { max_agents: 2, concurrency: 1, max_iterations: 3, timeout_ms: 10_000 } });
  });
  afterAll(() => t?.close());
  afterEach(() => {
    t.sim.clearScript();
    exporter.reset();
    lines.length = 0;
  });

  const parentOf = (span: ReadableSpan, spans: ReadableSpan[]) => spans.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);

  it('nest HTTP request → run → model rounds and tool call → sub-agent → its model round and tool, with GenAI attributes', async () => {
    t.sim.script(
      call('multi_agent', { tasks: [{ task: 'Tell the time.', name: 'clock', tools: ['get_current_time'] }] }, { prompt_tokens: 40, completion_tokens: 12 }),
      call('get_current_time', {}),
      say('Noon.'),
      say('It is noon.', { prompt_tokens: 90, completion_tokens: 6 }),
    );
    const conversation = await createConversation(t, { model: 'text' });
    const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'Split this up' }));
    expect(events.at(-1)!.event).toBe('done');
    const spans = await waitFor(() => {
      const finished = exporter.getFinishedSpans();
      return finished.some((s) => s.name === 'POST /api/conversations/:id/messages') && finished.some((s) => s.name === 'nanoclaw.run') && finished;
    });

    const http = spans.find((s) => s.name === 'POST /api/conversations/:id/messages')!;
    const run = spans.find((s) => s.name === 'nanoclaw.run')!;
    const rounds = spans.filter((s) => s.name === 'chat text');
    const multi = spans.find((s) => s.name === 'execute_tool multi_agent')!;
    const agent = spans.find((s) => s.name === 'invoke_agent clock')!;
    const clock = spans.find((s) => s.name === 'execute_tool get_current_time')!;

    expect(http.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/api/conversations/:id/messages', 'http.response.status_code': 200 });
    expect(parentOf(run, spans)).toBe(http);
    expect(run.attributes).toMatchObject({ 'nanoclaw.run.outcome': 'complete', 'gen_ai.conversation.id': conversation.id, 'gen_ai.request.model': 'text' });
    expect(rounds).toHaveLength(4);
    expect(rounds.map((round) => parentOf(round, spans)?.name).sort()).toEqual(['invoke_agent clock', 'invoke_agent clock', 'nanoclaw.run', 'nanoclaw.run']);
    expect(parentOf(multi, spans)).toBe(run);
    expect(parentOf(agent, spans)).toBe(multi);
    expect(parentOf(clock, spans)).toBe(agent);
    expect(agent.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'clock' });
    expect(clock.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_current_time', 'nanoclaw.tool.outcome': 'success' });

    const [first, last] = [rounds.find((r) => r.attributes['gen_ai.usage.input_tokens'] === 40)!, rounds.find((r) => r.attributes['gen_ai.usage.input_tokens'] === 90)!];
    expect(first.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'text',
      'gen_ai.usage.output_tokens': 12,
      'gen_ai.response.finish_reasons': ['tool_calls'],
    });
    expect(last.attributes).toMatchObject({ 'gen_ai.usage.output_tokens': 6, 'gen_ai.response.finish_reasons': ['stop'] });
    const traced = [run, ...rounds, multi, agent, clock];
    expect(new Set(traced.map((s) => s.spanContext().traceId))).toEqual(new Set([http.spanContext().traceId]));
  });

  it('puts the run id, conversation id and trace id on the lines a run logs, and the trace id on its request line', async () => {
    t.sim.script({ kind: 'error', status: 503 }, say('Back again.'));
    const conversation = await createConversation(t, { model: 'text' });
    const events = await readSse(await sendMessage(t.url, conversation.id, { text: 'Try twice' }));
    expect(events.at(-1)!.event).toBe('done');
    const run = await waitFor(() => exporter.getFinishedSpans().find((s) => s.name === 'nanoclaw.run'));
    const retry = lines.find((entry) => entry.msg === 'LLM request failed, retrying');
    expect(retry).toMatchObject({
      run_id: run.attributes['nanoclaw.run.id'],
      conversation_id: conversation.id,
      trace_id: run.spanContext().traceId,
    });
    const requestLine = await waitFor(() => lines.find((entry) => entry.method === 'POST' && entry.path?.endsWith('/messages') && entry.trace_id));
    expect(requestLine.trace_id).toBe(run.spanContext().traceId);
  });
});

describe('traces over OTLP/HTTP', () => {
  let collector: Server;
  const received: Array<{ path: string; type: string; bytes: number }> = [];
  beforeAll(async () => {
    collector = createHttpServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        received.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', bytes });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

  it('sends the spans to <otlp_endpoint>/v1/traces (at the latest when the server closes)', async () => {
    const { port } = collector.address() as { port: number };
    const t = await startTestServer({ tracing: { otlp_endpoint: `http://127.0.0.1:${port}`, service_name: 'nanoclaw-test', sample_ratio: 1 } });
    try {
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    } finally {
      await t.close();
    }
    expect(received.length).toBeGreaterThan(0);
    expect(received[0]).toMatchObject({ path: '/v1/traces' });
    expect(received[0]!.bytes).toBeGreaterThan(0);
  });
});
