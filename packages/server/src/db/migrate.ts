import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations/index.js';
import type { DB } from './schema.js';

export function createMigrator(db: Kysely<DB>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableName: 'nanoclaw_migration',
    migrationLockTableName: 'nanoclaw_migration_lock',
  });
}

function failureMessage(results: MigrationResultSet): string {
  const failed = results.results?.find((r) => r.status === 'Error')?.migrationName;
  const reason = results.error instanceof Error ? results.error.message : String(results.error);
  return failed ? `Database migration ${failed} failed: ${reason}` : `Database migration failed: ${reason}`;
}

/**
 * Brings the schema up to date; run at start-up. Safe to run from several processes at once
 * (Kysely takes a migration lock). Returns the names of the migrations it applied.
 */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const results = await createMigrator(db).migrateToLatest();
  if (results.error !== undefined) throw new Error(failureMessage(results), { cause: results.error });
  return (results.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Undoes every migration (tests and tooling only). */
export async function migrateDownToEmpty(db: Kysely<DB>): Promise<void> {
  const migrator = createMigrator(db);
  for (;;) {
    const results = await migrator.migrateDown();
    if (results.error !== undefined) throw new Error(failureMessage(results), { cause: results.error });
    if ((results.results ?? []).length === 0) return;
  }
}
