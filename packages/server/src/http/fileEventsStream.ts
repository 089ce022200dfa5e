import type { ServerResponse } from 'node:http';
import type { ProjectFileChange } from '@nanoclaw/protocol';
import type { ProjectChangeFeed } from '../workspace/projectChangeFeed.js';
import { openSseResponse } from './sseResponse.js';

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
    const sse = openSseResponse(res, () => {
      unsubscribe();
      resolve();
    });
    res.write(formatFileEvent('ready', { project_id: projectId }));
    const unsubscribe = feed.subscribe(projectId, (change: ProjectFileChange) => {
      res.write(formatFileEvent('change', change));
    });
    void ended.then(sse.end);
  });
}
