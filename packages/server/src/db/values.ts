import type { SqlBool } from 'kysely';

/** When something happened, as the database stores it: ISO-8601 UTC with milliseconds. */
export function timestamp(at: Date): string {
  return at.toISOString();
}

/** A stored boolean (`0`/`1` on SQLite and MySQL) as a real boolean. */
export function toBoolean(value: SqlBool): boolean {
  return value === true || value === 1;
}

/** A count or sum as a number, whatever type the driver handed back. */
export function toNumber(value: string | number | bigint | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/** The number of rows a write touched, from Kysely's bigint counters. */
export function rowCount(count: bigint | undefined): number {
  return count === undefined ? 0 : Number(count);
}

/** Page size: the given limit within [1, max], or the default. */
export function pageLimit(limit: number | undefined, fallback: number, max = 100): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(Math.max(Math.trunc(limit), 1), max);
}

/** The source of "now"; tests pass a controlled one. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
