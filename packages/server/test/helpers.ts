import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { applyProcessStep, configSchema, decodeRunEvent, type ConfigInput, type Step } from '@nanoclaw/protocol';
import { startSimulator, type Simulator } from '@nanoclaw/llm-sim';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createServer, type NanoclawServer } from '../src/createServer.js';
import { parseDatabaseUrl, type DialectName } from '../src/db/index.js';
import { createScratchDatabase, testServerEngine } from './engines.js';

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

export interface TestServer {
  url: string;
  sim: Simulator;
  server: NanoclawServer;
  dataDir: string;
  /** The database engine this server runs on (NANOCLAW_TEST_ENGINE, see engines.ts). */
  engine: DialectName;
  /** JSON request against the API; answers the parsed envelope and status. */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: { code: number; data: T; message?: string } }>;
  close(): Promise<void>;
}

/** Model ids the simulator understands (see tools/llm-sim) mapped to configured models. */
export const SCENARIO_MODELS = [
  'text', 'reasoning', 'tool-call', 'parallel-tools', 'split-args', 'usage', 'usage-none', 'rate-limit', 'rate-limit:9',
  'error-500', 'error-503', 'hang', 'disconnect', 'stall', 'slow', 'slow:50', 'slow:200', 'tool-loop', 'echo', 'demo', 'text:2000', 'parts', 'parts:blind',
];

/**
 * A real NanoClaw on a free port, every model pointed at a fresh simulator. Its database is SQLite in a
 * temp dir, or with NANOCLAW_TEST_ENGINE=postgres|mysql a fresh database on that server, dropped on
 * close (unless `database_url` is given). `now` gives the server a controlled clock.
 */
export async function startTestServer(
  overrides: Partial<ConfigInput> & { modelOverrides?: Record<string, object>; now?: () => Date; logger?: pino.Logger; spanExporter?: SpanExporter } = {},
): Promise<TestServer> {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'nc-test-'));
  const { modelOverrides = {}, now, logger = pino({ level: 'silent' }), spanExporter, ...rest } = overrides;
  const engine = testServerEngine();
  const scratch = rest.database_url === undefined ? await createScratchDatabase(engine) : null;
  const config = configSchema.parse({
    host: '127.0.0.1',
    port: 0,
    data_dir: dataDir,
    log_level: 'silent',
    models: SCENARIO_MODELS.map((id) => ({ id, name: id, api_url: sim.chatUrl, ...(modelOverrides[id] ?? {}) })),
    default_model: 'text',
    llm: { timeout_ms: 2000, max_retries: 2, retry_base_ms: 10, retry_max_ms: 50 },
    checkpoint_interval_ms: 50,
    // Titles from the question's first words, as the original; title requests to the simulator are tested on their own.
    titles: { mode: 'first_words' },
    ...(scratch?.url !== undefined && { database_url: scratch.url }),
    ...rest,
  });
  let server: NanoclawServer;
  try {
    server = await createServer({ config, logger, ...(now && { now }), ...(spanExporter && { spanExporter }) });
  } catch (err) {
    await scratch?.drop();
    await sim.close();
    throw err;
  }
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const api: TestServer['api'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${address}${path}`, {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json', ...headers } : headers,
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  return {
    url: address,
    sim,
    server,
    dataDir,
    engine: rest.database_url === undefined ? engine : parseDatabaseUrl(rest.database_url, dataDir).dialect,
    api,
    async close() {
      await server.close();
      await scratch?.drop();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads a whole SSE response into events (data parsed as JSON). */
export async function readSse(res: Response): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of sseEvents(res)) events.push(event);
  return events;
}

export async function* sseEvents(res: Response): AsyncGenerator<SseEvent> {
  if (!res.body) throw new Error('no body');
  const stream = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const message of stream) {
    const event = message.event ?? 'message';
    // Every run event the server sends is checked against the protocol's contract, in every HTTP test.
    if (RUN_EVENT_NAMES.has(event)) {
      const decoded = decodeRunEvent(event, message.data);
      if (!decoded.ok) throw new Error(`The server sent an event outside the contract: ${decoded.error}\n${message.data}`);
    }
    yield { id: message.id, event, data: JSON.parse(message.data) };
  }
}

const RUN_EVENT_NAMES = new Set(['process_step', 'done', 'error']);

/** POSTs a message and returns the raw streaming response. */
export function sendMessage(url: string, conversationId: string, body: object, init: { query?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  return fetch(`${url}/api/conversations/${conversationId}/messages${init.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    body: JSON.stringify(body),
    signal: init.signal,
  });
}

export async function createConversation(t: TestServer, fields: object = {}): Promise<any> {
  const { status, body } = await t.api('POST', '/api/conversations', fields);
  if (status !== 200) throw new Error(`create conversation failed: ${status} ${JSON.stringify(body)}`);
  return body.data;
}

/** Rebuilds the steps a client sees from the events (as the web does, with the protocol's applyProcessStep). */
export function stepsFromEvents(events: SseEvent[]): Step[] {
  const steps: Step[] = [];
  for (const { event, data } of events) if (event === 'process_step') applyProcessStep(steps, data);
  return steps;
}

/**
 * Waits, when less than `needMs` of the current UTC minute is left, for the next one to begin: a test that
 * counts model requests per minute must not see the count start again under it at the minute's end.
 */
export async function withinOneMinute(needMs = 10_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
