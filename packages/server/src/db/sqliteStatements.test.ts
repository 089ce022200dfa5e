import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { NanoclawSqliteDialect } from './sqliteDialect.js';
import { sqliteForKysely } from './sqliteStatements.js';

/** A real in-memory SQLite database that counts how often SQL is prepared. */
function countingDatabase() {
  const real = new SqliteDatabase(':memory:');
  const prepared: string[] = [];
  return {
    real,
    prepared,
    database: {
      prepare: (text: string) => {
        prepared.push(text);
        return real.prepare(text);
      },
      close: () => real.close(),
    },
  };
}

describe('sqliteForKysely', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('prepares each SQL text once through Kysely, with fresh parameters every time', async () => {
    const { database, prepared } = countingDatabase();
    const db = new Kysely<{ items: { id: number; name: string } }>({ dialect: new NanoclawSqliteDialect({ database: sqliteForKysely(database) }) });
    cleanup = () => db.destroy();
    await sql`create table items (id integer primary key, name text not null)`.execute(db);
    for (let i = 1; i <= 50; i++) await db.insertInto('items').values({ id: i, name: `item ${i}` }).execute();
    for (let i = 1; i <= 50; i++) {
      expect(await db.selectFrom('items').select('name').where('id', '=', i).executeTakeFirst()).toEqual({ name: `item ${i}` });
    }
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('items').set({ name: 'changed' }).where('id', '=', 7).execute();
    });
    expect((await db.selectFrom('items').select('name').where('id', '=', 7).executeTakeFirstOrThrow()).name).toBe('changed');
    // create, insert, select, begin immediate, update, commit: one prepare each.
    expect(prepared).toHaveLength(new Set(prepared).size);
    expect(prepared.length).toBe(6);
  });

  it('keeps only the most recently used statements', () => {
    const { database, prepared, real } = countingDatabase();
    const cached = sqliteForKysely(database, 2);
    const a = cached.prepare('select 1');
    cached.prepare('select 2');
    expect(cached.prepare('select 1')).toBe(a); // a hit makes it the most recent
    cached.prepare('select 3'); // evicts "select 2"
    expect(cached.prepare('select 1')).toBe(a);
    cached.prepare('select 2');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
    cached.close();
    expect(real.open).toBe(false);
  });

  it('a cached statement still works after the schema changed', () => {
    const { database } = countingDatabase();
    const cached = sqliteForKysely(database);
    cached.prepare('create table t (a integer)').run([]);
    cached.prepare('insert into t (a) values (?)').run([1]);
    const select = 'select * from t';
    expect(cached.prepare(select).all([])).toEqual([{ a: 1 }]);
    cached.prepare('alter table t add column b text').run([]);
    cached.prepare('insert into t (a, b) values (?, ?)').run([2, 'x']);
    expect(cached.prepare(select).all([])).toEqual([{ a: 1, b: null }, { a: 2, b: 'x' }]);
    cached.close();
  });

  it('binds booleans as 0 and 1, in queries built by Kysely and raw ones', async () => {
    const { database, real } = countingDatabase();
    const db = new Kysely<{ flags: { id: number; on: number | boolean } }>({ dialect: new NanoclawSqliteDialect({ database: sqliteForKysely(database) }) });
    cleanup = () => db.destroy();
    await sql`create table flags (id integer primary key, "on" integer not null)`.execute(db);
    await db.insertInto('flags').values([{ id: 1, on: true }, { id: 2, on: false }]).execute();
    await db.updateTable('flags').set({ on: true }).where('id', '=', 2).where('on', '=', false).execute();
    await sql`insert into flags (id, "on") values (${3}, ${false})`.execute(db);
    expect(real.prepare('select id, "on" from flags order by id').all()).toEqual([{ id: 1, on: 1 }, { id: 2, on: 1 }, { id: 3, on: 0 }]);
    expect(await db.selectFrom('flags').select('id').where('on', '=', true).execute()).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
