import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase, type Database } from './createDatabase.js';
import type { DialectName } from './dialect.js';
import { migrateToLatest } from './migrate.js';

/**
 * Test support: which engines to run database tests against, and a fresh, migrated database per
 * test file. SQLite always; PostgreSQL and MySQL/MariaDB when NANOCLAW_TEST_PG_URL /
 * NANOCLAW_TEST_MYSQL_URL name a server (the URL's database is only used to create and drop
 * a scratch database `nc_test_<random>`, so runs never collide).
 */
export function testEngines(env: NodeJS.ProcessEnv = process.env): DialectName[] {
  const engines: DialectName[] = ['sqlite'];
  if (env.NANOCLAW_TEST_PG_URL) engines.push('postgres');
  if (env.NANOCLAW_TEST_MYSQL_URL) engines.push('mysql');
  return engines;
}

export interface TestDatabase extends Database {
  /** The URL of this database, to open a second connection to it (as another process would). */
  url: string;
  /** Closes the database and deletes it. */
  dispose(): Promise<void>;
}

/** A new, empty, migrated database on the given engine. */
export async function openTestDatabase(engine: DialectName, env: NodeJS.ProcessEnv = process.env): Promise<TestDatabase> {
  const database = engine === 'sqlite' ? await openSqlite() : await openScratchServerDatabase(engine, serverUrl(engine, env));
  try {
    await migrateToLatest(database.db);
  } catch (err) {
    await database.dispose();
    throw err;
  }
  return database;
}

function serverUrl(engine: 'postgres' | 'mysql', env: NodeJS.ProcessEnv): string {
  const name = engine === 'postgres' ? 'NANOCLAW_TEST_PG_URL' : 'NANOCLAW_TEST_MYSQL_URL';
  const url = env[name];
  if (!url) throw new Error(`Set ${name} to run the database tests on ${engine}.`);
  return url;
}

async function openSqlite(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nc-test-db-'));
  const database = await createDatabase({ dataDir });
  return {
    ...database,
    url: `sqlite:${join(dataDir, 'nanoclaw.db')}`,
    async dispose() {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function openScratchServerDatabase(engine: 'postgres' | 'mysql', adminUrl: string): Promise<TestDatabase> {
  const name = `nc_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, async (admin) => {
    const create = engine === 'mysql' ? sql`create database ${sql.id(name)} character set utf8mb4` : sql`create database ${sql.id(name)}`;
    await create.execute(admin.db);
  });
  const url = withDatabaseName(adminUrl, name);
  const database = await createDatabase({ url, dataDir: tmpdir() });
  return {
    ...database,
    url,
    async dispose() {
      await database.close();
      await withAdmin(adminUrl, async (admin) => {
        await sql`drop database if exists ${sql.id(name)}`.execute(admin.db);
      });
    },
  };
}

async function withAdmin(url: string, work: (admin: Database) => Promise<void>): Promise<void> {
  const admin = await createDatabase({ url, dataDir: tmpdir() });
  try {
    await work(admin);
  } finally {
    await admin.close();
  }
}

/** A clock tests move by hand. */
export interface ManualClock {
  now: () => Date;
  set(at: string | Date): void;
  advance(ms: number): void;
}

export function createManualClock(start: string | Date = '2025-03-10T12:00:00.000Z'): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
