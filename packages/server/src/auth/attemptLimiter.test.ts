import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, openTestDatabase, type TestDatabase } from '../db/testEngines.js';
import { createRateCounterRepo } from '../db/rateCounterRepo.js';
import { AttemptLimiter } from './attemptLimiter.js';

describe('AttemptLimiter', () => {
  let database: TestDatabase;
  const clock = createManualClock('2026-01-01T00:00:00.000Z');
  const nowMs = () => clock.now().getTime();
  beforeAll(async () => {
    database = await openTestDatabase('sqlite');
  });
  afterAll(() => database.dispose());

  it('allows max attempts per key in a window from the first attempt, then refuses with the wait until it ends', async () => {
    const limiter = new AttemptLimiter(createRateCounterRepo(database.db, nowMs), 'login', 3, 60_000, nowMs);
    for (let i = 0; i < 3; i++) expect((await limiter.attempt('10.0.0.1')).allowed).toBe(true);
    clock.advance(10_000);
    expect(await limiter.attempt('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect((await limiter.attempt('10.0.0.2')).allowed).toBe(true);
    clock.advance(50_000);
    expect((await limiter.attempt('10.0.0.1')).allowed).toBe(true);
  });

  it('keeps the counts of two limits apart', async () => {
    const store = createRateCounterRepo(database.db, nowMs);
    const login = new AttemptLimiter(store, 'login2', 1, 1000, nowMs);
    const register = new AttemptLimiter(store, 'register2', 1, 1000, nowMs);
    expect((await login.attempt('ip')).allowed).toBe(true);
    expect((await register.attempt('ip')).allowed).toBe(true);
    expect((await login.attempt('ip')).allowed).toBe(false);
  });
});
