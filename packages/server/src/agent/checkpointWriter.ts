import type { AssistantContent } from '@nanoclaw/protocol';

export type SaveBatch = (items: Array<{ id: string; content: AssistantContent }>) => Promise<void>;

/** Answers written per transaction; the event loop is let go between two. */
export const CHECKPOINT_BATCH = 100;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Saves the growing answers of all running runs together: once per interval, every answer that
 * changed is written in batches of `batchSize` (one transaction each), so 200 concurrent runs cost a
 * few commits a second, not hundreds. Between two batches the event loop is let go: with a thousand
 * runs, one synchronous write of every answer (their JSON, the SQLite driver) would hold every stream's
 * next event back for tens of milliseconds. An answer's content is taken when its batch is written.
 * A crash loses at most one interval of output. Writes never overlap and keep their order.
 */
export class CheckpointWriter {
  private readonly dirty = new Map<string, () => AssistantContent>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly saveBatch: SaveBatch,
    private readonly onError: (err: unknown) => void,
    private readonly batchSize = CHECKPOINT_BATCH,
  ) {}

  /** The answer `id` changed; `snapshot` gives its current content when the batch is written. */
  mark(id: string, snapshot: () => AssistantContent): void {
    this.dirty.set(id, snapshot);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.intervalMs);
    }
  }

  /** Writes everything pending now (e.g. before a tool that may run long). */
  flush(): Promise<void> {
    const pending = [...this.dirty];
    this.dirty.clear();
    if (pending.length === 0) return this.inFlight;
    this.inFlight = this.inFlight
      .then(async () => {
        for (let i = 0; i < pending.length; i += this.batchSize) {
          if (i > 0) await nextTurn();
          await this.saveBatch(pending.slice(i, i + this.batchSize).map(([id, snapshot]) => ({ id, content: snapshot() })));
        }
      })
      .catch(this.onError);
    return this.inFlight;
  }

  /** The run of `id` is ending: drop its pending save and wait until no batch is being written. */
  async release(id: string): Promise<void> {
    this.dirty.delete(id);
    await this.inFlight;
  }

  /** Stops the timer (server shutdown); pending saves are superseded by the runs' final writes. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
