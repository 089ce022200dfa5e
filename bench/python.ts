/**
 * execute_python sandbox benchmark: cold start of a Pyodide worker, latency of `print(1+1)` on a warm
 * worker (p50/p95), and memory. Usage: npx tsx bench/python.ts   (env PY_BENCH_RUNS=200)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configSchema } from '../packages/protocol/src/index.js';
import { createServer } from '../packages/server/src/createServer.js';
import { createPythonPool } from '../packages/server/src/sandbox/pythonPool.js';

const RUNS = Number(process.env.PY_BENCH_RUNS ?? 200);
const COLD_SAMPLES = Number(process.env.PY_BENCH_COLD ?? 3);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const options = { poolSize: 1, maxWorkers: 1, memoryMb: 256, outputMaxChars: 20_000 };
const rssBefore = process.memoryUsage().rss;

// Server start-up with the default config: the sandbox must not load (lazy), so start-up stays fast and light.
const dataDir = mkdtempSync(join(tmpdir(), 'nc-pybench-'));
const serverStarted = performance.now();
const server = await createServer({
  config: configSchema.parse({ data_dir: dataDir, log_level: 'silent', models: [{ id: 'm', api_url: 'http://127.0.0.1:9/v1/chat/completions' }] }),
  logger: pino({ level: 'silent' }),
});
const serverStartMs = performance.now() - serverStarted;
const rssServerIdle = process.memoryUsage().rss;
await server.close();
rmSync(dataDir, { recursive: true, force: true });

// Cold start: a fresh pool's first run (worker start + Pyodide load + the run itself).
const cold: number[] = [];
const pool = createPythonPool(options);
let started = performance.now();
const first = await pool.run('print(1+1)', { level: 'standard' });
cold.push(performance.now() - started);
if (first.stdout !== '2\n') throw new Error(`unexpected output ${JSON.stringify(first)}`);
const rssOneWorker = process.memoryUsage().rss;

// Warm: the same loaded worker, many sequential runs.
for (let i = 0; i < 20; i++) await pool.run('print(1+1)', { level: 'standard' }); // settle JIT
const warm: number[] = [];
const inWorker: number[] = [];
for (let i = 0; i < RUNS; i++) {
  started = performance.now();
  const result = await pool.run('print(1+1)', { level: 'standard' });
  warm.push(performance.now() - started);
  inWorker.push(result.execution_time);
  if (result.stdout !== '2\n') throw new Error(`unexpected output ${JSON.stringify(result)}`);
}
const heavier = performance.now();
await pool.run('import json, re, collections\nsum(i * i for i in range(100000))', { level: 'standard' });
const heavierMs = performance.now() - heavier;
const rssAfter = process.memoryUsage().rss;
await pool.close();

for (let i = 1; i < COLD_SAMPLES; i++) {
  const fresh = createPythonPool(options);
  started = performance.now();
  await fresh.run('print(1+1)', { level: 'standard' });
  cold.push(performance.now() - started);
  await fresh.close();
}

const round = (n: number) => Math.round(n * 100) / 100;
const report = {
  node: process.version,
  cold_start_ms: { samples: cold.map(round), median: round(percentile(cold, 50)) },
  warm_print_ms: { runs: RUNS, p50: round(percentile(warm, 50)), p95: round(percentile(warm, 95)), max: round(Math.max(...warm)) },
  warm_in_worker_ms: { p50: round(percentile(inWorker, 50)), p95: round(percentile(inWorker, 95)) },
  sum_of_squares_1e5_ms: round(heavierMs),
  server_start_ms_sandbox_not_loaded: round(serverStartMs),
  rss_mb: { bench_process: mb(rssBefore), server_idle: mb(rssServerIdle), one_warm_worker: mb(rssOneWorker), after_runs: mb(rssAfter) },
};
console.log(JSON.stringify(report, null, 2));
console.log(`\ncold start ${report.cold_start_ms.median} ms · warm print(1+1) p50 ${report.warm_print_ms.p50} ms, p95 ${report.warm_print_ms.p95} ms · server start ${report.server_start_ms_sandbox_not_loaded} ms, idle RSS ${report.rss_mb.server_idle} MB → ${report.rss_mb.one_warm_worker} MB with one warm worker`);
