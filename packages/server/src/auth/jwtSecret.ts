import type { Config } from '@nanoclaw/protocol';

export const MIN_JWT_SECRET_LENGTH = 32;

/** Placeholder secrets from examples and templates; a server signed with one of them is open to anyone. */
const KNOWN_DEFAULTS = [
  'secret',
  'changeme',
  'change-me',
  'change_me',
  'default',
  'nanoclaw',
  'jwt-secret',
  'jwt_secret',
  'your-secret-key',
  'your-secret-key-here',
  'your_jwt_secret',
  'dev-secret-key',
  'please-change-me',
  'change-this-secret',
  'change-me-to-a-long-random-secret-string',
  'your-super-secret-jwt-key-change-in-production',
  'nanoclaw-secret-key-change-in-production',
];
const PLACEHOLDER = /change[-_ ]?(me|this|it)|your[-_ ]?(jwt[-_ ]?)?secret|replace[-_ ]?me|placeholder|example/i;

/**
 * Why the configured auth cannot start, or null when it can. Multi-user mode needs a `jwt_secret`
 * (or JWT_SECRET) of at least 32 characters that is not a well-known placeholder; single sign-on
 * needs multi-user mode and an https issuer, and turning password sign-in off needs single sign-on.
 */
export function authConfigProblem(config: Pick<Config, 'auth_mode' | 'jwt_secret'> & Partial<Pick<Config, 'local_login' | 'oidc'>>): string | null {
  if (config.auth_mode !== 'multi') {
    return config.oidc ? 'oidc (single sign-on) needs auth_mode: multi; single-user mode has nobody to sign in.' : null;
  }
  const oidcProblem = singleSignOnProblem(config);
  if (oidcProblem) return oidcProblem;
  const secret = config.jwt_secret;
  const advice = 'Set jwt_secret in config.yml (or the JWT_SECRET environment variable) to a random string of at least 32 characters, e.g. the output of `openssl rand -hex 32`.';
  if (!secret?.trim()) return `auth_mode is "multi" but no jwt_secret is set. ${advice}`;
  if (secret.length < MIN_JWT_SECRET_LENGTH) {
    return `jwt_secret is too short (${secret.length} characters; at least ${MIN_JWT_SECRET_LENGTH} are needed). ${advice}`;
  }
  if (KNOWN_DEFAULTS.includes(secret.trim().toLowerCase()) || PLACEHOLDER.test(secret)) {
    return `jwt_secret is a default or placeholder value, so anyone could sign in as anyone. ${advice}`;
  }
  if (new Set(secret).size < 8) return `jwt_secret is too predictable (it repeats a few characters). ${advice}`;
  return null;
}

/** Why the sign-in settings of multi-user mode cannot work, or null. */
function singleSignOnProblem(config: Partial<Pick<Config, 'local_login' | 'oidc'>>): string | null {
  if (config.local_login === false && !config.oidc) {
    return 'local_login is false but no oidc provider is configured, so nobody could sign in. Configure oidc or set local_login: true.';
  }
  if (config.oidc && new URL(config.oidc.issuer).protocol !== 'https:' && !config.oidc.allow_insecure_issuer) {
    return `oidc.issuer must be an https:// URL (got ${config.oidc.issuer}). Only for a test provider on this machine, set oidc.allow_insecure_issuer: true.`;
  }
  return null;
}
