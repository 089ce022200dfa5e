import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { ModelConfig } from '@nanoclaw/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChatClient } from './chatClient.js';
import { createUndiciTransport, type UpstreamRequest } from './httpTransport.js';

/**
 * An OpenAI-style streaming endpoint that answers with the client's port (so a test sees which connection a
 * request came on) and closes kept-alive connections soon after they fall idle. Like many servers and proxies it
 * sends no Keep-Alive hint, so the client keeps idle connections by its own timeout. It runs in a worker thread:
 * its timers and sockets go on while the test blocks its own thread, as an LLM server would while ours is busy.
 * Every connection it closes is counted in the shared `closed` cell.
 */
const SERVER_SOURCE = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const closed = new Int32Array(workerData.closed);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive' });
    const chunk = { id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: String(req.socket.remotePort) }, finish_reason: 'stop' }] };
    res.end('data: ' + JSON.stringify(chunk) + '\\n\\ndata: [DONE]\\n\\n');
  });
});
// The shortest keep-alive Node allows (it adds a second of slack of its own).
server.keepAliveTimeout = 1;
server.on('connection', (socket) => socket.on('close', () => { Atomics.add(closed, 0, 1); Atomics.notify(closed, 0); }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

interface ClosingServer {
  url: string;
  /** Blocks this thread (its event loop included) until the server has closed `count` connections. */
  blockUntilClosed(count: number): void;
}

const workers: Worker[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
});

async function startClosingServer(): Promise<ClosingServer> {
  const closed = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(SERVER_SOURCE, { eval: true, execArgv: [], workerData: { closed: closed.buffer } });
  workers.push(worker);
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    blockUntilClosed(count) {
      for (let seen = Atomics.load(closed, 0); seen < count; seen = Atomics.load(closed, 0)) {
        if (Atomics.wait(closed, 0, seen, 30_000) === 'timed-out') throw new Error(`The server closed ${seen} of ${count} connections`);
      }
    },
  };
}

/**
 * Runs `work` inside an I/O callback (a message between threads, like a tool's worker or a file read finishing)
 * right after blocking the event loop there: the connections the server closed meanwhile are only noticed at
 * the loop's next poll, after `work` has started.
 */
function afterBlockingTheLoop<T>(block: () => void, work: () => Promise<T>): Promise<T> {
  const { port1, port2 } = new MessageChannel();
  return new Promise<T>((resolve, reject) => {
    port1.once('message', () => {
      port1.close();
      block();
      work().then(resolve, reject);
    });
    port2.postMessage('go');
  });
}

const post = (): UpstreamRequest => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
  body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
  signal: new AbortController().signal,
});

/** The port a request came from, as the server reported it. */
async function clientPort(transport: ReturnType<typeof createUndiciTransport>, url: string): Promise<string> {
  const response = await transport(url, post());
  const text = await response.text();
  const port = /"content":"(\d+)"/.exec(text)?.[1];
  if (!port) throw new Error(`Unexpected answer: ${text}`);
  return port;
}

describe('createUndiciTransport', () => {
  it('sends the request on a fresh connection when the server closed the kept-alive one while the event loop was blocked', async () => {
    const server = await startClosingServer();
    const transport = createUndiciTransport();
    const before = await clientPort(transport, server.url);
    const after = await afterBlockingTheLoop(
      () => server.blockUntilClosed(1),
      () => clientPort(transport, server.url),
    );
    expect(after).not.toBe(before);
  });

  it('gets past several kept-alive connections closed at once', async () => {
    const server = await startClosingServer();
    const transport = createUndiciTransport();
    const before = await Promise.all([clientPort(transport, server.url), clientPort(transport, server.url)]);
    expect(new Set(before).size).toBe(2);
    const after = await afterBlockingTheLoop(
      () => server.blockUntilClosed(2),
      () => clientPort(transport, server.url),
    );
    expect(before).not.toContain(after);
  });
});

describe('chat client after a blocked event loop', () => {
  it('streams the next answer instead of failing on the closed connection, with no retries allowed', async () => {
    const server = await startClosingServer();
    const client = createChatClient({ settings: { timeout_ms: 10_000, max_retries: 0, retry_base_ms: 10, retry_max_ms: 100 } });
    const model: ModelConfig = { id: 'm', api_url: server.url };
    const ask = async (): Promise<string> => {
      const stream = client.streamChat(model, { messages: [{ role: 'user', content: 'Hi' }] }, new AbortController().signal);
      for (;;) {
        const next = await stream.next();
        if (next.done) return next.value.content;
      }
    };
    const before = await ask();
    const after = await afterBlockingTheLoop(() => server.blockUntilClosed(1), ask);
    expect(after).toMatch(/^\d+$/);
    expect(after).not.toBe(before);
  });
});

describe('the body after [DONE]', () => {
  /** Sends one answer ending in `[DONE]`, then ends the response `endAfterMs` later (never when null). Counts connections opened and closed. */
  async function startDoneServer(endAfterMs: number | null) {
    const stats = { opened: 0, closed: 0, ports: [] as number[], closedPorts: [] as number[] };
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        stats.ports.push(req.socket.remotePort!);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = { id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }] };
        res.write(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`);
        if (endAfterMs !== null) setTimeout(() => res.end(), endAfterMs);
      });
    });
    server.on('connection', (socket) => {
      stats.opened++;
      const port = socket.remotePort!;
      socket.on('close', () => {
        stats.closed++;
        stats.closedPorts.push(port);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, stats };
  }
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  const ask = async (client: ReturnType<typeof createChatClient>, url: string): Promise<string> => {
    const stream = client.streamChat({ id: 'm', api_url: url }, { messages: [{ role: 'user', content: 'Hi' }] }, new AbortController().signal);
    for (;;) {
      const next = await stream.next();
      if (next.done) return next.value.content;
    }
  };
  const settings = { timeout_ms: 10_000, max_retries: 0, retry_base_ms: 10, retry_max_ms: 100 };

  it('lets the response end by itself, so the next answer reuses the connection', async () => {
    const server = await startDoneServer(30);
    const client = createChatClient({ settings });
    expect(await ask(client, server.url)).toBe('Hi');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await ask(client, server.url)).toBe('Hi');
    expect(server.stats.opened).toBe(1);
    expect(server.stats.ports[0]).toBe(server.stats.ports[1]);
  });

  it('drops a response that does not end within the grace period', async () => {
    const server = await startDoneServer(null);
    const client = createChatClient({ settings, transport: createUndiciTransport({ releaseGraceMs: 50 }) });
    expect(await ask(client, server.url)).toBe('Hi');
    // The connection that carried the answer is closed (undici may have opened a spare one beside it).
    await vi.waitFor(() => expect(server.stats.closedPorts).toContain(server.stats.ports[0]), { timeout: 5_000 });
  });
});
