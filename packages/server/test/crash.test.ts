import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@nanoclaw/llm-sim';
import { sseEvents } from './helpers.js';
import { createScratchDatabase, type ScratchDatabase } from './engines.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';

let sim: Simulator;
let dir: string;
/** The engine under test (NANOCLAW_TEST_ENGINE); every restart opens the same database. */
let database: ScratchDatabase;
beforeAll(async () => {
  sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  database = await createScratchDatabase();
  dir = mkdtempSync(join(tmpdir(), 'nc-crash-'));
  writeFileSync(
    join(dir, 'config.yml'),
    `models:\n  - id: slow:100\n    name: slow\n    api_url: ${sim.chatUrl}\ncheckpoint_interval_ms: 100\nlog_level: warn\n`,
  );
});
afterAll(async () => {
  await sim?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The built server as a real child process, on this test's data directory and database. */
function startServer(): Promise<ServerProcess> {
  return startServerProcess({ cwd: dir, env: { DATA_DIR: join(dir, 'data'), ...(database.url !== undefined && { DATABASE_URL: database.url }) } });
}

describe('a server killed mid-answer', () => {
  it('leaves the partial answer stored, marked interrupted after restart (SIGKILL)', async () => {
    const first = await startServer();
    const conversation = (await (await fetch(`${first.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()).data;
    const res = await fetch(`${first.url}/api/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'tell me a long story' }),
    });
    let received = '';
    for await (const event of sseEvents(res)) {
      received += event.data.delta ?? '';
      if (received.length > 40) break;
    }
    // Let at least one checkpoint land, then kill without any chance to clean up.
    await new Promise((r) => setTimeout(r, 300));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startServer();
    try {
      const messages = (await (await fetch(`${second.url}/api/conversations/${conversation.id}/messages`)).json()).data.items;
      expect(messages.map((m: any) => m.role)).toEqual(['user', 'assistant']);
      expect(messages[1].status).toBe('interrupted');
      expect(messages[1].text.length).toBeGreaterThanOrEqual(received.length);
      expect(messages[1].text.startsWith(received)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('stores a running answer as interrupted on SIGTERM', async () => {
    const server = await startServer();
    const conversation = (await (await fetch(`${server.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()).data;
    const res = await fetch(`${server.url}/api/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'another story' }),
    });
    const events = [];
    for await (const event of sseEvents(res)) {
      events.push(event);
      if (events.length === 3) server.child.kill('SIGTERM');
    }
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { status: 'interrupted' } });
    await new Promise((r) => server.child.once('exit', r));
    const again = await startServer();
    try {
      const messages = (await (await fetch(`${again.url}/api/conversations/${conversation.id}/messages`)).json()).data.items;
      expect(messages[1].status).toBe('interrupted');
      expect(messages[1].text.length).toBeGreaterThan(0);
    } finally {
      await again.stop();
    }
  });
});
