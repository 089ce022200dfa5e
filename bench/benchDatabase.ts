/**
 * What the storage benchmarks share: deterministic randomness, a fresh database per engine with a raw
 * bulk writer (seeding bypasses the repositories to stay fast), and p50/p95 timing.
 *   NANOCLAW_TEST_PG_URL / NANOCLAW_TEST_MYSQL_URL: the servers (defaults: this machine's)
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { DialectName } from '../packages/server/src/db/index.js';

const DEFAULT_URLS = { postgres: 'postgres://postgres@127.0.0.1:5432/test', mysql: 'mysql://root@127.0.0.1:3306/test' };
const BATCH = 2_000;
const ROWS_PER_TRANSACTION = 50_000;
const WARMUP = 20;

export type Row = unknown[];

/** mulberry32: the same data and the same samples on every engine and every run. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


export interface Target {
  engine: DialectName;
  url: string | undefined;
  dataDir: string;
  /** Bulk insert: rows in batches, ROWS_PER_TRANSACTION per transaction. */
  bulk(table: string, columns: string[], rows: Iterable<Row>): Promise<number>;
  /** One raw statement on the loading connection; answers its rows. */
  query(text: string): Promise<Array<Record<string, unknown>>>;
  analyze(): Promise<void>;
  sizeMb(): Promise<number>;
  /** Opened with `reuse`: the database kept from an earlier run (it may hold data already). */
  reused: boolean;
  dispose(): Promise<void>;
}

