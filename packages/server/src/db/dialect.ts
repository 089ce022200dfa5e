import { MysqlAdapter, PostgresAdapter, SqliteAdapter, type Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/**
 * Which engine a Kysely instance (or transaction) talks to. Used where SQL differs between engines
 * (upserts, column types in migrations), so callers can pass the Kysely instance alone.
 */
export function dialectOf<T>(db: Kysely<T>): DialectName {
  // getExecutor() is marked internal in Kysely's typings but is public and stable.
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof MysqlAdapter) return 'mysql';
  throw new Error(`Unsupported Kysely dialect adapter: ${adapter.constructor.name}`);
}
