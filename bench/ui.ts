/**
 * Web UI benchmark: a conversation of 2,000 messages against one of 20, in Debian's chromium.
 * The answers vary as real ones do (short replies, lists, code blocks, KaTeX and a table, a thinking
 * block, a tool card), so message heights differ. Measures, per conversation:
 *  - time to interactive (last message shown and the composer ready, from navigation start) and the
 *    DOM size at that moment (elements, messages);
 *  - frame times while scrolling at reading speed, 300 frames up from the end and back down;
 *  - frame times while flicking all the way up (older pages are fetched on the way), whether the very
 *    first message was reached, and the largest DOM seen on the way; then all the way down again.
 * Usage: npm run build && npx tsx bench/ui.ts     (env UI_BENCH_MESSAGES=2000, UI_BENCH_RUNS=3)
 * A slower machine: UI_BENCH_CPU_THROTTLE=4 runs every page with chromium's CPU throttled that many times.
 * UI_BENCH_SCREENSHOTS=dir saves the long chat just after a flick and a moment later, to look at.
 * Comparing with another build of the UI in the same run, under the same load (e.g. main's, built in
 * another checkout): UI_BENCH_BASELINE_DIST=/path/to/that/packages/web/dist — a second server serves
 * it from the same database, and the runs alternate between the two.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startSimulator, type Simulator } from '@nanoclaw/llm-sim';
import { startServerProcess, type ServerProcess } from '../packages/server/test/serverProcess.js';

const LONG = Number(process.env.UI_BENCH_MESSAGES ?? 2000);
const SHORT = 20;
const RUNS = Number(process.env.UI_BENCH_RUNS ?? 3);
const BASELINE_DIST = process.env.UI_BENCH_BASELINE_DIST;
const CPU_THROTTLE = Number(process.env.UI_BENCH_CPU_THROTTLE ?? 1);
const SCREENSHOTS = process.env.UI_BENCH_SCREENSHOTS;
let screenshotCount = 0;

function startServer(dir: string, chatUrl: string, webDist?: string): Promise<ServerProcess> {
  // Titles from first words: a title request would take the scripted answers meant for the seeded turns.
  writeFileSync(join(dir, 'config.yml'), `log_level: warn\ntitles: { mode: first_words }\nmodels:\n  - { id: "text:3", api_url: "${chatUrl}" }\n`);
  return startServerProcess({ cwd: dir, env: { DATA_DIR: join(dir, 'data'), ...(webDist ? { NANOCLAW_WEB_DIST: webDist } : {}) } });
}

const CODE = ['```python', 'def fib(n):', '    a, b = 0, 1', '    for _ in range(n):', '        a, b = b, a + b', '    return a', '', 'print([fib(i) for i in range(10)])', '```'].join('\n');
const MATH = ['Inline $e^{i\\pi} + 1 = 0$ and a display:', '', '$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$', '', '| n | sum |', '|---|-----|', '| 3 | 6 |', '| 4 | 10 |'].join('\n');
const LIST = ['Here is a plan:', '', '1. **Read** the question twice.', '2. Write down what is known.', '3. Check the answer against an example.', '', 'That is all ' + 'there is to it, '.repeat(6)].join('\n');

/** Queues the simulator's answer to the next question: one of five kinds, by turn number. */
function scriptAnswer(sim: Simulator, turn: number): boolean {
  switch (turn % 5) {
    case 0:
      sim.script({ kind: 'stream', content: 'Sure, done.' });
      return false;
    case 1:
      sim.script({ kind: 'stream', content: LIST });
      return false;
    case 2:
      sim.script({ kind: 'stream', reasoning: 'Fibonacci numbers, iteratively: two variables are enough. '.repeat(3), content: `Like this:\n\n${CODE}` });
      return false;
    case 3:
      sim.script({ kind: 'stream', content: MATH });
      return false;
    default:
      sim.script({ kind: 'stream', toolCalls: [{ name: 'calculator', arguments: '{"expression": "17*23"}' }] }, { kind: 'stream', content: '17 × 23 = **391**.' });
      return true;
  }
}

/** A conversation with `messages` stored messages (question + answer pairs through the real API). */
async function seed(url: string, sim: Simulator, messages: number): Promise<string> {
  const res = await fetch(`${url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const { data } = (await res.json()) as { data: { id: string } };
  for (let i = 1; i <= messages / 2; i++) {
    const tools = scriptAnswer(sim, i);
    const send = await fetch(`${url}/api/conversations/${data.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `question ${i}: ${'some words '.repeat(8)}`, tools_enabled: tools }),
    });
    await send.text();
  }
  return data.id;
}

