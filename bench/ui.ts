/**
 * Web UI benchmark: a conversation of 2,000 messages against one of 20, in Debian's chromium.
 * Measures time to interactive (last message shown and the composer ready, from navigation start)
 * and frame times while scrolling all the way up (older pages are fetched on the way).
 * Usage: npm run build && npx tsx bench/ui.ts     (env UI_BENCH_MESSAGES=2000)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startSimulator } from '@nanoclaw/llm-sim';
import { startServerProcess, type ServerProcess } from '../packages/server/test/serverProcess.js';

const LONG = Number(process.env.UI_BENCH_MESSAGES ?? 2000);
const SHORT = 20;
const RUNS = 3;

function startServer(dir: string, chatUrl: string): Promise<ServerProcess> {
  writeFileSync(join(dir, 'config.yml'), `log_level: warn\nmodels:\n  - { id: "text:3", api_url: "${chatUrl}" }\n`);
  return startServerProcess({ cwd: dir, env: { DATA_DIR: join(dir, 'data') } });
}

/** A conversation with `messages` stored messages (question + answer pairs through the real API). */
async function seed(url: string, messages: number): Promise<string> {
  const res = await fetch(`${url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const { data } = (await res.json()) as { data: { id: string } };
  for (let i = 1; i <= messages / 2; i++) {
    const send = await fetch(`${url}/api/conversations/${data.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `question ${i}: ${'some words '.repeat(8)}`, tools_enabled: false }),
    });
    await send.text();
  }
  return data.id;
}

const SCROLL_UP_AND_RECORD_FRAMES = `(async () => {
  const el = document.querySelector('.messages');
  const gaps = [];
  let last = performance.now();
  let running = true;
  const tick = (t) => {
    gaps.push(t - last);
    last = t;
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const started = performance.now();
  let stillAtTop = 0;
  while (performance.now() - started < 15000 && stillAtTop < 20) {
    el.scrollBy(0, -600);
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    stillAtTop = el.scrollTop === 0 ? stillAtTop + 1 : 0;
  }
  running = false;
  return gaps.slice(1);
})()`;

interface Reading {
  ttiMs: number;
  frames: number[];
}

async function measure(page: Page, url: string, id: string): Promise<Reading> {
  await page.goto(`${url}/c/${id}`);
  await page.locator('article.message').last().waitFor();
  await page.getByRole('textbox').first().waitFor();
  const ttiMs = await page.evaluate(() => performance.now());
  // Record frame gaps while scrolling to the top step by step, as a reader flicking upward would.
  // (Passed as source text: a compiled function would carry the bundler's helpers into the page.)
  const frames = (await page.evaluate(SCROLL_UP_AND_RECORD_FRAMES)) as number[];
  return { ttiMs, frames };
}

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;
const median = (values: number[]) => pct(values, 50);

async function main(): Promise<void> {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'nc-ui-bench-'));
  const server = await startServer(dir, sim.chatUrl);
  try {
    await run(server.url);
  } finally {
    await server.stop();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(url: string): Promise<void> {
  const server = { url };
  const seedStart = performance.now();
  const shortId = await seed(server.url, SHORT);
  const longId = await seed(server.url, LONG);
  console.log(`seeded ${SHORT} and ${LONG} messages in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  const browser = await chromium.launch({
    executablePath: process.env.NANOCLAW_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const results: Record<string, Reading[]> = { short: [], long: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const [name, id] of [['short', shortId], ['long', longId]] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      results[name]!.push(await measure(page, server.url, id));
      await context.close();
    }
  }
  await browser.close();

  const row = (label: string, pick: (r: Reading[]) => number) => {
    const short = pick(results.short!);
    const long = pick(results.long!);
    const ratio = short > 0 ? `${(long / short).toFixed(2)}x` : 'n/a';
    console.log(`${label.padEnd(40)} ${short.toFixed(1).padStart(10)} ${long.toFixed(1).padStart(12)} ${ratio.padStart(9)}`);
  };
  console.log(`${'measure (median of runs)'.padEnd(40)} ${`${SHORT} msgs`.padStart(10)} ${`${LONG} msgs`.padStart(12)} ${'ratio'.padStart(9)}`);
  row('time to interactive, ms', (r) => median(r.map((x) => x.ttiMs)));
  row('frame time while scrolling up p50, ms', (r) => median(r.map((x) => median(x.frames))));
  row('frame time while scrolling up p95, ms', (r) => median(r.map((x) => pct(x.frames, 95))));
  row('longest frame, ms', (r) => median(r.map((x) => Math.max(...x.frames))));
  row('frames over 50 ms (jank), count', (r) => median(r.map((x) => x.frames.filter((f) => f > 50).length)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
