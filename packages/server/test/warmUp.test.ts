import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configSchema } from '@nanoclaw/protocol';
import { startSimulator, type Simulator } from '@nanoclaw/llm-sim';
import { createServer, type NanoclawServer } from '../src/createServer.js';
import { readSse, stepsFromEvents } from './helpers.js';
import { createScratchDatabase, type ScratchDatabase } from './engines.js';

/** warm_up: the tools' workers load in the background once the server listens (serve() calls warmUp() then). */

let sim: Simulator;
let dataDir: string;
let database: ScratchDatabase;
const servers: NanoclawServer[] = [];

beforeAll(async () => {
  sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  dataDir = mkdtempSync(join(tmpdir(), 'nc-warm-'));
  database = await createScratchDatabase();
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await sim?.close();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(warmUp: boolean): Promise<{ server: NanoclawServer; url: string }> {
  const config = configSchema.parse({
    data_dir: dataDir,
    database_url: database.url,
    log_level: 'silent',
    warm_up: warmUp,
    models: [{ id: 'tool-call', api_url: sim.chatUrl }],
  });
  const server = await createServer({ config, logger: pino({ level: 'silent' }) });
  servers.push(server);
  const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  return { server, url };
}

async function askForCalculation(url: string): Promise<unknown> {
  const conversation = (await (await fetch(`${url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tool-call' }) })).json()).data;
  const events = await readSse(
    await fetch(`${url}/api/conversations/${conversation.id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'what is 17*23?' }) }),
  );
  return stepsFromEvents(events).find((step) => step.type === 'tool_result');
}

describe('warm_up', () => {
  it('loads the calculator and the Python pool in the background; the server answers meanwhile, and the first calculation starts no worker', async () => {
    const { server, url } = await start(true);
    expect(server.toolWorkers().calculator.started).toBe(0);
    let warmed = false;
    const warming = server.warmUp().then(() => (warmed = true));
    // Pyodide alone takes seconds to load: requests are answered long before.
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${url}/api/models`)).status).toBe(200);
    expect(warmed).toBe(false);
    await warming;
    const ready = server.toolWorkers();
    expect(ready.calculator).toEqual({ live: 1, idle: 1, started: 1 });
    expect(ready.python).toMatchObject({ idle: 1, started: 1 });
    expect(await askForCalculation(url)).toMatchObject({ name: 'calculator', success: true });
    expect(server.toolWorkers().calculator).toEqual({ live: 1, idle: 1, started: 1 });
  }, 120_000);

  it('off: warmUp() loads nothing, and the first calculation starts the worker', async () => {
    const { server, url } = await start(false);
    await server.warmUp();
    expect(server.toolWorkers().calculator.started).toBe(0);
    expect(server.toolWorkers().python.started).toBe(0);
    expect(await askForCalculation(url)).toMatchObject({ name: 'calculator', success: true });
    expect(server.toolWorkers().calculator.started).toBe(1);
  }, 60_000);
});
