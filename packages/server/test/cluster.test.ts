import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer as createNetServer } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { startSimulator, type Simulator } from '@nanoclaw/llm-sim';
import { readSse, sseEvents, stepsFromEvents, waitFor, type SseEvent } from './helpers.js';
import { SERVER_MAIN, startServerProcess, type ServerProcess } from './serverProcess.js';
import { createScratchDatabase, type ScratchDatabase } from './engines.js';
import { redisUrl } from './postgresAdmin.js';

/**
 * `workers: 2`: the built server as a real primary with two worker processes sharing the port, on the engine
 * under test and Redis. Each test pins HTTP connections to one worker (node:cluster hands each new connection
 * to the next worker, and a connection stays with its worker) to prove that runs are shared between them.
 */

let sim: Simulator;
let dir: string;
let database: ScratchDatabase;
let server: ServerProcess;
const agents: Agent[] = [];

interface Health {
  status: 'ok';
  worker?: { id: number; pid: number };
}

/** A client whose requests all go over one connection, so to one worker. */
interface PinnedClient {
  worker: { id: number; pid: number };
  fetch(path: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<Response>;
  json(path: string, init?: { method?: string; body?: unknown }): Promise<any>;
}

async function pinnedClient(url: string): Promise<PinnedClient> {
  const agent = new Agent({ connections: 1, pipelining: 1 });
  agents.push(agent);
  const request: PinnedClient['fetch'] = async (path, init) => (await undiciFetch(`${url}${path}`, { ...init, dispatcher: agent })) as unknown as Response;
  // A connection handed to a worker as it is killed is lost: give up on it rather than wait.
  const health = (await (await request('/healthz', { signal: AbortSignal.timeout(3000) })).json()) as Health;
  if (!health.worker) throw new Error('GET /healthz names no worker');
  return {
    worker: health.worker,
    fetch: request,
    json: async (path, init) =>
      (
        await request(path, {
          method: init?.method ?? 'GET',
          ...(init?.body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
        })
      ).json(),
  };
}

/** One client on each worker. */
async function clientsOnBothWorkers(url: string): Promise<[PinnedClient, PinnedClient]> {
  const byWorker = new Map<number, PinnedClient>();
  for (let i = 0; i < 20 && byWorker.size < 2; i++) {
    const client = await pinnedClient(url);
    if (!byWorker.has(client.worker.id)) byWorker.set(client.worker.id, client);
  }
  if (byWorker.size < 2) throw new Error(`only worker(s) ${[...byWorker.keys()].join(', ')} answered`);
  return [byWorker.get(1)!, byWorker.get(2)!];
}

function writeConfig(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      'log_level: warn',
      'warm_up: false',
      'run_retention_ms: 30000',
      ...lines,
      'models:',
      ...['slow:60', 'slow:200', 'text'].map((id) => `  - id: "${id}"\n    api_url: ${sim.chatUrl}`),
    ].join('\n'),
  );
  return file;
}

function startCluster(config: string): Promise<ServerProcess> {
  return startServerProcess({
    cwd: dir,
    env: { NANOCLAW_CONFIG: config, REDIS_URL: redisUrl, DATA_DIR: join(dir, 'data'), ...(database.url !== undefined && { DATABASE_URL: database.url }) },
  });
}

