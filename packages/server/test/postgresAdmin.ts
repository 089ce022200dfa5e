import pg from 'pg';

/** The PostgreSQL server of the multi-instance tests (an admin connection that may create databases). */
export const pgAdminUrl = process.env.NANOCLAW_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.NANOCLAW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgAdminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on that server. */
export function databaseUrlFor(name: string): string {
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
