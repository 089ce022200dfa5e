import type { Redis } from 'ioredis';
import { decodeRunEvent, isStepDelta, stepFromDelta } from '@nanoclaw/protocol';
import type { LoggedEvent, RunListener } from './runSession.js';
import type { RunView } from './runHub.js';
import type { StreamedStep } from './stepRecorder.js';

/** How long one blocking read waits before checking whether the run still has an owner, ms. */
const BLOCK_MS = 2_000;

/**
 * A run of another instance, read from its Redis stream: replays from the start (step contents are
 * rebuilt so protocol v1 snapshots stay exact), then follows live with blocking reads on a
 * connection of its own. If the owner dies without a final event, the watch ends when its claim lapses.
 */
export class RemoteRunView implements RunView {
  constructor(
    private readonly redis: Redis,
    readonly id: string,
    readonly userId: string,
    readonly messageId: string,
    private readonly streamKey: string,
    private readonly ownerAlive: () => Promise<boolean>,
    private readonly onError: (err: unknown) => void,
  ) {}

  subscribe(afterSeq: number, listener: RunListener, onEnd: () => void): () => void {
    const connection = this.redis.duplicate();
    // Its failures reach the watch through the read that fails (reported once, by onError); without a
    // listener, ioredis would print every failed reconnection attempt as an unhandled 'error' event.
    connection.on('error', () => undefined);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      connection.disconnect();
    };
    void this.follow(connection, afterSeq, listener, () => closed)
      .catch((err: unknown) => {
        if (!closed) this.onError(err);
      })
      .finally(() => {
        if (!closed) onEnd();
        close();
      });
    return close;
  }

  private async follow(connection: Redis, afterSeq: number, listener: RunListener, isClosed: () => boolean): Promise<void> {
    const steps = new Map<string, StreamedStep>();
    let lastId = '0-0';
    while (!isClosed()) {
      const reply = (await connection.xread('COUNT', 1000, 'BLOCK', BLOCK_MS, 'STREAMS', this.streamKey, lastId)) as Array<[string, Array<[string, string[]]>]> | null;
      if (!reply) {
        if (!(await this.ownerAlive())) return;
        continue;
      }
      for (const [entryId, fields] of reply[0]?.[1] ?? []) {
        lastId = entryId;
        const event = toLoggedEvent(Number(entryId.split('-')[0]), fields, steps);
        if (event.seq > afterSeq) listener(event);
        if (event.name === 'done' || event.name === 'error') return;
      }
    }
  }
}

/**
 * One entry of the run's Redis stream (`n` name, `d` data in the default protocol) as a logged event,
 * checked against the event contract: an entry that is not a run event ends the watch with an error.
 */
function toLoggedEvent(seq: number, fields: string[], steps: Map<string, StreamedStep>): LoggedEvent {
  const decoded = decodeRunEvent(fields[1], fields[3] ?? '');
  if (!decoded.ok) throw new Error(`Run event ${seq} in Redis: ${decoded.error}`);
  const { event } = decoded;
  if (event.event === 'done') return { seq, name: 'done', data: event.data };
  if (event.event === 'error') return { seq, name: 'error', data: event.data };
  if (event.event === 'retry') return { seq, name: 'retry', data: event.data };
  const data = event.data;
  if (isStepDelta(data)) {
    let step = steps.get(data.id);
    if (!step) {
      step = stepFromDelta(data, '');
      steps.set(data.id, step);
    }
    step.content += data.delta;
    return { seq, name: 'process_step', kind: 'delta', step, delta: data.delta, end: step.content.length };
  }
  if (data.type === 'tool_call' || data.type === 'tool_result') return { seq, name: 'process_step', kind: 'step', step: data };
  throw new Error(`Run event ${seq} in Redis: a whole ${data.type} step, where the default protocol sends deltas.`);
}
