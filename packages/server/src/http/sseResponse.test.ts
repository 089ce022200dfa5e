import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openSseResponse } from './sseResponse.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('openSseResponse', () => {
  it("tells the client how long the server keeps an idle connection, so that it is used again rather than closed early", async () => {
    server = createServer((_req, res) => {
      const sse = openSseResponse(res, () => undefined);
      res.write('data: 1\n\n');
      sse.end();
    });
    server.keepAliveTimeout = 72_000;
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('connection')).toBe('keep-alive');
    expect(res.headers.get('keep-alive')).toBe('timeout=72');
    expect(await res.text()).toBe('data: 1\n\n');
  });
});
