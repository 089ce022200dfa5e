import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../test/tcpProxy.js';
import { keepSubscribed, subscriberOf } from './keepSubscribed.js';

const redisUrl = new URL(process.env.NANOCLAW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

/** A subscriber reaching Redis through a proxy the test can cut, and a publisher reaching it directly. */
describe('keepSubscribed', () => {
  let proxy: TcpProxy;
  let publisher: Redis;
  const channel = `nc-test-sub-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    publisher = new Redis(redisUrl.href, { lazyConnect: true });
    await publisher.connect();
  });
  afterAll(async () => {
    publisher?.disconnect();
    await proxy?.close();
  });

  async function subscribed(onError: (err: unknown) => void = () => {}) {
    const base = new Redis(`redis://127.0.0.1:${proxy.port}`, { lazyConnect: true, retryStrategy: () => 20, maxRetriesPerRequest: 3 });
    base.on('error', () => {});
    const connection = subscriberOf(base);
    connection.on('error', () => {});
    const heard: string[] = [];
    connection.on('message', (_channel: string, text: string) => heard.push(text));
    await keepSubscribed(connection, channel, onError);
    return { base, connection, heard };
  }

  /** Publishes until the subscriber hears it (it may be re-subscribing). */
  async function heardAfterPublishing(heard: string[], text: string): Promise<void> {
    for (let i = 0; i < 100 && !heard.includes(text); i++) {
      await publisher.publish(channel, text);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(heard).toContain(text);
  }

  async function outage(connection: Redis): Promise<void> {
    await proxy.cut();
    if (connection.status !== 'reconnecting') await once(connection, 'reconnecting');
    await proxy.restore();
  }

  it('hears the channel, and again after Redis was unreachable for a while', async () => {
    const { base, connection, heard } = await subscribed();
    await heardAfterPublishing(heard, 'before');
    await outage(connection);
    await once(connection, 'ready');
    await heardAfterPublishing(heard, 'after');
    connection.disconnect();
    base.disconnect();
  });

  it('leaves no unhandled rejection when the connection is closed while it subscribes again', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const errors: unknown[] = [];
      const { base, connection } = await subscribed((err) => errors.push(err));
      await outage(connection);
      // The moment it is back, the SUBSCRIBE sent again is still waiting for its answer: close now.
      await new Promise<void>((resolve) =>
        connection.once('ready', () => {
          connection.disconnect();
          resolve();
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
      expect(errors.map((err) => (err as Error).message)).toEqual(['Connection is closed.']);
      base.disconnect();
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
