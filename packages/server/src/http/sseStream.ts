import type { ServerResponse } from 'node:http';
import type { StreamProtocol } from '@nanoclaw/protocol';
import type { LoggedEvent } from '../agent/runSession.js';
import type { RunView } from '../agent/runHub.js';
import { formatEvent } from './sseFormat.js';
import { openSseResponse } from './sseResponse.js';

/**
 * Streams a run to one HTTP response: replays from `afterSeq`, then follows live until the run ends
 * or the client goes away. The client leaving only unsubscribes; the run carries on.
 */
export function streamRunToResponse(res: ServerResponse, session: RunView, afterSeq: number, protocol: StreamProtocol): Promise<void> {
  return new Promise((resolve) => {
    const sse = openSseResponse(res, () => {
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
    // The run's last event and the end of the response leave together: `res.end()` while corked adds the
    // closing chunk to the same write.
    let corked = false;
    let ending = false;
    const uncork = () => {
      corked = false;
      if (ending) sse.end();
      else res.uncork();
    };
    const write = (event: LoggedEvent) => {
      wrote = true;
      if (!corked) {
        corked = true;
        res.cork();
        queueMicrotask(uncork);
      }
      res.write(formatEvent(session.id, event, protocol));
    };
    // The end waits for a microtask either way: it may come while `subscribe` is still replaying.
    const unsubscribe = session.subscribe(afterSeq, write, () => {
      if (corked) ending = true;
      else queueMicrotask(sse.end);
    });
  });
}
