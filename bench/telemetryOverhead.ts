/**
 * What metrics and tracing add to each message, two ways:
 *  - end to end: two server processes (the built server) against one simulator, one with metrics and OTLP
 *    tracing on (spans posted to a local sink, metrics collected but not scraped), one with both off; messages sent to them in alternation, and the p50
 *    of the paired differences (on − off) of the time from sending a message to its `done` event;
 *  - the calls alone: the telemetry calls one message with a tool call makes (request, stream, run, two
 *    model calls, one tool call), on (metrics + tracing into a discarding exporter) against off, in µs.
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
  on_p50_ms: number;
  /** p50 of (on − off) over messages sent in alternation. */
  overhead_p50_ms: number;
  /** The telemetry calls of one message alone, µs: off, on. */
  calls_off_us: number;
  calls_on_us: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export async function measureTelemetryOverhead(quick = process.env.BENCH_QUICK === '1'): Promise<TelemetryOverhead> {
  const messages = quick ? 150 : 600;
  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const sink = await startSink();
  const dirs: string[] = [];
  // Each server in its own process (the built one, as `npm start` runs it), so neither pays for the other.
  const start = async (on: boolean): Promise<ServerProcess> => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-bench-telemetry-'));
    dirs.push(dir);
    const config = [
      'log_level: warn',
      'titles: {mode: first_words}',
      'models:',
      `  - {id: text, name: text, api_url: "${sim.chatUrl}"}`,
      ...(on ? ['metrics: {enabled: true}', `tracing: {otlp_endpoint: "${sink.url}"}`] : []),
    ].join('\n');
    writeFileSync(join(dir, 'config.yml'), config);
    return startServerProcess({ cwd: dir, env: { DATA_DIR: join(dir, 'data'), NANOCLAW_CONFIG: join(dir, 'config.yml') } });
  };
  const off = await start(false);
  const on = await start(true);
  try {
    const conversation = async (url: string) =>
      ((await (await fetch(`${url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"text"}' })).json()) as { data: { id: string } }).data.id;
    const ids = { off: await conversation(off.url), on: await conversation(on.url) };
    const send = async (url: string, id: string): Promise<number> => {
      const started = performance.now();
      const res = await fetch(`${url}/api/conversations/${id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"hello"}' });
      const text = await res.text();
      if (!text.includes('event: done')) throw new Error(`The message did not finish: ${text.slice(-300)}`);
      return performance.now() - started;
    };
    // Warm-up, then alternate (which goes first too) so drift on a busy machine hits both alike.
    for (let i = 0; i < 30; i++) {
      await send(off.url, ids.off);
      await send(on.url, ids.on);
    }
    const offTimes: number[] = [];
    const onTimes: number[] = [];
    for (let i = 0; i < messages; i++) {
      if (i % 2 === 0) {
        offTimes.push(await send(off.url, ids.off));
        onTimes.push(await send(on.url, ids.on));
      } else {
        onTimes.push(await send(on.url, ids.on));
        offTimes.push(await send(off.url, ids.off));
      }
    }
    const calls = await measureCalls(quick ? 5_000 : 20_000);
    return {
      messages,
      off_p50_ms: median(offTimes),
      on_p50_ms: median(onTimes),
      overhead_p50_ms: median(onTimes.map((t, i) => t - offTimes[i]!)),
      calls_off_us: calls.off,
      calls_on_us: calls.on,
    };
  } finally {
    await on.stop();
    await off.stop();
    await sink.close();
    await sim.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** The calls one message makes, timed per message, µs. */
async function measureCalls(iterations: number): Promise<{ off: number; on: number }> {
  const discard: SpanExporter = {
    export: (_spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]) => done({ code: 0 }),
    shutdown: async () => {},
  };
  const on = await createTelemetry({ metrics: true, tracing: { serviceName: 'bench', sampleRatio: 1, exporter: discard } });
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
  const time = async (telemetry: Telemetry) => {
    for (let i = 0; i < 1_000; i++) await message(telemetry);
    const started = performance.now();
    for (let i = 0; i < iterations; i++) await message(telemetry);
    return ((performance.now() - started) / iterations) * 1000;
  };
  const result = { off: await time(noTelemetry), on: await time(on) };
  await on.shutdown();
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
