/**
 * NanoClaw benchmark: the real server (built, as a child process) against the simulator at zero delay,
 * side by side with calling the simulator directly in the same run. Prints figures and ratios.
 * Usage: npm run bench   (env BENCH_QUICK=1 for a shorter run; BENCH_NODE_FLAGS="--max-semi-space-size=2"
 * starts the server with those node flags, to compare memory/speed settings; BENCH_PACED=0 leaves out the
 * paced 1,000-stream load of bench/paced.ts, whose settings it takes from the same BENCH_PACED_* variables)
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createParser } from 'eventsource-parser';
import { startServerProcess, type ServerProcess } from '../packages/server/test/serverProcess.js';
import { measureTelemetryOverhead } from './telemetryOverhead.js';
import { measureQuotaOverhead } from './quotaOverhead.js';
import { measurePaced, pacedSettingsFromEnv } from './paced.js';
import { startSimProcess, type SimProcess } from './simProcess.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const quick = process.env.BENCH_QUICK === '1';
const SERVER_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const TTFE_SAMPLES = quick ? 60 : 300;
const LONG_TOKENS = 2000;
const LONG_WARMUP = quick ? 5 : 20;
const LONG_SAMPLES = quick ? 5 : 15;
const CONCURRENT = 200;
const CONCURRENT_PIECES = 100;
const CONCURRENT_DELAY_MS = 20;

interface StreamReading {
  firstEventMs: number;
  totalMs: number;
  bytes: number;
  events: number;
  gaps: number[];
}

/** Reads an SSE response to its end, timing the first event and every gap between events. */
async function readStream(res: Response, start: number, isEvent: (data: string, event?: string) => boolean): Promise<StreamReading> {
  let firstEventMs = -1;
  let bytes = 0;
  let events = 0;
  let last = 0;
  const gaps: number[] = [];
  const parser = createParser({
    onEvent(message) {
      if (!isEvent(message.data, message.event)) return;
      const now = performance.now();
      if (firstEventMs < 0) firstEventMs = now - start;
      else gaps.push(now - last);
      last = now;
      events++;
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
  return { firstEventMs, totalMs: performance.now() - start, bytes, events, gaps };
}

// Both readers decode each event's JSON, as any real client must to use it.
const isUpstreamToken = (data: string) => data !== '[DONE]' && (JSON.parse(data) as { choices?: Array<{ delta?: unknown }> }).choices?.[0]?.delta !== undefined;
const isServerEvent = (data: string, event?: string) => (event === 'process_step' || event === 'done' || event === 'error') && JSON.parse(data) !== null;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const median = (values: number[]) => percentile(values, 50);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function startServer(dir: string): Promise<ServerProcess & { startupMs: number }> {
  const started = performance.now();
  const server = await startServerProcess({ cwd: dir, execArgv: SERVER_NODE_FLAGS, env: { DATA_DIR: join(dir, 'data') } });
  return { ...server, startupMs: performance.now() - started };
}

class Bench {
  constructor(
    readonly sim: SimProcess,
    readonly url: string,
  ) {}

  async conversation(model: string): Promise<string> {
    const res = await fetch(`${this.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model }) });
    return ((await res.json()) as { data: { id: string } }).data.id;
  }

  async viaServer(model: string, protocol: 'default' | 'v1' = 'default', conversationId?: string): Promise<StreamReading> {
    const id = conversationId ?? (await this.conversation(model));
    const start = performance.now();
    const res = await fetch(`${this.url}/api/conversations/${id}/messages${protocol === 'v1' ? '?protocol=v1' : ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'benchmark', tools_enabled: false }),
    });
    return readStream(res, start, isServerEvent);
  }

  async direct(model: string): Promise<StreamReading> {
    const start = performance.now();
    const res = await fetch(this.sim.chatUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'benchmark' }] }),
    });
    return readStream(res, start, isUpstreamToken);
  }
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const rows: Array<[string, string, string, string, string]> = [];
const row = (what: string, direct: string, server: string, ratio: string, target: string) => rows.push([what, direct, server, ratio, target]);

