import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { logConnectionOutages } from './connectionOutageLog.js';

describe('logConnectionOutages', () => {
  it('logs an outage once when it starts and once when it ends, however many attempts fail', () => {
    const client = new EventEmitter();
    const lines: string[] = [];
    logConnectionOutages(client, 'Redis', { warn: (_obj, msg) => void lines.push(msg ?? '') });
    client.emit('ready');
    for (let i = 0; i < 5; i++) client.emit('error', new Error('connect ECONNREFUSED'));
    client.emit('ready');
    client.emit('error', new Error('again'));
    expect(lines).toEqual(['Redis is not reachable; reconnecting', 'Redis is reachable again', 'Redis is not reachable; reconnecting']);
  });
});