/**
 * Scrolls the message list `step` px per frame in one direction until it has stayed at that end for 20
 * frames (so older pages fetched on the way are scrolled through too) or `maxFrames` have passed,
 * recording the gap between frames, and the DOM size every 10th frame. Passed as source text: a
 * compiled function would carry the bundler's helpers into the page.
 */
const SCROLL_AND_RECORD_FRAMES = `(async (direction, step, maxFrames) => {
  const el = document.querySelector('.messages');
  const gaps = [];
  let maxElements = 0;
  let maxMessages = 0;
  let last = performance.now();
  let running = true;
  const tick = (t) => {
    gaps.push(t - last);
    last = t;
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const started = performance.now();
  const atEnd = () => direction < 0 ? el.scrollTop <= 0 : el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
  let stillAtEnd = 0;
  for (let frame = 0; frame < maxFrames && performance.now() - started < 120000 && stillAtEnd < 20; frame++) {
    el.scrollBy(0, step * direction);
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    stillAtEnd = atEnd() ? stillAtEnd + 1 : 0;
    if (frame % 10 === 0) {
      maxElements = Math.max(maxElements, document.getElementsByTagName('*').length);
      maxMessages = Math.max(maxMessages, document.querySelectorAll('article.message').length);
    }
  }
  running = false;
  const users = document.querySelectorAll('article[data-role="user"]');
  const firstShown = users.length ? users[0].textContent : '';
  return { frames: gaps.slice(1), ms: performance.now() - started, maxElements, maxMessages, reachedFirst: /question 1:/.test(firstShown) };
})`;

/** Reading speed: 100 px a frame (6,000 px/s, a brisk wheel or trackpad scroll), 300 frames each way. */
const READ = { step: 100, frames: 300 };
/** Flicking: 600 px a frame, all the way. */
const FLICK = { step: 600, frames: 100_000 };

interface Pass {
  frames: number[];
  ms: number;
  maxElements: number;
  maxMessages: number;
  reachedFirst: boolean;
}

interface Reading {
  ttiMs: number;
  elements: number;
  messages: number;
  readUp: Pass;
  readDown: Pass;
  up: Pass;
  down: Pass;
}

async function measure(page: Page, url: string, id: string): Promise<Reading> {
  await page.goto(`${url}/c/${id}`);
  await page.locator('article.message').last().waitFor();
  await page.getByRole('textbox').first().waitFor();
  const ttiMs = await page.evaluate(() => performance.now());
  const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
  const messages = await page.locator('article.message').count();
  const pass = async (direction: number, how: { step: number; frames: number }) =>
    (await page.evaluate(`${SCROLL_AND_RECORD_FRAMES}(${direction}, ${how.step}, ${how.frames})`)) as Pass;
  const readUp = await pass(-1, READ);
  const readDown = await pass(1, READ);
  const up = await pass(-1, FLICK);
  const down = await pass(1, FLICK);
  if (SCREENSHOTS) await screenshotsOfAFlick(page);
  return { ttiMs, elements, messages, readUp, readDown, up, down };
}

/** UI_BENCH_SCREENSHOTS=dir: the long chat just after a 6,000 px jump up (placeholders) and a moment later (rendered in full). */
async function screenshotsOfAFlick(page: Page): Promise<void> {
  mkdirSync(SCREENSHOTS!, { recursive: true });
  const name = `${CPU_THROTTLE}x-${++screenshotCount}`;
  await page.evaluate(() => document.querySelector('.messages')!.scrollBy(0, -6000));
  await page.screenshot({ path: join(SCREENSHOTS!, `${name}-flicked.png`) });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(SCREENSHOTS!, `${name}-settled.png`) });
}

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;
const median = (values: number[]) => pct(values, 50);

