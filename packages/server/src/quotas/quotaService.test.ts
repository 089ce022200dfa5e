import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, openTestDatabase, type ManualClock, type TestDatabase } from '../db/testEngines.js';
import { createRateCounterRepo } from '../db/rateCounterRepo.js';
import { QuotaExceededError } from '../llm/quotaGate.js';
import type { CounterStore } from './counterStore.js';
import { createQuotaService, type LimitOverrides } from './quotaService.js';
import { RedisCounterStore } from './redisCounterStore.js';

const silent = { warn: () => {} };
const NONE: LimitOverrides = { tokens_per_day: null, tokens_per_month: null, requests_per_minute: null };

describe('quotaService', () => {
  let database: TestDatabase;
  const clock = createManualClock('2026-12-07T20:48:00.000Z');
  const overrides = new Map<string, LimitOverrides>();
  let lookups = 0;

  function service(defaults = { tokens_per_day: 0, tokens_per_month: 0, requests_per_minute: 0 }) {
    return createQuotaService({
      defaults,
      overrides: {
        get: async (userId) => {
          lookups++;
          return overrides.get(userId) ?? NONE;
        },
      },
      counters: createRateCounterRepo(database.db, () => clock.now().getTime()),
      now: clock.now,
      logger: silent,
    });
  }

  beforeAll(async () => {
    database = await openTestDatabase('sqlite');
  });
  afterAll(() => database.dispose());

  it('refuses once the day\'s tokens are used, with the reset time, until the day ends', async () => {
    const quotas = service({ tokens_per_day: 100, tokens_per_month: 0, requests_per_minute: 0 });
    await quotas.admit('ann');
    await quotas.record('ann', 99);
    await quotas.admit('ann');
    await quotas.record('ann', 1);
    const refusal = await quotas.admit('ann').catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(QuotaExceededError);
    expect(refusal).toMatchObject({ limit: 'tokens_per_day', retryAfterSeconds: 3 * 3600 + 12 * 60, resetsAt: new Date('2026-12-08T00:00:00.000Z') });
    await expect(quotas.check('ann')).rejects.toThrow(/used your 100 tokens for today/);
    clock.set('2026-12-08T00:00:01.000Z');
    await expect(quotas.admit('ann')).resolves.toBeUndefined();
  });

  it('counts requests per minute in admit only; check counts nothing', async () => {
    clock.set('2026-12-07T10:00:00.000Z');
    overrides.set('ben', { ...NONE, requests_per_minute: 2 });
    const quotas = service();
    await quotas.check('ben');
    await quotas.check('ben');
    await quotas.admit('ben');
    await quotas.admit('ben');
    await expect(quotas.check('ben')).rejects.toMatchObject({ limit: 'requests_per_minute', retryAfterSeconds: 60 });
    await expect(quotas.admit('ben')).rejects.toBeInstanceOf(QuotaExceededError);
    clock.advance(60_000);
    await expect(quotas.admit('ben')).resolves.toBeUndefined();
  });

  it('takes the user\'s own limit over the default; 0 means unlimited', async () => {
    overrides.set('cy', { ...NONE, tokens_per_month: 0 });
    const quotas = service({ tokens_per_day: 0, tokens_per_month: 10, requests_per_minute: 0 });
    await quotas.record('cy', 1000);
    await quotas.record('dee', 1000);
    await expect(quotas.admit('cy')).resolves.toBeUndefined();
    await expect(quotas.admit('dee')).rejects.toMatchObject({ limit: 'tokens_per_month' });
    const use = await quotas.usage('dee');
    expect(use.find((u) => u.kind === 'tokens_per_month')).toMatchObject({ limit: 10, used: 1000, source: 'default' });
    // Without a token limit, tokens are not counted (no counter I/O for unlimited users).
    expect((await quotas.usage('cy')).find((u) => u.kind === 'tokens_per_month')).toMatchObject({ limit: null, used: 0, source: 'user' });
  });

  it('reads a user\'s limits once per cache period, and again at once after forget()', async () => {
    const quotas = service();
    lookups = 0;
    for (let i = 0; i < 5; i++) await quotas.admit('eve');
    expect(lookups).toBe(1);
    quotas.forget('eve');
    await quotas.admit('eve');
    expect(lookups).toBe(2);
  });

  it('lets requests through when the counters cannot be reached', async () => {
    const broken = await openTestDatabase('sqlite');
    overrides.set('fay', { ...NONE, tokens_per_day: 1 });
    const quotas = createQuotaService({ defaults: { tokens_per_day: 0, tokens_per_month: 0, requests_per_minute: 0 }, overrides: { get: async () => overrides.get('fay')! }, counters: createRateCounterRepo(broken.db), now: clock.now, logger: silent });
    await broken.dispose();
    await expect(quotas.admit('fay')).resolves.toBeUndefined();
    await expect(quotas.record('fay', 5)).resolves.toBeUndefined();
  });
});