beforeAll(async () => {
  sim = await startSimulator({ host: '127.0.0.1', port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'nc-cluster-'));
  database = await createScratchDatabase();
  const config = writeConfig('config.yml', ['workers: 2', 'redis:', `  key_prefix: nc-cluster-${randomBytes(4).toString('hex')}`, '  run_ttl_ms: 600', '  sweep_interval_ms: 200']);
  server = await startCluster(config);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await Promise.all(agents.map((agent) => agent.close()));
  await sim?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('workers: 2', () => {
  it('serves requests from both worker processes, each naming itself in GET /healthz', async () => {
    const [one, two] = await clientsOnBothWorkers(server.url);
    expect(one.worker.id).toBe(1);
    expect(two.worker.id).toBe(2);
    expect(one.worker.pid).not.toBe(two.worker.pid);
    expect([one.worker.pid, two.worker.pid]).not.toContain(server.child.pid);
  });

  it('a run started through one worker is followed, whole, through the other', async () => {
    const [one, two] = await clientsOnBothWorkers(server.url);
    const conversation = (await one.json('/api/conversations', { method: 'POST', body: { model: 'slow:60' } })).data;
    const controller = new AbortController();
    const res = await one.fetch(`/api/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'share me' }),
      signal: controller.signal,
    });
    const first: SseEvent[] = [];
    for await (const event of sseEvents(res)) {
      first.push(event);
      if (first.length === 3) break;
    }
    controller.abort();
    expect((await two.json(`/api/conversations/${conversation.id}`)).data.running).toBe(true);
    const conflict = await two.fetch(`/api/conversations/${conversation.id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'second' }) });
    expect(conflict.status).toBe(409);
    const rest = await readSse(await two.fetch(`/api/conversations/${conversation.id}/stream`, { headers: { 'last-event-id': first.at(-1)!.id! } }));
    const all = [...first, ...rest];
    expect(all.map((e) => Number(e.id!.split(':')[1]))).toEqual(all.map((_, i) => i + 1));
    expect(all.at(-1)!.event).toBe('done');
    const messages = (await two.json(`/api/conversations/${conversation.id}/messages`)).data.items;
    expect(messages.map((m: any) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1].status).toBe('complete');
    expect(messages[1].text).toBe(stepsFromEvents(all).map((s) => s.content).join(''));
  });

  it('a run started through one worker is stopped through the other, which stores what it produced', async () => {
    const [one, two] = await clientsOnBothWorkers(server.url);
    const conversation = (await one.json('/api/conversations', { method: 'POST', body: { model: 'slow:200' } })).data;
    const stream = one
      .fetch(`/api/conversations/${conversation.id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'stop me elsewhere' }) })
      .then(readSse);
    await waitFor(async () => (await two.json(`/api/conversations/${conversation.id}`)).data.running, 10_000);
    await new Promise((r) => setTimeout(r, 600));
    const stopped = (await two.json(`/api/conversations/${conversation.id}/stop`, { method: 'POST' })).data;
    expect(stopped.stopped).toBe(true);
    const events = await stream;
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { status: 'stopped' } });
    const answer = (await two.json(`/api/conversations/${conversation.id}/messages`)).data.items[1];
    expect(answer).toMatchObject({ status: 'stopped', id: stopped.message_id });
    expect(answer.text.length).toBeGreaterThan(0);
  });

  it('replaces a worker that was killed, under the same worker number', async () => {
    const [one] = await clientsOnBothWorkers(server.url);
    process.kill(one.worker.pid, 'SIGKILL');
    const replaced = await waitFor(async () => {
      try {
        const client = await pinnedClient(server.url);
        return client.worker.id === 1 && client.worker.pid !== one.worker.pid ? client.worker : null;
      } catch {
        return null;
      }
    }, 30_000);
    expect(replaced.pid).not.toBe(one.worker.pid);
    // Both serve again.
    const [again1, again2] = await clientsOnBothWorkers(server.url);
    expect(again1.worker.pid).toBe(replaced.pid);
    expect((await again2.json('/api/conversations')).code).toBe(0);
  }, 40_000);

  it('on SIGTERM, every worker stores its running answer as interrupted, and the primary exits 0', async () => {
    const [one, two] = await clientsOnBothWorkers(server.url);
    const streams = await Promise.all(
      [one, two].map(async (client) => {
        const conversation = (await client.json('/api/conversations', { method: 'POST', body: { model: 'slow:200' } })).data;
        const res = await client.fetch(`/api/conversations/${conversation.id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'a long one' }) });
        const events = sseEvents(res);
        const first = await events.next();
        return { conversationId: conversation.id as string, first: first.value as SseEvent, rest: (async () => { const seen: SseEvent[] = []; for await (const event of events) seen.push(event); return seen; })() };
      }),
    );
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    for (const stream of streams) expect((await stream.rest).at(-1)).toMatchObject({ event: 'done', data: { status: 'interrupted' } });
    expect(await exited).toBe(0);
    // Stored as interrupted: seen by the next start.
    server = await startCluster(join(dir, 'config.yml'));
    const [reader] = await clientsOnBothWorkers(server.url);
    for (const stream of streams) {
      const items = (await reader.json(`/api/conversations/${stream.conversationId}/messages`)).data.items;
      expect(items[1].status).toBe('interrupted');
      expect(items[1].text.length).toBeGreaterThan(0);
    }
  }, 60_000);
});

/** Runs the built server to its exit; its code and what it printed on stderr. */
function runMain(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [SERVER_MAIN], { cwd: dir, env, timeout: 30_000 }, (_error, _stdout, stderr) => done({ code: child.exitCode, stderr }));
  });
}

describe('workers: 2 start-up problems', () => {
  it('a port in use is said once, by the first worker, and the primary exits 2', async () => {
    const config = writeConfig('busy-port.yml', ['workers: 2']);
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runMain({ ...process.env, NANOCLAW_CONFIG: config, DATA_DIR: join(dir, 'data-busy'), PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redisUrl });
      expect(result).toEqual({ code: 2, stderr: `Port ${port} on 127.0.0.1 is already in use by another program. Choose another with PORT=3000 (or port: in config.yml).\n` });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 40_000);

  it('without Redis, refuses to start, saying why in one sentence, exit code 2', async () => {
    const config = writeConfig('no-redis.yml', ['workers: 2']);
    const env: NodeJS.ProcessEnv = { ...process.env, NANOCLAW_CONFIG: config, DATA_DIR: join(dir, 'data-no-redis'), PORT: '0', HOST: '127.0.0.1' };
    delete env.REDIS_URL;
    const result = await runMain(env);
    expect(result).toEqual({
      code: 2,
      stderr: 'workers: 2 needs Redis, so that every process can follow and stop the runs of the others: set redis_url (or REDIS_URL), or set workers: 1.\n',
    });
  });
});
