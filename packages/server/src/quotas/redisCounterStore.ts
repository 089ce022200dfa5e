import { logConnectionOutages } from '../telemetry/connectionOutageLog.js';
import type { Redis } from 'ioredis';
import type { CounterStore, CounterValue } from './counterStore.js';

/**
 * Adds to a counter; a new (or expired, hence gone) one gets its expiry. Answers the value and the
 * milliseconds it still lives, in one round trip.
 */
const ADD_SCRIPT = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2]) - tonumber(ARGV[3])
end
return {value, ttl}
`;

/** Counters shared by every instance through Redis (see counterStore.ts): expiry is Redis's own. */
export class RedisCounterStore implements CounterStore {
  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly nowMs: () => number,
  ) {}

  static async connect(options: { url: string; keyPrefix: string; now?: () => number; logger?: { warn(obj: object, msg?: string): void } }): Promise<RedisCounterStore> {
    // Imported here: a server without Redis never loads the client.
    const { Redis } = await import('ioredis');
    const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
    if (options.logger) logConnectionOutages(redis, 'Redis (quotas)', options.logger);
    await redis.connect();
    redis.defineCommand('nanoclawCounterAdd', { numberOfKeys: 1, lua: ADD_SCRIPT });
    return new RedisCounterStore(redis, `${options.keyPrefix}:counter:`, options.now ?? Date.now);
  }

  async add(key: string, amount: number, expiresAtMs: number): Promise<CounterValue> {
    const now = this.nowMs();
    const command = (this.redis as unknown as { nanoclawCounterAdd(key: string, ...args: number[]): Promise<[number, number]> }).nanoclawCounterAdd;
    const [count, ttl] = await command.call(this.redis, this.prefix + key, amount, expiresAtMs, now);
    return { count: Number(count), expiresAtMs: now + Number(ttl) };
  }

  async read(keys: readonly string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys.map((key) => this.prefix + key));
    return values.map((value) => (value === null ? 0 : Number(value)));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
