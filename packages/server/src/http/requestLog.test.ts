import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRequestLog, RUN_ID_HEADER } from './requestLog.js';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});
const app = Fastify({ loggerInstance: pino({ level: 'info' }, sink) as FastifyBaseLogger, disableRequestLogging: true });
let url: string;

beforeAll(async () => {
  registerRequestLog(app);
  app.post('/api/echo', async (request) => ({ code: 0, data: request.body }));
  app.get('/api/stream', (_request, reply) => {
    reply.hijack();
    reply.raw.setHeader(RUN_ID_HEADER, 'run-1');
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.end('event: done\ndata: {}\n\n');
  });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => app.close());

const logged = async (path: string) => {
  for (let i = 0; i < 100 && !lines.some((line) => line.path === path); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return lines.filter((line) => line.path === path);
};

describe('the request log', () => {
  it('writes one info line per request: method, path, status, duration; no query, headers or body', async () => {
    await fetch(`${url}/api/echo?token=secret-token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer secret-bearer' }, body: '{"text":"private words"}' });
    const [line, ...more] = await logged('/api/echo');
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 30, method: 'POST', path: '/api/echo', status: 200 });
    expect(line!.msg).toMatch(/^POST \/api\/echo 200 \d+ ms$/);
    expect(typeof line!.durationMs).toBe('number');
    const text = JSON.stringify(lines);
    for (const secret of ['secret-token', 'secret-bearer', 'private words']) expect(text).not.toContain(secret);
  });

  it('names the run of an event stream', async () => {
    await (await fetch(`${url}/api/stream`)).text();
    expect(await logged('/api/stream')).toEqual([expect.objectContaining({ method: 'GET', status: 200, runId: 'run-1' })]);
  });
});
