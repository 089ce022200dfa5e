import type { Redis } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import { RemoteRunView } from './remoteRunView.js';
import { keepSubscribed, subscriberOf } from '../redis/keepSubscribed.js';
import { logConnectionOutages } from '../telemetry/connectionOutageLog.js';
import { toRunEvent } from './runEventData.js';
import type { RunHub, RunView } from './runHub.js';
import { RunConflictError, RunRegistry } from './runRegistry.js';
import type { LoggedEvent, RunSession } from './runSession.js';

export interface RedisRunHubOptions {
  url: string;
  keyPrefix: string;
  /** How long a finished run stays re-attachable, ms. */
  retentionMs: number;
  /** Most finished runs of this instance kept in its memory, and most bytes of their logs (Redis keeps its copy for `retentionMs`). */
  maxRetainedRuns?: number;
  maxRetainedBytes?: number;
  /** How long a run's claim lives without a heartbeat: an instance that died lets go after this, ms. */
  runTtlMs: number;
  /** How often each instance looks for answers whose run has no live owner any more, ms. */
  sweepIntervalMs: number;
  /** Marks the answers whose run is gone as interrupted; answers how many. */
  sweep: (isLive: (conversationId: string) => Promise<boolean>) => Promise<number>;
  logger: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

interface RunClaim {
  instance: string;
  runId?: string;
  messageId?: string;
  userId?: string;
}

/**
 * Runs shared by several server instances through Redis:
 * - a claim key per conversation (`SET NX` with a TTL kept alive by its owner's heartbeat) makes
 *   "one run per conversation" hold across instances;
 * - every event of a run is mirrored to a Redis stream (`XADD` with the run's sequence as id), so any
 *   instance can replay and follow it from a Last-Event-ID;
 * - stop requests are published; the owner aborts its run;
 * - each instance sweeps for answers still `streaming` whose claim has lapsed (their instance died)
 *   and marks them interrupted.
 */
export class RedisRunHub implements RunHub {
  readonly instanceId = uuidv7();
  private readonly local: RunRegistry;
  private readonly subscriber: Redis;
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    private readonly redis: Redis,
    private readonly options: RedisRunHubOptions,
  ) {
    this.local = new RunRegistry({ ms: options.retentionMs, maxRuns: options.maxRetainedRuns ?? Infinity, maxBytes: options.maxRetainedBytes ?? Infinity });
    this.subscriber = subscriberOf(redis);
    logConnectionOutages(redis, 'Redis (runs)', options.logger);
    logConnectionOutages(this.subscriber, 'Redis (run stop requests)', options.logger);
  }

  static async connect(options: RedisRunHubOptions): Promise<RedisRunHub> {
    // Imported here: a single-instance server never loads the Redis client.
    const { Redis } = await import('ioredis');
    const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
    await redis.connect();
    const hub = new RedisRunHub(redis, options);
    await hub.listen();
    return hub;
  }

  private key(kind: 'claim' | 'last', conversationId: string): string {
    return `${this.options.keyPrefix}:${kind}:${conversationId}`;
  }

  private eventsKey(runId: string): string {
    return `${this.options.keyPrefix}:events:${runId}`;
  }

  private get stopChannel(): string {
    return `${this.options.keyPrefix}:stop`;
  }

  private async listen(): Promise<void> {
    this.subscriber.on('message', (_channel: string, conversationId: string) => this.local.stopLocal(conversationId));
    await keepSubscribed(this.subscriber, this.stopChannel, (err) => this.options.logger.error({ err }, 'subscribing to run stop requests again failed'));
    const heartbeat = setInterval(() => void this.heartbeat(), Math.max(50, Math.floor(this.options.runTtlMs / 3)));
    const sweep = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    for (const timer of [heartbeat, sweep]) {
      timer.unref();
      this.timers.push(timer);
    }
  }

  async reserve(conversationId: string): Promise<() => void> {
    if (this.local.isRunningLocally(conversationId)) throw conflict();
    const claim: RunClaim = { instance: this.instanceId };
    const won = await this.redis.set(this.key('claim', conversationId), JSON.stringify(claim), 'PX', this.options.runTtlMs, 'NX');
    if (won !== 'OK') throw conflict();
    const releaseLocal = this.local.reserveNow(conversationId);
    return () => {
      releaseLocal();
      void this.redis.del(this.key('claim', conversationId)).catch((err: unknown) => this.options.logger.error({ err }, 'releasing a run claim failed'));
    };
  }

