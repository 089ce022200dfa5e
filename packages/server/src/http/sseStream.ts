import type { ServerResponse } from 'node:http';
import type { StreamProtocol } from '@nanoclaw/protocol';
import type { LoggedEvent } from '../agent/runSession.js';
import type { RunView } from '../agent/runHub.js';
import { formatEvent } from './sseFormat.js';
import { openSseResponse } from './sseResponse.js';
import { RUN_ID_HEADER } from './requestLog.js';

/**
 * The least time between two writes of events to one client. A model answering faster than this (a
 * burst after a pause, a provider at thousands of tokens a second) has its pieces gathered into fewer,
 * larger writes: each write is a system call and wakes the client, which on a loaded machine cost more
 * than the pieces themselves (measured, a 2,000-token burst: its end 2–19 % sooner, more the busier the
 * machine). Far below what anyone could see; a model slower than this, as most are, never waits for it.
 */
export const FLUSH_INTERVAL_MS = 2;

/**
 * Streams a run to one HTTP response: replays from `afterSeq`, then follows live until the run ends
 * or the client goes away. The client leaving only unsubscribes; the run carries on. `flushIntervalMs`:
 * FLUSH_INTERVAL_MS (tests lengthen it to tell a wait from none).
 */
export function streamRunToResponse(
  res: ServerResponse,
  session: RunView,
  afterSeq: number,
  protocol: StreamProtocol,
  flushIntervalMs = FLUSH_INTERVAL_MS,
): Promise<void> {
  return new Promise((resolve) => {
    res.setHeader(RUN_ID_HEADER, session.id);
    const sse = openSseResponse(res, () => {
      clearTimeout(flushTimer);
      unsubscribe();
      resolve();
    });
    // The headers leave with the first event, or in the event loop's next check phase if none has come by
    // then: behind a model request the run has just dispatched (undici writes it from a setImmediate), so
    // answering our client does not delay asking the model.
    let wrote = false;
    setImmediate(() => {
      if (!wrote && !res.writableEnded) res.flushHeaders();
    });
    // Events written in one synchronous stretch (a replay, the pieces of one read from the model) leave in
    // one write; each event is still whole within it. A microtask, not process.nextTick: Node runs
    // nextTick callbacks only once the whole microtask queue has drained, and the run goes on working in
    // microtasks (reading on, storing at the end), which held the first event back ≈1 ms at zero delay.
    // A stretch that comes within the flush interval of the last write waits out the rest of it, gathering
    // what follows. The first event of a response never waits, nor does the end: the run's last event and
    // the end of the response leave together at once (`res.end()` while corked adds the closing chunk
    // to the same write).
    let corked = false;
    let ending = false;
    let lastFlush = -Infinity;
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = () => {
      flushTimer = undefined;
      corked = false;
      lastFlush = performance.now();
      if (ending) sse.end();
      else res.uncork();
    };
    const write = (event: LoggedEvent) => {
      // The original's protocol has no retry event: its clients get exactly the events they know.
      if (protocol === 'v1' && event.name === 'retry') return;
      wrote = true;
      if (!corked) {
        corked = true;
        res.cork();
        const wait = lastFlush + flushIntervalMs - performance.now();
        if (wait > 0) flushTimer = setTimeout(flush, wait);
        else queueMicrotask(flush);
      }
      res.write(formatEvent(session.id, event, protocol));
    };
    // The end waits for a microtask either way: it may come while `subscribe` is still replaying.
    const unsubscribe = session.subscribe(afterSeq, write, () => {
      if (!corked) return queueMicrotask(sse.end);
      ending = true;
      if (flushTimer) {
        clearTimeout(flushTimer);
        queueMicrotask(flush);
      }
    });
  });
}
