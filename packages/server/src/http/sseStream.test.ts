import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ToolCallStep } from '@nanoclaw/protocol';
import { RunSession } from '../agent/runSession.js';
import { streamRunToResponse } from './sseStream.js';

const call = (n: number): ToolCallStep => ({ id: `step-${n}`, index: n, type: 'tool_call', id_ref: `call_${n}`, name: 'calculator', arguments: `{"expression":"${n}+${n}"}` });

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Serves one run on a real socket; `act` drives the session once the client is attached. */
async function serveRun(
  act: (session: RunSession, socket: Socket, headersReceived: Promise<void>) => Promise<void>,
  flushIntervalMs?: number,
): Promise<string> {
  let headersArrived!: () => void;
  const headersReceived = new Promise<void>((resolve) => (headersArrived = resolve));
  server = createServer((_req, res) => {
    const session = new RunSession('run-1', 'conv-1', 'user-1', 'msg-1');
    void streamRunToResponse(res, session, 0, 'default', flushIntervalMs);
    void act(session, res.socket!, headersReceived).then(() =>
      session.finish('done', { message_id: 'msg-1', token_count: 0, suggested_title: null, usage: { prompt_tokens: 0, completion_tokens: 0 } }),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  headersArrived();
  return res.text();
}

/** What reaches `socket` from now on, one entry per write it makes; `onWrite` is called after each. */
function socketWrites(socket: Socket, onWrite?: () => void): string[] {
  const writes: string[] = [];
  const raw = socket as unknown as {
    _writev(chunks: Array<{ chunk: Buffer | string }>, cb: () => void): void;
    _write(chunk: Buffer | string, encoding: string, cb: () => void): void;
  };
  const writev = raw._writev.bind(socket);
  const write = raw._write.bind(socket);
  const seen = (text: string) => {
    writes.push(text);
    onWrite?.();
  };
  raw._writev = (chunks, cb) => {
    seen(chunks.map((c) => c.chunk.toString()).join(''));
    writev(chunks, cb);
  };
  raw._write = (chunk, encoding, cb) => {
    seen(chunk.toString());
    write(chunk, encoding, cb);
  };
  return writes;
}

describe('streamRunToResponse', () => {
  it('sends the events of one synchronous stretch together, as soon as that stretch ends, while the run goes on in microtasks', async () => {
    const seen: Array<{ corkedAfterRecording: number; corkedLater: number }> = [];
    const body = await serveRun(async (session, socket) => {
      // As in a run: the events are recorded from a microtask (the loop reading the model's answer).
      await null;
      session.record({ type: 'step', step: call(1) });
      session.record({ type: 'step', step: call(2) });
      const corkedAfterRecording = socket.writableCorked;
      // The run carries on in a long chain of microtasks (reading on, storing at the end); the events
      // must not wait for it to end (process.nextTick would: Node runs it only once microtasks drain).
      for (let i = 0; i < 20; i++) await null;
      seen.push({ corkedAfterRecording, corkedLater: socket.writableCorked });
    });
    expect(seen).toEqual([{ corkedAfterRecording: 1, corkedLater: 0 }]);
    expect(body.match(/event: process_step/g)).toHaveLength(2);
    expect(body).toContain('"id":"step-2"');
    expect(body).toContain('event: done');
  });

  it('sends the last event and the end of the response in one write', async () => {
    let writes: string[] = [];
    await serveRun(async (session, socket) => {
      await null;
      session.record({ type: 'step', step: call(1) });
      writes = socketWrites(socket); // from here on; the run then finishes
    });
    const done = writes.findIndex((w) => w.includes('event: done'));
    expect(done).toBeGreaterThanOrEqual(0);
    expect(writes[done]).toMatch(/\r\n0\r\n\r\n$/);
    expect(writes.slice(done + 1)).toEqual([]);
  });

  it('gathers events coming faster than the flush interval into one write, the first event leaving at once', async () => {
    let writes: string[] = [];
    const written: number[] = [];
    await serveRun(async (session, socket, headersReceived) => {
      await headersReceived;
      writes = socketWrites(socket, () => written.push(performance.now()));
      session.record({ type: 'step', step: call(1) });
      // Two more pieces, each read on its own (a macrotask apart), well inside the interval.
      await new Promise((resolve) => setImmediate(resolve));
      session.record({ type: 'step', step: call(2) });
      await new Promise((resolve) => setImmediate(resolve));
      session.record({ type: 'step', step: call(3) });
      await new Promise((resolve) => setTimeout(resolve, 150));
    }, 100);
    expect(writes[0]).toContain('"id":"step-1"');
    expect(writes[0]).not.toContain('"id":"step-2"');
    expect(writes[1]).toContain('"id":"step-2"');
    expect(writes[1]).toContain('"id":"step-3"');
    expect(written[1]! - written[0]!).toBeGreaterThan(90); // the interval, give or take the timer's rounding
  });

  it('ends the response at once, with the events still being gathered, when the run ends', async () => {
    let writes: string[] = [];
    const written: number[] = [];
    let finishedAt = 0;
    await serveRun(async (session, socket, headersReceived) => {
      await headersReceived;
      writes = socketWrites(socket, () => written.push(performance.now()));
      session.record({ type: 'step', step: call(1) });
      await new Promise((resolve) => setImmediate(resolve));
      session.record({ type: 'step', step: call(2) }); // waits for the interval…
      finishedAt = performance.now(); // …and the run ends now
    }, 1_000);
    expect(writes).toHaveLength(2);
    expect(writes[1]).toContain('"id":"step-2"');
    expect(writes[1]).toContain('event: done');
    expect(writes[1]).toMatch(/\r\n0\r\n\r\n$/);
    expect(written[1]! - finishedAt).toBeLessThan(500);
  });

  it('sends the headers on their own when no event comes at once, so the client knows the run started', async () => {
    // The first event is only recorded once the client has the response's head.
    const body = await serveRun(async (session, _socket, headersReceived) => {
      await headersReceived;
      session.record({ type: 'step', step: call(1) });
    });
    expect(body).toMatch(/^id: run-1:1\nevent: process_step\n/);
  });
});
