import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Requests seen so far (method and path with query). */
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

/** A local HTTP server on 127.0.0.1 for tool tests (no internet here: every fake upstream is one of these). */
export async function startFakeServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function send(res: ServerResponse, status: number, contentType: string | null, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...(contentType ? { 'content-type': contentType } : {}), ...headers });
  res.end(body);
}

/**
 * Makes the simulated model call one tool, then answer "done"; returns the streamed tool_result step,
 * the stored assistant message, and what the model was sent back in the second request.
 */
export async function runOneToolCall(
  t: import('./helpers.js').TestServer,
  name: string,
  args: object,
): Promise<{ steps: any[]; call: any; result: any; stored: any; toolMessage: any }> {
  const { createConversation, readSse, sendMessage, stepsFromEvents } = await import('./helpers.js');
  t.sim.script({ kind: 'stream', toolCalls: [{ name, arguments: JSON.stringify(args) }] }, { kind: 'stream', content: 'done' });
  const conversation = await createConversation(t, { model: 'text' });
  const events = await readSse(await sendMessage(t.url, conversation.id, { text: `please use ${name}` }));
  const steps = stepsFromEvents(events);
  const messages = (await t.api('GET', `/api/conversations/${conversation.id}/messages`)).body.data.items;
  const second = t.sim.requests().at(-1)?.body as { messages: any[] } | undefined;
  return {
    steps,
    call: steps.find((s) => s.type === 'tool_call'),
    result: steps.find((s) => s.type === 'tool_result'),
    stored: messages.at(-1),
    toolMessage: second?.messages.at(-1),
  };
}