const redisUrl = process.env.NANOCLAW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Two instances' services over one counter store: the database's (SQLite) and Redis's. */
const sharedStores: Array<[string, (clock: ManualClock) => Promise<{ store: CounterStore; dispose(): Promise<void> }>]> = [
  [
    'the database',
    async (clock) => {
      const database = await openTestDatabase('sqlite');
      return { store: createRateCounterRepo(database.db, () => clock.now().getTime()), dispose: () => database.dispose() };
    },
  ],
  [
    'Redis',
    async () => {
      const store = await RedisCounterStore.connect({ url: redisUrl, keyPrefix: `nc-test-${randomBytes(4).toString('hex')}` });
      return { store, dispose: () => store.close() };
    },
  ],
];

describe.each(sharedStores)('quotas of several instances, counters in %s', (_name, open) => {
  // Real time (Redis expires counters on its own clock), moved on by hand.
  const clock = createManualClock(new Date());
  let shared: { store: CounterStore; dispose(): Promise<void> };
  beforeAll(async () => {
    shared = await open(clock);
  });
  afterAll(() => shared.dispose());

  const instance = (limits: LimitOverrides) =>
    createQuotaService({ defaults: { tokens_per_day: 0, tokens_per_month: 0, requests_per_minute: 0 }, overrides: { get: async () => limits }, counters: shared.store, now: clock.now, logger: silent });

  it('sees the tokens another instance used once its snapshot is 250 ms old', async () => {
    const limits = { ...NONE, tokens_per_day: 1000 };
    const a = instance(limits);
    const b = instance(limits);
    await b.admit('kim');
    await a.admit('kim');
    await a.record('kim', 1500);
    // b decides on what it read for 250 ms (documented in docs/config.md) ...
    await expect(b.check('kim')).resolves.toBeUndefined();
    clock.advance(250);
    // ... then reads the shared counters again: a's tokens count on b.
    await expect(b.check('kim')).rejects.toMatchObject({ limit: 'tokens_per_day' });
    await expect(b.admit('kim')).rejects.toThrow(/used your 1,000 tokens for today/);
  });

  it('refuses on its own snapshot the tokens this instance recorded, without waiting for the store', async () => {
    const a = instance({ ...NONE, tokens_per_day: 1000 });
    await a.admit('lou');
    void a.record('lou', 1000);
    await expect(a.check('lou')).rejects.toMatchObject({ limit: 'tokens_per_day' });
  });

  it('counts every admitted request in the shared counters, and re-reads them near the limit', async () => {
    const limits = { ...NONE, requests_per_minute: 20 };
    const a = instance(limits);
    const b = instance(limits);
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) await a.admit('max');
    // The increments were sent without waiting; the counters have them all.
    expect((await a.usage('max'))[2]).toMatchObject({ used: 10 });
    // b reads 10 and goes on alone until it nears the limit (2 left), then reads for every request.
    for (let i = 0; i < 8; i++) await b.admit('max');
    // a's last two go out without waiting; each addition's answer (the shared count) updates a's snapshot.
    for (let i = 0; i < 2; i++) await a.admit('max');
    await expect(b.admit('max')).rejects.toMatchObject({ limit: 'requests_per_minute' });
    await expect(a.admit('max')).rejects.toMatchObject({ limit: 'requests_per_minute' });
  });
});
