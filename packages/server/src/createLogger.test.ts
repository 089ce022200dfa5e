import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormatFor } from './createLogger.js';

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('createLogger', () => {
  it('is pretty at a terminal and JSON otherwise', () => {
    expect(logFormatFor({ isTTY: true })).toBe('pretty');
    expect(logFormatFor({ isTTY: false })).toBe('json');
    expect(logFormatFor({})).toBe('json');
  });

  it('writes human-readable lines in the pretty format', async () => {
    const out = collect();
    const logger = await createLogger('info', 'pretty', out.stream);
    logger.info({ reqId: 'req-1', method: 'GET', path: '/api/models', status: 200, durationMs: 3, runId: 'run-1' }, 'GET /api/models 200 3 ms');
    logger.warn('second entry');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] INFO: GET \/api\/models 200 3 ms \{"reqId":"req-1","runId":"run-1"\}$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] WARN: second entry$/),
    ]);
  });

  it('writes one JSON object per line in the json format', async () => {
    const out = collect();
    const logger = await createLogger('info', 'json', out.stream);
    logger.info({ status: 200 }, 'request');
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: 'request', status: 200 });
  });
});