  start(session: RunSession, work: (session: RunSession) => Promise<void>): void {
    const claim: RunClaim = { instance: this.instanceId, runId: session.id, messageId: session.messageId, userId: session.userId };
    const claimKey = this.key('claim', session.conversationId);
    // Not waited for (the run starts now; the heartbeat keeps the claim), but never an unhandled rejection:
    // with Redis gone that would end the process.
    void this.redis
      .set(claimKey, JSON.stringify(claim), 'PX', this.options.runTtlMs)
      .catch((err: unknown) => this.options.logger.error({ err }, 'claiming a run in Redis failed'));
    const streamKey = this.eventsKey(session.id);
    let mirrored: Promise<unknown> = Promise.resolve();
    session.subscribe(
      0,
      (event) => {
        mirrored = this.mirror(streamKey, event);
      },
      () => {},
    );
    this.local.start(session, async (s) => {
      try {
        await work(s);
      } finally {
        await mirrored.catch(() => undefined);
        await this.redis
          .multi()
          .pexpire(streamKey, Math.max(1, this.options.retentionMs))
          .set(this.key('last', session.conversationId), JSON.stringify(claim), 'PX', Math.max(1, this.options.retentionMs))
          .del(claimKey)
          .exec()
          .catch((err: unknown) => this.options.logger.error({ err }, 'publishing the end of a run failed'));
      }
    });
  }

  private mirror(streamKey: string, event: LoggedEvent): Promise<unknown> {
    return this.redis
      .xadd(streamKey, `${event.seq}-0`, 'n', event.name, 'd', JSON.stringify(toRunEvent(event, 'default').data))
      .catch((err: unknown) => this.options.logger.error({ err }, 'mirroring a run event to Redis failed'));
  }

  async find(conversationId: string): Promise<RunView | undefined> {
    const local = this.local.findLocal(conversationId);
    if (local) return local;
    const claim = (await this.readClaim('claim', conversationId)) ?? (await this.readClaim('last', conversationId));
    if (!claim?.runId || !claim.messageId || !claim.userId) return undefined;
    return new RemoteRunView(
      this.redis,
      claim.runId,
      claim.userId,
      claim.messageId,
      this.eventsKey(claim.runId),
      async () => (await this.redis.exists(this.key('claim', conversationId))) === 1,
      (err) => this.options.logger.error({ err }, 'following a run of another instance failed'),
    );
  }

  async isRunning(conversationId: string): Promise<boolean> {
    return this.local.isRunningLocally(conversationId) || (await this.redis.exists(this.key('claim', conversationId))) === 1;
  }

  async stop(conversationId: string): Promise<{ stopped: boolean; messageId: string | null }> {
    const local = this.local.stopLocal(conversationId);
    if (local) return { stopped: true, messageId: local.messageId };
    const claim = await this.readClaim('claim', conversationId);
    if (!claim) return { stopped: false, messageId: null };
    await this.redis.publish(this.stopChannel, conversationId);
    return { stopped: true, messageId: claim.messageId ?? null };
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.local.shutdown();
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => undefined);
  }

  private async readClaim(kind: 'claim' | 'last', conversationId: string): Promise<RunClaim | null> {
    const text = await this.redis.get(this.key(kind, conversationId));
    return text ? (JSON.parse(text) as RunClaim) : null;
  }

  private async heartbeat(): Promise<void> {
    const ids = this.local.activeConversationIds();
    if (ids.length === 0) return;
    const batch = this.redis.multi();
    for (const id of ids) batch.pexpire(this.key('claim', id), this.options.runTtlMs);
    await batch.exec().catch((err: unknown) => this.options.logger.error({ err }, 'run heartbeat failed'));
  }

  /** Marks answers of runs whose instance died (claim lapsed) as interrupted. */
  async sweep(): Promise<number> {
    try {
      const count = await this.options.sweep((conversationId) => this.isRunning(conversationId));
      if (count) this.options.logger.warn({ count }, 'answers of a stopped instance are marked interrupted');
      return count;
    } catch (err) {
      this.options.logger.error({ err }, 'sweeping interrupted answers failed');
      return 0;
    }
  }
}

function conflict(): RunConflictError {
  return new RunConflictError('A reply is still being generated in this conversation. Stop it or wait for it to finish.');
}
