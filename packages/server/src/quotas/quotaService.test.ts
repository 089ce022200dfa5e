import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, openTestDatabase, type TestDatabase } from '../db/testEngines.js';
import { createRateCounterRepo } from '../db/rateCounterRepo.js';
import { QuotaExceededError } from '../llm/quotaGate.js';
import { createQuotaService, type LimitOverrides } from './quotaService.js';

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
