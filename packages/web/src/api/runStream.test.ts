// @vitest-environment jsdom
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openRunStream, type ReceivedRunEvent } from './runStream';

/** A real HTTP server sending a run's stream with malformed events among the good ones. */
let server: Server;
let base = '';
const body = [
  'id: r:1\nevent: process_step\ndata: {"id":"step-0","index":0,"type":"text","delta":"Hel"}\n\n',
  'id: r:2\nevent: process_step\ndata: {"id":"step-0","index":0,"type":"text"}\n\n',
  ': ping\n\n',
  'id: r:3\nevent: process_step\ndata: {"id":"step-0","index":0,"type":"text"}\n\n',
  'id: r:4\nevent: process_step\ndata: not json\n\n',
  'id: r:5\nevent: process_step\ndata: {"id":"step-0","index":0,"type":"text","delta":"lo"}\n\n',
  'id: r:6\nevent: done\ndata: {"message_id":"m1","token_count":2,"suggested_title":null,"usage":{"prompt_tokens":1,"completion_tokens":2}}\n\n',
].join('');

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('openRunStream', () => {
  it('hands on only events that follow the contract, reporting each kind of malformed one once in the console', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const received: ReceivedRunEvent[] = [];
    const end = await openRunStream(`${base}/stream`, {}, { onEvent: (event) => received.push(event) }, new AbortController().signal);
    expect(end).toBe('finished');
    expect(received.map((event) => [event.id, event.event])).toEqual([
      ['r:1', 'process_step'],
      ['r:5', 'process_step'],
      ['r:6', 'done'],
    ]);
    expect(received[2]).toMatchObject({ event: 'done', data: { message_id: 'm1', token_count: 2 } });
    // Two distinct faults (a step without its text, data that is not JSON): one line each, not one per event.
    expect(errors).toHaveBeenCalledTimes(2);
    expect(errors.mock.calls[0]![0]).toMatch(/skipped a server event: Malformed "process_step" event/);
    errors.mockRestore();
  });
});
