import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, parseDatabaseUrl, type Database } from './createDatabase.js';
import { dialectOf } from './dialect.js';
import { migrateDownToEmpty, migrateToLatest } from './migrate.js';
import { migrations } from './migrations/index.js';

/** Every migration's name, in the order they run. */
const ALL_MIGRATIONS = Object.keys(migrations).sort();
import { openTestDatabase, testEngines, type TestDatabase } from './testEngines.js';

/** Runs migrateToLatest in a separate Node process (tsx loads the TypeScript); answers what it applied. */
async function migrateInChildProcess(url: string): Promise<string[]> {
  const module = (name: string) => JSON.stringify(fileURLToPath(new URL(`./${name}.ts`, import.meta.url)));
  const script = `
    const { createDatabase } = await import(${module('createDatabase')});
    const { migrateToLatest } = await import(${module('migrate')});
    const database = await createDatabase({ url: ${JSON.stringify(url)}, dataDir: ${JSON.stringify(tmpdir())} });
    try { console.log(JSON.stringify(await migrateToLatest(database.db))); } finally { await database.close(); }`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  return JSON.parse(stdout) as string[];
}

describe('parseDatabaseUrl', () => {
  const dataDir = '/srv/nanoclaw/data';

  it('defaults to nanoclaw.db in the data directory when the URL is absent, empty or bare sqlite:', () => {
    for (const url of [undefined, '', '  ', 'sqlite:', 'sqlite://']) {
      expect(parseDatabaseUrl(url, dataDir)).toEqual({ dialect: 'sqlite', filename: '/srv/nanoclaw/data/nanoclaw.db' });
    }
  });

  it('reads absolute, relative (to the data directory) and in-memory SQLite paths', () => {
    expect(parseDatabaseUrl('sqlite:/var/db/chat.db', dataDir)).toEqual({ dialect: 'sqlite', filename: '/var/db/chat.db' });
    expect(parseDatabaseUrl('sqlite:///var/db/chat.db', dataDir)).toEqual({ dialect: 'sqlite', filename: '/var/db/chat.db' });
    expect(parseDatabaseUrl('sqlite:chat.db', dataDir)).toEqual({ dialect: 'sqlite', filename: '/srv/nanoclaw/data/chat.db' });
    expect(parseDatabaseUrl('sqlite:sub/chat.db', dataDir)).toEqual({ dialect: 'sqlite', filename: '/srv/nanoclaw/data/sub/chat.db' });
    expect(parseDatabaseUrl('sqlite::memory:', dataDir)).toEqual({ dialect: 'sqlite', filename: ':memory:' });
  });

  it('recognises postgres, postgresql, mysql and mariadb URLs (mariadb is spoken to as mysql)', () => {
    expect(parseDatabaseUrl('postgres://u:p@h/db', dataDir)).toEqual({ dialect: 'postgres', url: 'postgres://u:p@h/db' });
    expect(parseDatabaseUrl('postgresql://h/db', dataDir)).toEqual({ dialect: 'postgres', url: 'postgresql://h/db' });
    expect(parseDatabaseUrl('mysql://root@h:3306/db', dataDir)).toEqual({ dialect: 'mysql', url: 'mysql://root@h:3306/db' });
    expect(parseDatabaseUrl('mariadb://root@h/db', dataDir)).toEqual({ dialect: 'mysql', url: 'mysql://root@h/db' });
  });

  it('rejects an unsupported scheme with an error naming it', () => {
    expect(() => parseDatabaseUrl('mongodb://h/db', dataDir)).toThrow(/Unsupported database URL scheme "mongodb:"/);
    expect(() => parseDatabaseUrl('/just/a/path.db', dataDir)).toThrow(/Unsupported database URL scheme "\(none\)"/);
  });

  it('never puts the password in an error message', () => {
    expect(() => parseDatabaseUrl('redis://user:s3cret@h/0', dataDir)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });
});

describe('createDatabase with SQLite', () => {
  let dir: string;
  const opened: Database[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nc-create-db-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function open(url?: string, dataDir = dir): Promise<Database> {
    const database = await createDatabase({ url, dataDir });
    opened.push(database);
    return database;
  }

  it('creates the data directory and nanoclaw.db in it', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const database = await open(undefined, dataDir);
    await migrateToLatest(database.db);
    expect(database.dialect).toBe('sqlite');
    expect(existsSync(join(dataDir, 'nanoclaw.db'))).toBe(true);
  });

  it('sets WAL, synchronous=NORMAL, foreign keys and a busy timeout', async () => {
    const { db } = await open(`sqlite:${join(dir, 'pragmas.db')}`);
    const pragma = async (name: string) => {
      const { rows } = await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(db);
      return Object.values(rows[0] ?? {})[0];
    };
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(1);
    expect(await pragma('foreign_keys')).toBe(1);
    expect(Number(await pragma('busy_timeout'))).toBeGreaterThan(0);
  });

  it('opens an in-memory database', async () => {
    const { db } = await open('sqlite::memory:');
    expect(await migrateToLatest(db)).toEqual(ALL_MIGRATIONS);
  });

  it('logs where the database is without the password', async () => {
    const lines: object[] = [];
    const logger = { info: (obj: object) => lines.push(obj), error: () => undefined };
    const database = await createDatabase({ url: 'postgres://app:s3cret@127.0.0.1:1/none', dataDir: dir, logger });
    await database.close();
    expect(JSON.stringify(lines)).toContain('postgres://app:***@127.0.0.1:1/none');
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });
});

describe.each(testEngines())('migrations on %s', (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(() => database.dispose());

  it('reports the engine it talks to', () => {
    expect(database.dialect).toBe(engine);
    expect(dialectOf(database.db)).toBe(engine);
  });

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('creates every table', async () => {
    const tables = (await database.db.introspection.getTables()).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining(['users', 'projects', 'conversations', 'messages', 'token_usage', 'token_usage_hourly']),
    );
  });

  it('can be rolled back to empty and applied again', async () => {
    await migrateDownToEmpty(database.db);
    const left = (await database.db.introspection.getTables()).map((t) => t.name);
    expect(left).not.toContain('users');
    expect(await migrateToLatest(database.db)).toEqual(ALL_MIGRATIONS);
  });

  it('survives two processes migrating the same database at once', async () => {
    await migrateDownToEmpty(database.db);
    const applied = await Promise.all([migrateInChildProcess(database.url), migrateInChildProcess(database.url)]);
    expect(applied.flat()).toEqual(ALL_MIGRATIONS);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });
});
