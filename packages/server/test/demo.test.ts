import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configSchema } from '@nanoclaw/protocol';
import { createServer, DEMO_MODEL_ID, type NanoclawServer } from '../src/createServer.js';
import { readSse, stepsFromEvents } from './helpers.js';
import { createScratchDatabase, type ScratchDatabase } from './engines.js';

let server: NanoclawServer;
let url: string;
let dataDir: string;
let database: ScratchDatabase;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nc-demo-'));
  database = await createScratchDatabase();
  server = await createServer({ config: configSchema.parse({ data_dir: dataDir, log_level: 'silent', database_url: database.url }), logger: pino({ level: 'silent' }) });
  url = await server.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('with no model configured', () => {
  it('offers one clearly labelled offline demo model', async () => {
    const models = (await (await fetch(`${url}/api/models`)).json()).data;
    expect(models).toEqual([expect.objectContaining({ id: DEMO_MODEL_ID, offline_demo: true, default: true, name: expect.stringMatching(/offline demo/i) })]);
  });

  it('shows thinking, a real tool call and its result through the demo model', async () => {
    const conversation = (await (await fetch(`${url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()).data;
    expect(conversation.model).toBe(DEMO_MODEL_ID);
    const res = await fetch(`${url}/api/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'what is 17*23?' }),
    });
    const events = await readSse(res);
    const steps = stepsFromEvents(events);
    expect(steps.map((s) => s.type)).toEqual(expect.arrayContaining(['thinking', 'tool_call', 'tool_result', 'text']));
    const result = steps.find((s) => s.type === 'tool_result');
    expect(result).toMatchObject({ name: 'calculator', success: true });
    expect(JSON.parse(result.content).result).toBe(391);
    expect(steps.at(-1).content).toContain('391');
    expect(events.at(-1)!.event).toBe('done');
  });
});

describe('token statistics', () => {
  it('answers each period and refuses an unknown one', async () => {
    for (const period of ['daily', 'weekly', 'monthly']) {
      const res = await fetch(`${url}/api/stats/tokens?period=${period}`);
      const body = await res.json();
      expect(body.data.period).toBe(period);
      expect(body.data.series).toHaveLength(period === 'daily' ? 24 : period === 'weekly' ? 7 : 30);
    }
    const bad = await fetch(`${url}/api/stats/tokens?period=yearly`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toContain('"period"');
  });
});
