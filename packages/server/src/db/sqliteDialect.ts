import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';

/**
 * Transactions start with `BEGIN IMMEDIATE`: the write lock is taken up front, so another process
 * waits (busy_timeout) instead of failing with SQLITE_BUSY when a transaction that has read tries
 * to write.
 */
class ImmediateTransactionSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Kysely's SQLite adapter says DDL is not transactional (it is, in SQLite), so its Migrator runs
 * SQLite migrations outside a transaction and without a lock: a failed migration stays half
 * applied, and two processes starting at once both run it. Saying yes here makes each migration
 * run in one `BEGIN IMMEDIATE` transaction: atomic, and serialised across processes.
 *
 * A future migration that rebuilds a table must not rely on `PRAGMA foreign_keys = OFF` (a no-op
 * inside a transaction); use `PRAGMA defer_foreign_keys = ON` instead.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class NanoclawSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
