import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from './engines.js';
import { createConversation, sendMessage, sseEvents, startTestServer, stepsFromEvents, waitFor, type SseEvent, type TestServer } from './helpers.js';
import { startTcpProxy, type TcpProxy } from './tcpProxy.js';

/**
 * PostgreSQL becoming unreachable while a run streams, as the server sees it: its connections go
 * through a TCP proxy that is cut (refusing new connections, breaking open ones) and later restored.
 * The machine's PostgreSQL itself is never touched.
 */
let scratch: ScratchDatabase;
let proxy: TcpProxy;
let t: TestServer;

beforeAll(async () => {
  scratch = await createScratchDatabase('postgres');
  const direct = new URL(scratch.url!);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const viaProxy = new URL(direct);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  t = await startTestServer({ database_url: viaProxy.toString() });
});

afterAll(async () => {
  await proxy?.restore().catch(() => {});
  await t?.close();
  await proxy?.close();
  await scratch?.drop();
});

describe('the database becoming unreachable', () => {
  it('answers API requests 503 with Retry-After while the run keeps streaming, and stores the run once it is back', async () => {
    const conversation = await createConversation(t, { model: 'slow' });
    const response = await sendMessage(t.url, conversation.id, { text: 'keep going through an outage' });
    const events: SseEvent[] = [];
    const reading = (async () => {
      for await (const event of sseEvents(response)) events.push(event);
    })();
    await waitFor(() => events.length >= 3);

    await proxy.cut();
    const cutAt = events.length;
    const during = await fetch(`${t.url}/api/conversations`);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(await during.json()).toEqual({ code: 503, message: 'The database is not reachable; try again shortly.' });

    // Six seconds down: the model's answer (40 pieces, 100 ms apart) ends meanwhile, its storing waits.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(events.length).toBeGreaterThan(cutAt + 20);
    expect(events.some((event) => event.event === 'done' || event.event === 'error')).toBe(false);

    await proxy.restore();
    await reading;
    expect(events.at(-1)!.event).toBe('done');
    const text = stepsFromEvents(events).map((step) => step.content).join('');

    const after = await t.api('GET', `/api/conversations/${conversation.id}/messages`);
    expect(after.status).toBe(200);
    const answer = after.body.data.items.at(-1);
    expect(answer).toMatchObject({ role: 'assistant', status: 'complete', text });
    expect(text.length).toBeGreaterThan(0);
  }, 30_000);
});
