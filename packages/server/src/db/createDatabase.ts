import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, type Dialect } from 'kysely';
import type pg from 'pg';
import type { DialectName } from './dialect.js';
import type { DB } from './schema.js';
import { sqliteForKysely } from './sqliteStatements.js';
import { NanoclawSqliteDialect } from './sqliteDialect.js';

export interface DatabaseLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CreateDatabaseOptions {
  /** `sqlite:…`, `postgres://…`, `postgresql://…`, `mysql://…` or `mariadb://…`; absent means SQLite in dataDir. */
  url?: string;
  dataDir: string;
  logger?: DatabaseLogger;
}

export interface Database {
  db: Kysely<DB>;
  dialect: DialectName;
  /** Where the data lives, safe to log (no password). */
  location: string;
  close(): Promise<void>;
}

/** Where a database URL points. */
export type DatabaseTarget =
  | { dialect: 'sqlite'; filename: string }
  | { dialect: 'postgres'; url: string }
  | { dialect: 'mysql'; url: string };

const DEFAULT_SQLITE_FILE = 'nanoclaw.db';
const SQLITE_BUSY_TIMEOUT_MS = 5_000;
const POOL_SIZE = 10;

/**
 * Reads a database URL. SQLite paths: `sqlite:` (the default file in dataDir), `sqlite::memory:`,
 * `sqlite:/abs/file.db` (also `sqlite:///abs/file.db`), `sqlite:relative.db` (relative to dataDir).
 */
export function parseDatabaseUrl(url: string | undefined, dataDir: string): DatabaseTarget {
  const trimmed = url?.trim() ?? '';
  if (trimmed === '') return { dialect: 'sqlite', filename: resolve(dataDir, DEFAULT_SQLITE_FILE) };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'sqlite':
      return { dialect: 'sqlite', filename: sqliteFilename(trimmed.slice('sqlite:'.length), dataDir) };
    case 'postgres':
    case 'postgresql':
      return { dialect: 'postgres', url: trimmed };
    case 'mysql':
    case 'mariadb':
      return { dialect: 'mysql', url: trimmed.replace(/^mariadb:/i, 'mysql:') };
    default:
      throw new Error(
        `Unsupported database URL scheme "${scheme === undefined ? '(none)' : `${scheme}:`}": ` +
          'use sqlite:, postgres://, postgresql://, mysql:// or mariadb://.',
      );
  }
}

function sqliteFilename(rest: string, dataDir: string): string {
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === ':memory:') return ':memory:';
  if (path === '') return resolve(dataDir, DEFAULT_SQLITE_FILE);
  return isAbsolute(path) ? path : resolve(dataDir, path);
}

/** The URL with its password hidden, for logs and error messages. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.dialect === 'sqlite') return `sqlite:${target.filename}`;
  try {
    const url = new URL(target.url);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return `${target.dialect}://(unparseable URL)`;
  }
}

/** Opens (does not migrate) the database the URL names. */
export async function createDatabase(opts: CreateDatabaseOptions): Promise<Database> {
  const target = parseDatabaseUrl(opts.url, opts.dataDir);
  const location = describeTarget(target);
  const db = new Kysely<DB>({ dialect: await buildDialect(target, opts.logger) });
  opts.logger?.info({ dialect: target.dialect, location }, 'database opened');
  return { db, dialect: target.dialect, location, close: () => db.destroy() };
}

/** The server drivers are imported only when their engine is chosen, keeping SQLite start-up light. */
async function buildDialect(target: DatabaseTarget, logger?: DatabaseLogger): Promise<Dialect> {
  switch (target.dialect) {
    case 'sqlite':
      return new NanoclawSqliteDialect({ database: sqliteForKysely(openSqlite(target.filename)) });
    case 'postgres': {
      const { default: pgModule } = await import('pg');
      return new PostgresDialect({ pool: createPostgresPool(pgModule, target.url, logger) });
    }
    case 'mysql': {
      const { createPool } = await import('mysql2');
      return new MysqlDialect({ pool: createMysqlConnectionPool(createPool, target.url) });
    }
  }
}

function openSqlite(filename: string): SqliteDatabase.Database {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  let sqlite: SqliteDatabase.Database;
  try {
    sqlite = new SqliteDatabase(filename, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new Error(`Cannot open the SQLite database ${filename}: ${(err as Error).message}`, { cause: err });
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return sqlite;
}

/** bigint (counts) and numeric (sums) come back from pg as strings by default; make them numbers. */
function postgresTypeParsers(pgModule: typeof pg): pg.TypeOverrides {
  const types = new pgModule.TypeOverrides();
  types.setTypeParser(pgModule.types.builtins.INT8, (value: string) => Number(value));
  types.setTypeParser(pgModule.types.builtins.NUMERIC, (value: string) => Number(value));
  return types;
}

function createPostgresPool(pgModule: typeof pg, url: string, logger?: DatabaseLogger): pg.Pool {
  const pool = new pgModule.Pool({ connectionString: url, max: POOL_SIZE, types: postgresTypeParsers(pgModule) });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', (err) => logger?.error({ err }, 'idle PostgreSQL connection failed'));
  return pool;
}

function createMysqlConnectionPool(createPool: typeof import('mysql2').createPool, url: string) {
  return createPool({
    uri: url,
    connectionLimit: POOL_SIZE,
    charset: 'utf8mb4',
    // SUM() answers DECIMAL, which mysql2 returns as a string unless told otherwise.
    decimalNumbers: true,
  });
}
