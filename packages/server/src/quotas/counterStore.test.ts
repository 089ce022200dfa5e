import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngines, type TestDatabase } from '../db/testEngines.js';
import { createRateCounterRepo } from '../db/rateCounterRepo.js';
import type { CounterStore } from './counterStore.js';
import { RedisCounterStore } from './redisCounterStore.js';

const redisUrl = process.env.NANOCLAW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every CounterStore keeps the same contract: the database's on each engine, and Redis's. */
const stores: Array<[string, () => Promise<{ store: CounterStore; dispose(): Promise<void> }>]> = [
  ...testEngines().map((engine): [string, () => Promise<{ store: CounterStore; dispose(): Promise<void> }>] => [
    `the database (${engine})`,
    async () => {
      const database: TestDatabase = await openTestDatabase(engine);
      return { store: createRateCounterRepo(database.db), dispose: () => database.dispose() };
    },
  ]),
  [
    'Redis',
    async () => {
      const store = await RedisCounterStore.connect({ url: redisUrl, keyPrefix: `nc-test-${randomBytes(4).toString('hex')}` });
      return { store, dispose: () => store.close() };
    },
  ],
];

describe.each(stores)('counters in %s', (_name, open) => {
  let store: CounterStore;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await open());
  });
  afterAll(() => dispose());

  it('starts a counter at the amount with its expiry, then adds to it keeping that expiry', async () => {
    const expiry = Date.now() + 60_000;
    expect(await store.add('a', 3, expiry)).toEqual({ count: 3, expiresAtMs: expect.closeTo(expiry, -2) });
    expect(await store.add('a', 4, expiry + 30_000)).toEqual({ count: 7, expiresAtMs: expect.closeTo(expiry, -2) });
    expect(await store.read(['missing', 'a', 'b'])).toEqual([0, 7, 0]);
  });

  it('adds up concurrent additions', async () => {
    const expiry = Date.now() + 60_000;
    await Promise.all(Array.from({ length: 20 }, () => store.add('busy', 1, expiry)));
    expect(await store.read(['busy'])).toEqual([20]);
  });

  it('forgets an expired counter: it reads 0 and starts again with the new expiry', async () => {
    await store.add('short', 5, Date.now() + 200);
    await sleep(300);
    expect(await store.read(['short'])).toEqual([0]);
    const expiry = Date.now() + 60_000;
    expect(await store.add('short', 1, expiry)).toEqual({ count: 1, expiresAtMs: expect.closeTo(expiry, -2) });
  });
});
