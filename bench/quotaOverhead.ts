/**
 * What the quota checks cost per message: the route's pre-flight `check`, the chat client's `admit`
 * before the model request and `record` after it, for a user with all three limits set, with the
 * counters in the database (SQLite in a temp dir) and in Redis; against the same loop without them.
 * In-process, so only the quota work is timed (no HTTP, no model).
 * Standalone: `npx tsx bench/quotaOverhead.ts` (needs Redis at NANOCLAW_BENCH_REDIS_URL or 127.0.0.1:6379).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDatabase, createRepositories, migrateToLatest } from '../packages/server/src/db/index.js';
import { createQuotaService, type LimitOverrides } from '../packages/server/src/quotas/quotaService.js';
import { RedisCounterStore } from '../packages/server/src/quotas/redisCounterStore.js';
import type { CounterStore } from '../packages/server/src/quotas/counterStore.js';

export interface QuotaOverhead {
  /** p50 of one message's loop body without any quota call, ms. */
  baseline_p50_ms: number;
  /** p50 with the checks, minus the baseline, ms: a user without limits (no counter I/O). */
  unlimited_p50_ms: number;
  database_p50_ms: number;
  redis_p50_ms: number | null;
  /**
   * Redis, each message a second after the last (as a person types): the instance's snapshot of the
   * user's counters is older than its 250 ms, so the route's check reads them (one round trip) and the
   * chat client's admit decides on that read.
   */
  redis_spaced_p50_ms: number | null;
}

const LIMITED: LimitOverrides = { tokens_per_day: 1e12, tokens_per_month: 1e12, requests_per_minute: 1e9 };
const NONE: LimitOverrides = { tokens_per_day: null, tokens_per_month: null, requests_per_minute: null };
const DEFAULTS = { tokens_per_day: 0, tokens_per_month: 0, requests_per_minute: 0 };

function p50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

interface MessageQuota {
  /** The quota work on a message's path. */
  timed(): Promise<void>;
  /** Work that goes on while the model answers and the answer is stored (not timed). */
  settle(): Promise<void>;
}

/** Times `samples` messages (after a warm-up), each: the work a message does besides quotas, then the quota's. */
async function perMessage(samples: number, quota: MessageQuota | null): Promise<number> {
  const times: number[] = [];
  // What every message does anyway, kept tiny so the difference is the quota work.
  const message = async (i: number) => {
    await Promise.resolve(i);
    if (quota) await quota.timed();
  };
  for (let i = 0; i < Math.min(200, samples); i++) {
    await message(i);
    await quota?.settle();
  }
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await message(i);
    times.push(performance.now() - start);
    await quota?.settle();
  }
  return p50(times);
}

function quotasOver(counters: CounterStore, overrides: LimitOverrides, now = () => new Date()) {
  return createQuotaService({ defaults: DEFAULTS, overrides: { get: async () => overrides }, counters, now, logger: { warn: () => {} } });
}

/** A clock that moves on by `stepMs` at each `step()`: messages that far apart, without waiting for them. */
function steppingClock(stepMs: number) {
  let at = Date.now();
  return {
    now: () => new Date(at),
    step: () => {
      at += stepMs;
    },
  };
}

/**
 * One message's quota work, as the messages route and the chat client do it for a one-round answer:
 * `check` before the run, `admit` before the model request, `record` when it is done (not waited for
 * there: its write overlaps with storing the answer, and the user's next check waits for it).
 */
const messageChecks = (quotas: ReturnType<typeof quotasOver>, userId: string, beforeEach = () => {}): MessageQuota => {
  let recorded: Promise<void> = Promise.resolve();
  return {
    async timed() {
      beforeEach();
      await quotas.check(userId);
      await quotas.admit(userId);
      recorded = quotas.record(userId, 120);
    },
    settle: () => recorded,
  };
};

export async function measureQuotaOverhead(samples = 2000): Promise<QuotaOverhead> {
  const dir = mkdtempSync(join(tmpdir(), 'nc-bench-quota-'));
  const database = await createDatabase({ dataDir: dir });
  try {
    await migrateToLatest(database.db);
    const repos = createRepositories(database.db);
    const user = `bench-${randomBytes(4).toString('hex')}`;
    const baseline = await perMessage(samples, null);
    const unlimited = await perMessage(samples, messageChecks(quotasOver(repos.rateCounters, NONE), user));
    const db = await perMessage(samples, messageChecks(quotasOver(repos.rateCounters, LIMITED), user));
    let redis: number | null = null;
    let redisSpaced: number | null = null;
    try {
      const store = await RedisCounterStore.connect({ url: process.env.NANOCLAW_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: `nc-bench-${randomBytes(4).toString('hex')}` });
      try {
        redis = await perMessage(samples, messageChecks(quotasOver(store, LIMITED), user));
        const clock = steppingClock(1_000);
        redisSpaced = await perMessage(samples, messageChecks(quotasOver(store, LIMITED, clock.now), `${user}-spaced`, clock.step));
      } finally {
        await store.close();
      }
    } catch (err) {
      console.warn(`quota overhead: Redis not measured (${(err as Error).message})`);
    }
    return {
      baseline_p50_ms: baseline,
      unlimited_p50_ms: unlimited - baseline,
      database_p50_ms: db - baseline,
      redis_p50_ms: redis === null ? null : redis - baseline,
      redis_spaced_p50_ms: redisSpaced === null ? null : redisSpaced - baseline,
    };
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await measureQuotaOverhead());
}
