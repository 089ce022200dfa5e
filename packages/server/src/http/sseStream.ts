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
    res.flushHeaders();
    // Events that arrive in the same tick (a replay, a burst from the model) leave in one write;
    // each event is still whole within it.
    let corked = false;
    const uncork = () => {
      corked = false;
      res.uncork();
    };
    const write = (event: LoggedEvent) => {
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(uncork);
      }
      res.write(formatEvent(session.id, event, protocol));
    };
    const unsubscribe = session.subscribe(afterSeq, write, () => queueMicrotask(sse.end));
  });
}
