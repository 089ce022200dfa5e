/**
 * What metrics and tracing add to each message, two ways:
 *  - end to end: three server processes (the built server) against one simulator: both off, metrics on
 *    (collected, not scraped), metrics and OTLP tracing on (spans posted to a local sink); a message to each
 *    in turn, and the p50 of the paired differences (on − off) of the time from sending a message to its
 *    `done` event (a 20-piece answer);
 *  - the calls alone: the telemetry calls one message with a tool call makes (request, stream, run, two
 *    model calls, one tool call), off, metrics only, metrics and tracing (into a discarding exporter), µs.
 * Usage: npm run bench (part of it), or `tsx bench/telemetryOverhead.ts` alone (BENCH_QUICK=1: fewer samples).
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSimulator } from '@nanoclaw/llm-sim';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { startServerProcess, type ServerProcess } from '../packages/server/test/serverProcess.js';
import { createTelemetry } from '../packages/server/src/telemetry/createTelemetry.js';
import { noTelemetry, type Telemetry } from '../packages/server/src/telemetry/telemetry.js';

export interface TelemetryOverhead {
  messages: number;
  off_p50_ms: number;
  metrics_p50_ms: number;
  both_p50_ms: number;
  /** p50 of (metrics on − off), messages sent in turn. */
  metrics_overhead_p50_ms: number;
  /** p50 of (metrics and tracing on − off). */
  both_overhead_p50_ms: number;
  /** The telemetry calls of one message alone, µs. */
  calls_off_us: number;
  calls_metrics_us: number;
  calls_both_us: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export async function measureTelemetryOverhead(quick = process.env.BENCH_QUICK === '1'): Promise<TelemetryOverhead> {
  const messages = quick ? 150 : 600;
  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const sink = await startSink();
  const dirs: string[] = [];
  // Each server in its own process (the built one, as `npm start` runs it), so neither pays for the other.
  const start = async (settings: string[]): Promise<ServerProcess> => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-bench-telemetry-'));
    dirs.push(dir);
    const config = ['log_level: warn', 'titles: {mode: first_words}', 'models:', `  - {id: text, name: text, api_url: "${sim.chatUrl}"}`, ...settings].join('\n');
    writeFileSync(join(dir, 'config.yml'), config);
    return startServerProcess({ cwd: dir, env: { DATA_DIR: join(dir, 'data'), NANOCLAW_CONFIG: join(dir, 'config.yml') } });
  };
  const servers = [
    await start([]),
    await start(['metrics: {enabled: true}']),
    await start(['metrics: {enabled: true}', `tracing: {otlp_endpoint: "${sink.url}"}`]),
  ];
  try {
    const conversation = async (url: string) =>
      ((await (await fetch(`${url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"text"}' })).json()) as { data: { id: string } }).data.id;
    const ids = await Promise.all(servers.map((server) => conversation(server.url)));
    const send = async (index: number): Promise<number> => {
      const started = performance.now();
      const res = await fetch(`${servers[index]!.url}/api/conversations/${ids[index]}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"hello"}' });
      const text = await res.text();
      if (!text.includes('event: done')) throw new Error(`The message did not finish: ${text.slice(-300)}`);
      return performance.now() - started;
    };
    // Warm-up, then one message to each in turn, starting with another each time, so drift on a busy
    // machine hits all alike.
    for (let i = 0; i < 30; i++) for (const index of [0, 1, 2]) await send(index);
    const times: number[][] = [[], [], []];
    for (let i = 0; i < messages; i++) {
      for (let k = 0; k < 3; k++) {
        const index = (i + k) % 3;
        times[index]!.push(await send(index));
      }
    }
    const [off, metrics, both] = times as [number[], number[], number[]];
    const calls = await measureCalls(quick ? 1_000 : 4_000);
    return {
      messages,
      off_p50_ms: median(off),
      metrics_p50_ms: median(metrics),
      both_p50_ms: median(both),
      metrics_overhead_p50_ms: median(metrics.map((t, i) => t - off[i]!)),
      both_overhead_p50_ms: median(both.map((t, i) => t - off[i]!)),
      calls_off_us: calls.off,
      calls_metrics_us: calls.metrics,
      calls_both_us: calls.both,
    };
  } finally {
    for (const server of servers) await server.stop();
    await sink.close();
    await sim.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** The calls one message makes, timed per message, µs. */
async function measureCalls(iterations: number): Promise<{ off: number; metrics: number; both: number }> {
  const discard: SpanExporter = {
    export: (_spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]) => done({ code: 0 }),
    shutdown: async () => {},
  };
  const metrics = await createTelemetry({ metrics: true, tracing: null });
  const both = await createTelemetry({ metrics: true, tracing: { serviceName: 'bench', sampleRatio: 1, exporter: discard } });
  const message = async (telemetry: Telemetry) => {
    const request = telemetry.httpRequest('POST');
    await request.run(async () => {
      const closed = telemetry.streamOpened('run');
      const run = telemetry.runStarted({ runId: 'r', conversationId: 'c', model: 'text' });
      await run.run(async () => {
        for (const round of [0, 1]) {
          const model = telemetry.modelCall({ model: 'text', provider: '127.0.0.1:1', serverAddress: '127.0.0.1', maxTokens: 1000 });
          model.firstToken();
          model.finish({ finishReason: round === 0 ? 'tool_calls' : 'stop', inputTokens: 100, outputTokens: 20 });
          if (round === 0) {
            const tool = telemetry.toolCall({ tool: 'get_current_time', callId: 'call_1' });
            await tool.run(async () => {});
            tool.finish('success');
          }
        }
      });
      run.finish('complete');
      closed();
    });
    request.finish('/api/conversations/:id/messages', 200);
  };
  // Batches taken in turn, and each setting's fastest batch: on a shared machine, other work only ever
  // adds time, so the fastest batch is the one closest to the cost itself.
  const batch = async (telemetry: Telemetry) => {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) await message(telemetry);
    return ((performance.now() - started) / iterations) * 1000;
  };
  const settings = [noTelemetry, metrics, both];
  for (const telemetry of settings) await batch(telemetry);
  const best = [Infinity, Infinity, Infinity];
  for (let round = 0; round < 7; round++) {
    for (const [index, telemetry] of settings.entries()) best[index] = Math.min(best[index]!, await batch(telemetry));
  }
  const result = { off: best[0]!, metrics: best[1]!, both: best[2]! };
  await both.shutdown();
  return result;
}

/** A stand-in OTLP collector: reads and drops what it is sent. */
async function startSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await measureTelemetryOverhead();
  console.log(JSON.stringify(result, null, 2));
}
