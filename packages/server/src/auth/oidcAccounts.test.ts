import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityRepo } from '../db/identityRepo.js';
import { createManualClock, openTestDatabase, type TestDatabase } from '../db/testEngines.js';
import { createUserRepo, type UserRepo } from '../db/userRepo.js';
import { SsoConflictError } from './authErrors.js';
import { createOidcAccounts, type OidcAccounts } from './oidcAccounts.js';

const ISSUER = 'https://id.example.com';

describe('createOidcAccounts', () => {
  let database: TestDatabase;
  let users: UserRepo;
  let accounts: OidcAccounts;

  beforeAll(async () => {
    database = await openTestDatabase('sqlite');
    const clock = createManualClock('2025-03-10T12:00:00.000Z');
    users = createUserRepo(database.db, clock.now);
    accounts = createOidcAccounts({
      settings: { admin_claim: { name: 'role', value: 'admin' } },
      users,
      identities: createIdentityRepo(database.db, clock.now),
    });
  });
  afterAll(() => database.dispose());

  it('names a new account after the email when there is no usable preferred_username, cleaning it to the local rules', async () => {
    const user = await accounts.resolve(ISSUER, { sub: 's1', preferred_username: 'x', email: 'jane doe+tag@example.com', email_verified: true });
    expect(user.username).toBe('jane-doe-tag');
    expect((await accounts.resolve(ISSUER, { sub: 's2' })).username).toBe('user');
  });

  it('matches an admin claim given as a single string, not a different one', async () => {
    expect((await accounts.resolve(ISSUER, { sub: 's3', role: 'admin' })).role).toBe('admin');
    expect((await accounts.resolve(ISSUER, { sub: 's4', role: 'administrator' })).role).toBe('user');
  });

  it('refuses to choose between several accounts with the same verified email', async () => {
    await users.create({ username: 'dup-a', email: 'dup@example.com' });
    await users.create({ username: 'dup-b', email: 'DUP@example.com' });
    const attempt = accounts.resolve(ISSUER, { sub: 's5', email: 'dup@example.com', email_verified: true });
    await expect(attempt).rejects.toThrow(SsoConflictError);
    await expect(attempt).rejects.toThrow(/Several accounts use the email dup@example\.com/);
  });

  it('treats email_verified other than true (e.g. the string "true") as unverified', async () => {
    await users.create({ username: 'strict', email: 'strict@example.com' });
    const user = await accounts.resolve(ISSUER, { sub: 's6', email: 'strict@example.com', email_verified: 'true' });
    expect(user.username).not.toBe('strict');
    expect(user.email).toBeNull();
  });
});
