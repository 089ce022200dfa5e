/**
 * `workers: 1` against `workers: 2` (node:cluster, runs shared through Redis) on this machine: plain API
 * requests per second, and many concurrent paced streams. Needs a build (`npm run build`) and Redis at
 * REDIS_URL (default redis://127.0.0.1:6379). Usage: npx tsx bench/cluster.ts [streams=200] [seconds=5]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { startServerProcess } from '../packages/server/test/serverProcess.js';
import { startSimProcess } from './simProcess.js';

const STREAMS = Number(process.argv[2] ?? 200);
const SECONDS = Number(process.argv[3] ?? 5);
const REQUEST_CLIENTS = 64;
/** ms between the pieces of each paced answer (the simulator's `slow` scenario). */
const PIECE_DELAY_MS = 20;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// Many connections: node:cluster hands each new connection to the next worker.
const dispatcher = new Agent({ connections: 512, keepAliveTimeout: 30_000 });
const get = (url: string) => fetch(url, { dispatcher } as RequestInit);
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), dispatcher } as RequestInit);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function requestsPerSecond(url: string): Promise<number> {
  let count = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: REQUEST_CLIENTS }, async () => {
      while (performance.now() < until) {
        const res = await get(`${url}/api/conversations?limit=20`);
        await res.arrayBuffer();
        if (res.ok) count++;
      }
    }),
  );
  return count / SECONDS;
}

async function pacedStreams(url: string): Promise<{ seconds: number; eventsPerSecond: number; p99GapMs: number; complete: number }> {
  const ids = await Promise.all(Array.from({ length: STREAMS }, async () => ((await (await post(`${url}/api/conversations`, { model: `slow:${PIECE_DELAY_MS}` })).json()) as { data: { id: string } }).data.id));
  const gaps: number[] = [];
  let events = 0;
  let complete = 0;
  const start = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      const res = await post(`${url}/api/conversations/${id}/messages`, { text: 'bench', tools_enabled: false });
      const decoder = new TextDecoder();
      let last = performance.now();
      let tail = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const text = tail + decoder.decode(chunk, { stream: true });
        const parts = text.split('\n\n');
        tail = parts.pop() ?? '';
        for (const part of parts) {
          if (!part.includes('event: ')) continue;
          const now = performance.now();
          gaps.push(now - last);
          last = now;
          events++;
          if (part.includes('event: done')) complete++;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { seconds, eventsPerSecond: events / seconds, p99GapMs: percentile(gaps, 99), complete };
}

async function main(): Promise<void> {
  const sim = await startSimProcess();
  const rows: string[] = [];
  try {
    for (const { workers, redis } of [
      { workers: 1, redis: false },
      { workers: 1, redis: true },
      { workers: 2, redis: true },
    ]) {
      const dir = mkdtempSync(join(tmpdir(), 'nc-bench-cluster-'));
      writeFileSync(
        join(dir, 'config.yml'),
        [`workers: ${workers}`, 'warm_up: false', 'log_level: error', 'redis:', `  key_prefix: nc-bench-${randomBytes(4).toString('hex')}`, 'models:', `  - id: "slow:${PIECE_DELAY_MS}"`, `    api_url: ${sim.chatUrl}`].join('\n'),
      );
      const server = await startServerProcess({ cwd: dir, env: { NANOCLAW_CONFIG: join(dir, 'config.yml'), DATA_DIR: join(dir, 'data'), ...(redis && { REDIS_URL: redisUrl }) } });
      try {
        await requestsPerSecond(server.url); // warm the JIT and the connections
        const rps = await requestsPerSecond(server.url);
        const streams = await pacedStreams(server.url);
        rows.push(
          `| ${workers}${redis ? ' + Redis' : ''} | ${rps.toFixed(0)} | ${streams.complete}/${STREAMS} in ${streams.seconds.toFixed(1)} s | ${streams.eventsPerSecond.toFixed(0)} | ${streams.p99GapMs.toFixed(0)} |`,
        );
      } finally {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await sim.close();
    await dispatcher.close();
  }
  console.log(`| workers | GET /api/conversations per s (${REQUEST_CLIENTS} clients) | ${STREAMS} paced streams (${PIECE_DELAY_MS} ms/piece) | events/s | p99 gap, ms |`);
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

await main();
