/**
 * The paced load (issue: a thousand streams): 1,000 concurrent streams, each a 100-token answer at one
 * token every 50 ms, 3,000 requests in all, against the simulator directly and through NanoClaw (a fresh
 * SQLite data directory) in the same run. Prints errors, first event, gaps between events, conversation
 * creation, server CPU per streamed token and memory per open stream.
 *
 * Usage: npm run bench:paced (also part of `npm run bench`)
 *   BENCH_PACED_STREAMS=1000 BENCH_PACED_REQUESTS=3000 BENCH_PACED_TOKENS=100 BENCH_PACED_DELAY_MS=50
 *   BENCH_WORKERS=2 (the server's `workers:` setting; > 1 uses Redis at REDIS_URL or 127.0.0.1:6379)
 *   BENCH_WARM_UP=1 (keep `warm_up` on: the Python sandbox loaded after start, as by default; off here)
 *   BENCH_PACED_RAMP=250,500,1000,1500 (concurrency levels: throughput at each, and the highest level whose
 *     gap p99 stays within direct + 40 ms)
 *   BENCH_PACED_CONFIG="checkpoint_interval_ms: 60000" (more lines of the server's config.yml, to see what a
 *     setting costs)
 *   BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (node flags for the server, e.g. to profile it;
 *     `npx tsx bench/profileSummary.ts /tmp/prof/<file>.cpuprofile` lists where the time went)
 *   BENCH_BASELINE_MAIN=/path/to/other/packages/server/dist/main.js (another build, e.g. of main, under the
 *     same load in the same run: CPU per token as a ratio)
 *   BENCH_BASELINE_NODE_FLAGS="--max-semi-space-size=4" (the baseline run with these node flags instead of
 *     BENCH_NODE_FLAGS; without BENCH_BASELINE_MAIN, this build is its own baseline: what a flag costs or saves)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServerProcess, type ServerProcess } from '../packages/server/test/serverProcess.js';
import { directTarget, emptyResult, runPacedLoad, serverTarget, type PacedLoadResult } from './pacedLoad.js';
import { treeCpuSeconds, treeRssMb } from './processStats.js';
import { startSimProcess, type SimProcess } from './simProcess.js';


export interface PacedSettings {
  streams: number;
  requests: number;
  tokens: number;
  tokenDelayMs: number;
  workers: number;
  nodeFlags: string[];
  /** Another build's server (its dist/main.js), run under the same load in the same run, as the baseline. */
  baselineMain?: string;
  /** Node flags of the baseline run (this build's, when no other build is given). */
  baselineNodeFlags?: string[];
}

