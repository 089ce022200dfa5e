import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@nanoclaw/protocol';
import { createServer } from '../src/createServer.js';
import { startTestServer, type TestServer } from './helpers.js';
import { apiAs, registerUser, startMultiUserServer, TEST_JWT_SECRET, TEST_PASSWORD, type SignedInUser } from './authHelpers.js';

const mainJs = resolve(fileURLToPath(new URL('.', import.meta.url)), '../dist/main.js');
const SEVEN_DAYS = 7 * 24 * 60 * 60;

describe('multi-user mode refuses to start without a proper secret', () => {
  for (const [label, secret] of [
    ['no secret', undefined],
    ['a short secret', 'too-short'],
    ['a placeholder secret', 'change-me-to-a-long-random-secret-string'],
  ] as const) {
    it(`with ${label}`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'nc-auth-'));
      try {
        const config = configSchema.parse({ auth_mode: 'multi', data_dir: dataDir, log_level: 'silent', ...(secret && { jwt_secret: secret }) });
        await expect(createServer({ config, logger: pino({ level: 'silent' }) })).rejects.toThrow(/jwt_secret.*JWT_SECRET|JWT_SECRET/s);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }

  it('main.js exits with a message naming jwt_secret', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nc-auth-main-'));
    try {
      const result = await new Promise<{ code: number | null; output: string }>((done) => {
        const env = { ...process.env, AUTH_MODE: 'multi', DATA_DIR: cwd, PORT: '0', HOST: '127.0.0.1' };
        delete env.JWT_SECRET;
        delete env.NANOCLAW_CONFIG;
        const child = execFile(process.execPath, [mainJs], { cwd, env, timeout: 15_000 }, (error, stdout, stderr) => {
          done({ code: child.exitCode ?? (error as { code?: number } | null)?.code ?? null, output: stdout + stderr });
        });
      });
      expect(result.code).toBe(2);
      expect(result.output).toMatch(/jwt_secret/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('multi-user mode', () => {
  let t: TestServer;
  let clock = new Date('2026-03-01T12:00:00Z');
  let admin: SignedInUser;
  let alice: SignedInUser;

  beforeAll(async () => {
    t = await startMultiUserServer({ now: () => clock });
    admin = await registerUser(t, 'root-admin');
    alice = await registerUser(t, 'alice');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the public routes public', async () => {
    expect((await t.api('GET', '/api/auth/mode')).body.data).toEqual({ mode: 'multi', local_login: true, oidc: null });
    expect((await t.api('GET', '/api/models')).status).toBe(200);
    expect((await t.api('GET', '/api/tools')).status).toBe(200);
  });

  it('answers 401 in the envelope everywhere else without a valid token', async () => {
    for (const [method, path] of [
      ['GET', '/api/conversations'],
      ['POST', '/api/conversations'],
      ['GET', '/api/projects'],
      ['GET', '/api/stats/tokens'],
      ['GET', '/api/auth/profile'],
      ['GET', '/api/admin/users'],
      ['GET', '/api/conversations/whatever/messages'],
    ] as const) {
      const res = await t.api(method, path, method === 'POST' ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toEqual({ code: 401, message: expect.stringMatching(/Sign in/) });
    }
    for (const authorization of ['Bearer nonsense', 'Basic YWxpY2U6cHc=', `Bearer ${alice.token}x`, alice.token]) {
      const res = await t.api('GET', '/api/auth/profile', undefined, { authorization });
      expect(res.status, authorization).toBe(401);
    }
    const forged = await new SignJWT({ pv: 'x' }).setProtectedHeader({ alg: 'HS256' }).setSubject(alice.id).setIssuer('nanoclaw').setExpirationTime('1h').sign(new TextEncoder().encode('another-secret-that-is-long-enough-123456'));
    expect((await t.api('GET', '/api/auth/profile', undefined, { authorization: `Bearer ${forged}` })).status).toBe(401);
  });

  it('registers: the first account is admin, later ones users; a token is returned', async () => {
    expect((await admin.api('GET', '/api/auth/profile')).body.data).toMatchObject({ username: 'root-admin', role: 'admin', is_active: true });
    const profile = await alice.api('GET', '/api/auth/profile');
    expect(profile.body.data).toEqual({
      id: alice.id,
      username: 'alice',
      email: null,
      role: 'user',
      is_active: true,
      created_at: expect.any(String),
      last_login_at: expect.any(String),
    });
    expect(JSON.stringify(profile.body.data)).not.toMatch(/password|argon/);
  });

  it('refuses a taken username (409) and bad usernames or passwords (400)', async () => {
    expect((await t.api('POST', '/api/auth/register', { username: 'alice', password: TEST_PASSWORD })).status).toBe(409);
    expect((await t.api('POST', '/api/auth/register', { username: 'default', password: TEST_PASSWORD })).status).toBe(409);
    const shortPassword = await t.api('POST', '/api/auth/register', { username: 'bob', password: 'short' });
    expect(shortPassword.status).toBe(400);
    expect(shortPassword.body.message).toContain('"password"');
    expect((await t.api('POST', '/api/auth/register', { username: 'a b', password: TEST_PASSWORD })).status).toBe(400);
    expect((await t.api('POST', '/api/auth/register', { username: 'x', password: TEST_PASSWORD })).status).toBe(400);
  });

  it('logs in with a 7-day HS256 token and stores argon2 hashes', async () => {
    const res = await t.api('POST', '/api/auth/login', { username: 'alice', password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ token_type: 'Bearer', expires_in: SEVEN_DAYS, user: { id: alice.id, username: 'alice' } });
    const claims = decodeJwt(res.body.data.token);
    expect(claims.sub).toBe(alice.id);
    expect(claims.exp! - claims.iat!).toBe(SEVEN_DAYS);
    expect(JSON.parse(Buffer.from(res.body.data.token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const stored = await t.server.ctx.repos.users.findById(alice.id);
    expect(stored?.password_hash).toMatch(/^\$argon2id\$/);
    expect(stored?.last_login_at).toBe(clock.toISOString());
  });

  it('refuses wrong passwords, unknown users and the password-less default user alike (401)', async () => {
    for (const body of [
      { username: 'alice', password: 'wrong password' },
      { username: 'nobody', password: TEST_PASSWORD },
      { username: 'default', password: TEST_PASSWORD },
    ]) {
      const res = await t.api('POST', '/api/auth/login', body);
      expect(res.status, body.username).toBe(401);
      expect(res.body).toEqual({ code: 401, message: 'Incorrect username or password.' });
    }
  });

  it('expires tokens after 7 days', async () => {
    const user = await registerUser(t, 'shortlived');
    const start = clock;
    try {
      clock = new Date(start.getTime() + (SEVEN_DAYS - 60) * 1000);
      expect((await user.api('GET', '/api/auth/profile')).status).toBe(200);
      clock = new Date(start.getTime() + (SEVEN_DAYS + 1) * 1000);
      const expired = await user.api('GET', '/api/auth/profile');
      expect(expired.status).toBe(401);
      expect(expired.body.message).toMatch(/expired/);
    } finally {
      clock = start;
    }
  });

  it('updates the profile and changes the password, retiring older tokens', async () => {
    const carol = await registerUser(t, 'carol');
    expect((await carol.api('PATCH', '/api/auth/profile', { email: 'carol@example.com' })).body.data).toMatchObject({ email: 'carol@example.com' });
    expect((await carol.api('PATCH', '/api/auth/profile', { email: 'not an email' })).status).toBe(400);

    const wrong = await carol.api('PATCH', '/api/auth/profile', { current_password: 'nope nope', new_password: 'a brand new password' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe('The current password is not correct.');

    const changed = await carol.api('PATCH', '/api/auth/profile', { current_password: TEST_PASSWORD, new_password: 'a brand new password' });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ username: 'carol', email: 'carol@example.com', token: expect.any(String) });
    // Tokens are per second: the older one differs only by its password fingerprint.
    expect((await carol.api('GET', '/api/auth/profile')).status).toBe(401);
    expect((await apiAs(t, changed.body.data.token)('GET', '/api/auth/profile')).status).toBe(200);
    expect((await t.api('POST', '/api/auth/login', { username: 'carol', password: TEST_PASSWORD })).status).toBe(401);
    const login = await t.api('POST', '/api/auth/login', { username: 'carol', password: 'a brand new password' });
    expect(login.status).toBe(200);

    const again = await apiAs(t, login.body.data.token)('POST', '/api/auth/password', { current_password: 'a brand new password', new_password: TEST_PASSWORD });
    expect(again.body.data).toMatchObject({ token: expect.any(String), user: { username: 'carol' } });
    expect((await t.api('POST', '/api/auth/login', { username: 'carol', password: TEST_PASSWORD })).status).toBe(200);
  });

  it('lets admins list users, deactivate, reactivate and change roles; others get 403', async () => {
    const dave = await registerUser(t, 'dave');
    const list = await admin.api('GET', '/api/admin/users');
    expect(list.status).toBe(200);
    expect(list.body.data.map((u: any) => u.username)).toEqual(expect.arrayContaining(['default', 'root-admin', 'alice', 'dave']));
    expect(JSON.stringify(list.body.data)).not.toMatch(/password/);

    for (const [method, path, body] of [
      ['GET', '/api/admin/users'],
      ['PATCH', `/api/admin/users/${alice.id}`, { is_active: false }],
      ['PATCH', `/api/admin/users/${admin.id}`, { role: 'user' }],
    ] as Array<[string, string, object?]>) {
      const res = await dave.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.message).toBe('Only an administrator can manage users.');
    }
    expect((await admin.api('GET', '/api/admin/users')).body.data.find((u: any) => u.id === alice.id).is_active).toBe(true);

    // Deactivated: existing tokens and new logins are refused with a sentence.
    expect((await admin.api('PATCH', `/api/admin/users/${dave.id}`, { is_active: false })).body.data).toMatchObject({ username: 'dave', is_active: false });
    const refused = await dave.api('GET', '/api/conversations');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/deactivated/);
    const login = await t.api('POST', '/api/auth/login', { username: 'dave', password: TEST_PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body.message).toMatch(/deactivated.*administrator/);

    expect((await admin.api('PATCH', `/api/admin/users/${dave.id}`, { is_active: true })).body.data.is_active).toBe(true);
    expect((await dave.api('GET', '/api/conversations')).status).toBe(200);

    expect((await admin.api('PATCH', `/api/admin/users/${dave.id}`, { role: 'admin' })).body.data.role).toBe('admin');
    expect((await dave.api('GET', '/api/admin/users')).status).toBe(200);
    expect((await admin.api('PATCH', `/api/admin/users/${dave.id}`, { role: 'user' })).body.data.role).toBe('user');
    expect((await dave.api('GET', '/api/admin/users')).status).toBe(403);

    expect((await admin.api('PATCH', `/api/admin/users/${admin.id}`, { is_active: false })).status).toBe(400);
    expect((await admin.api('PATCH', `/api/admin/users/${admin.id}`, { role: 'user' })).status).toBe(400);
    expect((await admin.api('PATCH', '/api/admin/users/no-such-user', { is_active: false })).status).toBe(404);
    expect((await admin.api('PATCH', `/api/admin/users/${dave.id}`, { role: 'owner' })).status).toBe(400);
  });
});

describe('multi-user settings', () => {
  it('turns registration off with allow_registration: false', async () => {
    const t = await startMultiUserServer({ allow_registration: false });
    try {
      const res = await t.api('POST', '/api/auth/register', { username: 'eve', password: TEST_PASSWORD });
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/Registration is turned off/);
      expect(await t.server.ctx.repos.users.findByUsername('eve')).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('rate-limits login and register per address with 429 and Retry-After', async () => {
    const t = await startMultiUserServer({ auth_rate_limit: { max: 3, window_ms: 60_000 } });
    try {
      await registerUser(t, 'frank');
      for (let i = 0; i < 3; i++) expect((await t.api('POST', '/api/auth/login', { username: 'frank', password: 'wrong guess' })).status).toBe(401);
      const limited = await fetch(`${t.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'frank', password: TEST_PASSWORD }),
      });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.json()).toEqual({ code: 429, message: expect.stringMatching(/Too many sign-in attempts.*Try again in \d+ seconds/) });

      await registerUser(t, 'grace');
      const third = await t.api('POST', '/api/auth/register', { username: 'x', password: 'short' });
      expect(third.status).toBe(400);
      expect((await t.api('POST', '/api/auth/register', { username: 'heidi', password: TEST_PASSWORD })).status).toBe(429);
      expect(await t.server.ctx.repos.users.findByUsername('heidi')).toBeNull();
    } finally {
      await t.close();
    }
  });
});

describe('single-user mode', () => {
  it('needs no login: every request is the default admin', async () => {
    const t = await startTestServer();
    try {
      expect((await t.api('GET', '/api/auth/mode')).body.data).toEqual({ mode: 'single', local_login: false, oidc: null });
      expect((await t.api('GET', '/api/auth/profile')).body.data).toMatchObject({ username: 'default', role: 'admin' });
      expect((await t.api('GET', '/api/conversations')).status).toBe(200);
      expect((await t.api('GET', '/api/admin/users')).body.data.map((u: any) => u.username)).toEqual(['default']);
      const login = await t.api('POST', '/api/auth/login', { username: 'default', password: 'whatever' });
      expect(login.status).toBe(400);
      expect(login.body.message).toMatch(/single-user mode/);
      expect((await t.api('PATCH', '/api/auth/profile', { email: 'me@example.com' })).body.data.email).toBe('me@example.com');
      expect((await t.api('GET', '/api/auth/profile')).body.data.email).toBe('me@example.com');
      const password = await t.api('POST', '/api/auth/password', { current_password: '', new_password: 'whatever123' });
      expect(password.status).toBe(400);
      expect((await t.api('POST', '/api/auth/register', { username: 'someone', password: 'whatever123' })).status).toBe(400);
    } finally {
      await t.close();
    }
  });

  it('accepts a good secret in multi mode', async () => {
    const t = await startTestServer({ auth_mode: 'multi', jwt_secret: TEST_JWT_SECRET });
    await t.close();
  });
});
