import { startTestServer, type TestServer } from './helpers.js';

/** A secret good enough for multi-user mode (32+ random-looking characters, no placeholder words). */
export const TEST_JWT_SECRET = 'Zq8Lw3Vx9Kp2Rt7Yb4Nm6Hc1Jd5Gf0Ts3Qe';
export const TEST_PASSWORD = 'correct horse battery staple';

export type Api = TestServer['api'];

/** A server in multi-user mode; login/register limits are generous unless overridden. */
export function startMultiUserServer(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  return startTestServer({ auth_mode: 'multi', jwt_secret: TEST_JWT_SECRET, auth_rate_limit: { max: 1000, window_ms: 60_000 }, ...overrides });
}

/** `t.api` with the user's bearer token on every request. */
export function apiAs(t: TestServer, token: string): Api {
  return (method, path, body, headers = {}) => t.api(method, path, body, { authorization: `Bearer ${token}`, ...headers });
}

export interface SignedInUser {
  id: string;
  username: string;
  token: string;
  api: Api;
  headers: Record<string, string>;
}

export async function registerUser(t: TestServer, username: string, password = TEST_PASSWORD): Promise<SignedInUser> {
  const { status, body } = await t.api('POST', '/api/auth/register', { username, password });
  if (status !== 200) throw new Error(`register ${username} failed: ${status} ${JSON.stringify(body)}`);
  const token = body.data.token as string;
  return { id: body.data.user.id, username, token, api: apiAs(t, token), headers: { authorization: `Bearer ${token}` } };
}
