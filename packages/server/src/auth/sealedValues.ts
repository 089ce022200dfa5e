import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';

/**
 * Short-lived values a browser carries for the server (in cookies) that it can neither read nor
 * change: encrypted and authenticated JWTs (dir + A256GCM) under a key derived from the server's
 * secret. `purpose` is bound into each value, so one kind cannot be replayed as another.
 */
export function createSealer(secret: string, now: () => Date) {
  const key = createHash('sha256').update(`nanoclaw sealed values\0${secret}`).digest();
  const seconds = () => Math.floor(now().getTime() / 1000);

  async function seal(purpose: string, payload: JWTPayload, ttlSeconds: number): Promise<string> {
    const issuedAt = seconds();
    const { EncryptJWT } = await import('jose');
    return new EncryptJWT(payload)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setAudience(purpose)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ttlSeconds)
      .encrypt(key);
  }

  /** The payload, or null when the value is missing, altered, expired or sealed for another purpose. */
  async function open(purpose: string, sealed: string | undefined): Promise<JWTPayload | null> {
    if (!sealed) return null;
    const { jwtDecrypt } = await import('jose');
    try {
      const { payload } = await jwtDecrypt(sealed, key, { audience: purpose, currentDate: now() });
      return payload;
    } catch {
      return null;
    }
  }

  return { seal, open };
}

export type Sealer = ReturnType<typeof createSealer>;