async function main(): Promise<void> {
  const sim = await startSimProcess();
  const dir = mkdtempSync(join(tmpdir(), 'nc-bench-'));
  const models = ['text:20', 'text:200', 'text:500', 'text:1000', `text:${LONG_TOKENS}`, 'scripted'];
  // Titles from first words: the loads compare one model request per message with the direct baseline.
  // warm_up off: loading the Python sandbox after start (CPU for seconds, ~175 MB) would overlap the first
  // measurements; none of these loads call a tool.
  writeFileSync(join(dir, 'config.yml'), `log_level: warn\nwarm_up: false\ntitles: { mode: first_words }\nmodels:\n${models.map((id) => `  - id: "${id}"\n    api_url: ${sim.chatUrl}\n`).join('')}`);
  const results: Record<string, unknown> = {};

  // Start-up and idle memory, against Node starting an empty script.
  const bareStarts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const script = join(dir, 'bare.mjs');
    writeFileSync(script, "process.send({type:'listening'}); process.disconnect();");
    const child = fork(script, [], { stdio: 'ignore', execArgv: [] });
    await new Promise((r) => child.once('exit', r));
    bareStarts.push(performance.now() - t0);
  }
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const server = await startServer(dir);
    starts.push(server.startupMs);
    await server.stop();
  }
  row('start-up to listening (median of 5), ms', `${fmt(median(bareStarts), 0)} (bare node)`, fmt(median(starts), 0), `${fmt(median(starts) / median(bareStarts))}x`, '≤ 1000 ms');
  results.startup = { bare_node_ms: median(bareStarts), server_ms: median(starts) };

  const server = await startServer(dir);
  const bench = new Bench(sim, server.url);
  await new Promise((r) => setTimeout(r, 500));
  const idleRss = rssMb(server.child.pid!);
  row('idle RSS after start, MB', '', fmt(idleRss, 1), '', '≤ 100 MB');
  results.idle_rss_mb = idleRss;

  // Warm up both paths.
  for (let i = 0; i < 30; i++) {
    await bench.direct('text:20');
    await bench.viaServer('text:20');
  }

  // Time to first event.
  const directTtfe: number[] = [];
  const serverTtfe: number[] = [];
  for (let i = 0; i < TTFE_SAMPLES; i++) {
    directTtfe.push((await bench.direct('text:20')).firstEventMs);
    const id = await bench.conversation('text:20');
    serverTtfe.push((await bench.viaServer('text:20', 'default', id)).firstEventMs);
  }
  for (const p of [50, 95]) {
    const d = percentile(directTtfe, p);
    const s = percentile(serverTtfe, p);
    row(`time to first event p${p}, ms`, fmt(d), fmt(s), `+${fmt(s - d)} ms`, p === 50 ? 'overhead ≤ +1.5 ms' : '');
  }
  results.ttfe = { direct_p50: percentile(directTtfe, 50), server_p50: percentile(serverTtfe, 50), direct_p95: percentile(directTtfe, 95), server_p95: percentile(serverTtfe, 95) };
  const idleAfterWarm = rssMb(server.child.pid!);
  row('RSS after warm-up runs, MB', '', fmt(idleAfterWarm, 1), '', '');

  // One at a time, 20 answers of 200 tokens each at zero delay: the request rate against the direct one.
  const SEQUENTIAL = 20;
  for (let i = 0; i < 5; i++) {
    await bench.direct('text:200');
    await bench.viaServer('text:200');
  }
  const sequentialRate = async (one: (i: number) => Promise<unknown>) => {
    const t0 = performance.now();
    for (let i = 0; i < SEQUENTIAL; i++) await one(i);
    return SEQUENTIAL / ((performance.now() - t0) / 1000);
  };
  const directRates: number[] = [];
  const serverRates: number[] = [];
  for (let i = 0; i < (quick ? 2 : 5); i++) {
    directRates.push(await sequentialRate(() => bench.direct('text:200')));
    // Each message opens a new conversation, created beforehand (the rate is of answers, as direct).
    const ids = await Promise.all(Array.from({ length: SEQUENTIAL }, () => bench.conversation('text:200')));
    serverRates.push(await sequentialRate((n) => bench.viaServer('text:200', 'default', ids[n])));
  }
  row(`${SEQUENTIAL} × 200-token answers one at a time, requests/s (median of ${directRates.length})`, fmt(median(directRates), 1), fmt(median(serverRates), 1), `${fmt((100 * median(serverRates)) / median(directRates), 0)} %`, '≥ 50 %');
  results.sequential_200 = { direct_per_s: median(directRates), server_per_s: median(serverRates) };

  // One long stream: tokens per second. Both paths are warmed up on this length first (as above for the
  // first event): a handful of cold samples would otherwise measure the JIT compiling the merge path.
  for (let i = 0; i < LONG_WARMUP; i++) {
    await bench.direct(`text:${LONG_TOKENS}`);
    await bench.viaServer(`text:${LONG_TOKENS}`);
  }
  const directTps: number[] = [];
  const serverTps: number[] = [];
  for (let i = 0; i < LONG_SAMPLES; i++) {
    directTps.push(LONG_TOKENS / ((await bench.direct(`text:${LONG_TOKENS}`)).totalMs / 1000));
    serverTps.push(LONG_TOKENS / ((await bench.viaServer(`text:${LONG_TOKENS}`)).totalMs / 1000));
  }
  row(`one ${LONG_TOKENS}-token stream, tokens/s (median of ${LONG_SAMPLES})`, fmt(median(directTps), 0), fmt(median(serverTps), 0), `${fmt(median(serverTps) / median(directTps))}x`, '≥ 0.8x');
  results.tokens_per_second = { direct: median(directTps), server: median(serverTps) };

  // Bytes on the wire per token, for growing lengths. The upstream is paced (1 ms a token) so every
  // token arrives on its own, as from a real model; at zero delay the server merges what arrives together.
  const bytes: Record<string, Record<string, number>> = {};
  const paced = (n: number) =>
    sim.script({ kind: 'stream', content: Array.from({ length: n }, (_, i) => `tok${i} `), chunkDelayMs: 1 });
  for (const n of [500, 1000, LONG_TOKENS]) {
    await paced(n);
    const upstream = (await bench.direct('scripted')).bytes / n;
    await paced(n);
    const def = (await bench.viaServer('scripted', 'default')).bytes / n;
    await paced(n);
    const v1 = (await bench.viaServer('scripted', 'v1')).bytes / n;
    bytes[n] = { upstream, default: def, v1 };
    row(`bytes/token, ${n} paced tokens: upstream | default | v1`, fmt(upstream, 1), `${fmt(def, 1)} | ${fmt(v1, 1)}`, `${fmt(def / upstream)}x | ${fmt(v1 / upstream)}x`, 'default ≤ upstream, flat');
  }
  results.bytes_per_token = bytes;

  // 200 concurrent streams, paced like a real model.
  const pieces = Array.from({ length: CONCURRENT_PIECES }, (_, i) => `word${i} `);
  const script = () =>
    sim.script(...Array.from({ length: CONCURRENT }, () => ({ kind: 'stream' as const, content: pieces, chunkDelayMs: CONCURRENT_DELAY_MS })));
  await script();
  const directStart = performance.now();
  const directRuns = await Promise.all(Array.from({ length: CONCURRENT }, () => bench.direct('scripted')));
  const directSeconds = (performance.now() - directStart) / 1000;

  const ids = await Promise.all(Array.from({ length: CONCURRENT }, () => bench.conversation('scripted')));
  await script();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(server.child.pid!))), 50);
  const serverStart = performance.now();
  const serverRuns = await Promise.all(ids.map((id) => bench.viaServer('scripted', 'default', id)));
  const serverSeconds = (performance.now() - serverStart) / 1000;
  clearInterval(sampler);
  const directGaps = directRuns.flatMap((r) => r.gaps);
  const serverGaps = serverRuns.flatMap((r) => r.gaps.slice(0, -1)); // the last gap is the final store before `done`
  const directEvents = directRuns.reduce((a, r) => a + r.events, 0);
  const serverEvents = serverRuns.reduce((a, r) => a + r.events, 0);
  row(`${CONCURRENT} concurrent streams: p99 gap between events, ms`, fmt(percentile(directGaps, 99)), fmt(percentile(serverGaps, 99)), `${fmt(percentile(serverGaps, 99) / percentile(directGaps, 99))}x`, '≤ 100 ms');
  row(`${CONCURRENT} concurrent streams: events/s`, fmt(directEvents / directSeconds, 0), fmt(serverEvents / serverSeconds, 0), `${fmt(serverEvents / serverSeconds / (directEvents / directSeconds))}x`, '');
  row(`${CONCURRENT} concurrent streams: server peak RSS, MB`, '', fmt(peakRss, 1), '', '≤ 300 MB');
  results.concurrent = { streams: CONCURRENT, direct_p99_gap_ms: percentile(directGaps, 99), server_p99_gap_ms: percentile(serverGaps, 99), direct_events_per_s: directEvents / directSeconds, server_events_per_s: serverEvents / serverSeconds, server_peak_rss_mb: peakRss, incomplete: serverRuns.filter((r) => r.events < CONCURRENT_PIECES).length };

  await server.stop();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });

  // The paced load: 1,000 streams at one token every 50 ms (bench/paced.ts), each path on its own.
  if (process.env.BENCH_PACED !== '0') {
    const paced = await measurePaced(pacedSettingsFromEnv(quick));
    rows.push(...paced.rows);
    results.paced = { direct: paced.direct, server: paced.server, ...(paced.baseline && { baseline: paced.baseline }) };
  }

  // Metrics and traces: what they add to a message (bench/telemetryOverhead.ts), against the same server with them off.
  const telemetry = await measureTelemetryOverhead(quick);
  row('per message, metrics on − off: p50 ms (off | on)', fmt(telemetry.off_p50_ms), fmt(telemetry.metrics_p50_ms), `+${fmt(telemetry.metrics_overhead_p50_ms, 3)} ms`, '≤ 0.1 ms');
  row('per message, metrics + tracing on − off: p50 ms (off | on)', fmt(telemetry.off_p50_ms), fmt(telemetry.both_p50_ms), `+${fmt(telemetry.both_overhead_p50_ms, 3)} ms`, '');
  row('telemetry calls of one message, µs: off | metrics | both', fmt(telemetry.calls_off_us, 1), `${fmt(telemetry.calls_metrics_us, 1)} | ${fmt(telemetry.calls_both_us, 1)}`, '', '');
  results.telemetry_overhead = telemetry;
  // Quota checks per message (in-process: check + admit + record for a limited user), as a difference
  // against the same loop without them.
  const quota = await measureQuotaOverhead(quick ? 500 : 2000);
  row('quota checks per message p50, ms: no limit | SQLite | Redis', '', `${fmt(quota.unlimited_p50_ms, 3)} | ${fmt(quota.database_p50_ms, 3)} | ${quota.redis_p50_ms === null ? 'n/a' : fmt(quota.redis_p50_ms, 3)}`, '', '≤ 0.1 ms');
  row('  the same in Redis, messages 1 s apart (one round trip each)', '', quota.redis_spaced_p50_ms === null ? 'n/a' : fmt(quota.redis_spaced_p50_ms, 3), '', '');
  results.quota_overhead = quota;

  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...[['measure', 'direct', 'via NanoClaw', 'ratio', 'target'], ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(line(['measure', 'direct', 'via NanoClaw', 'ratio', 'target']));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/latest.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
