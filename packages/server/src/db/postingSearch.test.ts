import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newestPostingMatches } from './postingSearch.js';
import type { DB } from './schema.js';

describe('newestPostingMatches', () => {
  it('refuses a lookup that is not letters and digits only (it would be a LIKE pattern), before any query', async () => {
    const noDatabase = {} as Kysely<DB>;
    for (const lookup of ['mail%', 'a_b', 'e-mail', 'x!y', '']) {
      await expect(newestPostingMatches(noDatabase, 'u', [lookup], [lookup], 20, 0, 100)).rejects.toThrow(/letters and digits only/);
    }
  });
});
