/**
 * Attachments benchmark: a real server (SQLite, database storage) receiving a ~20 MB PDF (text on 400
 * pages plus large embedded images) and a ~10 MB image through POST /api/attachments: upload + sniffing +
 * extraction (PDF, in the worker) + storage time, then the image prepared for a vision model (downscale to
 * 2048 px, base64) through a run against the simulator; the server process's peak RSS throughout
 * (sampled every 20 ms). Usage: npx tsx bench/attachments.ts   (env ATT_BENCH_RUNS=3)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import sharp from 'sharp';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { startSimulator } from '../tools/llm-sim/src/index.js';
import { configSchema } from '../packages/protocol/src/index.js';
import { createServer } from '../packages/server/src/createServer.js';

const RUNS = Number(process.env.ATT_BENCH_RUNS ?? 3);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Noise does not compress: an image of `width`×`height` random pixels is ~3 bytes a pixel as PNG. */
async function noisePng(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
}

async function bigPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const image = await pdf.embedPng(await noisePng(1400, 1400));
  for (let n = 1; n <= 400; n++) {
    const page = pdf.addPage([595, 842]);
    for (let line = 0; line < 40; line++) page.drawText(`Page ${n}, line ${line}: the quick brown fox jumps over the lazy dog.`, { x: 40, y: 800 - line * 18, size: 10, font });
    if (n % 100 === 1) page.drawImage(image, { x: 40, y: 40, width: 200, height: 200 });
  }
  // Every 100th page draws the same embedded image; more distinct images bring the file to ~20 MB.
  for (let i = 0; i < 3; i++) pdf.addPage([595, 842]).drawImage(await pdf.embedPng(await noisePng(1400, 1400)), { x: 0, y: 0, width: 595, height: 842 });
  return Buffer.from(await pdf.save());
}

const pdf = await bigPdf();
const image = await noisePng(1900, 1800);
console.log(`inputs: PDF ${mb(pdf.length)} MB (403 pages), PNG ${mb(image.length)} MB (1900×1800)`);

const sim = await startSimulator({ host: '127.0.0.1', port: 0 });
const dataDir = mkdtempSync(join(tmpdir(), 'nc-attbench-'));
const server = await createServer({
  config: configSchema.parse({
    data_dir: dataDir,
    log_level: 'silent',
    models: [{ id: 'parts', vision: true, api_url: sim.chatUrl, context_window: 200_000 }],
    titles: { mode: 'first_words' },
  }),
  logger: pino({ level: 'silent' }),
});
const url = await server.app.listen({ port: 0, host: '127.0.0.1' });

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const rssIdle = process.memoryUsage().rss;

async function upload(name: string, bytes: Buffer): Promise<{ ms: number; id: string }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const started = performance.now();
  const res = await fetch(`${url}/api/attachments`, { method: 'POST', body: form });
  const body = (await res.json()) as { data: { id: string }; message?: string };
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${body.message}`);
  return { ms: performance.now() - started, id: body.data.id };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results: Record<string, number[]> = { pdf: [], image: [], run: [] };
for (let i = 0; i < RUNS; i++) {
  // A different byte at the end each time: a new sha256, so nothing is skipped as already stored.
  const pdfRun = Buffer.concat([pdf, Buffer.from(`\n%run ${i}\n`)]);
  results.pdf!.push((await upload('big.pdf', pdfRun)).ms);
  const imageRun = Buffer.concat([image, Buffer.from([i])]);
  const { ms, id } = await upload('big.png', imageRun);
  results.image!.push(ms);
  const conversation = ((await (await fetch(`${url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'parts' }) })).json()) as { data: { id: string } }).data;
  const started = performance.now();
  const res = await fetch(`${url}/api/conversations/${conversation.id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'see', attachment_ids: [id] }) });
  const text = await res.text();
  if (!text.includes('event: done')) throw new Error(`run failed: ${text.slice(-300)}`);
  results.run!.push(performance.now() - started);
}
clearInterval(sampler);
console.log(`runs: ${RUNS} (median ms)`);
console.log(`upload + sniff + extract + store, PDF ${mb(pdf.length)} MB: ${median(results.pdf!).toFixed(0)} ms`);
console.log(`upload + sniff + check + store, PNG ${mb(image.length)} MB: ${median(results.image!).toFixed(0)} ms`);
console.log(`run with that image (downscale to 2048 px, base64, to the simulator and back): ${median(results.run!).toFixed(0)} ms`);
console.log(`server process RSS: idle ${mb(rssIdle)} MB, peak ${mb(peak)} MB (this process also builds the request bodies)`);
await server.close();
await sim.close();
rmSync(dataDir, { recursive: true, force: true });
