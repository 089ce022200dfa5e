import { sql, type Kysely, type Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, isUniqueViolation } from './errors.js';
import { prepareQuery } from './preparedQuery.js';
import type { DB, UserRole, UsersTable } from './schema.js';
import { systemClock, timestamp, toBoolean, type Clock } from './values.js';

export interface UserRow {
  id: string;
  username: string;
  password_hash: string | null;
  email: string | null;
  role: UserRole;
  is_active: boolean;
  created_at: string;
  last_login_at: string | null;
}

export interface NewUser {
  username: string;
  passwordHash?: string | null;
  email?: string | null;
  role?: UserRole;
}

export interface UserPatch {
  passwordHash?: string | null;
  email?: string | null;
  role?: UserRole;
  isActive?: boolean;
}

/** The user every request runs as in single-user mode. */
export const DEFAULT_USERNAME = 'default';

function toUserRow(row: Selectable<UsersTable>): UserRow {
  return { ...row, is_active: toBoolean(row.is_active) };
}

// Run for every request in multi-user mode (who the token names): prepared (see preparedQuery.ts).
const userById = prepareQuery((db, v: { id: string }) => db.selectFrom('users').selectAll().where('id', '=', v.id));

export function createUserRepo(db: Kysely<DB>, now: Clock = systemClock) {
  /** Throws ConflictError when the username is taken. */
  async function create(input: NewUser): Promise<UserRow> {
    const row: UserRow = {
      id: uuidv7(),
      username: input.username,
      password_hash: input.passwordHash ?? null,
      email: input.email ?? null,
      role: input.role ?? 'user',
      is_active: true,
      created_at: timestamp(now()),
      last_login_at: null,
    };
    try {
      await db.insertInto('users').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`The username "${input.username}" is already taken.`);
      throw err;
    }
    return row;
  }

  async function findById(id: string): Promise<UserRow | null> {
    const row = await userById.executeTakeFirst(db, { id });
    return row ? toUserRow(row) : null;
  }

  async function findByUsername(username: string): Promise<UserRow | null> {
    const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row ? toUserRow(row) : null;
  }

  /** Users whose email is this address, ignoring case (emails are not unique). */
  async function listByEmail(email: string): Promise<UserRow[]> {
    const rows = await db
      .selectFrom('users')
      .selectAll()
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .orderBy('created_at', 'asc')
      .execute();
    return rows.map(toUserRow);
  }

  /**
   * The `default` admin, created on first use. Idempotent, and safe when several processes start
   * at once: the loser of the insert race reads the winner's row.
   */
  async function ensureDefaultUser(): Promise<UserRow> {
    const existing = await findByUsername(DEFAULT_USERNAME);
    if (existing) return existing;
    try {
      return await create({ username: DEFAULT_USERNAME, role: 'admin' });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const winner = await findByUsername(DEFAULT_USERNAME);
      if (!winner) throw err;
      return winner;
    }
  }

  async function touchLastLogin(id: string): Promise<void> {
    await db.updateTable('users').set({ last_login_at: timestamp(now()) }).where('id', '=', id).execute();
  }

  /** Changes profile fields; answers the updated user, or null if there is none with that id. */
  async function update(id: string, patch: UserPatch): Promise<UserRow | null> {
    const changes = {
      ...(patch.passwordHash !== undefined && { password_hash: patch.passwordHash }),
      ...(patch.email !== undefined && { email: patch.email }),
      ...(patch.role !== undefined && { role: patch.role }),
      ...(patch.isActive !== undefined && { is_active: patch.isActive }),
    };
    if (Object.keys(changes).length > 0) {
      await db.updateTable('users').set(changes).where('id', '=', id).execute();
    }
    return findById(id);
  }

  /** Every user, oldest first (the admin's user list; a self-hosted server has few). */
  async function list(): Promise<UserRow[]> {
    const rows = await db.selectFrom('users').selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
    return rows.map(toUserRow);
  }

  return { create, findById, findByUsername, listByEmail, ensureDefaultUser, touchLastLogin, update, list };
}

export type UserRepo = ReturnType<typeof createUserRepo>;
