import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';
import { createUsageRepo, type UsageRepo } from './usageRepo.js';
import { createUserRepo, type UserRepo } from './userRepo.js';

describe.each(testEngines())('usageRepo on %s', (engine) => {
  let database: TestDatabase;
  let users: UserRepo;
  let usage: UsageRepo;
  let counter = 0;
  const newUserId = async () => (await users.create({ username: `usage-user-${++counter}` })).id;
  const at = (iso: string) => new Date(iso);

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    users = createUserRepo(database.db);
    usage = createUsageRepo(database.db);
  });
  afterAll(() => database.dispose());

  it('records usage into the day and the hour it happened (UTC), adding up repeated records', async () => {
    const userId = await newUserId();
    await usage.record({ userId, model: 'm', promptTokens: 10, completionTokens: 5, at: at('2025-03-10T09:15:00.000Z') });
    await usage.record({ userId, model: 'm', promptTokens: 1, completionTokens: 2, at: at('2025-03-10T09:59:59.999Z') });
    await usage.record({ userId, model: 'm', promptTokens: 100, completionTokens: 0, at: at('2025-03-10T10:00:00.000Z') });

    const daily = await database.db.selectFrom('token_usage').selectAll().where('user_id', '=', userId).execute();
    expect(daily).toEqual([{ user_id: userId, date: '2025-03-10', model: 'm', prompt_tokens: 111, completion_tokens: 7, total_tokens: 118 }]);
    const hourly = await database.db
      .selectFrom('token_usage_hourly')
      .select(['hour', 'prompt_tokens', 'completion_tokens', 'total_tokens'])
      .where('user_id', '=', userId)
      .orderBy('hour')
      .execute();
    expect(hourly).toEqual([
      { hour: '2025-03-10T09', prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      { hour: '2025-03-10T10', prompt_tokens: 100, completion_tokens: 0, total_tokens: 100 },
    ]);
  });

  it('adds 50 concurrent records exactly (atomic upsert)', async () => {
    const userId = await newUserId();
    const when = at('2025-03-10T12:34:56.000Z');
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => usage.record({ userId, model: i % 2 ? 'odd' : 'even', promptTokens: i, completionTokens: 1, at: when })),
    );
    const stats = await usage.stats(userId, 'daily', when);
    expect(stats.total).toEqual({ prompt_tokens: 1225, completion_tokens: 50, total_tokens: 1275 });
    expect(stats.by_model).toEqual([
      { model: 'odd', prompt_tokens: 625, completion_tokens: 25, total_tokens: 650 },
      { model: 'even', prompt_tokens: 600, completion_tokens: 25, total_tokens: 625 },
    ]);
    expect(stats.series[12]).toEqual({ bucket: '12:00', prompt_tokens: 1225, completion_tokens: 50, total_tokens: 1275 });
  });

  it('keeps totals past 2^31 as exact numbers', async () => {
    const userId = await newUserId();
    const when = at('2025-03-10T00:00:00.000Z');
    await usage.record({ userId, model: 'big', promptTokens: 2_000_000_000, completionTokens: 1_500_000_000, at: when });
    await usage.record({ userId, model: 'big', promptTokens: 2_000_000_000, completionTokens: 0, at: when });
    const { total } = await usage.stats(userId, 'weekly', when);
    expect(total).toEqual({ prompt_tokens: 4_000_000_000, completion_tokens: 1_500_000_000, total_tokens: 5_500_000_000 });
  });

  it('refuses negative or fractional token counts', async () => {
    const userId = await newUserId();
    await expect(usage.record({ userId, model: 'm', promptTokens: -1, completionTokens: 0, at: new Date() })).rejects.toThrow(RangeError);
    await expect(usage.record({ userId, model: 'm', promptTokens: 1, completionTokens: 0.5, at: new Date() })).rejects.toThrow(RangeError);
  });

  it('daily stats: today’s 24 hourly buckets, zeros included, nothing from yesterday or other users', async () => {
    const userId = await newUserId();
    const other = await newUserId();
    await usage.record({ userId, model: 'a', promptTokens: 3, completionTokens: 4, at: at('2025-03-10T00:00:00.000Z') });
    await usage.record({ userId, model: 'b', promptTokens: 1, completionTokens: 1, at: at('2025-03-10T23:59:59.999Z') });
    await usage.record({ userId, model: 'a', promptTokens: 1000, completionTokens: 0, at: at('2025-03-09T23:59:59.999Z') });
    await usage.record({ userId: other, model: 'a', promptTokens: 1000, completionTokens: 0, at: at('2025-03-10T05:00:00.000Z') });

    const stats = await usage.stats(userId, 'daily', at('2025-03-10T15:00:00.000Z'));
    expect(stats.period).toBe('daily');
    expect(stats.total).toEqual({ prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 });
    expect(stats.by_model.map((m) => m.model)).toEqual(['a', 'b']);
    expect(stats.series.map((b) => b.bucket)).toEqual(Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`));
    expect(stats.series[0]).toMatchObject({ total_tokens: 7 });
    expect(stats.series[23]).toMatchObject({ total_tokens: 2 });
    expect(stats.series.slice(1, 23).every((b) => b.total_tokens === 0)).toBe(true);
  });

  it('weekly stats: 7 daily buckets ending today', async () => {
    const userId = await newUserId();
    await usage.record({ userId, model: 'a', promptTokens: 1, completionTokens: 0, at: at('2025-03-04T00:00:00.000Z') });
    await usage.record({ userId, model: 'a', promptTokens: 2, completionTokens: 0, at: at('2025-03-10T20:00:00.000Z') });
    await usage.record({ userId, model: 'a', promptTokens: 50, completionTokens: 0, at: at('2025-03-03T23:59:59.999Z') });
    const stats = await usage.stats(userId, 'weekly', at('2025-03-10T21:00:00.000Z'));
    expect(stats.series.map((b) => [b.bucket, b.prompt_tokens])).toEqual([
      ['2025-03-04', 1], ['2025-03-05', 0], ['2025-03-06', 0], ['2025-03-07', 0], ['2025-03-08', 0], ['2025-03-09', 0], ['2025-03-10', 2],
    ]);
    expect(stats.total.prompt_tokens).toBe(3);
  });

  it('monthly stats: 30 daily buckets ending today', async () => {
    const userId = await newUserId();
    await usage.record({ userId, model: 'a', promptTokens: 7, completionTokens: 3, at: at('2025-02-09T08:00:00.000Z') });
    await usage.record({ userId, model: 'a', promptTokens: 99, completionTokens: 0, at: at('2025-02-08T08:00:00.000Z') });
    const stats = await usage.stats(userId, 'monthly', at('2025-03-10T08:00:00.000Z'));
    expect(stats.series).toHaveLength(30);
    expect(stats.series[0]).toEqual({ bucket: '2025-02-09', prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    expect(stats.total.total_tokens).toBe(10);
  });

  it('answers zeros and no models for a user without usage', async () => {
    const stats = await usage.stats(await newUserId(), 'weekly', new Date());
    expect(stats.total).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(stats.by_model).toEqual([]);
    expect(stats.series).toHaveLength(7);
  });
});