export function pacedSettingsFromEnv(quick = process.env.BENCH_QUICK === '1'): PacedSettings {
  const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
  return {
    streams: num('BENCH_PACED_STREAMS', quick ? 250 : 1000),
    requests: num('BENCH_PACED_REQUESTS', quick ? 500 : 3000),
    tokens: num('BENCH_PACED_TOKENS', 100),
    tokenDelayMs: num('BENCH_PACED_DELAY_MS', 50),
    workers: num('BENCH_WORKERS', 1),
    nodeFlags: (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
    ...(process.env.BENCH_BASELINE_MAIN && { baselineMain: resolve(process.env.BENCH_BASELINE_MAIN) }),
    ...(process.env.BENCH_BASELINE_NODE_FLAGS !== undefined && { baselineNodeFlags: process.env.BENCH_BASELINE_NODE_FLAGS.split(' ').filter(Boolean) }),
  };
}

export interface PacedFigures {
  errors: number;
  first_error?: string;
  requests: number;
  seconds: number;
  requests_per_s: number;
  tokens_per_s: number;
  first_event_p50_ms: number;
  first_event_p95_ms: number;
  gap_p99_ms: number;
  gap_max_ms: number;
  create_p50_ms?: number;
  create_p95_ms?: number;
  cpu_seconds?: number;
  cpu_us_per_token?: number;
  idle_rss_mb?: number;
  /** The most streams open at once when the memory was read. */
  open_streams?: number;
  rss_at_streams_mb?: number;
  kb_per_stream?: number;
  end_rss_mb?: number;
}

export function percentile(values: number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function figuresOf(result: PacedLoadResult): PacedFigures {
  return {
    errors: result.errors,
    ...(result.firstError ? { first_error: result.firstError } : {}),
    requests: result.requests,
    seconds: result.seconds,
    requests_per_s: result.requests / result.seconds,
    tokens_per_s: result.tokens / result.seconds,
    first_event_p50_ms: percentile(result.firstEventMs, 50),
    first_event_p95_ms: percentile(result.firstEventMs, 95),
    gap_p99_ms: percentile(result.gapMs, 99),
    gap_max_ms: result.gapMs.reduce((a, b) => Math.max(a, b), 0),
    ...(result.createMs.length ? { create_p50_ms: percentile(result.createMs, 50), create_p95_ms: percentile(result.createMs, 95) } : {}),
  };
}

export type PacedSim = SimProcess;

/** The simulator in a process of its own, every answer paced at `tokenDelayMs` a token. */
export const startPacedSim = (tokenDelayMs: number): Promise<PacedSim> => startSimProcess(tokenDelayMs);

export interface PacedServer {
  server: ServerProcess;
  dir: string;
  close(): Promise<void>;
}

/** The built server on a fresh SQLite data directory, its one model the paced simulator's `text:<tokens>`. */
export async function startPacedServer(sim: PacedSim, settings: PacedSettings, main?: string, nodeFlags = settings.nodeFlags): Promise<PacedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nc-bench-paced-'));
  const lines = [
    'log_level: warn',
    ...(process.env.BENCH_PACED_CONFIG ? [process.env.BENCH_PACED_CONFIG] : []),
    'titles: { mode: first_words }',
    // The tools are not used here: a warmed Python sandbox would add its fixed ~175 MB (and its loading
    // CPU) to figures about streaming. BENCH_WARM_UP=1 leaves it on, as a default install has it.
    ...(process.env.BENCH_WARM_UP === '1' ? [] : ['warm_up: false']),
    `models:\n  - id: "text:${settings.tokens}"\n    api_url: ${sim.chatUrl}`,
    ...(settings.workers > 1 ? [`workers: ${settings.workers}`, `redis_url: "${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}"`, `redis: { key_prefix: "nc-bench-${process.pid}" }`] : []),
  ];
  writeFileSync(join(dir, 'config.yml'), lines.join('\n') + '\n');
  const env: NodeJS.ProcessEnv = { DATA_DIR: join(dir, 'data'), NANOCLAW_CONFIG: join(dir, 'config.yml') };
  // An older build may not know a setting used here (warm_up): it goes without it.
  if (main) env.NANOCLAW_IGNORE_UNKNOWN_CONFIG = '1';
  const server = await startServerProcess({ cwd: dir, main, execArgv: nodeFlags, env });
  return {
    server,
    dir,
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One paced load through the server, with its CPU and memory. */
export async function pacedThroughServer(pacedServer: PacedServer, settings: PacedSettings, streams = settings.streams, requests = settings.requests): Promise<PacedFigures> {
  const pid = pacedServer.server.child.pid!;
  const model = `text:${settings.tokens}`;
  const target = serverTarget(pacedServer.server.url, model);
  // Warm-up: a few requests, so the JIT and the database are warm as on a running server.
  await runPacedLoad(target, { streams: 20, requests: 60, tokens: settings.tokens });
  await settle(1000);
  const idleRss = treeRssMb(pid);
  // Memory with the most streams open at once: read whenever more streams are open than at any reading before.
  let rssAtStreams = 0;
  let openAtReading = 0;
  const live = emptyResult();
  const sampler = setInterval(() => {
    if (live.streaming <= openAtReading) return;
    openAtReading = live.streaming;
    rssAtStreams = treeRssMb(pid);
  }, 100);
  const cpuBefore = treeCpuSeconds(pid);
  const result = await runPacedLoad(target, { streams, requests, tokens: settings.tokens }, live);
  const cpuSeconds = treeCpuSeconds(pid) - cpuBefore;
  clearInterval(sampler);
  await settle(2000);
  return {
    ...figuresOf(result),
    cpu_seconds: cpuSeconds,
    cpu_us_per_token: (cpuSeconds * 1e6) / Math.max(1, (result.requests - result.errors) * settings.tokens),
    idle_rss_mb: idleRss,
    // Only when streams were open together long enough to be read (not for very short answers).
    ...(openAtReading > 0 && { open_streams: openAtReading, rss_at_streams_mb: rssAtStreams, kb_per_stream: ((rssAtStreams - idleRss) * 1024) / openAtReading }),
    end_rss_mb: treeRssMb(pid),
  };
}

export async function pacedDirect(sim: PacedSim, settings: PacedSettings, streams = settings.streams, requests = settings.requests): Promise<PacedFigures> {
  const target = directTarget(sim.chatUrl, `text:${settings.tokens}`);
  await runPacedLoad(target, { streams: 20, requests: 60, tokens: settings.tokens });
  return figuresOf(await runPacedLoad(target, { streams, requests, tokens: settings.tokens }));
}

const fmt = (n: number | undefined, digits = 0) => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : '–');

/** The issue's table: direct beside NanoClaw. */
export function pacedRows(settings: PacedSettings, direct: PacedFigures, server: PacedFigures): Array<[string, string, string, string, string]> {
  const label = `${settings.streams} paced streams (${settings.tokens} tokens, ${settings.tokenDelayMs} ms each, ${settings.requests} requests${settings.workers > 1 ? `, ${settings.workers} workers` : ''})`;
  return [
    [`${label}: errors`, String(direct.errors), String(server.errors), '', '0'],
    [`  time to first event p50 / p95, ms`, `${fmt(direct.first_event_p50_ms)} / ${fmt(direct.first_event_p95_ms)}`, `${fmt(server.first_event_p50_ms)} / ${fmt(server.first_event_p95_ms)}`, `+${fmt(server.first_event_p95_ms - direct.first_event_p95_ms)} ms (p95)`, 'p95 ≤ direct + 200 ms'],
    [`  gap between events p99 / max, ms`, `${fmt(direct.gap_p99_ms)} / ${fmt(direct.gap_max_ms)}`, `${fmt(server.gap_p99_ms)} / ${fmt(server.gap_max_ms)}`, `+${fmt(server.gap_p99_ms - direct.gap_p99_ms)} ms (p99)`, 'p99 ≤ direct + 40 ms'],
    [`  create conversation p50 / p95, ms`, '–', `${fmt(server.create_p50_ms)} / ${fmt(server.create_p95_ms)}`, '', ''],
    [`  requests/s | tokens/s`, `${fmt(direct.requests_per_s, 1)} | ${fmt(direct.tokens_per_s)}`, `${fmt(server.requests_per_s, 1)} | ${fmt(server.tokens_per_s)}`, `${fmt(server.tokens_per_s / direct.tokens_per_s, 2)}x`, ''],
    [`  server CPU: s in all | µs per streamed token`, '', `${fmt(server.cpu_seconds, 1)} | ${fmt(server.cpu_us_per_token, 1)}`, '', '≤ half of before'],
    [`  server RSS idle | with the most streams open | end, MB`, '', `${fmt(server.idle_rss_mb)} | ${fmt(server.rss_at_streams_mb)} | ${fmt(server.end_rss_mb)}`, '', 'end ≤ 250 MB'],
    [`  memory per open stream (${fmt(server.open_streams)} open), KB`, '', fmt(server.kb_per_stream), '', '≤ 100 KB'],
  ];
}

type Rows = Array<[string, string, string, string, string]>;

async function throughServer(sim: PacedSim, settings: PacedSettings, main?: string, nodeFlags?: string[]): Promise<PacedFigures> {
  const pacedServer = await startPacedServer(sim, settings, main, nodeFlags);
  try {
    return await pacedThroughServer(pacedServer, settings);
  } finally {
    await pacedServer.close();
  }
}

/** The paced load direct and through this build (and through the baseline build, when one is given). */
export async function measurePaced(settings: PacedSettings): Promise<{ direct: PacedFigures; server: PacedFigures; baseline?: PacedFigures; rows: Rows }> {
  const sim = await startPacedSim(settings.tokenDelayMs);
  try {
    const direct = await pacedDirect(sim, settings);
    const server = await throughServer(sim, settings);
    const rows = pacedRows(settings, direct, server);
    const { baselineMain, baselineNodeFlags } = settings;
    if (!baselineMain && !baselineNodeFlags) return { direct, server, rows };
    const baseline = await throughServer(sim, settings, baselineMain, baselineNodeFlags);
    const name = [baselineMain, baselineNodeFlags && `node ${baselineNodeFlags.join(' ') || 'without flags'}`].filter(Boolean).join(', ');
    rows.push(...pacedRows(settings, direct, baseline).map(([what, ...rest]): Rows[number] => [`baseline (${name}) ${what.trim()}`, ...rest]));
    rows.push([`  CPU per token: this build / baseline`, '', '', `${fmt(server.cpu_us_per_token! / baseline.cpu_us_per_token!, 2)}x`, '≤ 0.5x']);
    return { direct, server, baseline, rows };
  } finally {
    await sim.close();
  }
}

/** Concurrency levels: throughput and gaps at each, direct and through the server. */
async function ramp(settings: PacedSettings, levels: number[]): Promise<void> {
  const sim = await startPacedSim(settings.tokenDelayMs);
  const pacedServer = await startPacedServer(sim, settings);
  try {
    console.log(`workers: ${settings.workers}; per level: ${'streams'.padEnd(8)} requests = 2 × streams`);
    console.log(['streams', 'direct tok/s', 'direct gap p99', 'server tok/s', 'server gap p99', 'first event p95 (d | s)', 'errors', 'within direct + 40 ms'].join('\t'));
    let best = 0;
    for (const streams of levels) {
      const direct = await pacedDirect(sim, settings, streams, streams * 2);
      const server = await pacedThroughServer(pacedServer, settings, streams, streams * 2);
      const within = server.errors === 0 && server.gap_p99_ms <= direct.gap_p99_ms + 40;
      if (within) best = Math.max(best, server.tokens_per_s);
      console.log([streams, fmt(direct.tokens_per_s), fmt(direct.gap_p99_ms), fmt(server.tokens_per_s), fmt(server.gap_p99_ms), `${fmt(direct.first_event_p95_ms)} | ${fmt(server.first_event_p95_ms)}`, server.errors, within ? 'yes' : 'no'].join('\t'));
    }
    console.log(`highest throughput within direct + 40 ms gap p99: ${fmt(best)} tokens/s`);
  } finally {
    await pacedServer.close();
    await sim.close();
  }
}

async function main(): Promise<void> {
  const settings = pacedSettingsFromEnv();
  if (process.env.BENCH_PACED_RAMP) {
    await ramp(settings, process.env.BENCH_PACED_RAMP.split(',').map(Number));
    return;
  }
  const { rows, ...figures } = await measurePaced(settings);
  for (const r of rows) console.log(r.filter(Boolean).join('  |  '));
  console.log(JSON.stringify(figures, null, 2));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
