import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { DB, UserIdentitiesTable } from './schema.js';
import { systemClock, timestamp, type Clock } from './values.js';

export type IdentityRow = UserIdentitiesTable;

export interface NewIdentity {
  userId: string;
  issuer: string;
  subject: string;
  email: string | null;
}

/** Accounts at OpenID Connect providers linked to users (single sign-on). */
export function createIdentityRepo(db: Kysely<DB>, now: Clock = systemClock) {
  async function find(issuer: string, subject: string): Promise<IdentityRow | null> {
    const row = await db
      .selectFrom('user_identities')
      .selectAll()
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Throws the engine's unique violation when the identity is already linked (a concurrent first sign-in). */
  async function link(input: NewIdentity): Promise<IdentityRow> {
    const at = timestamp(now());
    const row: IdentityRow = {
      id: uuidv7(),
      user_id: input.userId,
      issuer: input.issuer,
      subject: input.subject,
      email: input.email,
      created_at: at,
      last_login_at: at,
    };
    await db.insertInto('user_identities').values(row).execute();
    return row;
  }

  /** Records a sign-in and the email the provider reports now. */
  async function touch(id: string, email: string | null): Promise<void> {
    await db.updateTable('user_identities').set({ email, last_login_at: timestamp(now()) }).where('id', '=', id).execute();
  }

  /** Whether any identity is linked at all. */
  async function any(): Promise<boolean> {
    return (await db.selectFrom('user_identities').select('id').limit(1).executeTakeFirst()) !== undefined;
  }

  async function listForUser(userId: string): Promise<IdentityRow[]> {
    return db.selectFrom('user_identities').selectAll().where('user_id', '=', userId).orderBy('created_at', 'asc').execute();
  }

  return { find, link, touch, any, listForUser };
}

export type IdentityRepo = ReturnType<typeof createIdentityRepo>;