async function* batches(rows: Iterable<Row>, size: number): AsyncGenerator<Row[]> {
  let batch: Row[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * A fresh database for this engine, dropped by `dispose`; or with `reuse` (a name), the database of
 * that name kept across runs (created when missing, never dropped) so that a rerun needs no reseeding.
 */
export async function openTarget(engine: DialectName, options: { reuse?: string } = {}): Promise<Target> {
  const reused = options.reuse !== undefined;
  const dataDir = reused ? join(tmpdir(), options.reuse!) : mkdtempSync(join(tmpdir(), 'nc-bench-storage-'));
  if (reused) mkdirSync(dataDir, { recursive: true });
  const name = options.reuse ?? `nc_bench_${randomBytes(5).toString('hex')}`;
  if (engine === 'sqlite') {
    const file = join(dataDir, 'nanoclaw.db');
    let raw: SqliteDatabase.Database | null = null;
    const open = () => (raw ??= new SqliteDatabase(file));
    return {
      engine,
      url: `sqlite:${file}`,
      dataDir,
      async bulk(table, columns, rows) {
        const db = open();
        const insert = db.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
        const writeMany = db.transaction((chunk: Row[]) => {
          for (const row of chunk) insert.run(row.map((v) => (typeof v === 'boolean' ? Number(v) : v)));
        });
        let count = 0;
        for await (const chunk of batches(rows, ROWS_PER_TRANSACTION)) {
          writeMany(chunk);
          count += chunk.length;
        }
        return count;
      },
      async query(text) {
        const statement = open().prepare(text);
        if (statement.reader) return statement.all() as Array<Record<string, unknown>>;
        statement.run();
        return [];
      },
      reused,
      async analyze() {
        open().exec('analyze');
        raw?.close();
        raw = null;
      },
      async sizeMb() {
        return readdirSync(dataDir).reduce((sum, f) => sum + statSync(join(dataDir, f)).size, 0) / 1e6;
      },
      async dispose() {
        raw?.close();
        if (!reused) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  const admin = (engine === 'postgres' ? process.env.NANOCLAW_TEST_PG_URL : process.env.NANOCLAW_TEST_MYSQL_URL) || DEFAULT_URLS[engine];
  const url = new URL(admin);
  url.pathname = `/${name}`;
  if (engine === 'postgres') {
    const adminClient = async <T>(work: (c: pg.Client) => Promise<T>) => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        return await work(c);
      } finally {
        await c.end();
      }
    };
    await adminClient(async (c) => {
      const exists = (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount;
      if (!exists) await c.query(`create database ${name}`);
    });
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const types: Record<string, string> = { is_active: 'bool', temperature: 'float8', max_tokens: 'int4', token_count: 'int4', thinking_enabled: 'bool', content: 'text' };
    return {
      engine,
      url: url.toString(),
      dataDir,
      async bulk(table, columns, rows) {
        // One INSERT … SELECT FROM unnest(arrays) per batch: a multi-row insert with one parameter per column.
        const text = `insert into ${table} (${columns.join(', ')}) select * from unnest(${columns
          .map((c, i) => `$${i + 1}::${types[c] ?? 'varchar'}[]`)
          .join(', ')})`;
        let count = 0;
        let inTransaction = 0;
        await client.query('begin');
        for await (const chunk of batches(rows, BATCH * 2)) {
          await client.query(text, columns.map((_, i) => chunk.map((row) => row[i])));
          count += chunk.length;
          inTransaction += chunk.length;
          if (inTransaction >= ROWS_PER_TRANSACTION) {
            await client.query('commit');
            await client.query('begin');
            inTransaction = 0;
          }
        }
        await client.query('commit');
        return count;
      },
      async query(text) {
        return (await client.query(text)).rows;
      },
      reused,
      async analyze() {
        await client.query('vacuum analyze');
      },
      async sizeMb() {
        const r = await client.query('select pg_database_size(current_database()) as size');
        return Number(r.rows[0].size) / 1e6;
      },
      async dispose() {
        await client.end();
        if (reused) return;
        await adminClient((c) => c.query(`drop database if exists ${name} with (force)`));
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  const adminConnection = await mysql.createConnection({ uri: admin });
  await adminConnection.query(`create database ${reused ? 'if not exists ' : ''}${name} character set utf8mb4 collate utf8mb4_bin`);
  await adminConnection.end();
  const connection = await mysql.createConnection({ uri: url.toString(), charset: 'utf8mb4' });
  return {
    engine,
    url: url.toString(),
    dataDir,
    async bulk(table, columns, rows) {
      // mysql2 expands `values ?` with an array of rows into one multi-row INSERT.
      const text = `insert into ${table} (${columns.join(', ')}) values ?`;
      let count = 0;
      let inTransaction = 0;
      await connection.beginTransaction();
      for await (const chunk of batches(rows, BATCH)) {
        await connection.query(text, [chunk]);
        count += chunk.length;
        inTransaction += chunk.length;
        if (inTransaction >= ROWS_PER_TRANSACTION) {
          await connection.commit();
          await connection.beginTransaction();
          inTransaction = 0;
        }
      }
      await connection.commit();
      return count;
    },
    async query(text) {
      const [rows] = await connection.query(text);
      return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
    },
    reused,
    async analyze() {
      const [tables] = await connection.query('select table_name as name from information_schema.tables where table_schema = database()');
      await connection.query(`analyze table ${(tables as Array<{ name: string }>).map((t) => t.name).join(', ')}`);
    },
    async sizeMb() {
      const [rows] = await connection.query(
        'select sum(data_length + index_length) as size from information_schema.tables where table_schema = database()',
      );
      return Number((rows as Array<{ size: number }>)[0]!.size) / 1e6;
    },
    async dispose() {
      await connection.end();
      if (reused) return;
      const again = await mysql.createConnection({ uri: admin });
      await again.query(`drop database if exists ${name}`);
      await again.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export async function measure(samples: number, op: (i: number) => Promise<unknown>, warmup = WARMUP): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < warmup; i++) await op(i);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await op(warmup + i);
    times.push(performance.now() - start);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}


export type Figures = Record<string, { p50: number; p95: number }>;

/** Prints one row per operation and a p50 and p95 column per engine, then the extra rows given. */
export function printFigures(engines: string[], figures: Record<string, Figures>, extra: Array<[string, Record<string, string>]>, title: string): void {
  const operations = Object.keys(Object.values(figures)[0] ?? {});
  const header = ['operation (ms)', ...engines.flatMap((e) => [`${e} p50`, `${e} p95`])];
  const rows = operations.map((op) => [op, ...engines.flatMap((e) => [figures[e]![op]!.p50, figures[e]![op]!.p95].map((v) => v.toFixed(2)))]);
  for (const [name, byEngine] of extra) rows.push([name, ...engines.flatMap((e) => [byEngine[e] ?? '', ''])]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: unknown[]) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** The engines to measure: BENCH_ENGINES (default all three). */
export function benchEngines(): DialectName[] {
  return (process.env.BENCH_ENGINES ?? 'sqlite,postgres,mysql').split(',').map((e) => e.trim()).filter(Boolean) as DialectName[];
}

/** Drops the seeded database, or with BENCH_KEEP=1 keeps it and says where it is. */
export async function releaseTarget(target: Target): Promise<void> {
  if (process.env.BENCH_KEEP === '1') console.log(`${target.engine}: kept the database at ${target.url}`);
  else await target.dispose();
}
