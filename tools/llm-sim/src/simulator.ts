import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRouter } from './router.js';
import { SimulatorState } from './simulatorState.js';
import type { RecordedRequest, ScriptedResponse } from './types.js';

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Delay between pieces for every scenario and script (default 0; `demo` 25, `slow` 100). */
  tokenDelayMs?: number;
}

export interface Simulator {
  /** Base URL to configure as the provider, e.g. http://127.0.0.1:4000/v1 */
  url: string;
  /** `url + '/chat/completions'` */
  chatUrl: string;
  port: number;
  /** Queues responses; each chat request takes the next one before falling back to the model's scenario. */
  script(...responses: ScriptedResponse[]): void;
  clearScript(): void;
  requests(): RecordedRequest[];
  clearRequests(): void;
  /**
   * Open connections with a request in progress (streaming, stalled or hanging). Idle keep-alive
   * sockets are left out, as is the spare socket undici opens right after an aborted request,
   * so this drops to 0 once the client has aborted and nothing else is running.
   */
  openConnections(): number;
  /** Stops listening and drops every connection, hanging ones included. */
  close(): Promise<void>;
}

/** A client must dial a concrete address even when the server listens on all of them. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const state = new SimulatorState(options.tokenDelayMs);
  const route = createRouter(state);
  const sockets = new Set<Socket>();
  const requestsInProgress = new Map<Socket, number>();

  const server = createServer((incoming, response) => {
    route(incoming, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `Simulator failure: ${message}`, type: 'server_error' } }));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (incoming: IncomingMessage, response: ServerResponse) => {
    const { socket } = incoming;
    requestsInProgress.set(socket, (requestsInProgress.get(socket) ?? 0) + 1);
    // 'close' comes when the answer is complete or when the connection is gone, whichever is first.
    response.once('close', () => {
      const remaining = (requestsInProgress.get(socket) ?? 1) - 1;
      if (remaining > 0) requestsInProgress.set(socket, remaining);
      else requestsInProgress.delete(socket);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // As the server does (serve.ts): benchmarks open a thousand connections at once.
    server.listen({ port: options.port ?? 0, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${port}/v1`;
  return {
    url,
    chatUrl: `${url}/chat/completions`,
    port,
    script: (...responses) => state.enqueue(responses),
    clearScript: () => state.clearScript(),
    requests: () => state.requests(),
    clearRequests: () => state.clearRequests(),
    openConnections: () => requestsInProgress.size,
    close: async () => {
      const stopped = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      const socketsClosed = [...sockets].map((socket) => once(socket, 'close'));
      for (const socket of sockets) socket.destroy();
      await Promise.all([stopped, ...socketsClosed]);
    },
  };
}
