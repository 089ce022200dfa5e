import type { Redis } from 'ioredis';
import type { DoneEventData, ErrorEventData, ToolCallStep, ToolResultStep } from '@nanoclaw/protocol';
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
        if (event.name !== 'process_step') return;
      }
    }
  }
}

function toLoggedEvent(seq: number, fields: string[], steps: Map<string, StreamedStep>): LoggedEvent {
  const name = fields[1];
  const data = JSON.parse(fields[3] ?? 'null') as Record<string, unknown>;
  if (name === 'done') return { seq, name, data: data as unknown as DoneEventData };
  if (name === 'error') return { seq, name, data: data as unknown as ErrorEventData };
  if (typeof data.delta === 'string') {
    const id = String(data.id);
    let step = steps.get(id);
    if (!step) {
      const created: StreamedStep = { id, index: Number(data.index), type: data.type === 'thinking' ? 'thinking' : 'text', content: '' };
      if (typeof data.parent_id === 'string') created.parent_id = data.parent_id;
      if (typeof data.agent === 'string') created.agent = data.agent;
      steps.set(id, created);
      step = created;
    }
    step.content += data.delta;
    return { seq, name: 'process_step', kind: 'delta', step, delta: data.delta, end: step.content.length };
  }
  return { seq, name: 'process_step', kind: 'step', step: data as unknown as ToolCallStep | ToolResultStep };
}
