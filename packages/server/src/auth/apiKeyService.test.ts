import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyRepo } from '../db/apiKeyRepo.js';
import { createManualClock, openTestDatabase, testEngines, type TestDatabase } from '../db/testEngines.js';
import { createUserRepo, type UserRepo } from '../db/userRepo.js';
import { AccountDeactivatedError, UnauthenticatedError } from './authErrors.js';
import { createApiKeyService, hashApiKey, LAST_USED_RESOLUTION_MS, type ApiKeyService } from './apiKeyService.js';

describe.each(testEngines())('API keys on %s', (engine) => {
  let database: TestDatabase;
  let users: UserRepo;
  let keys: ApiKeyService;
  const clock = createManualClock('2025-03-10T12:00:00.000Z');
  let counter = 0;
  const newUser = () => users.create({ username: `key-user-${++counter}` });

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    users = createUserRepo(database.db, clock.now);
    keys = createApiKeyService({ keys: createApiKeyRepo(database.db, clock.now), users, now: clock.now });
  });
  afterAll(() => database.dispose());

  it('stores only the hash and a display prefix, and finds the user by the key', async () => {
    const user = await newUser();
    const { row, key } = await keys.create(user.id, 'laptop');
    expect(key).toMatch(/^nck_[A-Za-z0-9_-]{43}$/);
    expect(row).toEqual({ id: expect.any(String), user_id: user.id, name: 'laptop', prefix: key.slice(0, 12), key_hash: hashApiKey(key), created_at: '2025-03-10T12:00:00.000Z', last_used_at: null });
    const stored = await database.db.selectFrom('api_keys').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(key);
    expect((await keys.authenticate(`Bearer ${key}`)).user.id).toBe(user.id);
  });

  it('notes the last use at most once a minute, not on every request', async () => {
    const user = await newUser();
    const { row, key } = await keys.create(user.id, 'busy');
    const lastUsed = async () => (await keys.listForUser(user.id)).find((k) => k.id === row.id)!.last_used_at;
    await keys.authenticate(`Bearer ${key}`);
    const first = await lastUsed();
    expect(first).toBe(clock.now().toISOString());
    clock.advance(LAST_USED_RESOLUTION_MS - 1);
    await keys.authenticate(`Bearer ${key}`);
    expect(await lastUsed()).toBe(first);
    clock.advance(1);
    await keys.authenticate(`Bearer ${key}`);
    expect(await lastUsed()).toBe(clock.now().toISOString());
  });

  it('refuses a missing, unknown or revoked key, and a deactivated account', async () => {
    const user = await newUser();
    const { row, key } = await keys.create(user.id, 'soon gone');
    await expect(keys.authenticate(undefined)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(keys.authenticate(`Bearer ${key}x`)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(keys.authenticate('Bearer not-a-key')).rejects.toBeInstanceOf(UnauthenticatedError);
    await users.update(user.id, { isActive: false });
    await expect(keys.authenticate(`Bearer ${key}`)).rejects.toBeInstanceOf(AccountDeactivatedError);
    await users.update(user.id, { isActive: true });
    // Only its owner (or anyone, for an administrator: null) revokes it.
    const other = await newUser();
    expect(await keys.remove(row.id, other.id)).toBe(false);
    expect(await keys.remove(row.id, user.id)).toBe(true);
    await expect(keys.authenticate(`Bearer ${key}`)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('lists every key with its owner for administrators, newest first', async () => {
    const user = await newUser();
    const older = await keys.create(user.id, 'older');
    clock.advance(1000);
    const newer = await keys.create(user.id, 'newer');
    const all = await keys.listAll();
    const mine = all.filter((k) => k.user_id === user.id);
    expect(mine.map((k) => [k.id, k.username])).toEqual([
      [newer.row.id, user.username],
      [older.row.id, user.username],
    ]);
    expect(await keys.remove(older.row.id, null)).toBe(true);
  });
});
