import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../test/tcpProxy.js';
import { RemoteRunView } from './remoteRunView.js';

const redisUrl = new URL(process.env.NANOCLAW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

describe('RemoteRunView', () => {
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('ends the watch with the error when Redis goes away, and its own connection reports nothing unhandled', async () => {
    const printed = vi.spyOn(console, 'error');
    const redis = new Redis(`redis://127.0.0.1:${proxy.port}`, { lazyConnect: true, retryStrategy: () => 20, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    await redis.connect();
    const streamKey = `nc-test-run-${randomBytes(4).toString('hex')}`;
    const errors: unknown[] = [];
    const view = new RemoteRunView(redis, 'run-1', 'user-1', 'message-1', streamKey, async () => true, (err) => errors.push(err));
    let ended = false;
    const close = view.subscribe(0, () => undefined, () => (ended = true));
    try {
      // The watch waits in a blocking read on a connection of its own; Redis then becomes unreachable.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await proxy.cut();
      await vi.waitFor(() => expect(ended).toBe(true), { timeout: 10_000 });
      expect(errors.length).toBe(1);
      // Reconnection attempts go on meanwhile: none of them may be an unhandled 'error' event.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(printed.mock.calls.filter((args) => String(args[0]).includes('Unhandled error event'))).toEqual([]);
    } finally {
      close();
      await proxy.restore();
      redis.disconnect();
      printed.mockRestore();
    }
  });
});
