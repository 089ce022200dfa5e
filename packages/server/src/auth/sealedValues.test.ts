import { describe, expect, it } from 'vitest';
import { createSealer } from './sealedValues.js';

const SECRET = 'a-test-secret-of-enough-length-7f3a9c1e5b';

describe('createSealer', () => {
  it('opens what it sealed, for the same purpose only', async () => {
    const sealer = createSealer(SECRET, () => new Date());
    const sealed = await sealer.seal('flow', { state: 's1' }, 60);
    expect(sealed).not.toContain('s1');
    expect((await sealer.open('flow', sealed))?.state).toBe('s1');
    expect(await sealer.open('handoff', sealed)).toBeNull();
  });

  it('refuses an altered, foreign, expired or missing value', async () => {
    let clock = new Date('2026-01-01T00:00:00Z');
    const sealer = createSealer(SECRET, () => clock);
    const sealed = await sealer.seal('flow', { state: 's1' }, 60);
    const parts = sealed.split('.');
    parts[3] = `${parts[3]!.slice(0, -2)}${parts[3]!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await sealer.open('flow', parts.join('.'))).toBeNull();
    expect(await createSealer(`${SECRET}-other`, () => clock).open('flow', sealed)).toBeNull();
    expect(await sealer.open('flow', undefined)).toBeNull();
    clock = new Date(clock.getTime() + 61_000);
    expect(await sealer.open('flow', sealed)).toBeNull();
  });
});
