import type { Kysely, Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, isUniqueViolation } from './errors.js';
import type { DB, ProjectsTable } from './schema.js';
import { rowCount, systemClock, timestamp, type Clock } from './values.js';

export type ProjectRow = Selectable<ProjectsTable>;

export interface NewProject {
  name: string;
  /** Relative to the workspace root. */
  path: string;
  description?: string | null;
}

export type ProjectPatch = Partial<NewProject>;

function duplicateName(name: string): ConflictError {
  return new ConflictError(`A project named "${name}" already exists.`);
}

export function createProjectRepo(db: Kysely<DB>, now: Clock = systemClock) {
  /** Throws ConflictError when the user already has a project with that name. */
  async function create(userId: string, input: NewProject): Promise<ProjectRow> {
    const at = timestamp(now());
    const row: ProjectRow = {
      id: uuidv7(),
      user_id: userId,
      name: input.name,
      path: input.path,
      description: input.description ?? null,
      created_at: at,
      updated_at: at,
    };
    try {
      await db.insertInto('projects').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName(input.name);
      throw err;
    }
    return row;
  }

  async function getForUser(userId: string, id: string): Promise<ProjectRow | null> {
    const row = await db
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ?? null;
  }

  /** The user's projects by name. */
  async function listForUser(userId: string): Promise<ProjectRow[]> {
    return db
      .selectFrom('projects')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('name', 'asc')
      .orderBy('id', 'asc')
      .execute();
  }

  /** Answers the updated project, or null if the user has none with that id. Throws ConflictError on a duplicate name. */
  async function update(userId: string, id: string, patch: ProjectPatch): Promise<ProjectRow | null> {
    const changes = {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.path !== undefined && { path: patch.path }),
      ...(patch.description !== undefined && { description: patch.description }),
    };
    try {
      await db
        .updateTable('projects')
        .set({ ...changes, updated_at: timestamp(now()) })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .execute();
    } catch (err) {
      if (isUniqueViolation(err) && patch.name !== undefined) throw duplicateName(patch.name);
      throw err;
    }
    return getForUser(userId, id);
  }

  /**
   * Deletes the project row (not its directory); its conversations stay, without a project.
   * Answers false if the user has no project with that id.
   */
  async function deleteProject(userId: string, id: string): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const owned = await trx
        .selectFrom('projects')
        .select('id')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!owned) return false;
      // The foreign key does this too; done explicitly so it holds even where enforcement is off.
      await trx.updateTable('conversations').set({ project_id: null }).where('project_id', '=', id).execute();
      const result = await trx.deleteFrom('projects').where('id', '=', id).executeTakeFirst();
      return rowCount(result.numDeletedRows) > 0;
    });
  }

  return { create, getForUser, listForUser, update, delete: deleteProject };
}

export type ProjectRepo = ReturnType<typeof createProjectRepo>;
