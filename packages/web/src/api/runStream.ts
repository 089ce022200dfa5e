import { decodeRunEvent, type RunEvent } from '@nanoclaw/protocol';
import { errorFrom } from './http';
import { authHeaders } from '../lib/session';
import { readSseEvents } from './sseEvents';
import { reportMalformedOnce } from './malformedEvents';

/** A run's event as received: the contract's event and its SSE id (for resuming). */
export type ReceivedRunEvent = RunEvent & { id: string | undefined };

export interface RunStreamHandlers {
  onEvent(event: ReceivedRunEvent): void;
}

/** How a stream ended: the run finished (`done`/`error` seen), or the connection ended first. */
export type StreamEnd = 'finished' | 'cut';

/**
 * Opens an agent run's event stream (the POST that starts it, or GET /stream to re-attach) and
 * feeds each event to the handler as it arrives, checked against the run-event contract: a malformed
 * one is skipped (and reported once in the console). Throws ApiError when the server refuses.
 */
export async function openRunStream(url: string, init: RequestInit, handlers: RunStreamHandlers, signal: AbortSignal): Promise<StreamEnd> {
  const res = await fetch(url, { ...init, signal, headers: { accept: 'text/event-stream', ...(init.headers as Record<string, string> | undefined), ...authHeaders() } });
  if (!res.ok || !res.body) throw await errorFrom(res);
  let finished = false;
  try {
    for await (const received of readSseEvents(res.body)) {
      const decoded = decodeRunEvent(received.event, received.data);
      if (!decoded.ok) {
        reportMalformedOnce(decoded.error);
        continue;
      }
      if (decoded.event.event === 'done' || decoded.event.event === 'error') finished = true;
      handlers.onEvent({ ...decoded.event, id: received.id });
    }
  } catch (err) {
    if (signal.aborted) return finished ? 'finished' : 'cut';
    if (!finished) return 'cut';
    throw err;
  }
  return finished ? 'finished' : 'cut';
}
