import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { sql } from 'kysely';
import { createDatabase, type Database, type DialectName } from '../src/db/index.js';

/**
 * Which database engine the HTTP integration tests run on, and a scratch database per server.
 *
 * `NANOCLAW_TEST_ENGINE` = `sqlite` (default), `postgres` or `mysql` (MariaDB too). The server
 * engines are reached through `NANOCLAW_TEST_PG_URL` / `NANOCLAW_TEST_MYSQL_URL` (defaults below,
 * the services of this machine and CI); the database named in that URL is only used to create and
 * drop `nc_it_<time>_<random>` databases, so parallel test files and parallel runs never collide.
 */

export const DEFAULT_TEST_SERVER_URLS = {
  postgres: 'postgres://postgres@127.0.0.1:5432/test',
  mysql: 'mysql://root@127.0.0.1:3306/test',
} as const;

export const SCRATCH_PREFIX = 'nc_it_';

export type ServerEngine = Exclude<DialectName, 'sqlite'>;

/** Reads an engine name as people write it (`pg`, `postgresql`, `mariadb` …). */
export function parseEngineName(value: string): DialectName {
  switch (value.trim().toLowerCase()) {
    case '':
    case 'sqlite':
      return 'sqlite';
    case 'postgres':
    case 'postgresql':
    case 'pg':
      return 'postgres';
    case 'mysql':
    case 'mariadb':
      return 'mysql';
    default:
      throw new Error(`Unknown database engine "${value}": use sqlite, postgres or mysql.`);
  }
}

/** The engine this test process runs the HTTP tests on. */
export function testServerEngine(env: NodeJS.ProcessEnv = process.env): DialectName {
  return parseEngineName(env.NANOCLAW_TEST_ENGINE ?? 'sqlite');
}

/** The admin URL of a server engine (its database is only used to create and drop scratch databases). */
export function adminUrl(engine: ServerEngine, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = engine === 'postgres' ? env.NANOCLAW_TEST_PG_URL : env.NANOCLAW_TEST_MYSQL_URL;
  return fromEnv || DEFAULT_TEST_SERVER_URLS[engine];
}

export interface ScratchDatabase {
  engine: DialectName;
  /** What to put in `database_url`; undefined for SQLite (the server's own file in its data dir). */
  url: string | undefined;
  /** Deletes the database (after every connection to it is closed). Safe to call twice. */
  drop(): Promise<void>;
}

/** `nc_it_<base36 seconds>_<hex>`: the time lets a later run sweep databases a crashed run left behind. */
function scratchName(prefix: string): string {
  return `${prefix}${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(5).toString('hex')}`;
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function withAdmin<T>(url: string, work: (admin: Database) => Promise<T>): Promise<T> {
  const admin = await createDatabase({ url, dataDir: tmpdir() });
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

/** An empty database on the engine (not migrated: the server migrates it at start-up, as in production). */
export async function createScratchDatabase(
  engine: DialectName = testServerEngine(),
  env: NodeJS.ProcessEnv = process.env,
  prefix = SCRATCH_PREFIX,
): Promise<ScratchDatabase> {
  if (engine === 'sqlite') return { engine, url: undefined, drop: async () => {} };
  const admin = adminUrl(engine, env);
  const name = scratchName(prefix);
  await withAdmin(admin, async (db) => {
    const create =
      engine === 'mysql'
        ? sql`create database ${sql.id(name)} character set utf8mb4 collate utf8mb4_bin`
        : sql`create database ${sql.id(name)}`;
    await create.execute(db.db);
  });
  let dropped = false;
  return {
    engine,
    url: withDatabaseName(admin, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await dropDatabase(engine, admin, name);
    },
  };
}

async function dropDatabase(engine: ServerEngine, admin: string, name: string): Promise<void> {
  await withAdmin(admin, async (db) => {
    // WITH (FORCE) ends connections a test leaked (a killed child process, a pool not yet closed).
    const drop =
      engine === 'postgres'
        ? sql`drop database if exists ${sql.id(name)} with (force)`
        : sql`drop database if exists ${sql.id(name)}`;
    await drop.execute(db.db);
  });
}

/**
 * Drops scratch databases (`nc_it_…`) older than `maxAgeMs` that crashed or killed runs left behind.
 * Younger ones may belong to a run going on right now (another checkout, another engineer) and are kept.
 */
export async function sweepStaleScratchDatabases(
  engine: ServerEngine,
  env: NodeJS.ProcessEnv = process.env,
  maxAgeMs = 6 * 3600_000,
): Promise<string[]> {
  const admin = adminUrl(engine, env);
  const names = await withAdmin(admin, async (db) => {
    const rows =
      engine === 'postgres'
        ? await sql<{ name: string }>`select datname as name from pg_database where datname like 'nc\\_it\\_%'`.execute(db.db)
        : await sql<{ name: string }>`select schema_name as name from information_schema.schemata where schema_name like 'nc\\_it\\_%'`.execute(db.db);
    return rows.rows.map((r) => r.name);
  });
  const cutoff = (Date.now() - maxAgeMs) / 1000;
  const stale = names.filter((name) => {
    const seconds = parseInt(name.slice(SCRATCH_PREFIX.length).split('_')[0] ?? '', 36);
    return Number.isFinite(seconds) && seconds < cutoff;
  });
  for (const name of stale) await dropDatabase(engine, admin, name).catch(() => {});
  return stale;
}

/** Answers null when the engine's server answers, else a sentence saying how to fix it. */
export async function probeEngine(engine: ServerEngine, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const url = adminUrl(engine, env);
  try {
    await withAdmin(url, async (db) => {
      await sql`select 1`.execute(db.db);
    });
    return null;
  } catch (err) {
    const variable = engine === 'postgres' ? 'NANOCLAW_TEST_PG_URL' : 'NANOCLAW_TEST_MYSQL_URL';
    return (
      `The ${engine} test server at ${new URL(url).host} does not answer (${(err as Error).message}). ` +
      `Start it, point ${variable} at one, or leave it out with NANOCLAW_TEST_ENGINES=sqlite.`
    );
  }
}
