import type { Kysely, Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { prepareQuery } from './preparedQuery.js';
import type { ApiKeysTable, DB } from './schema.js';
import { rowCount, systemClock, timestamp, type Clock } from './values.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** A key with its owner's name, for the administrators' list. */
export interface ApiKeyWithOwner extends ApiKeyRow {
  username: string;
}

export interface NewApiKey {
  userId: string;
  name: string;
  prefix: string;
  keyHash: string;
}

const COLUMNS = ['id', 'user_id', 'name', 'prefix', 'key_hash', 'created_at', 'last_used_at'] as const;

// Run for every /v1 request (which key is it): prepared (see preparedQuery.ts).
const keyByHash = prepareQuery((db, v: { hash: string }) => db.selectFrom('api_keys').select(COLUMNS).where('key_hash', '=', v.hash));

export function createApiKeyRepo(db: Kysely<DB>, now: Clock = systemClock) {
  async function create(input: NewApiKey): Promise<ApiKeyRow> {
    const row: ApiKeyRow = {
      id: uuidv7(),
      user_id: input.userId,
      name: input.name,
      prefix: input.prefix,
      key_hash: input.keyHash,
      created_at: timestamp(now()),
      last_used_at: null,
    };
    await db.insertInto('api_keys').values(row).execute();
    return row;
  }

  async function findByHash(hash: string): Promise<ApiKeyRow | null> {
    return (await keyByHash.executeTakeFirst(db, { hash })) ?? null;
  }

  /** A user's keys, newest first. */
  async function listForUser(userId: string): Promise<ApiKeyRow[]> {
    return db.selectFrom('api_keys').select(COLUMNS).where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  }

  /** Every user's keys with their owners, newest first (administrators). */
  async function listAll(): Promise<ApiKeyWithOwner[]> {
    return db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .select(COLUMNS.map((c) => `api_keys.${c}` as const))
      .select('users.username')
      .orderBy('api_keys.created_at', 'desc')
      .orderBy('api_keys.id', 'desc')
      .execute();
  }

  /** Deletes a key; `userId` limits it to that user's keys (null: any key). Answers whether one was deleted. */
  async function remove(id: string, userId: string | null): Promise<boolean> {
    let query = db.deleteFrom('api_keys').where('id', '=', id);
    if (userId !== null) query = query.where('user_id', '=', userId);
    const result = await query.executeTakeFirst();
    return rowCount(result.numDeletedRows) > 0;
  }

  async function touch(id: string, at: Date): Promise<void> {
    await db.updateTable('api_keys').set({ last_used_at: timestamp(at) }).where('id', '=', id).execute();
  }

  return { create, findByHash, listForUser, listAll, remove, touch };
}

export type ApiKeyRepo = ReturnType<typeof createApiKeyRepo>;
