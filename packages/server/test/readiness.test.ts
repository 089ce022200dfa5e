import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readinessStatusSchema } from '@nanoclaw/protocol';
import { createScratchDatabase, type ScratchDatabase } from './engines.js';
import { startTestServer, waitFor, type TestServer } from './helpers.js';
import { startTcpProxy, type TcpProxy } from './tcpProxy.js';

/**
 * GET /readyz while PostgreSQL or Redis is unreachable, as the server sees it: both are reached through
 * TCP proxies that are cut and restored (the machine's servers themselves are never touched).
 */
const redisUrl = new URL(process.env.NANOCLAW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
let scratch: ScratchDatabase;
let dbProxy: TcpProxy;
let redisProxy: TcpProxy;
let t: TestServer;

beforeAll(async () => {
  scratch = await createScratchDatabase('postgres');
  const direct = new URL(scratch.url!);
  dbProxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  redisProxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
  const viaProxy = new URL(direct);
  viaProxy.host = `127.0.0.1:${dbProxy.port}`;
  t = await startTestServer({
    database_url: viaProxy.toString(),
    redis_url: `redis://127.0.0.1:${redisProxy.port}`,
    redis: { key_prefix: `nc-ready-${randomBytes(4).toString('hex')}` },
  });
});

afterAll(async () => {
  await dbProxy?.restore().catch(() => {});
  await redisProxy?.restore().catch(() => {});
  await t?.close();
  await dbProxy?.close();
  await redisProxy?.close();
  await scratch?.drop();
});

async function readiness(): Promise<{ status: number; body: ReturnType<typeof readinessStatusSchema.parse> }> {
  const res = await fetch(`${t.url}/readyz`);
  return { status: res.status, body: readinessStatusSchema.parse(await res.json()) };
}

describe('GET /readyz', () => {
  it('answers 503 naming the database while it is unreachable, and 200 once it is back; /healthz stays 200', async () => {
    expect(await readiness()).toEqual({ status: 200, body: { status: 'ok' } });
    await dbProxy.cut();
    const down = await readiness();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^The database (is not reachable|did not answer)/) });
    expect((down.body as { reason: string }).reason).not.toMatch(/Redis/);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    await dbProxy.restore();
    await waitFor(async () => (await readiness()).status === 200, 10_000);
  });

  it('answers 503 naming Redis while it is unreachable, and 200 once it is back', async () => {
    await redisProxy.cut();
    const down = await readiness();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^Redis (is not reachable|did not answer)/) });
    await redisProxy.restore();
    await waitFor(async () => (await readiness()).status === 200, 10_000);
  });
});
