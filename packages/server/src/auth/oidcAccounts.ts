import type { OidcSettings } from '@nanoclaw/protocol';
import { ConflictError, type IdentityRepo, type UserRepo, type UserRole, type UserRow } from '../db/index.js';
import { isUniqueViolation } from '../db/errors.js';
import { AccountDeactivatedError, SsoConflictError } from './authErrors.js';

/** What the provider says about the person (ID token claims, completed by UserInfo). */
export interface OidcClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  preferred_username?: unknown;
  [claim: string]: unknown;
}

export interface OidcAccountsDeps {
  settings: Pick<OidcSettings, 'admin_claim'>;
  users: UserRepo;
  identities: IdentityRepo;
}

const USERNAME_MAX = 32;

/** The claim's value names the admin group: equal to it, or a list holding it. */
function claimGrantsAdmin(claims: OidcClaims, adminClaim: NonNullable<OidcSettings['admin_claim']>): boolean {
  const value = claims[adminClaim.name];
  return Array.isArray(value) ? value.includes(adminClaim.value) : value === adminClaim.value;
}

/** A username that fits the local rules (3–32 of letters, digits, "_", "." and "-"), from what the provider offers. */
function usernameBase(claims: OidcClaims): string {
  const candidates = [claims.preferred_username, typeof claims.email === 'string' ? claims.email.split('@')[0] : undefined];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const cleaned = candidate.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, USERNAME_MAX - 4);
    if (cleaned.length >= 3) return cleaned;
  }
  return 'user';
}

/**
 * The NanoClaw user an OIDC sign-in stands for: the one already linked to this identity (issuer +
 * subject); else the single existing account with the same email, when the provider says the email is
 * verified (`email_verified: true`), which gets linked; else a new account. Unverified emails never
 * link and are not stored. With `admin_claim`, the role follows the claim at every sign-in.
 */
export function createOidcAccounts(deps: OidcAccountsDeps) {
  const { settings, users, identities } = deps;

  async function createUser(claims: OidcClaims, email: string | null): Promise<UserRow> {
    const base = usernameBase(claims);
    // Only the first account of a server with nobody able to sign in becomes its admin (as with registration).
    const first = !(await users.list()).some((user) => user.password_hash !== null) && !(await identities.any());
    for (let attempt = 1; attempt <= 50; attempt += 1) {
      const username = attempt === 1 ? base : `${base}-${attempt}`;
      if (await users.findByUsername(username)) continue;
      try {
        return await users.create({ username, email, role: first && !settings.admin_claim ? 'admin' : 'user' });
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    throw new SsoConflictError(`No free username was found for "${base}". Ask an administrator to create the account.`);
  }

  async function userByVerifiedEmail(email: string | null): Promise<UserRow | null> {
    if (!email) return null;
    const matches = await users.listByEmail(email);
    if (matches.length > 1) {
      throw new SsoConflictError(`Several accounts use the email ${email}, so single sign-on cannot choose one. Ask an administrator to change all but one.`);
    }
    return matches[0] ?? null;
  }

  async function resolve(issuer: string, claims: OidcClaims): Promise<UserRow> {
    const verifiedEmail = typeof claims.email === 'string' && claims.email_verified === true ? claims.email : null;
    const identity = await identities.find(issuer, claims.sub);
    let user: UserRow | null;
    if (identity) {
      user = await users.findById(identity.user_id);
      await identities.touch(identity.id, verifiedEmail);
    } else {
      user = (await userByVerifiedEmail(verifiedEmail)) ?? (await createUser(claims, verifiedEmail));
      try {
        await identities.link({ userId: user.id, issuer, subject: claims.sub, email: verifiedEmail });
      } catch (err) {
        // Two first sign-ins at once: the other one linked it; go with its user.
        if (!isUniqueViolation(err)) throw err;
        const winner = await identities.find(issuer, claims.sub);
        user = winner ? await users.findById(winner.user_id) : null;
      }
    }
    if (!user) throw new SsoConflictError('The account linked to this sign-in no longer exists. Ask an administrator.');
    if (!user.is_active) throw new AccountDeactivatedError();
    if (settings.admin_claim) {
      const role: UserRole = claimGrantsAdmin(claims, settings.admin_claim) ? 'admin' : 'user';
      if (role !== user.role) user = (await users.update(user.id, { role })) ?? user;
    }
    await users.touchLastLogin(user.id);
    return (await users.findById(user.id)) ?? user;
  }

  return { resolve };
}

export type OidcAccounts = ReturnType<typeof createOidcAccounts>;
