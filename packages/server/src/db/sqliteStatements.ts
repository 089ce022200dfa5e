import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * The better-sqlite3 database as Kysely's SQLite driver sees it, with two changes:
 *
 * - Prepared statements are kept by SQL text (least recently used out first). Kysely's driver prepares
 *   every query anew, and preparing costs about as much as running a small query; the hot queries of a
 *   run — the same few INSERTs and UPDATEs with new parameters — are now compiled by SQLite once. Safe
 *   because Kysely runs one query at a time on its single SQLite connection, and SQLite re-prepares a
 *   cached statement by itself when the schema changed.
 * - Boolean parameters are bound as 0/1: better-sqlite3 refuses JavaScript booleans (SQLite stores them
 *   as integers anyway), and repository code writes booleans on every engine. Done on the parameter list,
 *   which is far cheaper than a Kysely plugin rewriting every query's syntax tree.
 */
export function sqliteForKysely(database: SqliteDatabase, capacity = 200): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = bindingBooleans(database.prepare(sql));
        if (statements.size >= capacity) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
    close(): void {
      statements.clear();
      database.close();
    },
  };
}

function bindingBooleans(statement: SqliteStatement): SqliteStatement {
  return {
    reader: statement.reader,
    all: (parameters) => statement.all(withoutBooleans(parameters)),
    run: (parameters) => statement.run(withoutBooleans(parameters)),
    iterate: (parameters) => statement.iterate(withoutBooleans(parameters)),
  };
}

function withoutBooleans(parameters: ReadonlyArray<unknown>): ReadonlyArray<unknown> {
  for (let i = 0; i < parameters.length; i++) {
    if (typeof parameters[i] === 'boolean') return parameters.map((value) => (typeof value === 'boolean' ? Number(value) : value));
  }
  return parameters;
}
