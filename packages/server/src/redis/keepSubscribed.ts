import type { Redis } from 'ioredis';

/**
 * A connection for SUBSCRIBE on which ioredis does not subscribe again by itself after a reconnect
 * (`keepSubscribed` does, with a handler). ioredis's own re-subscription (`autoResubscribe`) sends SUBSCRIBE
 * with no handler on its promise: a connection closed while that one was pending (a shutdown right after
 * Redis came back) made an unhandled rejection, which ends a Node process.
 */
export function subscriberOf(redis: Redis): Redis {
  return redis.duplicate({ autoResubscribe: false });
}

/**
 * Subscribes `connection` (made by `subscriberOf`) to `channel`, now (waited for: a failure is thrown) and
 * after every reconnect (a failure goes to `onError`).
 */
export async function keepSubscribed(connection: Redis, channel: string, onError: (err: unknown) => void): Promise<void> {
  await connection.subscribe(channel);
  connection.on('ready', () => {
    connection.subscribe(channel).catch(onError);
  });
}
