import type { Compilable, CompiledQuery, DialectAdapter, Kysely, QueryResult } from 'kysely';
import type { DB } from './schema.js';

/** Stands for one value while a prepared query is built: where it lands among the parameters is where the value goes. */
class Slot {
  constructor(readonly key: string) {}
}

/** A query of fixed shape: built and compiled once for each database it runs on, then run with new values. */
export interface PreparedQuery<V, R> {
  execute(db: Kysely<DB>, values: V): Promise<R[]>;
  executeTakeFirst(db: Kysely<DB>, values: V): Promise<R | undefined>;
  /** The whole result: rows, and for a write its affected rows and (MySQL/MariaDB) `insertId`. */
  executeForResult(db: Kysely<DB>, values: V): Promise<QueryResult<R>>;
}

interface Compiled<R> {
  query: CompiledQuery<R>;
  /** For each parameter, the key of the value that replaces it; undefined keeps the compiled constant. */
  keys: Array<string | undefined>;
}

/**
 * Prepares the query `build` makes from `values`. Kysely builds an operation tree and compiles it to
 * SQL on every call; on the hot path of a run (reading the conversation, storing the answer) that work
 * cost more than the query itself, several times more while the process is cold between requests
 * (measured: reading a conversation took 0.14 ms built anew, 0.06 ms prepared). Here `build` runs once
 * per database (dialect), with stand-ins for the values, and each call binds its own values in their place.
 *
 * `build` must pass each value straight into the query as a value (`where`, `values`, `set`, `limit`…),
 * never inspect or transform it, and must make the same query whatever the values; a value that does not
 * end up as a parameter of its own is refused when the query is compiled.
 */
export function prepareQuery<V extends object, R>(build: (db: Kysely<DB>, values: V) => Compilable<R>): PreparedQuery<V, R> {
  // One compiled form per dialect adapter: a database and its transactions share it.
  const compiledFor = new WeakMap<DialectAdapter, Compiled<R>>();

  function compile(db: Kysely<DB>): Compiled<R> {
    const used = new Set<string>();
    const refuse = (): never => {
      throw new Error('A prepared query must name each value it uses; it cannot list, test or spread them.');
    };
    const stand = new Proxy({} as V, {
      get(_target, key) {
        if (typeof key !== 'string') return undefined;
        used.add(key);
        return new Slot(key);
      },
      ownKeys: refuse,
      has: refuse,
      getOwnPropertyDescriptor: refuse,
    });
    const query = build(db, stand).compile();
    const keys = query.parameters.map((parameter) => (parameter instanceof Slot ? parameter.key : undefined));
    for (const key of used) {
      if (!keys.includes(key)) throw new Error(`A prepared query used the value "${key}" other than as a parameter.`);
    }
    return { query, keys };
  }

  function prepared(db: Kysely<DB>): Compiled<R> {
    const executor = db.getExecutor();
    // Plugins may rewrite each query differently; with any installed, compile every time.
    if (executor.plugins.length > 0) return compile(db);
    let compiled = compiledFor.get(executor.adapter);
    if (!compiled) {
      compiled = compile(db);
      compiledFor.set(executor.adapter, compiled);
    }
    return compiled;
  }

  async function executeForResult(db: Kysely<DB>, values: V): Promise<QueryResult<R>> {
    const { query, keys } = prepared(db);
    const parameters = query.parameters.map((constant, i) => {
      const key = keys[i];
      if (key === undefined) return constant;
      const value = (values as Record<string, unknown>)[key];
      if (value === undefined) throw new Error(`A prepared query was run without the value "${key}".`);
      return value;
    });
    return db.executeQuery<R>({ ...query, parameters });
  }

  async function execute(db: Kysely<DB>, values: V): Promise<R[]> {
    return (await executeForResult(db, values)).rows;
  }

  return {
    execute,
    executeForResult,
    async executeTakeFirst(db, values) {
      return (await execute(db, values))[0];
    },
  };
}

/**
 * The values `columns` name, each passed on as itself: what a build function hands to `values` or `set`
 * for several columns at once (its stand-in values cannot be spread, so they are named one by one).
 */
export function namedValues<T extends object, K extends keyof T & string>(values: T, columns: readonly K[]): Pick<T, K> {
  return Object.fromEntries(columns.map((column) => [column, values[column]])) as Pick<T, K>;
}
