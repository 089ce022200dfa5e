import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from './index.js';
import { prepareQuery } from './preparedQuery.js';
import { openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';

describe.each(testEngines())('prepared queries on %s', (engine) => {
  let database: TestDatabase;
  let userId: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const repos = createRepositories(database.db);
    userId = (await repos.users.create({ username: 'prepared' })).id;
    for (const title of ['alpha', 'beta', 'gamma']) await repos.conversations.create(userId, { model: 'm', title });
  });
  afterAll(() => database.dispose());

  it('builds and compiles once for a database and its transactions, and runs with each call’s values', async () => {
    let builds = 0;
    const byTitle = prepareQuery((db, v: { userId: string; title: string }) => {
      builds++;
      return db.selectFrom('conversations').select(['title', 'project_id']).where('user_id', '=', v.userId).where('title', '=', v.title);
    });

    expect(await byTitle.executeTakeFirst(database.db, { userId, title: 'beta' })).toEqual({ title: 'beta', project_id: null });
    expect(await byTitle.execute(database.db, { userId, title: 'gamma' })).toEqual([{ title: 'gamma', project_id: null }]);
    expect(await byTitle.executeTakeFirst(database.db, { userId, title: 'delta' })).toBeUndefined();
    const inTransaction = await database.db.transaction().execute((trx) => byTitle.execute(trx, { userId, title: 'alpha' }));
    expect(inTransaction).toEqual([{ title: 'alpha', project_id: null }]);
    expect(builds).toBe(1);
  });

  it('binds a value used twice in both places, and null as NULL', async () => {
    const update = prepareQuery((db, v: { userId: string; title: string; prompt: string | null }) =>
      db.updateTable('conversations').set({ system_prompt: v.prompt }).where('user_id', '=', v.userId).where((eb) => eb.or([eb('title', '=', v.title), eb('model', '=', v.title)])),
    );
    await update.execute(database.db, { userId, title: 'alpha', prompt: 'be brief' });
    await update.execute(database.db, { userId, title: 'beta', prompt: null });
    const rows = await database.db.selectFrom('conversations').select(['title', 'system_prompt']).where('user_id', '=', userId).orderBy('title').execute();
    expect(rows).toEqual([
      { title: 'alpha', system_prompt: 'be brief' },
      { title: 'beta', system_prompt: null },
      { title: 'gamma', system_prompt: null },
    ]);
  });

  it('refuses a query that uses a value other than as a parameter, or lists its values', async () => {
    const formatted = prepareQuery((db, v: { title: string }) => db.selectFrom('conversations').selectAll().where('title', '=', `${v.title}!`));
    await expect(formatted.execute(database.db, { title: 'alpha' })).rejects.toThrow('used the value "title" other than as a parameter');
    const spread = prepareQuery((db, v: { title: string }) => db.selectFrom('conversations').selectAll().where('title', '=', { ...v }.title));
    await expect(spread.execute(database.db, { title: 'alpha' })).rejects.toThrow('must name each value');
  });

  it('refuses to run without one of its values', async () => {
    const byTitle = prepareQuery((db, v: { title: string }) => db.selectFrom('conversations').selectAll().where('title', '=', v.title));
    await expect(byTitle.execute(database.db, {} as { title: string })).rejects.toThrow('run without the value "title"');
  });
});