async function main(): Promise<void> {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'nc-ui-bench-'));
  const servers: ServerProcess[] = [];
  try {
    const current = await startServer(dir, sim.chatUrl);
    servers.push(current);
    const seedStart = performance.now();
    const ids = { short: await seed(current.url, sim, SHORT), long: await seed(current.url, sim, LONG) };
    console.log(`seeded ${SHORT} and ${LONG} messages in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    const builds: Build[] = [{ name: 'this build', url: current.url }];
    if (BASELINE_DIST) {
      const baseline = await startServer(dir, sim.chatUrl, BASELINE_DIST);
      servers.push(baseline);
      builds.unshift({ name: `baseline (${BASELINE_DIST})`, url: baseline.url });
    }
    await run(builds, ids);
  } finally {
    for (const server of servers) await server.stop();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Build {
  name: string;
  url: string;
}

type Results = Record<'short' | 'long', Reading[]>;

async function run(builds: Build[], ids: Record<'short' | 'long', string>): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env.NANOCLAW_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const results = new Map<Build, Results>(builds.map((build) => [build, { short: [], long: [] }]));
  for (let run = 0; run < RUNS; run++) {
    for (const build of builds) {
      for (const name of ['short', 'long'] as const) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        if (CPU_THROTTLE > 1) await (await context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLE });
        results.get(build)![name].push(await measure(page, build.url, ids[name]));
        await context.close();
      }
    }
  }
  await browser.close();
  console.log('read: 100 px a frame, 300 frames up from the end, then back down; flick: 600 px a frame, to the top, then to the end');
  if (CPU_THROTTLE > 1) console.log(`CPU throttled ${CPU_THROTTLE}× (chromium's Emulation.setCPUThrottlingRate)`);
  for (const build of builds) report(build.name, results.get(build)!);
  if (builds.length === 2) compare(results.get(builds[0]!)!, results.get(builds[1]!)!);
}

interface Measure {
  label: string;
  pick: (readings: Reading[]) => number;
  digits: number;
}

function measures(): Measure[] {
  const list: Measure[] = [];
  const add = (label: string, pick: (r: Reading[]) => number, digits = 1) => list.push({ label, pick, digits });
  add('time to interactive, ms', (r) => median(r.map((x) => x.ttiMs)));
  add('DOM elements when interactive', (r) => median(r.map((x) => x.elements)), 0);
  add('messages in the DOM when interactive', (r) => median(r.map((x) => x.messages)), 0);
  for (const [name, pass] of [
    ['read up', (x: Reading) => x.readUp],
    ['read down', (x: Reading) => x.readDown],
    ['flick up', (x: Reading) => x.up],
    ['flick down', (x: Reading) => x.down],
  ] as const) {
    add(`${name}: frame time p50, ms`, (r) => median(r.map((x) => median(pass(x).frames))));
    add(`${name}: frame time p95, ms`, (r) => median(r.map((x) => pct(pass(x).frames, 95))));
    add(`${name}: longest frame, ms`, (r) => median(r.map((x) => Math.max(...pass(x).frames))));
    add(`${name}: frames over 50 ms (jank), count`, (r) => median(r.map((x) => pass(x).frames.filter((f) => f > 50).length)), 0);
    add(`${name}: whole pass, s`, (r) => median(r.map((x) => pass(x).ms / 1000)), 2);
    add(`${name}: most DOM elements on the way`, (r) => median(r.map((x) => pass(x).maxElements)), 0);
    add(`${name}: most messages in the DOM on the way`, (r) => median(r.map((x) => pass(x).maxMessages)), 0);
  }
  return list;
}

const cell = (value: number, digits: number, width: number) => value.toFixed(digits).padStart(width);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a').padStart(9);

function report(name: string, results: Results): void {
  console.log(`\n${name}`);
  console.log(`${'measure (median of runs)'.padEnd(48)} ${`${SHORT} msgs`.padStart(10)} ${`${LONG} msgs`.padStart(12)} ${'ratio'.padStart(9)}`);
  for (const { label, pick, digits } of measures()) {
    const short = pick(results.short);
    const long = pick(results.long);
    console.log(`${label.padEnd(48)} ${cell(short, digits, 10)} ${cell(long, digits, 12)} ${ratio(long, short)}`);
  }
  const missed = results.long.filter((r) => !r.up.reachedFirst).length + results.short.filter((r) => !r.up.reachedFirst).length;
  if (missed) console.log(`WARNING: ${missed} runs did not reach the first message when scrolling up`);
}

function compare(baseline: Results, current: Results): void {
  console.log(`\n${LONG} messages, side by side`);
  console.log(`${'measure (median of runs)'.padEnd(48)} ${'baseline'.padStart(10)} ${'this build'.padStart(12)} ${'ratio'.padStart(9)}`);
  for (const { label, pick, digits } of measures()) {
    const before = pick(baseline.long);
    const after = pick(current.long);
    console.log(`${label.padEnd(48)} ${cell(before, digits, 10)} ${cell(after, digits, 12)} ${ratio(after, before)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
