import type { ApiQuotaUse, QuotaKind, QuotaLimits } from '@nanoclaw/protocol';
import { QuotaExceededError, type QuotaGate } from '../llm/quotaGate.js';
import type { CounterStore } from './counterStore.js';
import { quotaExceededSentence, quotaWindows, type QuotaWindow } from './quotaWindows.js';

/** What an administrator set for a user: null = the default, 0 = unlimited. */
export type LimitOverrides = { [K in QuotaKind]: number | null };

export interface QuotaServiceOptions {
  /** The configured default for everyone (0 = unlimited). */
  defaults: QuotaLimits;
  overrides: { get(userId: string): Promise<LimitOverrides> };
  counters: CounterStore;
  now: () => Date;
  logger: { warn(obj: object, msg?: string): void };
  /** How long a user's limits are kept in memory: another instance's change shows after at most this, ms. */
  cacheMs?: number;
  /**
   * How long this instance decides on its own snapshot of a user's counters (read from the store plus
   * its own additions since) before reading them again, ms: another instance's use shows after at most
   * this. A user near a limit is always read again. 0 = read the counters for every decision.
   */
  snapshotMs?: number;
}

const KINDS: readonly QuotaKind[] = ['tokens_per_day', 'tokens_per_month', 'requests_per_minute'];
const TOKEN_KINDS = ['tokens_per_day', 'tokens_per_month'] as const;

interface EffectiveLimits {
  /** Per kind: the limit in force (0 = none) and where it comes from. */
  limits: Record<QuotaKind, { limit: number; source: 'default' | 'user' }>;
  /** Whether any limit applies: a user with none costs no counter I/O at all. */
  any: boolean;
}

/** How long an expired window's counter is kept after it ends (only for cleanliness), ms. */
const KEEP_AFTER_RESET_MS = 60_000;

/** A user is near a limit once less than this share of it is left: then every decision reads the counters. */
const NEAR_SHARE = 0.1;

/**
 * What this instance knows of a user's counters: as last read from the store (for the windows of
 * `keys`), plus what it has added itself since. Counters only grow within a window.
 */
interface Snapshot {
  keys: Record<QuotaKind, string>;
  used: Record<QuotaKind, number>;
  /** When the store was read (the service's clock, epoch ms). */
  readAt: number;
}

/**
 * Per-user quotas: tokens per UTC day and month, model requests per minute. The chat client asks
 * `admit` before every request made for a user and tells `record` the tokens it used; the counters are
 * a CounterStore (Redis or the database), so every instance sees the same use. A user's limits are
 * read once per `cacheMs` (default 5 s); a user with no limit costs nothing.
 *
 * So that a message does not wait for the store twice (the route's `check`, then the chat client's
 * `admit`), each instance decides on a snapshot of the user's counters for `snapshotMs` (default
 * 250 ms) after reading them, adding its own requests and tokens to it at once and sending them to the
 * store without waiting. Another instance's use is therefore seen within `snapshotMs`; a user with
 * less than a tenth of a limit left is read again for every decision (requests counted atomically).
 *
 * Tokens are counted only while a token limit applies to the user (from then on: an administrator who
 * sets a limit mid-day counts from that moment).
 *
 * A request is admitted on the tokens used so far: one that starts under the limit may end over it.
 * When the counter store fails, requests are admitted (and a warning logged): quotas are accounting,
 * not access control.
 */
