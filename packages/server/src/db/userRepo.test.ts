import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from './createDatabase.js';
import { ConflictError } from './errors.js';
import { createManualClock, openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';
import { createUserRepo, DEFAULT_USERNAME, type UserRepo } from './userRepo.js';

describe.each(testEngines())('userRepo on %s', (engine) => {
  let database: TestDatabase;
  let users: UserRepo;
  const clock = createManualClock('2025-03-10T12:00:00.000Z');
  let counter = 0;
  const uniqueName = (prefix = 'user') => `${prefix}-${++counter}`;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    users = createUserRepo(database.db, clock.now);
  });
  afterAll(() => database.dispose());

  it('creates a user with defaults and reads it back by id and by username with real booleans', async () => {
    const created = await users.create({ username: uniqueName() });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      username: created.username,
      password_hash: null,
      email: null,
      role: 'user',
      is_active: true,
      created_at: '2025-03-10T12:00:00.000Z',
      last_login_at: null,
    });
    expect(await users.findById(created.id)).toEqual(created);
    expect(await users.findByUsername(created.username)).toEqual(created);
  });

  it('stores the password hash, email and role', async () => {
    const created = await users.create({ username: uniqueName(), passwordHash: '$argon2id$x', email: 'a@example.org', role: 'admin' });
    expect(await users.findById(created.id)).toMatchObject({ password_hash: '$argon2id$x', email: 'a@example.org', role: 'admin' });
  });

  it('answers null for an unknown id or username', async () => {
    expect(await users.findById('00000000-0000-7000-8000-000000000000')).toBeNull();
    expect(await users.findByUsername('nobody-at-all')).toBeNull();
  });

  it('refuses a taken username with a ConflictError', async () => {
    const username = uniqueName();
    await users.create({ username });
    await expect(users.create({ username })).rejects.toBeInstanceOf(ConflictError);
  });

  it('treats usernames as case-sensitive on every engine', async () => {
    const username = uniqueName('Case');
    await users.create({ username });
    const lower = await users.create({ username: username.toLowerCase() });
    expect(await users.findByUsername(username.toLowerCase())).toEqual(lower);
  });

  it('stores non-ASCII usernames intact', async () => {
    const created = await users.create({ username: uniqueName('用户-🦀') });
    expect((await users.findById(created.id))?.username).toBe(created.username);
  });

  it('records the last login time from the clock', async () => {
    const created = await users.create({ username: uniqueName() });
    clock.set('2025-03-11T08:30:00.123Z');
    await users.touchLastLogin(created.id);
    expect((await users.findById(created.id))?.last_login_at).toBe('2025-03-11T08:30:00.123Z');
  });

  it('updates profile fields and can deactivate a user', async () => {
    const created = await users.create({ username: uniqueName() });
    const updated = await users.update(created.id, { email: 'new@example.org', passwordHash: 'h2', isActive: false });
    expect(updated).toMatchObject({ email: 'new@example.org', password_hash: 'h2', is_active: false, role: 'user' });
    expect(await users.findById(created.id)).toEqual(updated);
    expect(await users.update(created.id, {})).toEqual(updated);
    expect(await users.update('00000000-0000-7000-8000-000000000000', { email: 'x@y.z' })).toBeNull();
  });

  it('creates the default admin once and answers the same user afterwards', async () => {
    const first = await users.ensureDefaultUser();
    expect(first).toMatchObject({ username: DEFAULT_USERNAME, role: 'admin', is_active: true, password_hash: null });
    expect(await users.ensureDefaultUser()).toEqual(first);
  });

  it('gives every racing process the same default user', async () => {
    const fresh = await openTestDatabase(engine);
    const others = await Promise.all([1, 2, 3].map(() => createDatabase({ url: fresh.url, dataDir: tmpdir() })));
    try {
      const repos = [fresh, ...others].map((d) => createUserRepo(d.db, clock.now));
      const results = await Promise.all(repos.flatMap((repo) => [repo.ensureDefaultUser(), repo.ensureDefaultUser()]));
      expect(new Set(results.map((u) => u.id)).size).toBe(1);
    } finally {
      await Promise.all(others.map((d) => d.close()));
      await fresh.dispose();
    }
  });
});
