import type { ServerResponse } from 'node:http';
import type { StreamProtocol } from '@nanoclaw/protocol';
import type { LoggedEvent } from '../agent/runSession.js';
import type { RunView } from '../agent/runHub.js';
import { formatEvent } from './sseFormat.js';

const PING_INTERVAL_MS = 15_000;

/**
 * Streams a run to one HTTP response: replays from `afterSeq`, then follows live until the run ends
 * or the client goes away. The client leaving only unsubscribes; the run carries on.
 */
export function streamRunToResponse(res: ServerResponse, session: RunView, afterSeq: number, protocol: StreamProtocol): Promise<void> {
  return new Promise((resolve) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    let closed = false;
    const ping = setInterval(() => res.write(': ping\n\n'), PING_INTERVAL_MS);
    ping.unref();
    const end = () => {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      unsubscribe();
      res.end();
      resolve();
    };
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
    const unsubscribe = session.subscribe(afterSeq, write, () => queueMicrotask(end));
    res.on('close', end);
  });
}
