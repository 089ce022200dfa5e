import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversationRepo, type ConversationRepo } from './conversationRepo.js';
import { ConflictError } from './errors.js';
import { createProjectRepo, type ProjectRepo } from './projectRepo.js';
import { createManualClock, openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';
import { createUserRepo, type UserRepo } from './userRepo.js';

describe.each(testEngines())('projectRepo on %s', (engine) => {
  let database: TestDatabase;
  let users: UserRepo;
  let projects: ProjectRepo;
  let conversations: ConversationRepo;
  const clock = createManualClock('2025-03-10T12:00:00.000Z');
  let counter = 0;
  const newUserId = async () => (await users.create({ username: `project-owner-${++counter}` })).id;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    users = createUserRepo(database.db, clock.now);
    projects = createProjectRepo(database.db, clock.now);
    conversations = createConversationRepo(database.db, clock.now);
  });
  afterAll(() => database.dispose());

  it('creates a project and reads it back for its owner only', async () => {
    const owner = await newUserId();
    const stranger = await newUserId();
    const created = await projects.create(owner, { name: 'site', path: 'site', description: 'The web site' });
    expect(created).toEqual({
      id: expect.any(String),
      user_id: owner,
      name: 'site',
      path: 'site',
      description: 'The web site',
      created_at: '2025-03-10T12:00:00.000Z',
      updated_at: '2025-03-10T12:00:00.000Z',
    });
    expect(await projects.getForUser(owner, created.id)).toEqual(created);
    expect(await projects.getForUser(stranger, created.id)).toBeNull();
  });

  it('lists only the user’s projects, by name', async () => {
    const owner = await newUserId();
    const other = await newUserId();
    await projects.create(owner, { name: 'zeta', path: 'zeta' });
    await projects.create(owner, { name: 'alpha', path: 'alpha' });
    await projects.create(other, { name: 'beta', path: 'beta' });
    expect((await projects.listForUser(owner)).map((p) => p.name)).toEqual(['alpha', 'zeta']);
  });

  it('refuses a second project with the same name for the same user, but not for another user', async () => {
    const owner = await newUserId();
    await projects.create(owner, { name: 'dup', path: 'dup' });
    await expect(projects.create(owner, { name: 'dup', path: 'dup2' })).rejects.toBeInstanceOf(ConflictError);
    await expect(projects.create(await newUserId(), { name: 'dup', path: 'dup' })).resolves.toMatchObject({ name: 'dup' });
  });

  it('updates name, path and description and bumps updated_at', async () => {
    const owner = await newUserId();
    const created = await projects.create(owner, { name: 'old', path: 'old' });
    clock.advance(60_000);
    const updated = await projects.update(owner, created.id, { name: 'new', description: 'd' });
    expect(updated).toEqual({ ...created, name: 'new', description: 'd', updated_at: '2025-03-10T12:01:00.000Z' });
    clock.set('2025-03-10T12:00:00.000Z');
  });

  it('refuses a rename onto an existing name and ignores other users’ projects', async () => {
    const owner = await newUserId();
    await projects.create(owner, { name: 'taken', path: 'taken' });
    const second = await projects.create(owner, { name: 'second', path: 'second' });
    await expect(projects.update(owner, second.id, { name: 'taken' })).rejects.toBeInstanceOf(ConflictError);
    expect(await projects.update(await newUserId(), second.id, { name: 'stolen' })).toBeNull();
    expect((await projects.getForUser(owner, second.id))?.name).toBe('second');
  });

  it('deletes a project and keeps its conversations without a project', async () => {
    const owner = await newUserId();
    const project = await projects.create(owner, { name: 'gone', path: 'gone' });
    const conversation = await conversations.create(owner, { model: 'm', projectId: project.id });
    expect(await projects.delete(await newUserId(), project.id)).toBe(false);
    expect(await projects.delete(owner, project.id)).toBe(true);
    expect(await projects.getForUser(owner, project.id)).toBeNull();
    expect(await conversations.getForUser(owner, conversation.id)).toMatchObject({ project_id: null, project_name: null });
    expect(await projects.delete(owner, project.id)).toBe(false);
  });

  it('disappears with its user (cascade)', async () => {
    const owner = await newUserId();
    const project = await projects.create(owner, { name: 'p', path: 'p' });
    await database.db.deleteFrom('users').where('id', '=', owner).execute();
    expect(await projects.getForUser(owner, project.id)).toBeNull();
  });
});
