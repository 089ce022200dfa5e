import type { ServerResponse } from 'node:http';
import type { ProjectFileChange } from '@nanoclaw/protocol';
import type { ProjectChangeFeed } from '../workspace/projectChangeFeed.js';

const PING_INTERVAL_MS = 15_000;

/** One SSE event as a single string, so it goes out in one write. */
export function formatFileEvent(name: 'ready' | 'change', data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Follows a project's file changes on one HTTP response until the client goes away or `ended`
 * resolves (the server is closing). First `ready` (the client reloads what it shows, catching up
 * on anything it missed while it was not connected), then one `change` per change; `: ping` comments
 * keep idle connections alive through proxies.
 */
export function streamFileChangesToResponse(res: ServerResponse, feed: ProjectChangeFeed, projectId: string, ended: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(formatFileEvent('ready', { project_id: projectId }));
    const unsubscribe = feed.subscribe(projectId, (change: ProjectFileChange) => {
      res.write(formatFileEvent('change', change));
    });
    const ping = setInterval(() => res.write(': ping\n\n'), PING_INTERVAL_MS);
    ping.unref();
    let closed = false;
    const end = () => {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      unsubscribe();
      res.end();
      resolve();
    };
    res.on('close', end);
    void ended.then(end);
  });
}
