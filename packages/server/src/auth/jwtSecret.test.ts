import { describe, expect, it } from 'vitest';
import { oidcSettingsSchema } from '@nanoclaw/protocol';
import { authConfigProblem } from './jwtSecret.js';

const strong = 'q7F2vX9kLm3Rt8Yp1Zs6Wd4Hb0Nc5JaE'; // 32 characters, random

describe('authConfigProblem', () => {
  it('has nothing to say in single-user mode', () => {
    expect(authConfigProblem({ auth_mode: 'single', jwt_secret: undefined })).toBeNull();
  });

  it('accepts a long random secret in multi-user mode', () => {
    expect(authConfigProblem({ auth_mode: 'multi', jwt_secret: strong })).toBeNull();
  });

  it('refuses a missing, short, placeholder or repetitive secret, naming jwt_secret and JWT_SECRET', () => {
    for (const secret of [undefined, '', '   ', 'short-secret', 'change-me-to-a-long-random-secret-string', 'your-super-secret-jwt-key-change-in-production', 'a'.repeat(40), 'abababababababababababababababab']) {
      const problem = authConfigProblem({ auth_mode: 'multi', jwt_secret: secret });
      expect(problem, String(secret)).toMatch(/jwt_secret/);
      expect(problem).toContain('JWT_SECRET');
    }
    expect(authConfigProblem({ auth_mode: 'multi', jwt_secret: 'x'.repeat(10) })).toMatch(/too short \(10 characters/);
  });

  describe('single sign-on settings', () => {
    const oidc = (issuer: string, extra: object = {}) => oidcSettingsSchema.parse({ issuer, client_id: 'nanoclaw', ...extra });

    it('accepts an https issuer, and an http one only when allow_insecure_issuer says so', () => {
      expect(authConfigProblem({ auth_mode: 'multi', jwt_secret: strong, oidc: oidc('https://id.example.com'), local_login: false })).toBeNull();
      expect(authConfigProblem({ auth_mode: 'multi', jwt_secret: strong, oidc: oidc('http://127.0.0.1:9000') })).toMatch(
        /oidc\.issuer must be an https:\/\/ URL.*allow_insecure_issuer: true/,
      );
      expect(authConfigProblem({ auth_mode: 'multi', jwt_secret: strong, oidc: oidc('http://127.0.0.1:9000', { allow_insecure_issuer: true }) })).toBeNull();
    });

    it('refuses oidc in single-user mode and local_login: false without oidc', () => {
      expect(authConfigProblem({ auth_mode: 'single', jwt_secret: undefined, oidc: oidc('https://id.example.com') })).toMatch(/needs auth_mode: multi/);
      expect(authConfigProblem({ auth_mode: 'multi', jwt_secret: strong, local_login: false })).toMatch(/local_login is false but no oidc/);
    });
  });
});