export function createQuotaService(options: QuotaServiceOptions) {
  const { defaults, counters, now, logger } = options;
  const cacheMs = options.cacheMs ?? 5_000;
  const cache = new Map<string, { limits: Promise<EffectiveLimits>; loadedAt: number }>();
  /** Token additions still on their way to the counters, per user: the next check waits for them. */
  const recording = new Map<string, Promise<void>>();
  const snapshotMs = options.snapshotMs ?? 250;
  const snapshots = new Map<string, Snapshot>();

  /** The user's limits, read at most once per `cacheMs` (concurrent requests share one read). */
  function limitsOf(userId: string): Promise<EffectiveLimits> {
    const at = Date.now();
    const cached = cache.get(userId);
    if (cached && at - cached.loadedAt < cacheMs) return cached.limits;
    const limits = options.overrides.get(userId).then((overrides) => {
      const perKind = Object.fromEntries(
        KINDS.map((kind) => {
          const own = overrides[kind];
          return [kind, own === null ? { limit: defaults[kind], source: 'default' } : { limit: own, source: 'user' }];
        }),
      ) as EffectiveLimits['limits'];
      return { limits: perKind, any: KINDS.some((kind) => perKind[kind].limit > 0) };
    });
    if (cache.size > 10_000) cache.clear();
    cache.set(userId, { limits, loadedAt: at });
    // A failed read is not kept.
    limits.catch(() => {
      if (cache.get(userId)?.limits === limits) cache.delete(userId);
    });
    return limits;
  }

  function exceeded(window: QuotaWindow, limit: number, at: Date): QuotaExceededError {
    const retryAfterSeconds = Math.max(1, Math.ceil((window.resetsAt.getTime() - at.getTime()) / 1000));
    return new QuotaExceededError(quotaExceededSentence(window.kind, limit, window.resetsAt, at), window.kind, window.resetsAt, retryAfterSeconds);
  }

  /** The first token limit the user has used up, if any. */
  function tokenLimitReached(effective: EffectiveLimits, windows: Record<QuotaKind, QuotaWindow>, used: number[], at: Date): QuotaExceededError | undefined {
    let i = 0;
    for (const kind of TOKEN_KINDS) {
      const { limit } = effective.limits[kind];
      if (limit <= 0) continue;
      if ((used[i++] ?? 0) >= limit) return exceeded(windows[kind], limit, at);
    }
    return undefined;
  }

  function windowKeys(windows: Record<QuotaKind, QuotaWindow>): Record<QuotaKind, string> {
    return { tokens_per_day: windows.tokens_per_day.key, tokens_per_month: windows.tokens_per_month.key, requests_per_minute: windows.requests_per_minute.key };
  }

  function tokenKeys(effective: EffectiveLimits, windows: Record<QuotaKind, QuotaWindow>): string[] {
    return TOKEN_KINDS.filter((kind) => effective.limits[kind].limit > 0).map((kind) => windows[kind].key);
  }

  /** Whether the snapshot may decide alone: fresh, for these windows, and the user not near a limit. */
  function decidesAlone(snapshot: Snapshot | undefined, effective: EffectiveLimits, windows: Record<QuotaKind, QuotaWindow>, atMs: number): snapshot is Snapshot {
    if (!snapshot || atMs - snapshot.readAt >= snapshotMs || atMs < snapshot.readAt) return false;
    return KINDS.every((kind) => {
      const { limit } = effective.limits[kind];
      if (limit <= 0) return true;
      return snapshot.keys[kind] === windows[kind].key && limit - snapshot.used[kind] > limit * NEAR_SHARE;
    });
  }

  /** Counts one request towards the minute in the store, without waiting (the snapshot has it already). */
  function countInBackground(userId: string, snapshot: Snapshot, minute: QuotaWindow): void {
    const counting = counters
      .add(minute.key, 1, minute.resetsAt.getTime() + KEEP_AFTER_RESET_MS)
      .then((value) => {
        if (snapshot.keys.requests_per_minute === minute.key) snapshot.used.requests_per_minute = Math.max(snapshot.used.requests_per_minute, value.count);
      })
      .catch((err: unknown) => logger.warn({ err, userId }, 'quota counters are unreachable: a model request was not counted'));
    // A read of the store (near a limit, or for `usage`) waits for it, as for tokens.
    const previous = recording.get(userId);
    const both = Promise.all([previous, counting]).then(() => undefined);
    recording.set(userId, both);
    void both.finally(() => {
      if (recording.get(userId) === both) recording.delete(userId);
    });
  }

  /** Reads the user's counters from the store (counting the request when asked) and keeps them as the snapshot. */
  async function readCounters(userId: string, effective: EffectiveLimits, windows: Record<QuotaKind, QuotaWindow>, countRequest: boolean, atMs: number): Promise<Snapshot> {
    await recording.get(userId);
    const rpm = effective.limits.requests_per_minute.limit;
    const keys = tokenKeys(effective, windows);
    const minute = windows.requests_per_minute;
    // Both go out together (one round trip with Redis's pipelining).
    const [used, requests] = await Promise.all([
      keys.length ? counters.read(keys) : [],
      rpm <= 0
        ? 0
        : countRequest
          ? counters.add(minute.key, 1, minute.resetsAt.getTime() + KEEP_AFTER_RESET_MS).then((value) => value.count)
          : counters.read([minute.key]).then(([count = 0]) => count),
    ]);
    const previous = snapshots.get(userId);
    const snapshot: Snapshot = { keys: windowKeys(windows), used: { tokens_per_day: 0, tokens_per_month: 0, requests_per_minute: requests }, readAt: atMs };
    let i = 0;
    for (const kind of TOKEN_KINDS) if (effective.limits[kind].limit > 0) snapshot.used[kind] = used[i++] ?? 0;
    // A read that crossed this instance's own additions on the way may be behind them: counters only grow.
    if (previous) for (const kind of KINDS) if (previous.keys[kind] === snapshot.keys[kind]) snapshot.used[kind] = Math.max(snapshot.used[kind], previous.used[kind]);
    if (snapshots.size > 10_000) snapshots.clear();
    snapshots.set(userId, snapshot);
    return snapshot;
  }

  /**
   * Refuses when one of the user's limits is used up. `countRequest`: the request is about to be made
   * and counts towards the minute; otherwise nothing is counted (a pre-flight check).
   */
  async function enforce(userId: string, countRequest: boolean): Promise<void> {
    const effective = await limitsOf(userId);
    if (!effective.any) return;
    const at = now();
    const atMs = at.getTime();
    const windows = quotaWindows(userId, at);
    const rpm = effective.limits.requests_per_minute.limit;
    const minute = windows.requests_per_minute;
    const cached = snapshots.get(userId);
    let snapshot: Snapshot;
    let counted = false;
    if (decidesAlone(cached, effective, windows, atMs)) {
      snapshot = cached;
    } else {
      try {
        snapshot = await readCounters(userId, effective, windows, countRequest, atMs);
        counted = countRequest;
      } catch (err) {
        logger.warn({ err, userId }, 'quota counters are unreachable: the model request is let through');
        return;
      }
    }
    const refusal = tokenLimitReached(effective, windows, TOKEN_KINDS.filter((kind) => effective.limits[kind].limit > 0).map((kind) => snapshot.used[kind]), at);
    if (refusal) throw refusal;
    if (rpm <= 0) return;
    // A request counted by the read is in it already; otherwise this one comes on top.
    const requests = snapshot.used.requests_per_minute + (counted ? 0 : 1);
    if (requests > rpm) throw exceeded(minute, rpm, at);
    if (countRequest && !counted) {
      snapshot.used.requests_per_minute++;
      countInBackground(userId, snapshot, minute);
    }
  }

  /** Before a model request: refuses when a limit is used up, and counts the request towards the minute. */
  const admit = (userId: string): Promise<void> => enforce(userId, true);
  /** Before a run starts (so that a refusal stores nothing): refuses when a limit is used up, counting nothing. */
  const check = (userId: string): Promise<void> => enforce(userId, false);

  /**
   * Adds a finished request's tokens to the user's day and month, while a token limit applies to them
   * (a user without one costs no counter I/O). The caller need not wait: the user's next check does.
   */
  function record(userId: string, tokens: number): Promise<void> {
    if (!(tokens > 0)) return Promise.resolve();
    // This instance's next decision sees the tokens at once, without waiting for the store.
    const snapshot = snapshots.get(userId);
    if (snapshot) {
      const windows = quotaWindows(userId, now());
      for (const kind of TOKEN_KINDS) if (snapshot.keys[kind] === windows[kind].key) snapshot.used[kind] += Math.round(tokens);
    }
    const previous = recording.get(userId);
    const adding = (async () => {
      await previous;
      const effective = await limitsOf(userId);
      const kinds = TOKEN_KINDS.filter((kind) => effective.limits[kind].limit > 0);
      if (kinds.length === 0) return;
      const windows = quotaWindows(userId, now());
      await Promise.all(kinds.map((kind) => counters.add(windows[kind].key, Math.round(tokens), windows[kind].resetsAt.getTime() + KEEP_AFTER_RESET_MS)));
    })()
      .catch((err: unknown) => logger.warn({ err, userId }, 'quota counters are unreachable: tokens of a model request were not counted'))
      .finally(() => {
        if (recording.get(userId) === adding) recording.delete(userId);
      });
    recording.set(userId, adding);
    return adding;
  }

  /** The user's use against each limit, with the time each window resets. */
  async function usage(userId: string): Promise<ApiQuotaUse[]> {
    await recording.get(userId);
    cache.delete(userId);
    const effective = await limitsOf(userId);
    const at = now();
    const windows = quotaWindows(userId, at);
    const used = await counters.read(KINDS.map((kind) => windows[kind].key));
    return KINDS.map((kind, i) => ({
      kind,
      limit: effective.limits[kind].limit > 0 ? effective.limits[kind].limit : null,
      used: used[i] ?? 0,
      resets_at: windows[kind].resetsAt.toISOString(),
      source: effective.limits[kind].source,
    }));
  }

  /** An administrator changed the user's limits: this instance applies them at once. */
  function forget(userId: string): void {
    cache.delete(userId);
    snapshots.delete(userId);
  }

  const gate: QuotaGate = { admit, record };
  return { gate, admit, check, record, usage, forget };
}

export type QuotaService = ReturnType<typeof createQuotaService>;
