import { projectFileChangeSchema, type ProjectFileChange } from '@nanoclaw/protocol';
import { errorFrom } from './http';
import { authHeaders } from '../lib/session';
import { jsonData, readSseEvents } from './sseEvents';
import { reportMalformedOnce } from './malformedEvents';

/** `live`: connected and hearing changes; `down`: not connected (retrying, or given up with `ended`). */
export type FileEventsState = 'connecting' | 'live' | 'down';

export interface FileEventsHandlers {
  /** Connected (again): whatever was shown may be out of date. */
  onReady(): void;
  onChange(change: ProjectFileChange): void;
  onState(state: FileEventsState): void;
  /** The server refused the feed for good (the project is gone, the sign-in ended). */
  onRefused?(status: number, message: string): void;
}

/** Waits between reconnection attempts, ms; the last one repeats. */
const RETRY_DELAYS_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

/**
 * Follows a project's file changes (GET /api/projects/:id/file-events) over fetch, so the bearer
 * token travels in the Authorization header as on the chat streams. Reconnects with backoff when the
 * connection drops (at once when the browser comes back online); stops for good on 401, 403 and 404.
 * Answers the function that stops it.
 */
export function watchProjectFiles(projectId: string, handlers: FileEventsHandlers): () => void {
  const controller = new AbortController();
  let attempt = 0;
  let wake: (() => void) | null = null;
  const onOnline = () => wake?.();
  window.addEventListener('online', onOnline);

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = window.setTimeout(done, ms);
      function done() {
        window.clearTimeout(timer);
        controller.signal.removeEventListener('abort', done);
        wake = null;
        resolve();
      }
      wake = done;
      controller.signal.addEventListener('abort', done);
    });

  /** One connection, until it ends; answers false when the server refused for good. */
  async function follow(): Promise<boolean> {
    handlers.onState('connecting');
    let res: Response;
    try {
      res = await fetch(`/api/projects/${encodeURIComponent(projectId)}/file-events`, {
        headers: { accept: 'text/event-stream', ...authHeaders() },
        signal: controller.signal,
      });
    } catch {
      return true;
    }
    if (!res.ok || !res.body) {
      const error = await errorFrom(res);
      if ([401, 403, 404].includes(res.status)) {
        handlers.onRefused?.(res.status, error.message);
        return false;
      }
      return true;
    }
    try {
      for await (const event of readSseEvents(res.body)) {
        if (event.event === 'ready') {
          attempt = 0;
          handlers.onState('live');
          handlers.onReady();
        } else if (event.event === 'change') {
          const change = projectFileChangeSchema.safeParse(jsonData(event));
          if (change.success) handlers.onChange(change.data);
          else reportMalformedOnce(`A file change event does not follow the contract: ${change.error.issues[0]?.message ?? 'invalid'}.`);
        }
      }
    } catch {
      /* the connection dropped */
    }
    return true;
  }

  void (async () => {
    while (!controller.signal.aborted) {
      const keepTrying = await follow();
      if (controller.signal.aborted) return;
      handlers.onState('down');
      if (!keepTrying) return;
      await pause(RETRY_DELAYS_MS[Math.min(attempt++, RETRY_DELAYS_MS.length - 1)] as number);
    }
  })();

  return () => {
    controller.abort();
    window.removeEventListener('online', onOnline);
  };
}
