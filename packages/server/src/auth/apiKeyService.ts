import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyRepo, UserRepo, UserRow, ApiKeyRow } from '../db/index.js';
import { AccountDeactivatedError, UnauthenticatedError } from './authErrors.js';

/** Every key starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'nck_';
/** Characters of a key kept for display: the prefix and 8 more. */
const DISPLAY_CHARS = API_KEY_PREFIX.length + 8;
/** A key's last-used time is written at most this often: not a write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** SHA-256 of a key, hex. Keys are 256 random bits, so a fast hash is enough (argon2 is for passwords people choose). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface ApiKeyServiceDeps {
  keys: ApiKeyRepo;
  users: UserRepo;
  now: () => Date;
}

export interface CreatedApiKey {
  row: ApiKeyRow;
  /** The key itself: shown this once, never stored. */
  key: string;
}

/** API keys for `/v1`: made, looked up by their hash, and their last use noted. */
export function createApiKeyService(deps: ApiKeyServiceDeps) {
  async function create(userId: string, name: string): Promise<CreatedApiKey> {
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const row = await deps.keys.create({ userId, name, prefix: key.slice(0, DISPLAY_CHARS), keyHash: hashApiKey(key) });
    return { row, key };
  }

  /**
   * The user an `Authorization: Bearer nck_…` header names; 401 for a missing, unknown or revoked key,
   * 403 for a deactivated account. Notes the key's use unless it was noted within the last minute.
   */
  async function authenticate(authorization: string | undefined): Promise<{ user: UserRow; key: ApiKeyRow }> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) throw new UnauthenticatedError('Send an API key as "Authorization: Bearer nck_…"; create one in Settings → API keys.');
    const token = match[1];
    const key = token.startsWith(API_KEY_PREFIX) ? await deps.keys.findByHash(hashApiKey(token)) : null;
    if (!key) throw new UnauthenticatedError('The API key is not valid or has been revoked. Create a new one in Settings → API keys.');
    const user = await deps.users.findById(key.user_id);
    if (!user) throw new UnauthenticatedError('The API key is not valid or has been revoked. Create a new one in Settings → API keys.');
    if (!user.is_active) throw new AccountDeactivatedError();
    const at = deps.now();
    if (!key.last_used_at || at.getTime() - Date.parse(key.last_used_at) >= LAST_USED_RESOLUTION_MS) {
      await deps.keys.touch(key.id, at);
    }
    return { user, key };
  }

  return { create, authenticate, listForUser: deps.keys.listForUser, listAll: deps.keys.listAll, remove: deps.keys.remove };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
