import { createHash } from 'node:crypto';
import type { ApiLoginResult, ApiUser, Config } from '@nanoclaw/protocol';
import { ConflictError, type UserRepo, type UserRow } from '../db/index.js';
import {
  AccountDeactivatedError,
  AccountGoneError,
  LocalLoginDisabledError,
  RegistrationClosedError,
  SingleUserModeError,
  UnauthenticatedError,
  UsernameTakenError,
  WrongCurrentPasswordError,
} from './authErrors.js';
import { authConfigProblem } from './jwtSecret.js';
import { hashPassword, verifyAgainstNothing, verifyPassword } from './passwords.js';

export const TOKEN_LIFETIME_SECONDS = 7 * 24 * 60 * 60;
const ISSUER = 'nanoclaw';

/** jose is loaded on first use: a single-user server never signs or checks a token. */
let joseModule: Promise<typeof import('jose')> | undefined;
const loadJose = (): Promise<typeof import('jose')> => (joseModule ??= import('jose'));

export interface AuthServiceDeps {
  config: Pick<Config, 'auth_mode' | 'jwt_secret' | 'allow_registration'> & Partial<Pick<Config, 'local_login' | 'oidc'>>;
  users: UserRepo;
  now: () => Date;
}

export interface NewAccount {
  username: string;
  password: string;
  email?: string | null;
}

const WRONG_CREDENTIALS = 'Incorrect username or password.';

export function presentUser(user: UserRow): ApiUser {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    is_active: user.is_active,
    created_at: user.created_at,
    last_login_at: user.last_login_at,
  };
}

/** Changes with every password change, so tokens issued before it stop working. */
function passwordVersion(user: UserRow): string {
  return createHash('sha256')
    .update(user.password_hash ?? '')
    .digest('base64url')
    .slice(0, 16);
}

/**
 * Accounts and tokens: argon2 password hashes, HS256 JWTs valid for 7 days. Multi-user mode only;
 * creating it in that mode with a missing, short or placeholder secret throws.
 */
export function createAuthService(deps: AuthServiceDeps) {
  const { config, users, now } = deps;
  const multi = config.auth_mode === 'multi';
  const problem = authConfigProblem(config);
  if (problem) throw new Error(problem);
  const key = multi ? new TextEncoder().encode(config.jwt_secret) : null;

  function requireMulti(): Uint8Array {
    if (!key) throw new SingleUserModeError();
    return key;
  }

  /** Username + password sign-in and registration, unless `local_login: false` (single sign-on only). */
  function requireLocalLogin(): void {
    requireMulti();
    if (config.local_login === false) throw new LocalLoginDisabledError(config.oidc?.name ?? null);
  }

  async function issue(user: UserRow): Promise<ApiLoginResult> {
    const signingKey = requireMulti();
    const issuedAt = Math.floor(now().getTime() / 1000);
    const { SignJWT } = await loadJose();
    const token = await new SignJWT({ pv: passwordVersion(user) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + TOKEN_LIFETIME_SECONDS)
      .sign(signingKey);
    return { token, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, user: presentUser(user) };
  }

  /** Creates an account and signs it in. The first account with a password on a server becomes its admin. */
  async function register(input: NewAccount): Promise<ApiLoginResult> {
    requireLocalLogin();
    if (!config.allow_registration) throw new RegistrationClosedError();
    if (await users.findByUsername(input.username)) throw new UsernameTakenError(`The username "${input.username}" is already taken.`);
    const first = !(await users.list()).some((user) => user.password_hash !== null);
    const passwordHash = await hashPassword(input.password);
    let user: UserRow;
    try {
      user = await users.create({ username: input.username, passwordHash, email: input.email ?? null, role: first ? 'admin' : 'user' });
    } catch (err) {
      if (err instanceof ConflictError) throw new UsernameTakenError(err.message);
      throw err;
    }
    await users.touchLastLogin(user.id);
    return issue((await users.findById(user.id)) ?? user);
  }

  async function login(username: string, password: string): Promise<ApiLoginResult> {
    requireLocalLogin();
    const user = await users.findByUsername(username);
    if (!user?.password_hash) {
      await verifyAgainstNothing(password);
      throw new UnauthenticatedError(WRONG_CREDENTIALS);
    }
    if (!(await verifyPassword(user.password_hash, password))) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    if (!user.is_active) throw new AccountDeactivatedError();
    await users.touchLastLogin(user.id);
    return issue((await users.findById(user.id)) ?? user);
  }

  /** The user a bearer token names; 401 for a missing, bad or expired token, 403 for a deactivated account. */
  async function authenticate(authorization: string | undefined): Promise<UserRow> {
    const signingKey = requireMulti();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) throw new UnauthenticatedError();
    let subject: string | undefined;
    let version: unknown;
    const { jwtVerify, errors: joseErrors } = await loadJose();
    try {
      const { payload } = await jwtVerify(match[1], signingKey, { algorithms: ['HS256'], issuer: ISSUER, currentDate: now() });
      subject = payload.sub;
      version = payload.pv;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('Your session has expired. Sign in again.');
      throw new UnauthenticatedError('The sign-in token is not valid. Sign in again.');
    }
    const user = subject ? await users.findById(subject) : null;
    if (!user || version !== passwordVersion(user)) throw new UnauthenticatedError('The sign-in token is no longer valid. Sign in again.');
    if (!user.is_active) throw new AccountDeactivatedError();
    return user;
  }

  /** Checks the current password, stores the new one and answers a fresh token (older tokens stop working). */
  async function changePassword(user: UserRow, currentPassword: string | undefined, newPassword: string): Promise<ApiLoginResult> {
    requireMulti();
    if (!user.password_hash || currentPassword === undefined || !(await verifyPassword(user.password_hash, currentPassword))) {
      throw new WrongCurrentPasswordError();
    }
    const updated = await users.update(user.id, { passwordHash: await hashPassword(newPassword) });
    if (!updated) throw new AccountGoneError();
    return issue(updated);
  }

  const registrationOpen = multi && config.allow_registration && config.local_login !== false;
  return { mode: config.auth_mode, registrationOpen, issue, register, login, authenticate, changePassword };
}

export type AuthService = ReturnType<typeof createAuthService>;
