import type { Redis } from 'ioredis';
import { keepSubscribed, subscriberOf } from '../redis/keepSubscribed.js';
import { logConnectionOutages } from '../telemetry/connectionOutageLog.js';
import { v7 as uuidv7 } from 'uuid';
import { projectFileChangeSchema, type ProjectFileChange } from '@nanoclaw/protocol';
import { LocalChangeFeed, type ProjectChangeFeed, type ProjectChangeListener } from './projectChangeFeed.js';

export interface RedisChangeFeedOptions {
  url: string;
  keyPrefix: string;
  logger: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

/**
 * Changes to project files shared by several instances: each change is delivered to this
 * instance's listeners at once and published on one Redis channel (`<prefix>:file-changes`); every
 * other instance delivers what it receives there to its own listeners. A message carries the id of
 * the instance that sent it, so an instance never delivers its own change twice.
 */
export class RedisChangeFeed implements ProjectChangeFeed {
  readonly instanceId = uuidv7();
  private readonly local = new LocalChangeFeed();

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: RedisChangeFeedOptions['logger'],
  ) {}

  static async connect(options: RedisChangeFeedOptions): Promise<RedisChangeFeed> {
    // Imported here: a single-instance server never loads the Redis client.
    const { Redis } = await import('ioredis');
    const publisher = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true });
    await publisher.connect();
    const subscriber = subscriberOf(publisher);
    logConnectionOutages(publisher, 'Redis (file changes)', options.logger);
    logConnectionOutages(subscriber, 'Redis (file change subscription)', options.logger);
    const feed = new RedisChangeFeed(publisher, subscriber, `${options.keyPrefix}:file-changes`, options.logger);
    try {
      await feed.listen();
    } catch (err) {
      subscriber.disconnect();
      publisher.disconnect();
      throw err;
    }
    return feed;
  }

  private async listen(): Promise<void> {
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.receive(text);
    });
    await keepSubscribed(this.subscriber, this.channel, (err) => this.logger.error({ err }, 'subscribing to file changes again failed'));
  }

  private receive(text: string): void {
    let message: { from?: unknown; change?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      this.logger.warn({ channel: this.channel }, 'ignoring a file change message that is not JSON');
      return;
    }
    if (message.from === this.instanceId) return;
    const change = projectFileChangeSchema.safeParse(message.change);
    if (!change.success) {
      this.logger.warn({ channel: this.channel }, 'ignoring a malformed file change message');
      return;
    }
    this.local.deliver(change.data);
  }

  publish(change: ProjectFileChange): void {
    this.local.deliver(change);
    this.publisher
      .publish(this.channel, JSON.stringify({ from: this.instanceId, change }))
      .catch((err: unknown) => this.logger.error({ err }, 'publishing a file change to Redis failed'));
  }

  subscribe(projectId: string, listener: ProjectChangeListener): () => void {
    return this.local.subscribe(projectId, listener);
  }

  async close(): Promise<void> {
    await this.local.close();
    this.subscriber.disconnect();
    await this.publisher.quit().catch(() => undefined);
  }
}
