import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DONE_FRAME, answerIdentity, emptyRoleFrame, finishFrame, pieceFrame, usageFrame } from './chunks.js';
import { dropConnection } from './connection.js';
import { pause } from './pause.js';
import type { StreamPlan } from './streamPlan.js';
import type { ChatRequest } from './types.js';

/** Frames are joined into writes of about this size when there is no delay between pieces. */
const BATCH_BYTES = 16 * 1024;

/** Collects frames and writes them in one go, waiting for `drain` when the socket is full. */
class BatchedWriter {
  private pending = '';

  constructor(
    private readonly response: ServerResponse,
    private readonly signal: AbortSignal,
  ) {}

  add(frame: string): void {
    this.pending += frame;
  }

  get isFull(): boolean {
    return this.pending.length >= BATCH_BYTES;
  }

  async flush(): Promise<void> {
    if (!this.pending) return;
    this.signal.throwIfAborted();
    const accepted = this.response.write(this.pending);
    this.pending = '';
    if (!accepted) await once(this.response, 'drain', { signal: this.signal });
  }
}

export function wantsUsageChunk(plan: StreamPlan, request: ChatRequest): boolean {
  return plan.usagePolicy === 'always' || (plan.usagePolicy === 'ifAsked' && request.stream_options?.include_usage === true);
}

/** Answers a `stream: true` request as OpenAI does: SSE chunks, a finish chunk, usage, `[DONE]`. */
export async function sendEventStream(response: ServerResponse, plan: StreamPlan, request: ChatRequest, signal: AbortSignal): Promise<void> {
  const includeUsage = wantsUsageChunk(plan, request);
  const identity = answerIdentity(request.model, includeUsage);
  await pause(plan.delayMs, signal);
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  response.flushHeaders();

  const writer = new BatchedWriter(response, signal);
  const { pieces, cutoff, chunkDelayMs } = plan;
  const pieceCount = cutoff ? Math.min(cutoff.afterPieces, pieces.length) : pieces.length;
  for (let i = 0; i < pieceCount; i++) {
    const piece = pieces[i];
    if (!piece) break;
    if (i > 0 && chunkDelayMs > 0) await pause(chunkDelayMs, signal);
    writer.add(pieceFrame(identity, piece, i === 0));
    if (chunkDelayMs > 0) {
      await writer.flush();
    } else if (writer.isFull) {
      await writer.flush();
      // Lets other streams and socket events run between batches.
      await nextTurn();
    }
  }

  if (cutoff) {
    await writer.flush();
    if (cutoff.action === 'disconnect') dropConnection(response);
    return; // a stall leaves the connection open and silent
  }

  if (pieces.length === 0) writer.add(emptyRoleFrame(identity));
  writer.add(finishFrame(identity, plan.finishReason));
  if (includeUsage) writer.add(usageFrame(identity, plan.usage));
  writer.add(DONE_FRAME);
  await writer.flush();
  response.end();
}
