import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startSimulator, type Simulator } from '@nanoclaw/llm-sim';
import { readSse, sseEvents, stepsFromEvents, waitFor, type SseEvent } from './helpers.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';
import { adminQuery, databaseUrlFor, redisUrl } from './postgresAdmin.js';

/**
 * Two real server processes over one PostgreSQL database and one Redis: runs started on one are
 * re-attached to, stopped and cleaned up through the other.
 */

let sim: Simulator;
let dir: string;
let dbName: string;
let databaseUrl: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'nc-multi-'));
  dbName = `nc_multi_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${dbName}`);
  databaseUrl = databaseUrlFor(dbName);
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'log_level: warn',
      // No tools are used here; loading them (warm_up) would compete for CPU with the short claim TTL below.
      'warm_up: false',
      'run_retention_ms: 30000',
      'redis:',
      `  key_prefix: nc-test-${randomBytes(4).toString('hex')}`,
      '  run_ttl_ms: 600',
      '  sweep_interval_ms: 200',
      'models:',
      ...['slow:60', 'slow:200', 'text'].map((id) => `  - id: "${id}"\n    api_url: ${sim.chatUrl}`),
    ].join('\n'),
  );
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
  await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
});

async function startInstance(): Promise<ServerProcess> {
  const instance = await startServerProcess({ cwd: dir, env: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NANOCLAW_CONFIG: join(dir, 'config.yml') } });
  children.push(instance.child);
  return instance;
}

async function json(url: string, init?: RequestInit): Promise<any> {
  return (await fetch(url, init)).json();
}

function post(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
}

describe('several instances sharing PostgreSQL and Redis', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    a = await startInstance();
    b = await startInstance();
  });

  it('re-attaches through the second instance and receives the whole event sequence', async () => {
    const conversation = (await json(`${a.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'slow:60' }) })).data;
    const controller = new AbortController();
    const res = await post(`${a.url}/api/conversations/${conversation.id}/messages`, { text: 'share me' }, controller.signal);
    const first: SseEvent[] = [];
    for await (const event of sseEvents(res)) {
      first.push(event);
      if (first.length === 3) break;
    }
    controller.abort();
    // Another instance knows the run is going, refuses a second message, and resumes the stream.
    expect((await json(`${b.url}/api/conversations/${conversation.id}`)).data.running).toBe(true);
    const conflict = await post(`${b.url}/api/conversations/${conversation.id}/messages`, { text: 'second' });
    expect(conflict.status).toBe(409);
    const rest = await readSse(await fetch(`${b.url}/api/conversations/${conversation.id}/stream`, { headers: { 'last-event-id': first.at(-1)!.id! } }));
    const all = [...first, ...rest];
    expect(all.map((e) => Number(e.id!.split(':')[1]))).toEqual(all.map((_, i) => i + 1));
    expect(all.at(-1)!.event).toBe('done');
    const messages = (await json(`${b.url}/api/conversations/${conversation.id}/messages`)).data.items;
    expect(messages.map((m: any) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1].status).toBe('complete');
    expect(messages[1].text).toBe(stepsFromEvents(all).map((s) => s.content).join(''));
    // Protocol v1 through the other instance: whole snapshots rebuilt from the shared stream.
    const v1 = await readSse(await fetch(`${b.url}/api/conversations/${conversation.id}/stream?protocol=v1`));
    expect(v1.filter((e) => e.event === 'process_step').at(-1)!.data.content).toBe(messages[1].text);
  });

  it('stops a run through the second instance; the first stores what it produced', async () => {
    const conversation = (await json(`${a.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'slow:200' }) })).data;
    const stream = post(`${a.url}/api/conversations/${conversation.id}/messages`, { text: 'stop me elsewhere' }).then(readSse);
    await waitFor(async () => (await json(`${b.url}/api/conversations/${conversation.id}`)).data.running, 5000);
    await new Promise((r) => setTimeout(r, 600));
    const stopped = (await json(`${b.url}/api/conversations/${conversation.id}/stop`, { method: 'POST' })).data;
    expect(stopped.stopped).toBe(true);
    const events = await stream;
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { status: 'stopped' } });
    const answer = (await json(`${b.url}/api/conversations/${conversation.id}/messages`)).data.items[1];
    expect(answer).toMatchObject({ status: 'stopped', id: stopped.message_id });
    expect(answer.text.length).toBeGreaterThan(0);
  });

  it('marks the answer of an instance that died as interrupted, through the survivor', async () => {
    const conversation = (await json(`${a.url}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'slow:200' }) })).data;
    const res = await post(`${a.url}/api/conversations/${conversation.id}/messages`, { text: 'then crash' });
    let seen = 0;
    for await (const _event of sseEvents(res)) if (++seen === 3) break;
    await new Promise((r) => setTimeout(r, 300));
    a.child.kill('SIGKILL');
    const answer = await waitFor(async () => {
      const items = (await json(`${b.url}/api/conversations/${conversation.id}/messages`)).data.items;
      return items[1]?.status === 'interrupted' ? items[1] : null;
    }, 10_000);
    expect(answer.text.length).toBeGreaterThan(0);
    expect((await json(`${b.url}/api/conversations/${conversation.id}`)).data.running).toBe(false);
    // The conversation is usable again from the survivor.
    await fetch(`${b.url}/api/conversations/${conversation.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'text' }) });
    const again = await readSse(await post(`${b.url}/api/conversations/${conversation.id}/messages`, { text: 'after the crash' }));
    expect(again.at(-1)!.event).toBe('done');
  });
});
