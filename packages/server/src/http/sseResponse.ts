import type { ServerResponse } from 'node:http';

const PING_INTERVAL_MS = 15_000;

/**
 * Starts a Server-Sent Events response: its headers, and a `: ping` comment every 15 s that keeps an
 * idle connection open through proxies. `end()` ends it (once, however often it is called); the
 * client going away ends it too. `onEnd` runs once, after the response ended.
 */
export function openSseResponse(res: ServerResponse, onEnd: () => void): { end(): void } {
  // No `connection` header of our own: Node then sends `Connection: keep-alive` with `Keep-Alive: timeout=…`,
  // the server's idle timeout. Without that hint, clients such as undici close the connection after their
  // own few seconds idle, and their next request must open (and wait to be accepted on) a new one.
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  const ping = setInterval(() => res.write(': ping\n\n'), PING_INTERVAL_MS);
  ping.unref();
  let closed = false;
  const end = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    res.end();
    onEnd();
  };
  res.on('close', end);
  return { end };
}
