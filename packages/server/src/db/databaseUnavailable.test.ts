import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, retryWhileDatabaseUnavailable } from './databaseUnavailable.js';

const withCode = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises lost or refused connections of every driver', () => {
    for (const err of [
      withCode('ECONNREFUSED'),
      withCode('PROTOCOL_CONNECTION_LOST'),
      withCode('57P01'),
      withCode('08006'),
      new Error('Connection terminated unexpectedly'),
      new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed'),
      new Error('query failed', { cause: withCode('ECONNRESET') }),
    ]) {
      expect(isDatabaseUnavailable(err), String(err)).toBe(true);
    }
  });

  it('does not take a bad query or a constraint for an outage', () => {
    for (const err of [withCode('23505'), withCode('ER_DUP_ENTRY'), withCode('42P01'), new Error('syntax error'), null, 'ECONNREFUSED']) {
      expect(isDatabaseUnavailable(err), String(err)).toBe(false);
    }
  });
});

describe('retryWhileDatabaseUnavailable', () => {
  it('tries again until the database answers', async () => {
    let attempts = 0;
    const told: unknown[] = [];
    const result = await retryWhileDatabaseUnavailable(
      async () => {
        attempts++;
        if (attempts < 3) throw withCode('ECONNREFUSED');
        return 'stored';
      },
      { maxWaitMs: 1000, delayMs: 5, onUnavailable: (err) => told.push(err) },
    );
    expect(result).toBe('stored');
    expect(attempts).toBe(3);
    expect(told).toHaveLength(1);
  });

  it('rethrows other errors at once, and an outage once the time is up', async () => {
    let attempts = 0;
    await expect(retryWhileDatabaseUnavailable(async () => { attempts++; throw withCode('23505'); }, { maxWaitMs: 1000, delayMs: 5 })).rejects.toMatchObject({ code: '23505' });
    expect(attempts).toBe(1);
    await expect(retryWhileDatabaseUnavailable(async () => { throw withCode('ECONNREFUSED'); }, { maxWaitMs: 30, delayMs: 5 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
