import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation } from './errors.js';
import { createIdentityRepo, type IdentityRepo } from './identityRepo.js';
import { createManualClock, openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';
import { createUserRepo, type UserRepo } from './userRepo.js';

describe.each(testEngines())('identityRepo on %s', (engine) => {
  let database: TestDatabase;
  let users: UserRepo;
  let identities: IdentityRepo;
  const clock = createManualClock('2025-03-10T12:00:00.000Z');

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    users = createUserRepo(database.db, clock.now);
    identities = createIdentityRepo(database.db, clock.now);
  });
  afterAll(() => database.dispose());

  it('links an identity to a user, finds it by issuer and subject, and records sign-ins', async () => {
    expect(await identities.any()).toBe(false);
    const user = await users.create({ username: 'linked' });
    const linked = await identities.link({ userId: user.id, issuer: 'https://id.example.com', subject: 'abc', email: null });
    expect(await identities.any()).toBe(true);
    expect(await identities.find('https://id.example.com', 'abc')).toEqual(linked);
    expect(await identities.find('https://id.example.com', 'ABC')).toBeNull();
    expect(await identities.find('https://other.example.com', 'abc')).toBeNull();
    clock.set('2025-03-11T08:00:00.000Z');
    await identities.touch(linked.id, 'a@example.com');
    expect(await identities.find('https://id.example.com', 'abc')).toMatchObject({ email: 'a@example.com', last_login_at: '2025-03-11T08:00:00.000Z' });
    expect(await identities.listForUser(user.id)).toHaveLength(1);
  });

  it('refuses a second link of the same identity with a unique violation', async () => {
    const user = await users.create({ username: 'twice' });
    await identities.link({ userId: user.id, issuer: 'https://id.example.com', subject: 'twice', email: null });
    const second = identities.link({ userId: user.id, issuer: 'https://id.example.com', subject: 'twice', email: null });
    await expect(second).rejects.toSatisfy(isUniqueViolation);
  });

  it('finds users by email ignoring case', async () => {
    const one = await users.create({ username: 'mail-one', email: 'Same@Example.com' });
    await users.create({ username: 'mail-two', email: 'other@example.com' });
    expect((await users.listByEmail('same@example.COM')).map((user) => user.id)).toEqual([one.id]);
    expect(await users.listByEmail('nobody@example.com')).toEqual([]);
  });
});
